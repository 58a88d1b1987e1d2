"""System checks: switches that must never be on in production, and a cache every process shares."""

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


PROCESS_LOCAL_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@checks.register(checks.Tags.caches)
def test_cache_shared(app_configs, **kwargs):
    """A cache of one process's own breaks the page cache and limits under several workers."""
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend in PROCESS_LOCAL_CACHES and getattr(settings, "PAGECACHE_SECONDS", 300) > 0:
        return [
            checks.Warning(
                f"The default cache ({backend.rsplit('.', 1)[-1]}) is not shared between processes, "
                "but the page cache is on.",
                hint=(
                    "With more than one worker process, readers would see stale pages and rate limits "
                    "would count per process. Use the default shared cache (unset CACHES overrides), "
                    "REDIS_URL, or set PAGECACHE_SECONDS=0."
                ),
                id="blogwerk.W001",
            )
        ]
    return []
