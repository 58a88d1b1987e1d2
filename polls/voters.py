"""Who is voting: the browser's voter token, and which polls it has voted in.

``reader_state()`` is the one place that decides, from the request alone, what a reader's
own view of a poll is; a page cache varies on the ``bw_voted`` cookie it reads. That cookie
lists the polls voted in, newest first, each with the reader's own choices:
``3-12_14.5-7`` (poll 3: choices 12 and 14; poll 5: choice 7); a bare ``3`` (older cookies)
means voted, choices unknown.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from polls.conf import polls_settings

_SALT = "polls.voter"
_TOKEN = re.compile(r"^[0-9a-f]{32}$")
_ENTRY = re.compile(r"(?P<poll>[0-9]{1,12})(?:-(?P<choices>[0-9]{1,12}(?:_[0-9]{1,12}){0,19}))?")


@dataclass(frozen=True)
class ReaderState:
    has_voted: bool
    is_staff: bool
    own_choices: frozenset[int] = frozenset()


def voter_token(request) -> str | None:
    """The browser's voter token from its signed cookie, or None."""
    token = request.get_signed_cookie(polls_settings.VOTER_COOKIE, default=None, salt=_SALT)
    return token if token and _TOKEN.match(token) else None


def new_voter_token() -> str:
    return secrets.token_hex(16)


def voted_poll_ids(request) -> set[int]:
    """Poll ids this browser has voted in, from the ``bw_voted`` cookie (display state only)."""
    return set(_entries(request))


def own_choice_ids(request, poll) -> frozenset[int]:
    """The choices this browser picked in ``poll`` (display state only; empty when unknown)."""
    return frozenset(_entries(request).get(poll.pk, ()))


def reader_state(request, poll) -> ReaderState:
    """This reader's own state for ``poll``: computed per request, never stored in a page."""
    if request is None:
        return ReaderState(has_voted=False, is_staff=False)
    user = getattr(request, "user", None)
    entries = _entries(request)
    return ReaderState(
        has_voted=poll.pk in entries,
        is_staff=bool(user is not None and user.is_staff),
        own_choices=frozenset(entries.get(poll.pk, ())),
    )


def _cookie_args(request) -> dict:
    return {
        "max_age": polls_settings.COOKIE_MAX_AGE,
        "secure": request.is_secure(),
        "samesite": "Lax",
    }


def ensure_voter_cookie(request, response, token: str | None = None) -> str:
    """Give the browser a voter token if it has none; returns the token in use."""
    current = voter_token(request)
    if current and (token is None or token == current):
        return current
    token = token or new_voter_token()
    response.set_signed_cookie(
        polls_settings.VOTER_COOKIE, token, salt=_SALT, httponly=True, **_cookie_args(request)
    )
    return token


def remember_vote(request, response, poll, choice_ids=()) -> None:
    """Add ``poll`` (and the choices picked, when known) to the browser's list of polls voted
    in, newest first, bounded."""
    entries = _entries(request)
    own = tuple(choice_ids) or entries.get(poll.pk, ())
    ordered = [(poll.pk, own)] + [(pk, ids) for pk, ids in entries.items() if pk != poll.pk]
    value = ".".join(
        f"{pk}-{'_'.join(map(str, ids))}" if ids else str(pk)
        for pk, ids in ordered[: polls_settings.VOTED_COOKIE_MAX_POLLS]
    )
    response.set_cookie(polls_settings.VOTED_COOKIE, value, httponly=True, **_cookie_args(request))


def _entries(request) -> dict[int, tuple[int, ...]]:
    """Poll id → own choice ids, in the cookie's order (newest first); bad parts are skipped."""
    raw = request.COOKIES.get(polls_settings.VOTED_COOKIE, "")
    entries: dict[int, tuple[int, ...]] = {}
    for part in raw.split(".")[: polls_settings.VOTED_COOKIE_MAX_POLLS]:
        match = _ENTRY.fullmatch(part)
        if match and int(match["poll"]) not in entries:
            choices = match["choices"]
            entries[int(match["poll"])] = tuple(int(c) for c in choices.split("_")) if choices else ()
    return entries
