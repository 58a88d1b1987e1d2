"""Turn an unreachable database or a full disk into a friendly answer instead of a traceback."""

import errno
import logging

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader

logger = logging.getLogger(__name__)

UNAVAILABLE = (OperationalError, InterfaceError)


# Fields whose text a visitor would hate to lose when a form cannot be processed.
KEPT_FIELDS = ("body", "name", "email", "url", "other_text")


def kept_fields(request) -> list[tuple[str, str]]:
    """What the visitor typed into a refused form, to hand it back to them."""
    if request is None or request.method != "POST":
        return []
    try:
        return [(field, request.POST.get(field, "")) for field in KEPT_FIELDS if request.POST.get(field)]
    except Exception:  # noqa: BLE001 - an unreadable body must not turn into a 500
        return []


def service_unavailable(request=None) -> HttpResponse:
    """The 503 page; rendered without request context, which might need the database."""
    context = {"kept": kept_fields(request), "was_post": getattr(request, "method", "") == "POST"}
    response = HttpResponse(loader.get_template("503.html").render(context), status=503)
    response["Retry-After"] = "30"
    response["Cache-Control"] = "no-store"
    return response


DISK_FULL = {errno.ENOSPC, errno.EDQUOT}


def storage_full(request=None) -> HttpResponse:
    """507: the upload or form could not be stored; say so and hand the text back."""
    context = {"kept": kept_fields(request)}
    response = HttpResponse(loader.get_template("507.html").render(context, request), status=507)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, UNAVAILABLE) or (
            isinstance(exception, DatabaseError) and "connect" in str(exception).lower()
        ):
            logger.error("database unavailable: %s", exception)
            return service_unavailable(request)
        if isinstance(exception, OSError) and exception.errno in DISK_FULL:
            logger.error("storage full: %s", exception)
            return storage_full(request)
        return None
