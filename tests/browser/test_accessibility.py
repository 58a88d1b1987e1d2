"""Every public page passes axe-core's WCAG 2.1 AA rules, at phone and desktop widths."""

import pytest

from tests.factories import CategoryFactory, ImageFactory, PageFactory, PostFactory, TagFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"phone": 375, "desktop": 1280}


@pytest.fixture
def site(db):
    category = CategoryFactory(name="Social Media", slug="social-media")
    tag = TagFactory(name="Strategie", slug="strategie")
    post = PostFactory(
        title="Social Media: PR, Marketing oder Privat?",
        slug="pr-marketing-privat",
        body="Ein Absatz mit [einem Link](https://example.org).\n\n## Zwischentitel\n\nNoch ein Absatz.",
        featured_image=ImageFactory(),
        categories=[category],
        tags=[tag],
    )
    PostFactory(title="Zweiter Beitrag", categories=[category], tags=[tag])
    page = PageFactory(title="Impressum", slug="impressum")
    return {"post": post, "category": category, "tag": tag, "page": page}


def public_paths(site):
    post = site["post"]
    return {
        "home": "/",
        "post": post.get_absolute_url(),
        "category": site["category"].get_absolute_url(),
        "tag": site["tag"].get_absolute_url(),
        "author": f"/author/{post.author.username}/",
        "archive": f"/{post.published_at:%Y}/",
        "search": "/search/?q=Social",
        "page": site["page"].get_absolute_url(),
        "not-found": "/gibt-es-nicht/",
    }


@pytest.mark.parametrize("width", WIDTHS)
def test_public_pages_have_no_wcag_violations(
    live_server, browser, site, axe_violations, screenshot_dir, settings, width
):
    settings.SERVE_MEDIA = True
    context = browser.new_context(locale="de-DE", viewport={"width": WIDTHS[width], "height": 900})
    page = context.new_page()
    failures = {}
    for name, path in public_paths(site).items():
        page.goto(live_server.url + path)
        violations = axe_violations(page)
        if violations:
            failures[name] = violations
        page.screenshot(path=screenshot_dir / f"{name}-{width}.png", full_page=True)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{name} scrolls sideways at {width} width"
    context.close()
    assert failures == {}


def test_axe_check_reports_a_known_violation(browser, axe_violations):
    """Guards the check itself: a page with an unlabelled image and input must fail."""
    context = browser.new_context()
    page = context.new_page()
    page.set_content(
        '<html lang="de"><title>x</title><main><img src="a.png"><input type="text"></main></html>'
    )
    ids = {v["id"] for v in axe_violations(page)}
    context.close()
    assert {"image-alt", "label"} <= ids
