"""Deployment checks for the site's address and for demo logins left on a live site."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import checks
from django.db import DatabaseError
from django.http.request import split_domain_port, validate_host


@checks.register(checks.Tags.security, deploy=True)
def test_site_url(app_configs, **kwargs):
    """Links in mails and feeds need the public address; without it they point nowhere."""
    site_url = getattr(settings, "SITE_URL", "")
    if not site_url:
        if settings.DEBUG:
            return []
        return [
            checks.Error(
                "SITE_URL is not set: links in mails and feeds would not lead to this site.",
                hint="Set SITE_URL to the site's public address, e.g. https://blog.example.org.",
                id="blogwerk.E010",
            )
        ]
    parts = urlsplit(site_url)
    if parts.scheme not in {"http", "https"} or not parts.hostname or parts.query or parts.fragment:
        return [
            checks.Error(
                f"SITE_URL {site_url!r} is not an http(s) address.",
                hint="Write it as scheme and host, e.g. https://blog.example.org.",
                id="blogwerk.E011",
            )
        ]
    found = []
    if parts.scheme != "https" and not settings.DEBUG:
        found.append(
            checks.Warning(
                f"SITE_URL {site_url!r} is not an https address.",
                hint="Links in mails would go through an unencrypted redirect; use https://.",
                id="blogwerk.W010",
            )
        )
    host, _port = split_domain_port(parts.netloc)
    if not validate_host(host, settings.ALLOWED_HOSTS):
        found.append(
            checks.Warning(
                f"The host of SITE_URL ({host}) is not in ALLOWED_HOSTS: its links would answer 400.",
                hint="Add it to ALLOWED_HOSTS or correct SITE_URL.",
                id="blogwerk.W011",
            )
        )
    return found


@checks.register(checks.Tags.security, deploy=True)
def test_no_demo_password(app_configs, **kwargs):
    """A staff login with seed_demo's public password is an open door."""
    from blog.demo import DEMO_PASSWORD

    User = get_user_model()
    try:
        # Only staff can sign in to the admin; each check costs one password hash.
        staff = list(User.objects.filter(is_active=True, is_staff=True).order_by("pk"))
    except DatabaseError:
        return []  # no database (yet): nothing to find, and not this check's business
    return [
        checks.Error(
            f"The login {user.get_username()!r} still has the public demo password of seed_demo.",
            hint="Delete the demo logins in the admin, or give them a new password (manage.py changepassword).",
            id="blogwerk.E012",
        )
        for user in staff
        if user.check_password(DEMO_PASSWORD)
    ]
