"""Filling in the comment and vote forms of a page served by a live process, as a reader would.

The captcha answer is worked out from its key (the test shares the secret key with the processes);
the form's start time is backdated and signed with the secret the processes share, because
``COMMENTS_MIN_SUBMIT_SECONDS`` is a Django setting without an environment variable.
"""

from __future__ import annotations

import html as htmllib
import re

from tests.comments.utils import captcha_answer, started

_INPUT = re.compile(r"<input\b[^>]*>", re.S)
_ATTR = re.compile(r'([\w-]+)="([^"]*)"')


def inputs(page_html: str, form_id: str = "commentform") -> dict[str, str]:
    """Name → value of the text and hidden inputs inside the form with ``form_id``."""
    start = page_html.find(f'id="{form_id}"')
    assert start != -1, f"no form #{form_id} on the page"
    start = page_html.rfind("<form", 0, start)
    end = page_html.find("</form>", start)
    values = {}
    for tag in _INPUT.findall(page_html[start:end]):
        attrs = dict(_ATTR.findall(tag))
        if "name" in attrs and attrs.get("type") not in ("checkbox", "radio", "submit"):
            values[attrs["name"]] = htmllib.unescape(attrs.get("value", ""))
    return values


def comment_data(page_html: str, *, body: str, **overrides) -> dict[str, str]:
    """The comment form of ``page_html`` filled in, its captcha solved; ``overrides`` win."""
    data = inputs(page_html)
    assert {"csrfmiddlewaretoken", "captcha_0", "homepage", "parent"} <= data.keys()
    data.update(
        name="Erika Leserin",
        email="erika@example.org",
        url="",
        body=body,
        started=started(),
        captcha_1=captcha_answer(data["captcha_0"]),
    )
    data.update(overrides)
    return data


def comment_id_from(location: str) -> int:
    """The new comment's id from the redirect after posting (``…#comment-<id>``)."""
    match = re.search(r"#comment-(\d+)$", location or "")
    assert match, f"not a redirect to a comment: {location!r}"
    return int(match.group(1))
