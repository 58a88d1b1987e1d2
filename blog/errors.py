"""Friendly error pages that never depend on the database."""

from django.http import HttpResponseForbidden, HttpResponseNotFound, HttpResponseServerError
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token


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
    # No request context: the processors might need the database that just failed.
    return HttpResponseServerError(loader.get_template("500.html").render())


# Fields whose text a visitor would hate to lose when a form is refused for its token.
_KEPT_FIELDS = ("body", "name", "email", "url", "other_text")


def csrf_failure(request, reason=""):
    """The form was refused for its token: say why, and hand back what the visitor typed."""
    kept = []
    if request.method == "POST":
        try:
            kept = [(field, request.POST.get(field, "")) for field in _KEPT_FIELDS if request.POST.get(field)]
        except Exception:  # noqa: BLE001 - an unreadable body must not turn into a 500
            kept = []
    template = loader.get_template("403_csrf.html")
    return HttpResponseForbidden(template.render({"kept": kept}, request))
