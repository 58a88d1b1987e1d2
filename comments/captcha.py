"""The math captcha of the comment form: additions, consumed atomically, with a text alternative.

django-simple-captcha's own field reads the answer row and deletes it without looking at
the row count, so ten parallel requests with one solved captcha could all pass. Here the
DELETE decides: only the request whose DELETE removed the row counts.
"""

from __future__ import annotations

import secrets

from captcha.conf import settings as captcha_settings
from captcha.fields import CaptchaField, CaptchaTextInput
from captcha.models import CaptchaStore
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

GENERATOR = "comments.captcha.addition_challenge"


def addition_challenge() -> tuple[str, str]:
    """A sum of two numbers from 1 to 10, e.g. ("4 + 5 =", "9")."""
    a, b = secrets.randbelow(10) + 1, secrets.randbelow(10) + 1
    return f"{a} + {b} =", str(a + b)


def new_key() -> str:
    return CaptchaStore.generate_key(GENERATOR)


def challenge_text(key: str) -> str | None:
    """The task in words for readers who cannot see the picture."""
    row = CaptchaStore.objects.filter(hashkey=key, expiration__gt=timezone.now()).values("challenge").first()
    return row["challenge"].rstrip("= ").strip() if row else None


class CaptchaWidget(CaptchaTextInput):
    template_name = "comments/widgets/captcha.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["key"] = self._key
        return context


class AtomicCaptchaField(CaptchaField):
    default_error_messages = {
        "expired": _(
            "The spam-protection task has expired. Please solve the new one below; your text is kept."
        ),
        "invalid": _("That answer was not right. Please solve the new task below; your text is kept."),
    }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", CaptchaWidget(generator=GENERATOR))
        kwargs.setdefault("error_messages", dict(self.default_error_messages))
        super().__init__(*args, **kwargs)

    def clean(self, value):
        forms.MultiValueField.clean(self, value)  # required, lengths, NUL characters
        key = (value[0] or "").strip()[:40]
        response = (value[1] or "").strip().lower()
        CaptchaStore.remove_expired()
        if captcha_settings.CAPTCHA_TEST_MODE and response == "passed":
            CaptchaStore.objects.filter(hashkey=key).delete()
            return value
        row = (
            CaptchaStore.objects.filter(hashkey=key, expiration__gt=timezone.now())
            .values_list("pk", "response")
            .first()
        )
        if row is None:
            raise ValidationError(self.error_messages["expired"], code="expired")
        # One attempt per task, right or wrong; the row count makes "once" a database fact.
        deleted, _rows = CaptchaStore.objects.filter(pk=row[0]).delete()
        if deleted != 1:
            raise ValidationError(self.error_messages["expired"], code="expired")
        if row[1] != response:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return value
