"""Keyboard only, in real Chromium: a reader comments (captcha by its text alternative) and votes."""

import re

import pytest

from comments.models import Comment
from polls.models import Ballot, Vote
from tests.comments.factories import CommentFactory
from tests.factories import PostFactory
from tests.polls.factories import PollFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOCUSED = "document.activeElement"


def tab_to(page, selector: str, *, limit: int = 120, key: str = "Tab") -> list[str]:
    """Press Tab until the focused element matches ``selector``; returns what was focused on the way."""
    seen = []
    for _ in range(limit):
        page.keyboard.press(key)
        seen.append(page.evaluate(f"{FOCUSED}.name || {FOCUSED}.className || {FOCUSED}.tagName"))
        if page.evaluate(f"s => {FOCUSED}.matches(s)", selector):
            return seen
    raise AssertionError(f"{selector} never got the keyboard focus; focused: {seen[-15:]}")


def test_keyboard_only_reader_comments_with_the_text_captcha(live_server, page, settings, screenshot_dir):
    settings.COMMENTS_MIN_SUBMIT_SECONDS = 0
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    post = PostFactory(title="Social Media im Unternehmen")
    CommentFactory(post=post, author_name="Anna Becker", body="Die PR sollte führen.")
    page.goto(live_server.url + post.get_absolute_url())

    seen = tab_to(page, "#commentform textarea[name=body]")
    page.keyboard.type("Mit der Tastatur geschrieben.")
    page.wait_for_load_state("networkidle")  # entering the form fetched a fresh task
    seen += tab_to(page, "#commentform input[name=name]")
    page.keyboard.type("Karl Tastatur")
    seen += tab_to(page, "#commentform input[name=email]")
    page.keyboard.type("karl@example.org")

    # The picture has a text alternative one key press away; its answer is announced politely.
    seen += tab_to(page, "#commentform .captcha-text-link")
    page.keyboard.press("Enter")
    task = page.locator("#commentform .captcha-text[aria-live]")
    task.filter(has_text=re.compile(r"\d")).wait_for()
    a, b = (int(n) for n in re.findall(r"\d+", task.inner_text()))
    seen += tab_to(page, "#commentform input[name=captcha_1]")
    page.keyboard.type(str(a + b))
    seen += tab_to(page, "#commentform [type=submit]")
    assert "homepage" not in seen, "the honeypot must be out of the keyboard's way"
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(r"#comment-\d+$"))
    comment = Comment.objects.get(author_name="Karl Tastatur")
    assert comment.status == Comment.Status.PENDING
    assert page.url.endswith(f"#comment-{comment.pk}")
    notice = page.locator(f"#comment-{comment.pk} .comment-awaiting-moderation")
    assert notice.is_visible()
    assert page.locator(".messages[role=status] .alert").count() == 1
    page.screenshot(path=screenshot_dir / "keyboard-comment-pending-desktop.png", full_page=True)
    assert page.js_errors == []


def test_keyboard_only_reader_votes_with_arrow_keys(live_server, page, screenshot_dir):
    poll = PollFactory(slug="tastatur", question="Wer soll posten?")
    _pr, marketing, _privat = poll.choices.all()
    post = PostFactory(title="Abstimmen ohne Maus", body="Was meinen Sie?\n\n[poll tastatur]")
    page.goto(live_server.url + post.get_absolute_url())

    tab_to(page, ".poll-box input[name=choice]")
    assert page.evaluate(f"{FOCUSED}.checked") is False  # focus alone chooses nothing
    page.keyboard.press("ArrowDown")
    assert page.evaluate(f"{FOCUSED}.value") == str(marketing.pk)
    assert page.locator(".poll-box input[name=choice]:checked").get_attribute("value") == str(marketing.pk)
    tab_to(page, ".poll-box [type=submit]")
    page.keyboard.press("Space")

    page.wait_for_selector(".poll-box .poll-results")
    assert list(Vote.objects.filter(ballot__poll=poll).values_list("choice", flat=True)) == [marketing.pk]
    assert Ballot.objects.filter(poll=poll).count() == 1
    # Focus stays in the poll, on its announced thanks, instead of falling back to the page top.
    assert page.evaluate(f"!!{FOCUSED}.closest('.poll-box')") is True
    page.locator(".poll-box").screenshot(path=str(screenshot_dir / "keyboard-poll-voted-desktop.png"))
    assert page.js_errors == []
