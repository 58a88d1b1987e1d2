"""Comment tests: mail goes into the locmem outbox once the worker ran the queued tasks."""

import pytest

from tests.worker.utils import committed_then_worker


@pytest.fixture(autouse=True)
def _comment_settings(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://blog.example"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast user factories


@pytest.fixture
def after_commit(django_capture_on_commit_callbacks):
    """``with after_commit():`` commits, queues the notification tasks and runs them."""
    return lambda: committed_then_worker(django_capture_on_commit_callbacks)
