"""Helpers for comment tests: a captcha solved by reading its store, form data that passes."""

import time

from captcha.models import CaptchaStore
from django.core import signing

from comments.captcha import GENERATOR
from comments.forms import STARTED_SALT


def solved_captcha() -> tuple[str, str]:
    key = CaptchaStore.generate_key(GENERATOR)
    return key, CaptchaStore.objects.get(hashkey=key).response


def started(seconds_ago: float = 30) -> str:
    return signing.dumps(time.time() - seconds_ago, salt=STARTED_SALT)


def form_data(**overrides) -> dict:
    key, answer = solved_captcha()
    data = {
        "name": "Erika Leserin",
        "email": "erika@example.org",
        "url": "",
        "body": "Ein kluger Gedanke zum Beitrag.",
        "parent": "",
        "started": started(),
        "homepage": "",
        "captcha_0": key,
        "captcha_1": answer,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}
