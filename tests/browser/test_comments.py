"""In real Chromium: a visitor comments and replies, a moderator approves, another visitor reads."""

import re

import pytest

from comments.models import Comment
from core.captcha import challenge_numbers
from tests.comments.factories import CommentFactory
from tests.comments.utils import captcha_answer
from tests.factories import PostFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def moderators_group(transactional_db):
    """Earlier transactional tests flush the groups the migrations made; make sure it exists."""
    from django.contrib.auth.models import Group, Permission

    group, _created = Group.objects.get_or_create(name="Moderators")
    group.permissions.add(*Permission.objects.filter(content_type__app_label="comments"))
    return group


def solve_captcha(page):
    """Work the task's answer out from its key, as a person would read the picture."""
    key = page.input_value("#commentform input[name=captcha_0]")
    page.fill("#commentform input[name=captcha_1]", captcha_answer(key))


def fill_comment(page, name, email, body):
    page.click("#commentform textarea[name=body]")
    page.fill("#commentform textarea[name=body]", body)
    page.fill("#commentform input[name=name]", name)
    page.fill("#commentform input[name=email]", email)
    solve_captcha(page)


def test_visitor_comments_replies_moderator_approves_second_visitor_sees_thread(
    live_server, browser, page, settings, screenshot_dir, moderators_group
):
    settings.COMMENTS_MIN_SUBMIT_SECONDS = 0
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    post = PostFactory(title="Social Media: PR, Marketing oder Privat?")
    first = CommentFactory(post=post, author_name="Anna Becker", body="Die PR sollte führen.")
    UserFactory(username="mona", password="mona-pass-123", is_staff=True, groups=["Moderators"])
    url = live_server.url + post.get_absolute_url()

    # A visitor writes a top-level comment.
    page.goto(url)
    fill_comment(page, "Jonas Weber", "jonas@example.org", "Ich sehe das anders:\nMarketing braucht Zahlen.")
    page.click("#commentform [type=submit]")
    mine = Comment.objects.get(author_name="Jonas Weber")
    assert page.url.endswith(f"#comment-{mine.pk}")
    item = page.locator(f"#comment-{mine.pk}")
    assert item.locator(".comment-awaiting-moderation").is_visible()
    assert item.locator("br").count() == 1  # the line break survived, as HTML

    # …and replies to Anna: with JavaScript the form moves under her comment.
    page.click(f"#comment-{first.pk} .comment-reply-link")
    assert page.locator(f"#comment-{first.pk} #respond").count() == 1
    assert page.input_value("#commentform input[name=parent]") == str(first.pk)
    page.screenshot(path=screenshot_dir / "comments-reply-form.png", full_page=True)
    fill_comment(page, "Jonas Weber", "jonas@example.org", "Und <em>trotzdem</em> danke für den Anstoß!")
    page.click("#commentform [type=submit]")
    reply = Comment.objects.get(parent=first)
    assert reply.depth == 1
    page.screenshot(path=screenshot_dir / "comments-pending-notice.png", full_page=True)
    assert page.locator(f"#comment-{first.pk} .children #comment-{reply.pk}").count() == 1

    # Another visitor does not see the waiting comments.
    other = browser.new_context(locale="de-DE")
    reader = other.new_page()
    reader.goto(url)
    assert reader.locator(f"#comment-{mine.pk}").count() == 0

    # The moderator approves both from the pending queue.
    mod = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900})
    admin = mod.new_page()
    admin.goto(live_server.url + "/admin/login/?next=/admin/comments/comment/")
    admin.fill("#id_username", "mona")
    admin.fill("#id_password", "mona-pass-123")
    admin.click("input[type=submit]")
    admin.wait_for_selector("#result_list")
    assert admin.locator("#result_list tbody tr").count() == 2
    admin.screenshot(path=screenshot_dir / "comments-admin-queue.png", full_page=True)
    admin.check("#action-toggle")
    admin.select_option("select[name=action]", "approve")
    admin.click("button[name=index]")
    admin.wait_for_selector(".messagelist")
    assert Comment.objects.filter(status="approved").count() == 3

    # The second visitor now sees the thread, nested.
    reader.goto(url)
    assert reader.locator(f"#comment-{mine.pk}").count() == 1
    assert reader.locator(f"#comment-{first.pk} > ol.children > #comment-{reply.pk}").count() == 1
    assert reader.locator(f"#comment-{reply.pk} em").inner_text() == "trotzdem"
    reader.screenshot(path=screenshot_dir / "comments-thread.png", full_page=True)
    assert page.js_errors == []
    other.close()
    mod.close()


def test_form_without_javascript_reply_link_works(live_server, browser, screenshot_dir):
    post = PostFactory()
    first = CommentFactory(post=post, author_name="Anna")
    context = browser.new_context(java_script_enabled=False, locale="de-DE")
    page = context.new_page()
    page.goto(live_server.url + post.get_absolute_url())
    page.click(f"#comment-{first.pk} .comment-reply-link")
    assert f"replytocom={first.pk}" in page.url
    assert page.input_value("#commentform input[name=parent]") == str(first.pk)
    context.close()


def test_captcha_is_never_swapped_under_a_typing_reader_and_its_helpers_work(
    live_server, page, settings, screenshot_dir
):
    settings.COMMENTS_MIN_SUBMIT_SECONDS = 0
    post = PostFactory(title="Eine Aufgabe, die bleibt")
    url = live_server.url + post.get_absolute_url()
    page.goto(url)  # fills the page cache
    page.goto(url)  # this reader gets the cached page, with a task of their own
    key = page.input_value("#commentform input[name=captcha_0]")
    page.click("#commentform textarea[name=body]")
    page.fill("#commentform input[name=captcha_1]", captcha_answer(key))
    page.fill("#commentform textarea[name=body]", "Ich tippe, und meine Aufgabe bleibt, wie sie ist.")
    page.wait_for_load_state("networkidle")
    assert page.input_value("#commentform input[name=captcha_0]") == key
    assert page.input_value("#commentform input[name=captcha_1]") == captcha_answer(key)
    image = page.locator("#commentform .captcha-image")
    image.evaluate("img => img.decode()")  # resolves once the picture has loaded
    assert image.evaluate("img => img.naturalWidth") == 150

    # The task as text, in place, for readers who cannot see the picture.
    page.click("#commentform .captcha-text-link")
    a, b = challenge_numbers(key)
    page.wait_for_function(
        "() => document.querySelector('#commentform .captcha-text').textContent.length > 0"
    )
    assert page.text_content("#commentform .captcha-text") == f"{a} + {b}"

    # Only the button asks for a new task: then the answer goes, the focus goes to it.
    page.click("#commentform .captcha-refresh")
    page.wait_for_function(
        f"() => document.querySelector('#commentform input[name=captcha_0]').value !== '{key}'"
    )
    new_key = page.input_value("#commentform input[name=captcha_0]")
    assert page.input_value("#commentform input[name=captcha_1]") == ""
    assert new_key in image.get_attribute("src")
    page.screenshot(path=str(screenshot_dir / "comment-captcha-refreshed.png"))

    fill_comment(page, "Clara Koch", "clara@example.org", "Mit der neuen Aufgabe abgeschickt.")
    page.click("#commentform [type=submit]")
    page.wait_for_url(re.compile(r"#comment-\d+$"))
    mine = Comment.objects.get(author_name="Clara Koch")
    assert page.url.endswith(f"#comment-{mine.pk}")
