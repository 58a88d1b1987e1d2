"""The moderation desk in real Chromium: a queue of 100 comments worked by keyboard alone, axe, widths."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from comments.models import Comment, CommentReport
from tests.comments.factories import CommentFactory
from tests.factories import PostFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESK = "/admin/comments/comment/"
WIDTHS = {"phone": 390, "desktop": 1280}


def signed_in_context(browser, live_server, settings, *, width=1280, javascript=True):
    """A browser context with a moderator's session (transactional tests have no groups: superuser)."""
    user = UserFactory(username="moderatorin", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(user)
    context = browser.new_context(
        locale="de-DE", viewport={"width": width, "height": 900}, java_script_enabled=javascript
    )
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context, user


def current_id(page) -> int:
    return int(page.evaluate("document.querySelector('tr.md-current').dataset.id"))


def settled(page):
    page.wait_for_function("() => !document.querySelector('.md[aria-busy]')")


def press_and_wait_done(page, key: str) -> int:
    """Press an action key on the current row; wait until that row has left the list."""
    pk = current_id(page)
    page.keyboard.press(key)
    page.wait_for_selector(f"#md-c{pk}.md-done")
    settled(page)
    return pk


def test_moderator_works_a_queue_of_100_comments_by_keyboard_alone(
    live_server, browser, settings, screenshot_dir
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    post = PostFactory(title="Warteschlange")
    now = timezone.now()
    queue = [
        CommentFactory(
            post=post,
            status="pending",
            author_name=f"Person {i}",
            body=f"Kommentar Nummer {i}.",
            created_at=now - timedelta(minutes=i),
        )
        for i in range(100)
    ]
    context, user = signed_in_context(browser, live_server, settings)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(live_server.url + DESK)
    page.wait_for_selector(".md[data-ready=true]")

    # ? shows the shortcuts, Escape closes them
    page.keyboard.press("?")
    assert page.evaluate("document.getElementById('md-help').open")
    page.keyboard.press("Escape")
    assert not page.evaluate("document.getElementById('md-help').open")

    # j lands on the first comment and says where the moderator is
    page.keyboard.press("j")
    assert current_id(page) == queue[0].pk
    page.wait_for_function(
        "() => document.getElementById('md-live').textContent.includes('Kommentar 1 von 50')"
    )
    assert page.evaluate("document.activeElement.id") == f"md-c{queue[0].pk}"

    expected: dict[int, str] = {}
    replies: list[int] = []
    edited: list[int] = []
    cycle = {"a": "approved", "s": "spam", "d": "trash"}
    done = 0
    while done < 100:
        if page.evaluate("document.querySelectorAll('tr.md-row:not(.md-done)').length") == 0:
            # the page is done: the link to the next comments has the focus, Enter follows it
            assert page.evaluate("document.activeElement.closest('.md-news') !== null")
            page.keyboard.press("Enter")
            page.wait_for_selector(".md[data-ready=true]")
            page.keyboard.press("j")
        n = done
        if n == 3:  # e: edit inline, Ctrl+Enter saves; the comment stays in the queue; then a
            pk = current_id(page)
            page.keyboard.press("e")
            page.wait_for_function("() => document.activeElement.tagName === 'TEXTAREA'")
            page.keyboard.press("End")
            page.keyboard.type(" Ergänzt.")
            page.keyboard.press("Control+Enter")
            settled(page)
            page.wait_for_function(
                "() => document.getElementById('md-live').textContent.includes('gespeichert')"
            )
            assert current_id(page) == pk
            edited.append(pk)
            expected[press_and_wait_done(page, "a")] = "approved"
        elif n == 6:  # a, then u takes it back; k returns to it; s marks it as spam
            pk = press_and_wait_done(page, "a")
            page.keyboard.press("u")
            page.wait_for_selector(f"#md-c{pk}:not(.md-done)")
            settled(page)
            page.keyboard.press("k")
            assert current_id(page) == pk
            expected[press_and_wait_done(page, "s")] = "spam"
        elif n % 10 == 9:  # r: reply, which approves the waiting comment
            pk = current_id(page)
            page.keyboard.press("r")
            page.wait_for_function("() => document.activeElement.tagName === 'TEXTAREA'")
            page.keyboard.type("Danke für Ihren Kommentar!")
            page.keyboard.press("Control+Enter")
            page.wait_for_selector(f"#md-c{pk}.md-done")
            settled(page)
            expected[pk] = "approved"
            replies.append(pk)
        elif n in (94, 97):  # x, j, x, j, x selects three; Shift+A approves them, Shift+D trashes
            ids = []
            for step in range(3):
                ids.append(current_id(page))
                page.keyboard.press("x")
                if step < 2:
                    page.keyboard.press("j")
            page.keyboard.press("Shift+A" if n == 94 else "Shift+D")
            for pk in ids:
                page.wait_for_selector(f"#md-c{pk}.md-done")
                expected[pk] = "approved" if n == 94 else "trash"
            settled(page)
            done += 3
            continue
        else:
            key = "asd"[n % 3]
            expected[press_and_wait_done(page, key)] = cycle[key]
        done += 1

    page.screenshot(path=screenshot_dir / "moderation-desk-keyboard-done.png", full_page=False)
    assert errors == []
    context.close()

    assert len(expected) == 100
    statuses = dict(Comment.objects.filter(pk__in=expected).values_list("pk", "status"))
    assert statuses == expected
    assert not Comment.objects.filter(pk__in=[c.pk for c in queue], status="pending").exists()
    for pk in replies:
        reply = Comment.objects.get(parent_id=pk)
        assert reply.status == "approved" and reply.user_id == user.pk
    assert Comment.objects.get(pk=edited[0]).body.endswith("Ergänzt.")
    # every decision is in the history, by this moderator
    for pk in expected:
        assert Comment.objects.get(pk=pk).events.filter(user=user).exists()


@pytest.mark.parametrize("width", WIDTHS)
def test_desk_has_no_wcag_violations_and_fits_the_width(
    live_server, browser, settings, axe_violations, screenshot_dir, width
):
    post = PostFactory(title="Social Media: PR, Marketing oder Privatsache?")
    parent = CommentFactory(post=post, author_name="Anna Becker", body="Die PR sollte führen.")
    for i in range(6):
        comment = CommentFactory(
            post=post,
            parent=parent if i % 2 else None,
            status="pending",
            author_name=f"Leserin {i}",
            author_url="https://leserin.example/blog/ein-sehr-langer-pfad-der-umbrechen-muss"
            if i == 1
            else "",
            body="Ein längerer Kommentar mit einem sehr langen Wort: Donaudampfschifffahrtsgesellschaftskapitänsmütze. "
            * 2,
            reasons=[{"rule": "spam_filter", "action": "hold", "detail": f"{50 + i} %: casino, bit.ly"}],
            spam_score=0.5 + i / 100,
            ip_address="2001:db8:85a3::8a2e:370:7334" if i == 2 else "203.0.113.7",
        )
        if i == 3:
            CommentReport.objects.create(comment=comment, reporter_hash="r")
    context, _user = signed_in_context(browser, live_server, settings, width=WIDTHS[width])
    page = context.new_page()
    page.goto(live_server.url + DESK)
    page.wait_for_selector(".md[data-ready=true]")
    page.locator("details.md-reply-box").first.evaluate("d => d.open = true")
    violations = axe_violations(page)
    page.screenshot(path=screenshot_dir / f"moderation-desk-{width}.png", full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    context.close()
    assert violations == []
    assert overflow <= 0, f"the desk scrolls sideways at {width} width"


def test_desk_works_without_javascript(live_server, browser, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    waiting = CommentFactory(status="pending", author_name="Ohne Skript", body="Bitte freigeben.")
    answered = CommentFactory(status="pending", author_name="Mit Antwort", body="Eine Frage?")
    context, _user = signed_in_context(browser, live_server, settings, javascript=False)
    page = context.new_page()
    page.goto(live_server.url + DESK)
    page.click(f"#md-c{waiting.pk} button[data-verb=approve]")
    page.wait_for_selector(".messagelist")
    assert "1 Kommentar freigegeben." in page.inner_text(".messagelist")
    waiting.refresh_from_db()
    assert waiting.status == "approved"
    # the reply box is a <details>: it opens without script, and its button sends the form
    page.click(f"#md-c{answered.pk} .md-reply-box summary")
    page.fill(f"#reply-{answered.pk}", "Gute Frage, danke!")
    page.click(f"#md-c{answered.pk} .md-reply-box .md-send")
    page.wait_for_selector(".messagelist")
    answered.refresh_from_db()
    assert answered.status == "approved"
    assert Comment.objects.get(parent=answered).body == "Gute Frage, danke!"
    # undo from the bar at the top
    page.click(".md-undo-bar button")
    page.wait_for_selector(".messagelist")
    answered.refresh_from_db()
    assert answered.status == "pending"
    context.close()
