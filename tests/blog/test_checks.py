"""Deployment checks: the site's address and demo logins left on a live site."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from blog import checks
from blog.demo import DEMO_PASSWORD
from tests.config.test_settings import PROD_KEY, manage
from tests.factories import UserFactory


def ids(found):
    return [message.id for message in found]


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["blog.example.org"]
    settings.SITE_URL = "https://blog.example.org"
    return settings


def test_site_url_is_required_without_debug(production):
    production.SITE_URL = ""
    assert ids(checks.test_site_url(None)) == ["blogwerk.E010"]


def test_site_url_may_be_missing_with_debug(production):
    production.DEBUG = True
    production.SITE_URL = ""
    assert checks.test_site_url(None) == []


def test_site_url_correct_passes(production):
    assert checks.test_site_url(None) == []


@pytest.mark.parametrize(
    "value", ["blog.example.org", "ftp://blog.example.org", "https://", "https://x.org/?a=1"]
)
def test_site_url_must_be_an_http_address(production, value):
    production.SITE_URL = value
    assert ids(checks.test_site_url(None)) == ["blogwerk.E011"]


def test_site_url_without_https_is_warned_about(production):
    production.SITE_URL = "http://blog.example.org"
    assert ids(checks.test_site_url(None)) == ["blogwerk.W010"]


def test_site_url_host_must_be_allowed(production):
    production.SITE_URL = "https://other.example.org"
    assert ids(checks.test_site_url(None)) == ["blogwerk.W011"]


def test_site_url_comes_from_the_one_trusted_origin():
    code = "from django.conf import settings as s; print(s.SITE_URL)"
    env = {"DEBUG": "true", "CSRF_TRUSTED_ORIGINS": "https://blog.example.org/"}
    assert manage("shell", "-c", code, env=env).stdout.strip() == "https://blog.example.org"
    env["CSRF_TRUSTED_ORIGINS"] = "https://blog.example.org,https://www.example.org"
    assert manage("shell", "-c", code, env=env).stdout.strip() == ""
    env["SITE_URL"] = "https://www.example.org"
    assert manage("shell", "-c", code, env=env).stdout.strip() == "https://www.example.org"


@pytest.mark.django_db
def test_demo_password_on_a_staff_login_is_an_error(production):
    UserFactory(username="admin", is_staff=True, password=DEMO_PASSWORD)
    UserFactory(username="redaktion", is_staff=True, password="another-password-42")
    UserFactory(username="reader", is_staff=False, password=DEMO_PASSWORD)  # cannot sign in to admin
    found = checks.test_no_demo_password(None)
    assert ids(found) == ["blogwerk.E012"]
    assert "'admin'" in found[0].msg


@pytest.mark.django_db
def test_check_deploy_reports_a_leftover_demo_login(production):
    UserFactory(username="moderation", is_staff=True, password=DEMO_PASSWORD)
    with pytest.raises(SystemCheckError, match=r"blogwerk\.E012"):
        call_command("check", "--deploy")


def test_check_deploy_reports_the_demo_logins_of_a_seeded_site(seeded_site):
    """The way an operator meets it: the demo was seeded with DEBUG, then check --deploy."""
    production = {"DEBUG": "false", "SECRET_KEY": PROD_KEY, "SITE_URL": "https://localhost"}
    result = seeded_site.run("check", "--deploy", env=production, check=False)
    assert result.returncode != 0
    assert result.stderr.count("blogwerk.E012") == 3
