"""The writing desk: body images, embeds, slugs, legacy bodies, desk endpoints, publishing."""

import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from blog.bodies import body_for_readers
from blog.embeds import embed_placeholders, expand_embeds, frame_hosts
from blog.legacy import markdown_to_editor_html
from blog.models import Image, Post, PostAutosave
from blog.rendering import render_post_body
from blog.slugs import slugify_de
from tests.factories import ImageFactory, PostFactory, image_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_slugify_de_transliterates_german():
    assert slugify_de("Für Über Straße") == "fuer-ueber-strasse"
    assert slugify_de("ÄÖÜ äöü ß") == "aeoeue-aeoeue-ss"


def test_body_image_becomes_responsive_picture_with_credit(django_assert_max_num_queries):
    image = ImageFactory()
    body = (
        f'<figure><img src="{image.fallback_url}" alt="" data-file="{image.pk}">'
        "<figcaption>Ein Bild</figcaption></figure>"
        f'<p><img src="{image.file.url}" alt="Zweites"></p>'
    )
    with django_assert_max_num_queries(1):
        html = body_for_readers(render_post_body(body))
    assert html.count("<picture>") == 2
    assert 'type="image/webp"' in html and 'loading="lazy"' in html
    assert f'width="{image.width}" height="{image.height}"' in html
    assert image.file.url not in html  # never the original file
    assert "Ein Bild" in html and "flickr" in html and "Source:" in html  # "Quelle:" in the German site
    assert 'alt="Ein blaues Testbild"' in html and 'alt="Zweites"' in html


def test_body_images_keep_the_classes_their_layout_needs():
    """A media-and-text figure and a cover's background image stay recognisable to the CSS."""
    image = ImageFactory()
    body = (
        f'<div class="wp-block-media-text"><figure class="wp-block-media-text__media">'
        f'<img src="{image.fallback_url}" alt="x" class="wp-image-3"></figure></div>'
        f'<div class="wp-block-cover"><img class="wp-block-cover__image-background wp-image-3" '
        f'src="{image.fallback_url}" alt=""></div>'
    )
    html = render_post_body(body)
    assert '<figure class="bw-figure wp-block-media-text__media"' in html
    assert '<img class="img-fluid wp-block-cover__image-background"' in html
    again = render_post_body(html)  # saving again keeps them once
    assert (
        again.count("wp-block-media-text__media") == 1
        and again.count("wp-block-cover__image-background") == 1
    )


def test_foreign_images_stay_as_they_are():
    html = render_post_body('<p><img src="https://example.org/x.jpg" alt="x"></p>')
    assert "<picture>" not in html and 'src="https://example.org/x.jpg"' in html


@pytest.mark.parametrize(
    "url,provider",
    [
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "youtube"),
        ("https://youtu.be/dQw4w9WgXcQ", "youtube"),
        ("https://vimeo.com/76979871", "vimeo"),
        ("https://mastodon.social/@Gargron/109384124211", "mastodon"),
        ("https://x.com/jack/status/20", "x"),
        ("https://www.instagram.com/p/CxYz123/", "instagram"),
        ("https://soundcloud.com/artist/track-name", "soundcloud"),
    ],
)
def test_link_on_its_own_line_becomes_a_two_click_embed(url, provider):
    stored = render_post_body(f"<p>{url}</p>")
    assert f'data-provider="{provider}"' in stored
    html = expand_embeds(stored)
    assert "<iframe" not in html  # nothing loads before the click
    assert f'href="{url}"' in html and "bw-embed-load" in html


def test_links_inside_prose_and_unknown_hosts_stay_links():
    body = '<p>Siehe <a href="https://www.youtube.com/watch?v=dQw4w9WgXcQ">das Video</a>.</p><p>https://example.org/</p>'
    assert "bw-embed" not in embed_placeholders(render_post_body(body))


def test_wordpress_embed_shortcode_uses_the_same_renderer():
    stored = render_post_body("<p>[embed]https://vimeo.com/76979871[/embed]</p>")
    assert 'data-provider="vimeo"' in stored


def test_mastodon_instance_not_allowed_by_csp_gets_only_a_link():
    html = expand_embeds(render_post_body("<p>https://chaos.social/@user/123456</p>"))
    assert "bw-embed-load" not in html and 'href="https://chaos.social/@user/123456"' in html


def test_csp_allows_frames_only_from_embed_players(client):
    response = client.get("/healthz")
    policy = response.headers["Content-Security-Policy"]
    frame_src = next(part for part in policy.split(";") if part.strip().startswith("frame-src"))
    for host in frame_hosts():
        assert host in frame_src
    assert "*" not in frame_src


def test_legacy_markdown_keeps_single_line_breaks_and_wordpress_html():
    assert markdown_to_editor_html("**Firma**\nStraße 1\n\nText") == (
        "<p><strong>Firma</strong><br>\nStraße 1</p>\n<p>Text</p>"
    )
    wordpress = "<p>Zeile eins<br />\nZeile zwei</p>\n<p>Absatz</p>"
    assert markdown_to_editor_html(wordpress) == wordpress
    old = render_post_body(wordpress)
    assert render_post_body(markdown_to_editor_html(wordpress)) == old


def test_preview_renders_like_readers_get_it(editor_client):
    response = editor_client.post(
        reverse("admin:blog_desk_preview"),
        {
            "body": "<p>Hallo <strong>Welt</strong></p><p>https://youtu.be/dQw4w9WgXcQ</p><p>[gibtsnicht x=1]</p>"
        },
    )
    data = response.json()
    assert "<strong>Welt</strong>" in data["html"] and "bw-embed-load" in data["html"]
    assert "shortcode-unknown" in data["html"]  # shown to editors, as on the staff preview
    assert data["words"] >= 2 and data["minutes"] == 1


def test_desk_endpoints_need_an_editor(client):
    response = client.post(reverse("admin:blog_desk_preview"), {"body": "x"})
    assert response.status_code == 302  # to the admin login


def test_image_upload_checks_and_returns_the_image(editor_client):
    url = reverse("admin:blog_desk_image_upload")
    bad = editor_client.post(url, {"file": SimpleUploadedFile("x.jpg", b"not an image"), "alt_text": "x"})
    assert bad.status_code == 400 and "file" in bad.json()["errors"]
    no_alt = editor_client.post(url, {"file": SimpleUploadedFile("x.jpg", image_bytes())})
    assert no_alt.status_code == 400 and "alt_text" in no_alt.json()["errors"]
    ok = editor_client.post(
        url,
        {"file": SimpleUploadedFile("x.jpg", image_bytes()), "alt_text": "Ein Bild", "credit_name": "dpa"},
    )
    assert ok.status_code == 201
    image = Image.objects.get(pk=ok.json()["id"])
    assert image.credit_name == "dpa" and image.renditions["webp"]


def test_image_library_search(editor_client):
    ImageFactory(alt_text="Sonnenuntergang am Meer")
    ImageFactory(alt_text="Berge")
    data = editor_client.get(reverse("admin:blog_desk_images"), {"q": "sonne"}).json()
    assert [r["alt"] for r in data["results"]] == ["Sonnenuntergang am Meer"]
    assert data["results"][0]["thumb"].endswith((".jpg", ".png"))


def test_autosave_keeps_one_row_and_no_revision(editor_client, editor):
    post = PostFactory()
    url = reverse("admin:blog_desk_autosave")
    for text in ("<p>eins</p>", "<p>zwei</p>"):
        response = editor_client.post(url, {"post": post.pk, "data": json.dumps({"body": text, "evil": "x"})})
        assert response.status_code == 200 and response.json()["saved_at"]
    [autosave] = PostAutosave.objects.filter(post=post)
    assert autosave.data == {"body": "<p>zwei</p>"}
    post.refresh_from_db()
    assert post.body != "<p>zwei</p>"  # nothing is published or saved into the post
    page = editor_client.get(reverse("admin:blog_post_change", args=[post.pk]))
    assert page.context["autosave"] == autosave


def test_autosave_rejects_garbage(editor_client):
    url = reverse("admin:blog_desk_autosave")
    assert editor_client.post(url, {"data": "{nope"}).status_code == 400
    assert editor_client.post(url, {"post": "abc"}).status_code == 400


def test_second_editor_is_told_who_edits(client, editor, django_user_model):
    from tests.factories import UserFactory

    post = PostFactory()
    client.force_login(editor)
    client.get(reverse("admin:blog_post_change", args=[post.pk]))
    other = UserFactory(username="max", first_name="Max", groups=["Editors"], is_staff=True)
    client.force_login(other)
    response = client.get(reverse("admin:blog_post_change", args=[post.pk]))
    assert "is editing this post right now" in response.context["lock_message"]


def change_data(post, **extra):
    data = {
        "title": post.title,
        "slug": post.slug,
        "body": post.body,
        "excerpt": "",
        "author": post.author_id,
        "comments_open": "on",
        "tag_names": "",
        "seo_description": "",
        "publish_at": "",
    }
    data.update(extra)
    return data


def test_publish_panel_schedules_in_the_future_only(editor_client):
    post = PostFactory(status=Post.Status.DRAFT, published_at=None)
    url = reverse("admin:blog_post_change", args=[post.pk])
    past = editor_client.post(url, change_data(post, _publish="schedule", publish_at="2001-01-01T10:00"))
    assert past.status_code == 200 and "in the future" in str(past.context["adminform"].form.errors)
    future = (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    editor_client.post(url, change_data(post, _publish="schedule", publish_at=future))
    post.refresh_from_db()
    assert post.is_scheduled()
    editor_client.post(url, change_data(post, _publish="now"))
    post.refresh_from_db()
    assert post.is_published()
    editor_client.post(url, change_data(post, _publish="draft"))
    post.refresh_from_db()
    assert post.status == Post.Status.DRAFT


def test_publishing_needs_alt_text(editor_client):
    post = PostFactory(status=Post.Status.DRAFT, published_at=None)
    url = reverse("admin:blog_post_change", args=[post.pk])
    response = editor_client.post(
        url, change_data(post, body='<p><img src="https://example.org/x.jpg" alt=""></p>', _publish="now")
    )
    assert "alternative text" in str(response.context["adminform"].form.errors)
    post.refresh_from_db()
    assert post.status == Post.Status.DRAFT


def test_tags_as_text_create_new_tags_with_german_slugs(editor_client):
    post = PostFactory()
    url = reverse("admin:blog_post_change", args=[post.pk])
    editor_client.post(url, change_data(post, tag_names="Größe, Neu , größe"))
    assert sorted(t.slug for t in post.tags.all()) == ["groesse", "neu"]


def test_empty_slug_is_made_from_the_title(editor_client):
    post = PostFactory(title="Für Über Straße")
    url = reverse("admin:blog_post_change", args=[post.pk])
    editor_client.post(url, change_data(post, slug=""))
    post.refresh_from_db()
    assert post.slug == "fuer-ueber-strasse"


def test_body_for_readers_expands_shortcodes_and_embeds():
    html = body_for_readers(render_post_body("<p>https://vimeo.com/76979871</p>"))
    assert "Vimeo" in html and "bw-embed-load" in html


def test_preview_query_budget_does_not_grow_with_images(editor_client, django_assert_max_num_queries):
    images = [ImageFactory() for _ in range(4)]
    body = "".join(f'<figure><img src="{i.fallback_url}" alt="" data-file="{i.pk}"></figure>' for i in images)
    url = reverse("admin:blog_desk_preview")
    editor_client.post(url, {"body": body})
    with django_assert_max_num_queries(5):  # session, user, two for permissions, one for all images
        response = editor_client.post(url, {"body": body})
    assert response.json()["html"].count("<picture>") == 4


def test_hostile_desk_input_gets_a_clear_answer(editor_client):
    assert editor_client.get(reverse("admin:blog_desk_preview")).status_code == 400
    huge = editor_client.post(reverse("admin:blog_desk_preview"), {"body": "x" * 2_000_001})
    assert huge.status_code == 413 and huge.json()["error"]
    assert editor_client.get(reverse("admin:blog_desk_images"), {"page": "abc"}).status_code == 200
    assert editor_client.post(reverse("admin:blog_desk_autosave"), {"data": "[1, 2]"}).status_code == 400
    assert editor_client.post(reverse("admin:blog_desk_image_upload")).status_code == 400


def test_desk_and_revision_screens_speak_german(client, superuser, settings):
    import reversion
    from django.utils import translation

    post = PostFactory(title="Alt", status=Post.Status.DRAFT, published_at=None)
    with reversion.create_revision():
        post.save()
    with reversion.create_revision():
        post.title = "Neu"
        post.save()
    client.force_login(superuser)
    with translation.override("de"):
        page = client.get(reverse("admin:blog_post_change", args=[post.pk]), HTTP_ACCEPT_LANGUAGE="de")
        html = page.content.decode()
        for text in ("Jetzt veröffentlichen", "Live-Vorschau", "Planen für", "Beim Teilen", "Bild wählen"):
            assert text in html, text
        config = page.context["desk_config"]["strings"]
        assert config["embed"] == "Einbetten" and config["leave"].startswith("Ihre Änderungen")
        versions = reversion.models.Version.objects.get_for_object(post)
        compare = client.get(
            reverse("admin:blog_post_compare", args=[post.pk]),
            {"version_id1": versions[1].pk, "version_id2": versions[0].pk},
            HTTP_ACCEPT_LANGUAGE="de",
        )
        text = compare.content.decode()
        assert "Auf diese Version zurücksetzen" in text and "Konrolle" not in text
        assert "Revert to this version" not in text


def test_body_from_the_form_is_sanitised_on_save(editor_client):
    post = PostFactory()
    url = reverse("admin:blog_post_change", args=[post.pk])
    hostile = '<p onclick="x()">Hallo<script>alert(1)</script> <a href="javascript:alert(1)">link</a></p>'
    editor_client.post(url, change_data(post, body=hostile))
    post.refresh_from_db()
    for needle in ("onclick", "<script", "javascript:"):
        assert needle not in post.body and needle not in post.body_html
    assert "Hallo" in post.body
