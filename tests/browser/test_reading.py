"""A reader in real Chromium: home page, follow a post, read it, also on a phone."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.base import ContentFile

from tests.factories import (
    AuthorProfileFactory,
    CategoryFactory,
    ImageFactory,
    PageFactory,
    PostFactory,
    TagFactory,
    UserFactory,
    image_bytes,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def blog(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    profile = AuthorProfileFactory(
        user=UserFactory(username="erika"),
        display_name="Erika Muster",
        byline="Akademieleitung Social Media",
    )
    category = CategoryFactory(name="Marketing", slug="marketing")
    tag = TagFactory(name="Facebook", slug="facebook")
    image = ImageFactory(
        file=ContentFile(image_bytes("JPEG", (1600, 900), "#2a6f97"), name="titelbild.jpg"),
        alt_text="Menschen im Gespräch an einem Tisch",
        credit_name="flickr",
        credit_url="https://www.flickr.com/",
    )
    post = PostFactory(
        title="Was Social Media für das Marketing bedeutet",
        slug="social-media-marketing",
        author=profile.user,
        excerpt="Ein Blick auf **Dialog** statt Werbung.",
        body=(
            "Unternehmen sprechen heute mit ihren Kunden, nicht mehr nur zu ihnen.\n\n"
            "<h2>Dialog statt Durchsage</h2>\n\n"
            "Wer zuhört, lernt. Ein sehr_langes_wort_ohne_leerzeichen_das_nicht_umbrechen_will_"
            "https://example.org/ein/sehr/langer/pfad/der/auf/dem/telefon/nicht/passen/wuerde\n\n"
            "<table><thead><tr><th>Kanal</th><th>Zweck</th></tr></thead><tbody>"
            "<tr><td>Facebook</td><td>Dialog</td></tr><tr><td>XING</td><td>Kontakte</td></tr></tbody></table>"
        ),
        published_at=datetime(2011, 5, 24, 9, 30, tzinfo=BERLIN),
        featured_image=image,
        categories=[category],
        tags=[tag],
    )
    related = PostFactory(
        title="Facebook-Seiten richtig betreuen",
        slug="facebook-seiten",
        author=profile.user,
        published_at=datetime(2011, 5, 20, tzinfo=BERLIN),
        featured_image=ImageFactory(alt_text="Ein Laptop"),
        tags=[tag],
    )
    PageFactory(title="Impressum", slug="impressum")
    return {"post": post, "related": related}


def test_reader_opens_home_follows_a_post_and_reads_it(live_server, page, blog, screenshot_dir):
    post = blog["post"]
    page.goto(live_server.url + "/")
    assert page.title().startswith("Blogwerk") or "Blogwerk" in page.title()
    teaser = page.locator("article.post-teaser", has_text=post.title)
    assert teaser.count() == 1
    assert "24. Mai 2011" in teaser.locator("time").inner_text()
    page.screenshot(path=str(screenshot_dir / "reading-home.png"), full_page=True)

    teaser.get_by_role("link", name=post.title, exact=True).click()
    page.wait_for_url(live_server.url + "/2011/05/social-media-marketing/")

    assert page.locator("h1").inner_text() == post.title
    assert page.locator("article.post time").first.inner_text() == "24. Mai 2011"
    byline = page.locator(".byline").inner_text()
    assert "Erika Muster" in byline and "Akademieleitung Social Media" in byline
    assert page.locator(".post-body h2", has_text="Dialog statt Durchsage").is_visible()
    assert page.locator(".post-body table").is_visible()

    picture = page.locator("figure.featured-image img")
    assert picture.get_attribute("alt") == "Menschen im Gespräch an einem Tisch"
    assert "480w" in picture.get_attribute("srcset") and "1600w" in picture.get_attribute("srcset")
    assert page.locator("figure.featured-image source[type='image/webp']").count() == 1
    picture.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=picture.element_handle())
    assert "flickr" in page.locator("figure.featured-image figcaption").inner_text()

    related = page.locator("section.related-posts")
    assert related.get_by_role("link", name="Facebook-Seiten richtig betreuen").is_visible()
    assert related.locator("img[loading='lazy']").count() == 1
    assert page.locator("footer a[href='/impressum/']").is_visible()
    assert page.locator("nav.share a").count() >= 3
    page.screenshot(path=str(screenshot_dir / "reading-post.png"), full_page=True)

    assert page.js_errors == []


def test_reader_on_a_phone_sees_no_horizontal_scroll(live_server, browser, blog, screenshot_dir):
    context = browser.new_context(
        locale="de-DE",
        viewport={"width": 375, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    phone = context.new_page()
    errors: list[str] = []
    phone.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        for path in ("/", blog["post"].get_absolute_url()):
            phone.goto(live_server.url + path)
            phone.wait_for_load_state("load")
            widths = phone.evaluate(
                "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
            )
            name = "home" if path == "/" else "post"
            phone.screenshot(path=str(screenshot_dir / f"reading-phone-{name}.png"), full_page=True)
            assert widths[0] <= widths[1], f"{path}: content {widths[0]}px wide on a {widths[1]}px screen"
        assert phone.locator("h1").inner_text() == blog["post"].title
    finally:
        context.close()
    assert errors == []


@pytest.mark.parametrize("javascript", [False, True], ids=["without-js", "with-js"])
def test_language_switch_in_the_header_with_and_without_javascript(
    live_server, browser, settings, screenshot_dir, javascript
):
    settings.LANGUAGE_CODE = "de"
    post = PostFactory(title="Ein Beitrag zum Umschalten")
    context = browser.new_context(java_script_enabled=javascript, locale="de-DE")
    page = context.new_page()
    url = live_server.url + post.get_absolute_url()
    page.goto(url)
    page.goto(url)  # the second view comes from the page cache
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.locator("#commentform input[name=csrfmiddlewaretoken]").count() == 1
    # The page is already at ``url``: wait for the navigation itself, not for the address.
    with page.expect_navigation(url=url):
        page.select_option("#language-select", "en")  # with JavaScript this alone submits
        if not javascript:
            page.click(".language-switch button[type=submit]")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Leave a comment" in page.content()
    page.screenshot(path=str(screenshot_dir / f"language-switch-{'js' if javascript else 'no-js'}.png"))
    context.close()
