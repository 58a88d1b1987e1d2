"""The math captcha: one task per reader, signed instead of stored, answered once.

A task's key is ``cc1.<nonce>:<timestamp>:<signature>``; the two numbers follow from the
nonce and the secret key, so nobody can read them off the key, and showing a task writes
nothing anywhere. A cached page gets a new key for every reader (``core.pagecache``
swaps it on each hit), with or without JavaScript. Answering records the nonce in
``UsedChallenge`` — right or wrong, one attempt per task — so parallel requests with the
same solved task count once. A right answer on a form with other mistakes is not used
up: the reader keeps the task and their answer while fixing the rest.
"""

from __future__ import annotations

import datetime
import re
import secrets

from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from core.conf import core_settings
from core.models import UsedChallenge
from core.pagecache import register_per_reader
from core.tokens import sign_timestamped

_SALT = "core.captcha"
_PREFIX = "cc1."
KEY_PATTERN = re.compile(rb"cc1\.[A-Za-z0-9_-]{16}:[A-Za-z0-9]+:[A-Za-z0-9_-]{20,64}")
_KEY_MAX_LENGTH = 120


def challenge_new() -> str:
    """A fresh task key."""
    return sign_timestamped(_PREFIX + secrets.token_urlsafe(12), salt=_SALT)


def _nonce(key: str) -> str | None:
    """The nonce of a genuine, unexpired key, else None."""
    if not isinstance(key, str) or len(key) > _KEY_MAX_LENGTH or not key.startswith(_PREFIX):
        return None
    try:
        value = signing.TimestampSigner(salt=_SALT).unsign(key, max_age=core_settings.CAPTCHA_MAX_AGE)
    except signing.BadSignature:  # also SignatureExpired
        return None
    return value.removeprefix(_PREFIX)


def challenge_numbers(key: str) -> tuple[int, int] | None:
    """The two numbers to add for a genuine, unexpired key."""
    nonce = _nonce(key)
    if nonce is None:
        return None
    digest = salted_hmac(_SALT, nonce, algorithm="sha256").digest()
    return digest[0] % 10 + 1, digest[1] % 10 + 1


def challenge_text(key: str) -> str | None:
    """The task in words, for readers who cannot see the picture ("4 + 5")."""
    numbers = challenge_numbers(key)
    return None if numbers is None else f"{numbers[0]} + {numbers[1]}"


def challenge_usable(key: str) -> bool:
    """Genuine, unexpired and not answered yet (one query)."""
    nonce = _nonce(key)
    return nonce is not None and not UsedChallenge.objects.filter(nonce=nonce).exists()


def challenge_use(key: str) -> bool:
    """Record that ``key`` was answered; False when it had been already (or is not genuine)."""
    nonce = _nonce(key)
    if nonce is None:
        return False
    expires_at = timezone.now() + datetime.timedelta(seconds=core_settings.CAPTCHA_MAX_AGE)
    try:
        with transaction.atomic():
            UsedChallenge.objects.create(nonce=nonce, expires_at=expires_at)
    except IntegrityError:
        return False
    return True


def challenges_purge() -> int:
    """Forget used tasks that would have expired anyway; returns how many."""
    deleted, _rows = UsedChallenge.objects.filter(expires_at__lt=timezone.now()).delete()
    return deleted


def _test_mode_answer(answer: str) -> bool:
    return bool(getattr(settings, "CAPTCHA_TEST_MODE", False)) and answer == "passed"


class CaptchaWidget(forms.MultiWidget):
    """``<name>_0`` the key (hidden), ``<name>_1`` the answer; picture, text and refresh beside."""

    template_name = "core/captcha_widget.html"

    def __init__(self, attrs=None):
        answer_attrs = {
            "autocomplete": "off",
            "inputmode": "numeric",
            "spellcheck": "false",
            "autocapitalize": "off",
            "maxlength": "4",
            "size": "4",
            **(attrs or {}),
        }
        super().__init__([forms.HiddenInput(), forms.TextInput(attrs=answer_attrs)], attrs)

    def decompress(self, value):
        return [value, ""] if value else [None, ""]

    def get_context(self, name, value, attrs):
        key, answer = [*value, None, None][:2] if isinstance(value, list | tuple) else (None, None)
        # A bound form shown again keeps its task only while it can still be answered.
        if not key or not challenge_usable(key):
            key, answer = challenge_new(), ""
        context = super().get_context(name, [key, answer or ""], attrs)
        context["widget"]["subwidgets"][0]["attrs"].pop("required", None)  # not valid on type=hidden
        context["key"] = key
        context["image_url"] = reverse("core:captcha_image", args=[key])
        context["text_url"] = reverse("core:captcha_text", args=[key])
        context["new_url"] = reverse("core:captcha_new")
        return context


class CaptchaField(forms.MultiValueField):
    """Checks the answer; a wrong one uses the task up. ``CaptchaFormMixin`` uses up a right one."""

    widget = CaptchaWidget
    default_error_messages = {
        "expired": _(
            "The spam-protection task has expired. Please solve the new one below; your text is kept."
        ),
        "invalid": _("That answer was not right. Please solve the new task below; your text is kept."),
        "required": _("Please solve the spam-protection task."),
    }

    def __init__(self, **kwargs):
        fields = (forms.CharField(max_length=_KEY_MAX_LENGTH), forms.CharField(max_length=8))
        super().__init__(fields, require_all_fields=True, **kwargs)

    def compress(self, data_list):
        return data_list[0] if data_list else None

    def clean(self, value):
        key = super().clean(value)  # required, lengths, NUL characters
        answer = (value[1] or "").strip().lower()
        if _test_mode_answer(answer):
            return {"key": key, "test_mode": True}
        numbers = challenge_numbers(key)
        if numbers is None:
            raise ValidationError(self.error_messages["expired"], code="expired")
        if answer != str(sum(numbers)):
            challenge_use(key)  # one attempt per task
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return {"key": key, "test_mode": False}


class CaptchaFormMixin:
    """Uses the task up once everything else on the form is right, so it counts once."""

    def full_clean(self):
        super().full_clean()
        if not self.is_bound or self._errors:
            return
        for name, field in self.fields.items():
            if not isinstance(field, CaptchaField):
                continue
            solved = self.cleaned_data.get(name)
            if solved and not solved["test_mode"] and not challenge_use(solved["key"]):
                self.add_error(name, ValidationError(field.error_messages["expired"], code="expired"))


# Each reader of a cached page gets their own task.
register_per_reader("captcha", KEY_PATTERN, challenge_new)
