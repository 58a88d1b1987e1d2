"""German first, English available: the catalogues are complete and the site speaks German."""

import os
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import polib
import pytest
from django.conf import settings
from django.urls import reverse

from tests.comments.factories import CommentFactory
from tests.comments.utils import form_data
from tests.factories import (
    AuthorProfileFactory,
    ImageFactory,
    PostFactory,
    TagFactory,
    UserFactory,
)
from tests.polls.factories import PollFactory

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "locale"
DOMAINS = ["django", "djangojs"]
BERLIN = ZoneInfo("Europe/Berlin")
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%%|<[^>]+>")

# English sentences that must never reach a German page.
ENGLISH = [
    "Newest posts",
    "Skip to content",
    "Search posts",
    "Read more",
    "Published on",
    "Published by",
    "Source:",
    "You might also like",
    "recommend (",
    "with 2 comments",
    "no comments yet",
    "said on",
    "Leave a comment",
    "Post comment",
    "Save my name",
    "Your comment is awaiting moderation",
    "Votes in total",
    "Current poll",
    ">Vote<",
    "Page not found",
]


def catalogue(lang, domain="django"):
    return polib.pofile(str(LOCALE / lang / "LC_MESSAGES" / f"{domain}.po"))


@pytest.fixture
def german(db, settings):
    settings.LANGUAGE_CODE = "de"
    settings.TIME_ZONE = "Europe/Berlin"


def assert_no_english(html):
    leaks = [text for text in ENGLISH if text in html]
    assert not leaks, leaks


# --- catalogues ---------------------------------------------------------------------------


@pytest.mark.parametrize("domain", DOMAINS)
def test_catalogue_german_is_complete_without_fuzzy_entries(domain):
    po = catalogue("de", domain)
    assert len(po) > 0
    assert po.metadata["Plural-Forms"].startswith("nplurals=2;")
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    assert not po.metadata_is_fuzzy


@pytest.mark.parametrize("domain", DOMAINS)
def test_catalogue_german_keeps_every_placeholder_and_tag(domain):
    wrong = []
    for entry in catalogue("de", domain).translated_entries():
        if entry.msgid_plural:
            pairs = [(entry.msgid, entry.msgstr_plural[0]), (entry.msgid_plural, entry.msgstr_plural[1])]
        else:
            pairs = [(entry.msgid, entry.msgstr)]
        for source, target in pairs:
            # "One comment" may drop the number in the singular; every named placeholder else stays.
            expected = sorted(set(PLACEHOLDER.findall(source)))
            if entry.msgid_plural and source == entry.msgid and "%(counter)s" not in source:
                expected = [p for p in expected if p != "%(counter)s"]
            if sorted(set(PLACEHOLDER.findall(target))) != expected:
                wrong.append((source, target))
    assert wrong == []


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("domain", DOMAINS)
def test_catalogue_compiled_mo_matches_its_po(lang, domain):
    """The committed .mo is the compiled current .po (mtimes mean nothing after a git clone)."""
    po_path = LOCALE / lang / "LC_MESSAGES" / f"{domain}.po"
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.is_file(), f"{mo_path} is missing: run make messages"
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in polib.mofile(str(mo_path))}
    stale = []
    for entry in polib.pofile(str(po_path)).translated_entries():
        msgstr, plural = compiled.get((entry.msgctxt, entry.msgid), (None, None))
        if entry.msgid_plural:
            if [plural.get(i) for i in sorted(entry.msgstr_plural)] != list(entry.msgstr_plural.values()):
                stale.append(entry.msgid)
        elif msgstr != entry.msgstr:
            stale.append(entry.msgid)
    assert stale == [], f"{mo_path} is older than its .po: run make messages"


def test_settings_default_language_is_german():
    env = {k: v for k, v in os.environ.items() if k not in {"LANGUAGE_CODE", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    result = subprocess.run(
        [sys.executable, "-c", "from config import settings; print(settings.LANGUAGE_CODE)"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "de", result.stderr


# --- pages ----------------------------------------------------------------------------------


@pytest.fixture
def article(db):
    """A post with an image credit, tags, a related post, shares, a thread and a poll."""
    author = UserFactory(username="anna")
    AuthorProfileFactory(user=author, display_name="Anna Beispiel", byline="Akademieleitung Social Media")
    tag = TagFactory(name="Facebook", slug="facebook")
    poll = PollFactory(slug="social-media", question="Social Media: PR, Marketing oder Privat?")
    post = PostFactory(
        title="Social Media im Mittelstand",
        slug="social-media-im-mittelstand",
        author=author,
        body=f"Ein Absatz vorweg.\n\n[poll {poll.slug}]\n\nUnd ein Schluss.",
        featured_image=ImageFactory(credit_name="flickr"),
        share_count=3,
        tags=[tag],
    )
    PostFactory(title="Noch ein Beitrag", slug="noch-ein-beitrag", tags=[tag])
    said = datetime(2011, 5, 24, 10, 15, tzinfo=BERLIN)
    first = CommentFactory(post=post, author_name="Max", created_at=said)
    CommentFactory(post=post, parent=first, author_name="Erika")
    return post


def test_home_german_by_default(client, german, article):
    PostFactory(title="Ohne Echo", slug="ohne-echo")
    html = client.get("/").content.decode()
    assert '<html lang="de">' in html
    assert "Neueste Beiträge" in html
    assert "Zum Inhalt springen" in html
    assert "mit 2 Kommentaren" in html
    assert "noch keine Kommentare" in html
    assert "Weiterlesen" in html
    assert_no_english(html)


def test_home_german_singular_comment_count(client, german):
    CommentFactory(post=PostFactory())
    html = client.get("/").content.decode()
    assert "mit 1 Kommentar<" in html


def test_post_page_german_with_thread_poll_and_form(client, german, article):
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Veröffentlicht von" in html and "Anna Beispiel" in html
    assert "Quelle:" in html
    assert "weiterempfehlen (3)" in html
    assert "Das könnte Sie auch interessieren" in html
    assert "2 Kommentare zu „Social Media im Mittelstand“" in html
    assert "sagte am 24. Mai 2011 um 10:15" in html
    assert "Antworten" in html
    assert "Social Media: PR, Marketing oder Privat?" in html
    assert "Abstimmen" in html
    assert "Hinterlassen Sie einen Kommentar" in html
    assert_no_english(html)


def test_post_page_comment_form_labels_german(client, german, article):
    html = client.get(article.get_absolute_url()).content.decode()
    form = html[html.index('id="respond"') :]
    for label in (
        "Name",
        "E-Mail",
        "Website",
        "Kommentar",
        "Wird nicht veröffentlicht.",
        "Spamschutz",
        "Meinen Namen, meine E-Mail-Adresse und meine Website in diesem Browser speichern, "
        "bis ich wieder kommentiere.",
        "Kommentar abschicken",
        "Sie können folgende HTML-Tags und -Attribute verwenden:",
    ):
        assert label in form, label
    assert "You may use" not in form  # translated per request, not once at import


def test_post_page_pending_comment_german_for_its_author(client, german, article):
    response = client.post(reverse("comments:post", args=[article.pk]), form_data(), follow=True)
    html = response.content.decode()
    assert "Ihr Kommentar wartet auf Freischaltung." in html
    assert_no_english(html)


def test_post_page_german_date(client, german):
    post = PostFactory(slug="mai-beitrag", published_at=datetime(2011, 5, 24, 10, 15, tzinfo=BERLIN))
    html = client.get(post.get_absolute_url()).content.decode()
    assert 'Veröffentlicht am <time datetime="2011-05-24T10:15:00+02:00">24. Mai 2011</time>' in html
    archive = client.get("/2011/05/").content.decode()
    assert "24. Mai 2011" in archive


def test_404_page_german(client, german):
    response = client.get("/diese-seite-gibt-es-nicht/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Diese Seite gibt es nicht" in html
    assert "Zur Startseite" in html
    assert_no_english(html)


def test_language_switch_to_english_and_back(client, german, article):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Newest posts" in html
    assert "with 2 comments" in html
    post_html = client.get(article.get_absolute_url()).content.decode()
    assert "said on May 24, 2011" in post_html
    assert "Leave a comment" in post_html

    client.post("/i18n/setlang/", {"language": "de", "next": "/"})
    assert "Neueste Beiträge" in client.get("/").content.decode()


def test_language_switch_ignores_unknown_language(client, german):
    response = client.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    assert response.status_code == 302
    assert "Neueste Beiträge" in client.get("/").content.decode()


def test_admin_javascript_catalogue_has_german_poll_buttons(client, german, superuser):
    client.force_login(superuser)
    response = client.get(reverse("admin:jsi18n"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Nach oben" in text
    assert "Ziehen, um die Reihenfolge zu" in text


def _language_form(html: str) -> tuple[str, str, dict[str, str]]:
    """The language switch as a browser without JavaScript submits it: method, action, fields."""
    form = re.search(
        r'<form class="d-flex language-switch" action="([^"]+)" method="(\w+)">(.*?)</form>', html, re.S
    )
    assert form, "no language switch on the page"
    fields = dict(re.findall(r'<input name="(\w+)" type="hidden" value="([^"]*)"', form.group(3)))
    return form.group(2), form.group(1), fields


def test_language_switch_works_as_a_plain_get_form_without_javascript(client, german, article):
    page = client.get(article.get_absolute_url()).content.decode()
    method, action, fields = _language_form(page)
    assert method == "get" and "csrfmiddlewaretoken" not in fields
    assert fields["next"] == article.get_absolute_url()
    response = client.get(action, {**fields, "language": "en"})  # what the browser sends
    assert response.status_code == 302 and response["Location"] == article.get_absolute_url()
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "Leave a comment" in client.get(response["Location"]).content.decode()

    method, action, fields = _language_form(client.get("/").content.decode())
    client.get(action, {**fields, "language": "de"})
    assert "Neueste Beiträge" in client.get("/").content.decode()


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "",
        "http://testserver@evil.example/",
    ],
)
def test_language_switch_goes_back_only_to_this_site(client, german, next_url):
    response = client.get(reverse("language_switch"), {"language": "en", "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_language_switch_ignores_unknown_languages_and_other_methods(client, german):
    response = client.get(reverse("language_switch"), {"language": "xx", "next": "/"})
    assert response.status_code == 302 and settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert client.post(reverse("language_switch"), {"language": "en"}).status_code == 405
    assert "Neueste Beiträge" in client.get("/").content.decode()
