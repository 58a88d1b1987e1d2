"""Friendly error pages that never depend on the database."""

from django.http import HttpResponseNotFound, HttpResponseServerError
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token


@requires_csrf_token
def page_not_found(request, exception=None):
    template = loader.get_template("404.html")
    try:
        body = template.render({"request_path": request.path}, request)
    except Exception:
        body = loader.get_template("errors/minimal.html").render({"status": 404})
    return HttpResponseNotFound(body)


@requires_csrf_token
def server_error(request):
    # No request context: the processors might need the database that just failed.
    return HttpResponseServerError(loader.get_template("500.html").render())
