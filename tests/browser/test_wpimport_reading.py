"""An imported WordPress post in real Chromium: block layout on desktop and phone, no third parties."""

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from PIL import Image as PILImage

from blog.models import Page
from comments.models import Comment
from tests.comments.utils import captcha_answer
from wpimport.models import LegacyItem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIXTURE = Path(__file__).resolve().parents[1] / "wpimport" / "fixtures" / "theme-unit.xml"


def _uploads(folder: Path) -> Path:
    """A copy of ``wp-content/uploads`` for the fixture's images, so the reader sees pictures."""
    uploads = folder / "2023" / "01"
    uploads.mkdir(parents=True)
    colours = {"bild": "#2e7d32", "titel": "#1565c0", "kind-1": "#ef6c00", "kind-2": "#6a1b9a"}
    for name, colour in colours.items():
        PILImage.new("RGB", (1200, 800), colour).save(uploads / f"{name}.jpg", quality=80)
    return folder


@pytest.fixture
def post_url(transactional_db, live_server, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    media = _uploads(tmp_path / "uploads")
    call_command("import_wxr", str(FIXTURE), "--media-dir", str(media), "--allow-skips", verbosity=0)
    post = LegacyItem.objects.select_related("post").get(wp_id=10).post
    return live_server.url + post.get_absolute_url()


def _watch_requests(page, live_url):
    """Abort and record every request that leaves this site (none may reach a third party)."""
    own = urlsplit(live_url).netloc
    outside: list[str] = []

    def handle(route):
        url = route.request.url
        if urlsplit(url).netloc == own or url.startswith("data:"):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    page.route("**/*", handle)
    return outside


def _box(page, selector, index=0):
    return page.locator(selector).nth(index).bounding_box()


def test_imported_blocks_lay_out_on_desktop_without_third_parties(page, post_url, screenshot_dir):
    outside = _watch_requests(page, post_url)
    page.goto(post_url)
    left, right = _box(page, ".wp-block-column", 0), _box(page, ".wp-block-column", 1)
    assert abs(left["y"] - right["y"]) < 2 and right["x"] > left["x"] + left["width"] - 1
    media, content = _box(page, ".wp-block-media-text__media"), _box(page, ".wp-block-media-text__content")
    assert content["x"] > media["x"]
    first, second = _box(page, ".wp-gallery__item", 0), _box(page, ".wp-gallery__item", 1)
    assert abs(first["y"] - second["y"]) < 2  # a grid, side by side
    assert page.locator(".wp-block-button__link.btn").count() == 2
    assert page.locator("audio[controls]").count() >= 1 and page.locator("video[controls]").count() >= 1
    # Embeds are the site's two-click placeholders: a button, and no frame before the click.
    assert page.locator(".bw-embed .bw-embed-load").count() == 2  # YouTube and X
    assert page.locator("iframe").count() == 0
    # Footnote: the reference jumps to the note and back.
    page.locator("sup.fn a").first.click()
    assert page.evaluate("location.hash").startswith("#fn-")
    assert page.locator(".wp-block-footnotes li:target").count() == 1
    page.screenshot(path=str(screenshot_dir / "wpimport-blocks-desktop.png"), full_page=True)
    # The only foreign host is the old blog's uploads (blocked by CSP unless allowed); no embeds.
    assert {urlsplit(url).hostname for url in outside} <= {"alt.example.org"}
    errors = [e for e in page.js_errors if "alt.example.org" not in e and "Failed to load resource" not in e]
    assert errors == []


def test_imported_blocks_stack_on_a_phone(browser, post_url, screenshot_dir):
    context = browser.new_context(locale="de-DE", viewport={"width": 375, "height": 740}, is_mobile=True)
    try:
        phone = context.new_page()
        _watch_requests(phone, post_url)
        phone.goto(post_url)
        left, right = _box(phone, ".wp-block-column", 0), _box(phone, ".wp-block-column", 1)
        assert right["y"] >= left["y"] + left["height"] - 1  # stacked
        media, content = (
            _box(phone, ".wp-block-media-text__media"),
            _box(phone, ".wp-block-media-text__content"),
        )
        assert content["y"] >= media["y"] + media["height"] - 1
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        phone.screenshot(path=str(screenshot_dir / "wpimport-blocks-phone.png"), full_page=True)
    finally:
        context.close()


def test_page_shows_its_imported_comments_threaded(page, post_url, screenshot_dir):
    page.goto(post_url.split("/2023/")[0] + "/ueber-uns/")
    comments = page.locator("#comments li.comment")
    assert comments.count() == 2
    parent, reply = comments.nth(0).bounding_box(), comments.nth(1).bounding_box()
    assert reply["x"] > parent["x"]  # the reply is indented under its parent
    assert page.get_by_text("Kommentare sind geschlossen.").is_visible()  # closed in WordPress
    assert page.locator("#commentform").count() == 0
    page.screenshot(path=str(screenshot_dir / "wpimport-page-comments.png"), full_page=True)


def test_reader_replies_under_a_page_with_open_comments(browser, post_url, settings, screenshot_dir):
    """Opened in the admin, a page takes comments through the same form and pipeline as a post."""
    settings.COMMENTS_MIN_SUBMIT_SECONDS = 0
    page_obj = Page.objects.get(slug="ueber-uns")
    page_obj.comments_open = True
    page_obj.save()
    url = post_url.split("/2023/")[0] + "/ueber-uns/"
    for width, name in ((1280, "desktop"), (375, "phone")):
        context = browser.new_context(locale="de-DE", viewport={"width": width, "height": 900})
        try:
            reader = context.new_page()
            _watch_requests(reader, url)
            reader.goto(url)
            first = Comment.objects.get(legacy__wp_id=901)
            reader.locator(f"#comment-{first.pk} .comment-reply-link").first.click()
            reader.fill("#commentform textarea[name=body]", f"Eine Antwort vom {name}.")
            reader.fill("#commentform input[name=name]", "Jonas Weber")
            reader.fill("#commentform input[name=email]", "jonas@example.org")
            key = reader.input_value("#commentform input[name=captcha_0]")
            reader.fill("#commentform input[name=captcha_1]", captcha_answer(key))
            with reader.expect_navigation(url="**/ueber-uns/#comment-*"):
                reader.click("#commentform [type=submit]")
            mine = Comment.objects.get(body=f"Eine Antwort vom {name}.")
            assert (mine.page_id, mine.parent_id, mine.status) == (page_obj.pk, first.pk, "pending")
            assert reader.url.endswith(f"/ueber-uns/#comment-{mine.pk}")
            item = reader.locator(f"#comment-{mine.pk}")
            item.locator(".comment-awaiting-moderation").wait_for(state="visible", timeout=10_000)
            assert item.bounding_box()["x"] > reader.locator(f"#comment-{first.pk}").bounding_box()["x"]
            assert reader.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            reader.screenshot(path=str(screenshot_dir / f"wpimport-page-reply-{name}.png"), full_page=True)
        finally:
            context.close()


@pytest.mark.parametrize("width", [375, 1280])
def test_imported_post_and_page_pass_axe(browser, post_url, axe_violations, width):
    context = browser.new_context(locale="de-DE", viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        _watch_requests(page, post_url)
        for url in (post_url, post_url.split("/2023/")[0] + "/ueber-uns/"):
            page.goto(url)
            assert axe_violations(page) == [], url
    finally:
        context.close()
