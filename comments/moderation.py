"""The moderation pipeline: pure functions that turn a submission into a verdict with reasons.

Each rule looks at the submission, a few facts the caller looked up (is the author known,
is it a duplicate, is the post closed) and the moderation settings, and either says nothing
or returns a ``Reason`` with the action it asks for. The strictest action wins:
reject > spam > hold > approve. To add a rule, write a function and list it in ``RULES``.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _


class Action(enum.IntEnum):
    """What happens to a comment; a larger value is stricter."""

    APPROVE = 0
    HOLD = 1  # stored, waits for a moderator
    SPAM = 2  # stored as spam, never shown, nobody notified
    REJECT = 3  # not stored; the visitor gets the form back with a message

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Submission:
    name: str
    email: str
    url: str
    body: str
    ip: str = ""
    user_agent: str = ""
    honeypot_filled: bool = False
    elapsed_seconds: float | None = None  # None: no valid form timestamp
    rate_limit_unknown: bool = False  # the flood counter could not be reached
    is_staff: bool = False
    is_edit: bool = False


@dataclass(frozen=True)
class Facts:
    known_author: bool = False  # the e-mail address has an approved comment
    duplicate: bool = False
    post_closed: bool = False
    banned: bool = False  # the e-mail, address, network or a linked host is blocked
    spam_probability: float | None = None  # the learning filter's score; None: it has not judged
    spam_detail: str = ""  # "97 %: viagra, casino, bit.ly"


@dataclass(frozen=True)
class Rules:
    approval: str = "first_time"  # ModerationSettings.Approval values
    max_links: int = 2
    moderation_keywords: tuple[str, ...] = ()
    blocked_keywords: tuple[str, ...] = ()
    min_seconds: float = 3
    spam_hold_percent: int = 50
    spam_percent: int = 60


@dataclass(frozen=True)
class Reason:
    rule: str
    action: Action
    detail: str = ""

    def as_dict(self) -> dict:
        return {"rule": self.rule, "action": self.action.label, "detail": self.detail}


@dataclass
class Verdict:
    action: Action
    reasons: list[Reason] = field(default_factory=list)

    @property
    def message(self) -> str:
        """For a rejection: the first reason, worded for the visitor."""
        for reason in self.reasons:
            if reason.action == self.action and reason.rule in VISITOR_MESSAGES:
                return str(VISITOR_MESSAGES[reason.rule])
        return ""

    def reasons_as_data(self) -> list[dict]:
        return [reason.as_dict() for reason in self.reasons]


Rule = Callable[[Submission, Facts, Rules], "Reason | None"]

_LINK = re.compile(r"https?://|\bwww\.|mailto:", re.I)


def count_links(text: str) -> int:
    return len(_LINK.findall(text or ""))


def _matching_keyword(keywords, sub: Submission) -> str | None:
    haystack = "\n".join([sub.name, sub.email, sub.url, sub.body, sub.ip, sub.user_agent]).casefold()
    for keyword in keywords:
        if keyword and keyword.casefold() in haystack:
            return keyword
    return None


def post_closed(sub: Submission, facts: Facts, rules: Rules) -> Reason | None:
    if facts.post_closed:
        return Reason("closed", Action.REJECT)
    return None


def duplicate(sub: Submission, facts: Facts, rules: Rules) -> Reason | None:
    if facts.duplicate:
        return Reason("duplicate", Action.REJECT)
    return None


def banned(sub: Submission, facts: Facts, rules: Rules) -> Reason | None:
    if facts.banned:
        return Reason("banned", Action.REJECT)
    return None


def spam_filter(sub: Submission, facts: Facts, rules: Rules) -> Reason | None:
    """The learning filter: spam above one threshold, held above the other, else only a note."""
    if facts.spam_probability is None:
        return None
    percent = facts.spam_probability * 100
    if percent >= rules.spam_percent:
        action = Action.SPAM
    elif percent >= rules.spam_hold_percent:
        action = Action.HOLD
    else:
        action = Action.APPROVE
    return Reason("spam_filter", action, facts.spam_detail or f"{round(percent)} %")


def too_fast(sub: Submission, facts: Facts, rules: Rules) -> Reason | None:
    """Humans need a few seconds to write; a missing or forged start time counts as too fast."""
    if sub.is_edit:
        return None
    if sub.elapsed_seconds is None or sub.elapsed_seconds < rules.min_seconds:
        detail = "" if sub.elapsed_seconds is None else f"{sub.elapsed_seconds:.1f}s"
        return Reason("too_fast", Action.REJECT, detail)
    return None


def honeypot(sub: Submission, facts: Facts, rules: Rules) -> Reason | None:
    if sub.honeypot_filled and not sub.is_edit:
        return Reason("honeypot", Action.SPAM)
    return None


def blocked_keyword(sub: Submission, facts: Facts, rules: Rules) -> Reason | None:
    keyword = _matching_keyword(rules.blocked_keywords, sub)
    return Reason("blocked_keyword", Action.SPAM, keyword) if keyword else None


def moderation_keyword(sub: Submission, facts: Facts, rules: Rules) -> Reason | None:
    keyword = _matching_keyword(rules.moderation_keywords, sub)
    return Reason("moderation_keyword", Action.HOLD, keyword) if keyword else None


def too_many_links(sub: Submission, facts: Facts, rules: Rules) -> Reason | None:
    links = count_links(sub.body)
    if links > rules.max_links:
        return Reason("links", Action.HOLD, str(links))
    return None


def rate_limit_unknown(sub: Submission, facts: Facts, rules: Rules) -> Reason | None:
    """When the flood counter cannot be reached, keep the comment but let a human look."""
    if sub.rate_limit_unknown:
        return Reason("rate_limit_unknown", Action.HOLD)
    return None


def approval_policy(sub: Submission, facts: Facts, rules: Rules) -> Reason | None:
    if rules.approval == "all":
        return Reason("approval_required", Action.HOLD)
    if rules.approval == "first_time":
        if facts.known_author:
            return Reason("known_author", Action.APPROVE)
        return Reason("first_time_author", Action.HOLD)
    return Reason("no_approval", Action.APPROVE)


RULES: list[Rule] = [
    post_closed,
    banned,
    duplicate,
    too_fast,
    honeypot,
    blocked_keyword,
    moderation_keyword,
    too_many_links,
    spam_filter,
    rate_limit_unknown,
    approval_policy,
]


def evaluate(sub: Submission, facts: Facts, rules: Rules) -> Verdict:
    """Run every rule; the strictest action wins and every reason is kept."""
    if sub.is_staff:
        closed = post_closed(sub, facts, rules)
        return (
            Verdict(Action.APPROVE, [Reason("staff", Action.APPROVE)])
            if not closed
            else Verdict(Action.REJECT, [closed])
        )
    reasons = [reason for rule in RULES if (reason := rule(sub, facts, rules)) is not None]
    action = max((reason.action for reason in reasons), default=Action.APPROVE)
    return Verdict(action, reasons)


VISITOR_MESSAGES = {
    "closed": _("Comments are closed for this post."),
    "duplicate": _("It looks as though you have already said that."),
    # Neutral on purpose: a blocked author learns nothing about the block.
    "banned": _("Your comment could not be accepted."),
    "too_fast": _(
        "That was very quick. Please check your comment and send it again; nothing you wrote is lost."
    ),
}

REASON_TEXTS = {
    "closed": _("post closed for comments"),
    "duplicate": _("duplicate"),
    "too_fast": _("sent too fast (%(detail)s)"),
    "honeypot": _("honeypot field filled or missing"),
    "blocked_keyword": _("blocked keyword “%(detail)s”"),
    "moderation_keyword": _("moderation keyword “%(detail)s”"),
    "links": _("%(detail)s links"),
    "rate_limit_unknown": _("flood limit could not be checked"),
    "approval_required": _("every comment needs approval"),
    "first_time_author": _("first comment of this author"),
    "known_author": _("known author"),
    "no_approval": _("no approval needed"),
    "staff": _("written by staff"),
    "imported": _("imported"),
    "banned": _("blocked author"),
    "spam_filter": _("spam probability %(detail)s"),
}


def describe(reason: dict) -> str:
    """A stored reason in the moderator's language."""
    text = REASON_TEXTS.get(reason.get("rule", ""))
    if text is None:
        return str(reason.get("rule", "?"))
    text = str(text)
    return text % {"detail": reason.get("detail", "")} if "%(detail)s" in text else text
