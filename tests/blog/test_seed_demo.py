"""seed_demo: the demo on a development machine, never a known password on a live site."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from blog.demo import DEMO_LOGINS, DEMO_PASSWORD
from blog.models import Post

pytestmark = pytest.mark.django_db


def seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def demo_users():
    return get_user_model().objects.filter(username__in=[login.username for login in DEMO_LOGINS])


def test_seed_demo_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=true"):
        seed()
    assert not demo_users().exists()
    assert not Post.objects.exists()


def test_seed_demo_with_debug_sets_the_public_demo_password(settings):
    settings.DEBUG = True
    out = seed()
    assert f"admin / {DEMO_PASSWORD}" in out
    assert all(user.check_password(DEMO_PASSWORD) for user in demo_users())
    assert Post.objects.exists()


def test_seed_demo_forced_without_debug_prints_random_passwords_once(settings):
    settings.DEBUG = False
    out = seed(force=True)
    users = {user.username: user for user in demo_users()}
    assert len(users) == len(DEMO_LOGINS)
    assert DEMO_PASSWORD not in out
    passwords = {}
    for login in DEMO_LOGINS:
        line = next(line for line in out.splitlines() if f"login: {login.username} / " in line)
        passwords[login.username] = line.split(" / ")[1].split()[0]
        user = users[login.username]
        assert user.check_password(passwords[login.username])
        assert not user.check_password(DEMO_PASSWORD)
    assert len(set(passwords.values())) == len(DEMO_LOGINS)
    assert "shown only now" in out

    again = seed(force=True)  # idempotent: existing passwords stay, nothing to tell
    assert "login:" not in again
    for user in demo_users():
        assert user.check_password(passwords[user.username])


def test_seed_demo_forced_replaces_a_leftover_demo_password(settings):
    settings.DEBUG = True
    seed()
    settings.DEBUG = False
    out = seed(force=True)
    assert DEMO_PASSWORD not in out
    assert not any(user.check_password(DEMO_PASSWORD) for user in demo_users())


def test_seed_demo_forced_leaves_a_real_password_alone(settings, django_user_model):
    settings.DEBUG = False
    django_user_model.objects.create_user("admin", password="the-owners-own-password", is_staff=True)
    out = seed(force=True)
    assert "login: admin /" not in out
    assert django_user_model.objects.get(username="admin").check_password("the-owners-own-password")
