"""A reader votes inside a post in real Chromium and sees the bars without a reload."""

import pytest

from polls.models import Ballot
from tests.factories import PostFactory
from tests.polls.factories import PollFactory, add_votes

pytestmark = pytest.mark.django_db(transaction=True)


def test_poll_vote_in_post_updates_bars_without_reload(live_server, page, screenshot_dir):
    poll = PollFactory(slug="social-media", question="Social Media: PR, Marketing oder Privat?")
    pr, marketing, _privat = poll.choices.all()
    add_votes(pr, 1)
    post = PostFactory(
        title="Social Media im Unternehmen", body="Was meinen Sie?\n\n[poll social-media]\n\nDanke!"
    )

    page.goto(live_server.url + post.get_absolute_url())
    box = page.locator(".poll-box")
    assert box.locator('input[name="choice"]').count() == 3
    page.evaluate("window.__notReloaded = true")

    box.get_by_label("Marketing").check()
    box.locator('[type="submit"]').click()
    page.wait_for_selector(".poll-box .poll-results")

    assert page.evaluate("window.__notReloaded") is True
    rows = page.locator(".poll-box .poll-result")
    assert rows.count() == 3
    marketing_row = page.locator(f'.poll-result[data-choice="{marketing.pk}"]')
    assert marketing_row.locator(".poll-percent").inner_text() == "50"
    assert marketing_row.locator(".progress").get_attribute("aria-valuenow") == "50"
    page.wait_for_function(
        "el => el.getBoundingClientRect().width > 0",
        arg=marketing_row.locator(".progress-bar").element_handle(),
    )
    assert page.locator(".poll-total-count").inner_text() == "2"
    assert Ballot.objects.filter(poll=poll).count() == 2
    page.locator(".poll-box").screenshot(path=str(screenshot_dir / "poll-after-vote.png"))

    # A reload keeps the reader's state: results, no second form.
    page.reload()
    assert page.locator('.poll-box input[name="choice"]').count() == 0
    assert page.locator(".poll-box .poll-results").count() == 1
    assert page.js_errors == []


def test_poll_vote_without_javascript_redirects_to_results(live_server, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    poll = PollFactory(slug="ohne-js")
    post = PostFactory(body="[poll ohne-js]")
    page.goto(live_server.url + post.get_absolute_url())
    page.get_by_label("Privat").check()
    page.locator('.poll-box [type="submit"]').click()
    page.wait_for_load_state()
    assert page.url.endswith(post.get_absolute_url() + "#poll-ohne-js")
    assert page.locator(".poll-box .poll-results").count() == 1
    assert Ballot.objects.filter(poll=poll).count() == 1
    context.close()
