"""Comment tests send mail synchronously into the locmem outbox."""

import pytest


@pytest.fixture(autouse=True)
def _comment_settings(settings):
    settings.COMMENTS_MAIL_IN_BACKGROUND = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://blog.example"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast user factories
