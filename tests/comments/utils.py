"""Helpers for comment tests: a captcha solved by working out its task, form data that passes."""

import time

from django.core import signing

from comments.forms import STARTED_SALT
from core.captcha import challenge_new, challenge_numbers


def captcha_answer(key: str) -> str:
    """The right answer to a task key (the secret key is shared with the code under test)."""
    numbers = challenge_numbers(key)
    assert numbers is not None, f"not a valid captcha key: {key!r}"
    return str(sum(numbers))


def solved_captcha() -> tuple[str, str]:
    key = challenge_new()
    return key, captcha_answer(key)


class _Backdated(signing.TimestampSigner):
    seconds_ago = 0.0

    def timestamp(self):
        return signing.b62_encode(int(time.time() - self.seconds_ago))


def started(seconds_ago: float = 30) -> str:
    """The comment form's start time, ``seconds_ago`` in the past, signed like the form's own."""
    signer = _Backdated(salt=STARTED_SALT)
    signer.seconds_ago = seconds_ago
    return signer.sign("st2.0badc0de")


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
