"""Deployment checks for switches that must never be on in production."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def test_switches_off(app_configs, **kwargs):
    errors = []
    if getattr(settings, "CAPTCHA_TEST_MODE", False):
        errors.append(
            checks.Error(
                "CAPTCHA_TEST_MODE is on: the captcha accepts the answer PASSED.",
                hint="Unset CAPTCHA_TEST_MODE; it is for automated tests only.",
                id="blogwerk.E001",
            )
        )
    if not getattr(settings, "RATELIMIT_ENABLED", True):
        errors.append(
            checks.Error(
                "RATELIMIT_ENABLED is false: flood and rate limits are off.",
                hint="Unset RATELIMIT_ENABLED; turn it off only for load tests.",
                id="blogwerk.E002",
            )
        )
    return errors
