"""The vote form readers fill in; its layout is its own (crispy)."""

from __future__ import annotations

from collections.abc import Sequence

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Field, Layout, Submit
from django import forms
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from blog.context_processors import content_lang_attr
from core.captcha import CaptchaField, CaptchaFormMixin
from polls.models import Poll
from polls.policies import selection_error


class VoteForm(CaptchaFormMixin, forms.Form):
    """Inputs named ``choice`` (contract); ``choices`` are the poll's choices in display order."""

    other_text = forms.CharField(
        label=_("Your own answer"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    next = forms.CharField(widget=forms.HiddenInput, required=False, max_length=2000)

    def __init__(self, *args, poll: Poll, choices: Sequence, id_prefix: str = "", **kwargs):
        kwargs.setdefault("auto_id", f"{id_prefix}poll-{poll.pk}-%s")
        super().__init__(*args, **kwargs)
        self.poll = poll
        self.choice_objects = {c.id: c for c in choices}
        lang = content_lang_attr()  # the answers are content: lang="de" in an English interface
        options = [
            (c.id, format_html("<span{}>{}</span>", lang, c.text) if lang else c.text) for c in choices
        ]
        if poll.is_multiple_choice:
            help_text = ""
            if poll.max_choices:
                help_text = _("You may choose up to %(count)d answers.") % {"count": poll.max_choices}
            self.fields["choice"] = forms.TypedMultipleChoiceField(
                label=_("Your answers"),
                choices=options,
                coerce=int,
                widget=forms.CheckboxSelectMultiple,
                help_text=help_text,
                error_messages={"required": _("Please choose an answer.")},
            )
        else:
            self.fields["choice"] = forms.TypedChoiceField(
                label=_("Your answer"),
                choices=options,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": _("Please choose an answer.")},
            )
        self.order_fields(["choice", "other_text", "next"])
        if not any(c.is_other for c in choices):
            del self.fields["other_text"]
        if poll.requires_captcha:
            self.fields["captcha"] = CaptchaField(label=_("Please solve this sum"))

        self.helper = FormHelper()
        self.helper.form_action = reverse("polls:vote", kwargs={"slug": poll.slug})
        self.helper.form_class = "poll-form"
        self.helper.form_id = f"{id_prefix}poll-{poll.pk}-form"
        self.helper.attrs = {"data-poll": poll.pk}
        # Named fields in a layout: without one, crispy copies the form's attributes (id, action)
        # onto the radio group's <div>.
        self.helper.layout = Layout(*(Field(name) for name in self.fields))
        self.helper.add_input(Submit("vote", _("Vote"), css_class="btn-primary"))

    def clean(self):
        cleaned = super().clean()
        picked = cleaned.get("choice")
        if picked is None:
            return cleaned
        ids = list(picked) if isinstance(picked, list) else [picked]
        error = selection_error(self.poll, ids, self.choice_objects)
        if error:
            raise forms.ValidationError(error)
        cleaned["choices"] = [self.choice_objects[pk] for pk in ids]
        if "other_text" in self.fields:
            other = next(c for c in self.choice_objects.values() if c.is_other)
            text = cleaned.get("other_text", "").strip()
            # Refused, not guessed: the reader sees the form again with what they typed.
            if other in cleaned["choices"] and not text:
                self.add_error(
                    "other_text", _("Please write your own answer for “%(choice)s”.") % {"choice": other.text}
                )
            elif text and other not in cleaned["choices"]:
                self.add_error(
                    "other_text",
                    _("Please also choose “%(choice)s” to send your own answer.") % {"choice": other.text},
                )
        return cleaned

    def first_error(self) -> str:
        for errors in self.errors.values():
            if errors:
                return str(errors[0])
        return str(_("Please check your answer."))
