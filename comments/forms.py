"""The comment form visitors fill in, and the small forms around it."""

from __future__ import annotations

import ipaddress
import re
import secrets
import time
import unicodedata
from urllib.parse import urlsplit

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Layout, Submit
from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.functional import lazy
from django.utils.html import escape
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from comments.conf import comments_settings
from comments.sanitize import ALLOWED_TAGS_HINT, clean_body_text, clean_name, render_comment_body
from core.captcha import CaptchaField, CaptchaFormMixin
from core.tokens import sign_timestamped

STARTED_SALT = "comments.form-started"
STARTED_PATTERN = re.compile(rb"st2\.[0-9a-f]{8}:[A-Za-z0-9]+:[A-Za-z0-9_-]{20,64}")
HONEYPOT = "homepage"


def started_token() -> str:
    """A signed 'form shown at' time (to the second; ``st2.<nonce>:<time>:<signature>``).

    Every reader of a cached page gets one of their own (core.pagecache swaps it per hit), so
    it is made cheaply; there is no maximum age, long comments are welcome."""
    return sign_timestamped(f"st2.{secrets.token_hex(4)}", salt=STARTED_SALT)


def elapsed_since(token: str) -> float | None:
    if not isinstance(token, str) or len(token) > 200 or not token.startswith("st2."):
        return None
    try:
        signing.TimestampSigner(salt=STARTED_SALT).unsign(token)
        started = signing.b62_decode(token.rsplit(":", 2)[1])
    except (signing.BadSignature, ValueError, IndexError):
        return None
    return max(0.0, time.time() - started)


WEBSITE_SCHEMES = ("http", "https")
# Scripts whose letters look alike; one name mixing them imitates another site ("pаypal").
CONFUSABLE_SCRIPTS = {"LATIN", "CYRILLIC", "GREEK"}


def _scripts(label: str) -> set[str]:
    return {unicodedata.name(ch, "?").split(" ", 1)[0] for ch in label if ch.isalpha()}


def _unicode_label(label: str) -> str:
    if label.startswith("xn--"):
        try:
            return label.encode("ascii").decode("idna")
        except UnicodeError:
            raise ValidationError(_("Enter a valid URL."), code="invalid") from None
    return label


def validate_website(value: str) -> None:
    """A commenter's website: a plain http(s) address of a public host, nothing that deceives.

    Refused with a message saying why: other schemes (``javascript:``, ``data:``), a user
    name or password before the host (``http://bank.example@evil.example/`` goes to
    evil.example), backslashes (browsers read them as slashes), local and private hosts, and
    names that mix look-alike alphabets (Latin "a" and Cyrillic "а" in "pаypal").
    """
    try:
        parts = urlsplit(value)
    except ValueError:
        raise ValidationError(_("Enter a valid URL."), code="invalid") from None
    if parts.scheme.lower() not in WEBSITE_SCHEMES:
        raise ValidationError(
            _("Please enter a web address that starts with http:// or https://."), code="scheme"
        )
    if "@" in parts.netloc:
        raise ValidationError(
            _(
                "Please enter the address without a user name or password: nothing may stand before "
                "an “@” in it. Such addresses pretend to lead to one site and lead to another."
            ),
            code="credentials",
        )
    if "\\" in value:
        raise ValidationError(_("Please enter the address without backslashes (\\)."), code="backslash")
    host = (parts.hostname or "").rstrip(".")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if host == "localhost" or host.endswith(".localhost") or (address is not None and not address.is_global):
        raise ValidationError(
            _("Please enter the address of a public website, not of a local or private computer."),
            code="private",
        )
    for label in host.split("."):
        if len(_scripts(_unicode_label(label)) & CONFUSABLE_SCRIPTS) > 1:
            raise ValidationError(
                _(
                    "The address mixes letters of different alphabets that look alike (such as Latin "
                    "“a” and Cyrillic “а”) in one name, a trick to imitate other sites. Please type "
                    "it again."
                ),
                code="homograph",
            )
    URLValidator(schemes=list(WEBSITE_SCHEMES))(value)  # the rest: a real host name, no spaces


class WebsiteField(forms.URLField):
    """A URL field that gives one precise reason: the length first, then ``validate_website``."""

    default_validators = []

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators = [*self.validators, validate_website]  # after the length validator

    def run_validators(self, value):
        if value in self.empty_values:
            return
        for validator in self.validators:
            validator(value)  # the first reason is enough; later ones would repeat it


class BodyMixin:
    def clean_body(self):
        body = clean_body_text(self.cleaned_data["body"])
        if not render_comment_body(body):
            raise forms.ValidationError(
                _("Your comment is empty once the HTML that is not allowed is removed."), code="empty"
            )
        return body


def _allowed_tags_help_text() -> str:
    return gettext("You may use these HTML tags and attributes: %(tags)s") % {
        "tags": escape(ALLOWED_TAGS_HINT)
    }


# Translated when shown, in the reader's language, not once at import.
_allowed_tags_help = lazy(_allowed_tags_help_text, str)


def body_field():
    return forms.CharField(
        label=_("Comment"),
        max_length=comments_settings.MAX_BODY_LENGTH,
        widget=forms.Textarea(attrs={"rows": 7}),
        help_text=_allowed_tags_help(),
    )


class CommentForm(CaptchaFormMixin, BodyMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=comments_settings.MAX_NAME_LENGTH)
    email = forms.EmailField(label=_("E-mail"), max_length=254, help_text=_("Will not be published."))
    url = WebsiteField(label=_("Website"), required=False, max_length=200, assume_scheme="https")
    body = body_field()
    parent = forms.IntegerField(required=False, min_value=1, max_value=2**62, widget=forms.HiddenInput)
    started = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)
    # The honeypot: hidden from people by CSS, tempting for bots. Missing counts as filled.
    homepage = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    captcha = CaptchaField(
        label=_("Spam protection: please add the two numbers"),
        help_text=_("Can't read the numbers? Use the link “task as text”, or get a new task."),
    )
    remember = forms.BooleanField(
        label=_("Save my name, e-mail and website in this browser for the next comment."), required=False
    )
    subscribe = forms.BooleanField(
        label=_("E-mail me when someone replies (you will get a confirmation link first)."),
        required=False,
    )

    def __init__(self, *args, action: str = "", subscribe: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not subscribe:  # static pages keep no reply subscriptions
            del self.fields["subscribe"]
        if not self.is_bound:
            self.initial.setdefault("started", started_token())
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.form_id = "commentform"
        self.helper.form_class = "comment-form"
        self.helper.attrs = {"novalidate": ""}
        self.helper.layout = Layout(
            HTML(
                '<p class="small text-body-secondary">'
                + escape(_("Your e-mail address will not be published. Required fields are marked *"))
                + "</p>"
            ),
            Field("body"),
            Div(Div("name", css_class="col-md-6"), Div("email", css_class="col-md-6"), css_class="row"),
            Field("url"),
            Div(Field(HONEYPOT), css_class="comment-hp", aria_hidden="true"),
            "parent",
            "started",
            Field("captcha"),
            Field("remember"),
            *([Field("subscribe")] if subscribe else []),
            Submit("submit", _("Post comment"), css_class="btn btn-primary"),
        )

    def clean_name(self):
        name = clean_name(self.cleaned_data["name"])
        if not name:
            raise forms.ValidationError(_("Please enter a name."), code="required")
        return name

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    @property
    def honeypot_filled(self) -> bool:
        return HONEYPOT not in self.data or bool(self.data.get(HONEYPOT))

    @property
    def elapsed_seconds(self) -> float | None:
        return elapsed_since(self.data.get("started", ""))

    def refresh_started(self):
        """After a rejection for speed the visitor gets a fresh start time with their text."""
        data = self.data.copy()
        data["started"] = started_token()
        self.data = data


class CommentEditForm(BodyMixin, forms.Form):
    body = body_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(Field("body"), Submit("submit", _("Save changes")))


class ReportForm(forms.Form):
    reason = forms.CharField(
        label=_("What is wrong with this comment? (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(Field("reason"), Submit("submit", _("Report to the moderators")))


class StaffReplyForm(BodyMixin, forms.Form):
    body = body_field()


class PrivacyForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
