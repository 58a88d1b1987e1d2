"""An editor writes a post with formatting, pasted Word text, two images, a YouTube link and a
new poll in real Chromium; restores an autosave after closing the tab; schedules; publishes;
and a reader gets responsive images, a two-click embed and the poll."""

import base64
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from blog.models import Image, Post, PostAutosave
from polls.models import Poll
from tests.factories import UserFactory, image_bytes

pytestmark = pytest.mark.django_db(transaction=True)

WORD_HTML = (
    '<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><style>p.MsoNormal{mso-style:x}</style></head>'
    '<body><p class="MsoNormal" style="margin:0cm;font-family:Calibri"><span style="mso-fareast-font-family:x">'
    "Aus Word <b>kopiert</b><o:p></o:p></span></p></body></html>"
)


# Google Docs wraps everything in a <b> with font-weight normal: that is not bold text.
GOOGLE_DOCS_HTML = (
    '<meta charset="utf-8"><b style="font-weight:normal;" id="docs-internal-guid-1a2b3c">'
    '<p dir="ltr" style="line-height:1.38;margin-top:0pt;margin-bottom:0pt;">'
    '<span style="font-size:11pt;font-family:Arial,sans-serif;color:#000000;font-weight:400;">'
    "Aus Google Docs</span></p></b>"
)


def drop_images(page, selector, files):
    """Drop image files onto an element, as a file manager would."""
    page.evaluate(
        """([selector, files]) => {
            const target = document.querySelector(selector);
            const transfer = new DataTransfer();
            for (const [name, data] of files) {
                const bytes = Uint8Array.from(atob(data), c => c.charCodeAt(0));
                transfer.items.add(new File([bytes], name, {type: "image/png"}));
            }
            target.dispatchEvent(new DragEvent("drop", {dataTransfer: transfer, bubbles: true, cancelable: true}));
        }""",
        [selector, files],
    )


def paste_html(page, selector, html):
    page.evaluate(
        """([selector, html]) => {
            const target = document.querySelector(selector);
            const data = new DataTransfer();
            data.setData("text/html", html);
            data.setData("text/plain", "Aus Word kopiert");
            target.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
        }""",
        [selector, html],
    )


def sign_in(page, url, username, password, next_url):
    page.goto(f"{url}/admin/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")


def preview_html(page):
    return page.frame_locator("#bw-preview-frame").locator("#bw-preview-body").inner_html()


def test_editor_writes_illustrates_embeds_restores_and_publishes(
    live_server, browser, screenshot_dir, axe_violations
):
    # An editor's rights (the Editors group's: blog and polls), given directly because a
    # transactional test may run after another one emptied the groups the migrations made.
    erika = UserFactory(username="erika", first_name="Erika", password="erika-pass-123", is_staff=True)
    erika.user_permissions.set(Permission.objects.filter(content_type__app_label__in=["blog", "polls"]))
    context = browser.new_context(
        locale="de-DE", timezone_id="Europe/Berlin", viewport={"width": 1400, "height": 1000}
    )
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, live_server.url, "erika", "erika-pass-123", "/admin/blog/post/add/")
    page.wait_for_selector(".bw-toolbar")
    editable = ".field-body [contenteditable=true]"

    # Title → German slug; formatting by typing shortcuts and keyboard shortcuts.
    page.fill("#id_title", "Für Über Straße")
    assert page.input_value("#id_slug") == "fuer-ueber-strasse"
    page.click(editable)
    page.keyboard.type("## Zwischentitel\nEin Absatz mit ")
    page.keyboard.press("Control+b")
    page.keyboard.type("Fettem")
    page.keyboard.press("Control+b")
    page.keyboard.type(" Text.\n")

    # Word's junk is stripped on paste; the words and the bold survive.
    paste_html(page, editable, WORD_HTML)
    page.keyboard.press("End")
    page.keyboard.press("Enter")

    paste_html(page, editable, GOOGLE_DOCS_HTML)
    page.keyboard.press("End")
    page.keyboard.press("Enter")

    # Two images dropped onto the editor: each asks for its alternative text first.
    png = base64.b64encode(image_bytes("PNG", size=(1000, 600))).decode()
    drop_images(page, editable, [["eins.png", png], ["zwei.png", png]])
    dialog = page.locator("#bw-image-dialog")
    dialog.wait_for(state="visible")
    page.click("#bw-upload-submit")
    assert page.locator("#bw-upload-error").inner_text().startswith("Bitte beschreiben")
    for alt, credit in (("Erstes Bild", "dpa"), ("Zweites Bild", "")):
        page.fill("#bw-upload-alt", alt)
        page.fill("#bw-upload-credit", credit)
        page.click("#bw-upload-submit")
        page.wait_for_function(
            f"() => document.querySelectorAll('{editable} img[alt=\"{alt}\"]').length === 1"
        )
    assert not dialog.is_visible()
    assert Image.objects.count() == 2

    # A YouTube link on its own line, and a new poll from the toolbar.
    # Clicking the middle of the editor could select an image; the empty last line is safe.
    page.click(f"{editable} > p:last-child")
    page.keyboard.type("https://www.youtube.com/watch?v=dQw4w9WgXcQ\n")
    page.click(".bw-tool-poll")
    page.fill("#bw-poll-question", "Lesen Sie lieber gedruckt oder digital?")
    page.fill("#bw-poll-choices", "Gedruckt\nDigital\nBeides")
    page.click("#bw-poll-create")
    page.wait_for_function(f"() => document.querySelector('{editable}').textContent.includes('[poll ')")
    poll = Poll.objects.get()
    assert poll.is_held and not Poll.objects.public().filter(pk=poll.pk).exists()  # made for a draft

    # The live preview shows what readers get: pictures, the embed placeholder and the poll.
    page.wait_for_function(
        "() => { const d = document.getElementById('bw-preview-frame').contentDocument;"
        " const b = d && d.getElementById('bw-preview-body');"
        " return !!(b && b.querySelectorAll('picture').length === 2 && b.querySelector('.bw-embed-load')"
        " && b.querySelector('.poll-box')); }",
        timeout=10_000,
    )
    preview = preview_html(page)
    assert re.search(r"Quelle:</span> dpa", preview)  # the credit, in the editor's language
    assert "Inhalt von YouTube laden" in preview and "Gedruckt" in preview
    assert int(page.inner_text("#bw-words")) >= 8
    page.screenshot(path=str(screenshot_dir / "desk-writing-desktop.png"), full_page=True)
    page.click(".bw-width[data-width=phone]")
    page.locator("#bw-preview").screenshot(path=str(screenshot_dir / "desk-preview-phone.png"))
    violations = axe_violations(page)
    assert violations == [], violations

    # Save as draft; the Word paste came through clean.
    page.click("button[name=_continue]")
    page.wait_for_selector(".messagelist, .errornote:not([hidden])")
    assert page.locator(".errorlist").count() == 0, page.locator(".errorlist").all_inner_texts()
    post = Post.objects.get()
    assert post.status == Post.Status.DRAFT and post.slug == "fuer-ueber-strasse"
    poll.refresh_from_db()
    assert poll.held_for == post
    assert "<strong>Fettem</strong>" in post.body and "<b>kopiert</b>" not in post.body
    assert "kopiert" in post.body and "mso" not in post.body and "Calibri" not in post.body
    assert "<p>Aus Google Docs</p>" in post.body and "docs-internal" not in post.body
    assert post.body.count("data-file=") == 2
    page.wait_for_selector(".bw-toolbar")
    violations = axe_violations(page)  # the change form, with its publish panel for a draft
    assert violations == [], violations

    # More words, autosaved; then the tab is closed without saving.
    page.click(f"{editable} > p:last-child")
    page.keyboard.type("Ein Satz, der nur in der Sicherung steht.")
    page.wait_for_function(
        "() => document.getElementById('bw-autosave-state').textContent.length > 0", timeout=15_000
    )
    assert "nur in der Sicherung" in PostAutosave.objects.get(post=post).data["body"]
    change_url = page.url
    # Leaving with unsaved changes asks first.
    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.accept()))
    page.close(run_before_unload=True)
    page.wait_for_event("close")
    assert dialogs == ["beforeunload"]

    page = context.new_page()
    page.goto(change_url)
    page.wait_for_selector("#bw-restore")
    page.wait_for_selector(".bw-toolbar")
    page.click("#bw-restore-apply")
    assert "nur in der Sicherung" in page.inner_text(editable)

    # Schedule for tomorrow (site time zone); the poll stays hidden from readers meanwhile.
    tomorrow = timezone.localtime() + timedelta(days=1)
    page.fill("#id_publish_at", tomorrow.strftime("%Y-%m-%dT%H:%M"))
    page.click("button[name=_publish][value=schedule]")
    page.wait_for_selector(".messagelist")
    post.refresh_from_db()
    poll.refresh_from_db()
    assert post.is_scheduled() and "nur in der Sicherung" in post.body
    reader = browser.new_context(locale="de-DE").new_page()
    assert reader.goto(f"{live_server.url}/polls/{poll.slug}/").status == 404

    # Publish now.
    page.click("button[name=_publish][value=now]")
    page.wait_for_selector(".messagelist")
    post.refresh_from_db()
    assert post.is_published()
    assert errors == []

    # The reader's page: responsive images, a two-click embed, the poll.
    requested = []
    reader.on("request", lambda request: requested.append(request.url))
    reader.route(re.compile(r"https://(www\.)?youtube"), lambda route: route.abort())
    reader.goto(live_server.url + post.get_absolute_url())
    body = reader.locator(".post-body")
    assert body.locator("picture source[type='image/webp']").count() == 2
    first = body.locator("picture img").first
    assert first.get_attribute("srcset") and first.get_attribute("loading") == "lazy"
    assert first.get_attribute("width") and first.get_attribute("height")
    assert not any("youtube" in url for url in requested)
    assert body.locator(".poll-box input[name=choice]").count() == 3
    reader.screenshot(path=str(screenshot_dir / "desk-reader-post.png"), full_page=True)
    reader.click(".bw-embed-load")
    frame = body.locator(".bw-embed iframe")
    assert frame.get_attribute("src") == "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
    assert reader.goto(f"{live_server.url}/polls/{poll.slug}/").status == 200
