"""Friendly error pages that never depend on the database."""

import sys

from django.http import HttpResponseForbidden, HttpResponseNotFound, HttpResponseServerError
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

from core.middleware import UNAVAILABLE, kept_fields, service_unavailable


@requires_csrf_token
def page_not_found(request, exception=None):
    template = loader.get_template("404.html")
    try:
        body = template.render({"request_path": request.path}, request)
    except Exception:  # noqa: BLE001 - a broken context (e.g. database down) must not 500
        body = loader.get_template("errors/minimal.html").render({"status": 404})
    return HttpResponseNotFound(body)


@requires_csrf_token
def server_error(request):
    # An outage outside a view (e.g. saving the session) lands here: still a 503, not a 500.
    if isinstance(sys.exc_info()[1], UNAVAILABLE):
        return service_unavailable(request)
    # No request context: the processors might need the database that just failed.
    return HttpResponseServerError(loader.get_template("500.html").render())


def csrf_failure(request, reason=""):
    """The form was refused for its token: say why, and hand back what the visitor typed."""
    template = loader.get_template("403_csrf.html")
    return HttpResponseForbidden(template.render({"kept": kept_fields(request)}, request))
