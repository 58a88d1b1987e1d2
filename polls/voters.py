"""Who is voting: the browser's voter token, and which polls it has voted in.

``reader_state()`` is the one place that decides, from the request alone, what a reader's
own view of a poll is; a page cache varies on the ``bw_voted`` cookie it reads.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from polls.conf import polls_settings

_SALT = "polls.voter"
_TOKEN = re.compile(r"^[0-9a-f]{32}$")
_ID = re.compile(r"[0-9]{1,12}")


@dataclass(frozen=True)
class ReaderState:
    has_voted: bool
    is_staff: bool


def voter_token(request) -> str | None:
    """The browser's voter token from its signed cookie, or None."""
    token = request.get_signed_cookie(polls_settings.VOTER_COOKIE, default=None, salt=_SALT)
    return token if token and _TOKEN.match(token) else None


def new_voter_token() -> str:
    return secrets.token_hex(16)


def voted_poll_ids(request) -> set[int]:
    """Poll ids this browser has voted in, from the ``bw_voted`` cookie (display state only)."""
    return set(_ordered_ids(request))


def reader_state(request, poll) -> ReaderState:
    """This reader's own state for ``poll``: computed per request, never stored in a page."""
    if request is None:
        return ReaderState(has_voted=False, is_staff=False)
    user = getattr(request, "user", None)
    return ReaderState(
        has_voted=poll.pk in voted_poll_ids(request),
        is_staff=bool(user is not None and user.is_staff),
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


def remember_vote(request, response, poll) -> None:
    """Add ``poll`` to the browser's list of polls voted in (newest first, bounded)."""
    ids = [poll.pk] + [pk for pk in _ordered_ids(request) if pk != poll.pk]
    value = ".".join(str(pk) for pk in ids[: polls_settings.VOTED_COOKIE_MAX_POLLS])
    response.set_cookie(polls_settings.VOTED_COOKIE, value, httponly=True, **_cookie_args(request))


def _ordered_ids(request) -> list[int]:
    raw = request.COOKIES.get(polls_settings.VOTED_COOKIE, "")
    parts = raw.split(".")[: polls_settings.VOTED_COOKIE_MAX_POLLS]
    return [int(part) for part in parts if _ID.fullmatch(part)]
