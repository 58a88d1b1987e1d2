"""Posts, pages, categories, tags, author profiles: fields, rules and constraints."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from blog.models import Page, Post, author_name, published_q
from tests.factories import (
    AuthorProfileFactory,
    CategoryFactory,
    ImageFactory,
    PageFactory,
    PostFactory,
    TagFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")


def test_post_has_every_field_the_editor_needs():
    image = ImageFactory(credit_name="flickr", credit_url="https://www.flickr.com/")
    parent = CategoryFactory(name="Marketing")
    child = CategoryFactory(name="Social Media", parent=parent)
    tag = TagFactory(name="Facebook")
    post = PostFactory(
        title="Was ist Social Media?",
        excerpt="Kurz gesagt.",
        featured_image=image,
        categories=[child],
        tags=[tag],
        seo_description="Für Suchmaschinen",
        is_sticky=True,
        comments_open=False,
        updated_at=timezone.now(),
    )
    post.refresh_from_db()
    assert post.slug == "was-ist-social-media"
    assert post.featured_image.alt_text and post.featured_image.credit_name == "flickr"
    assert list(post.categories.all()) == [child]
    assert child.parent == parent
    assert list(post.tags.all()) == [tag]
    assert post.description == "Für Suchmaschinen"
    assert post.is_sticky and not post.comments_open
    assert str(post) == "Was ist Social Media?"


def test_post_body_html_is_rendered_and_sanitised_on_save():
    post = PostFactory(body="<p><strong>fett</strong> <script>alert(1)</script></p>")
    assert "<strong>fett</strong>" in post.body_html
    assert "<script" not in post.body_html
    post.body = "<p><em>neu</em></p>"
    post.save(update_fields=["body"])
    post.refresh_from_db()
    assert "<em>neu</em>" in post.body_html


def test_post_teaser_defaults_to_first_paragraph():
    post = PostFactory(body="Erster Absatz.\n\nZweiter Absatz.")
    assert post.teaser_html == "<p>Erster Absatz.</p>"
    assert post.description == "Erster Absatz."


def test_post_published_without_time_gets_now():
    before = timezone.now()
    post = PostFactory(published_at=None, status=Post.Status.PUBLISHED)
    assert post.published_at >= before
    assert post.is_published()


def test_post_published_without_time_is_refused_by_the_database():
    post = PostFactory(status=Post.Status.DRAFT, published_at=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        Post.objects.filter(pk=post.pk).update(status=Post.Status.PUBLISHED)


def test_post_slug_is_unique():
    PostFactory(slug="gleich")
    with pytest.raises(IntegrityError), transaction.atomic():
        PostFactory(slug="gleich", title="Anders")


def test_post_states_published_scheduled_draft():
    live = PostFactory()
    scheduled = PostFactory(published_at=timezone.now() + timedelta(days=1))
    draft = PostFactory(status=Post.Status.DRAFT, published_at=None)
    assert live.is_published() and not live.is_scheduled()
    assert scheduled.is_scheduled() and not scheduled.is_published()
    assert not draft.is_published() and not draft.is_scheduled()
    assert list(Post.objects.published()) == [live]
    assert list(Post.objects.filter(published_q())) == [live]


def test_post_permalink_uses_local_year_and_month():
    # 23:30 UTC on 31 May is already June in Berlin.
    post = PostFactory(slug="mitternacht", published_at=datetime(2011, 5, 31, 23, 30, tzinfo=ZoneInfo("UTC")))
    assert post.get_absolute_url() == "/2011/06/mitternacht/"
    assert post.get_preview_url() == f"/preview/{post.pk}/"


def test_category_cannot_be_its_own_ancestor():
    root = CategoryFactory()
    child = CategoryFactory(parent=root)
    root.parent = child
    with pytest.raises(ValidationError):
        root.clean()


def test_category_ancestors_from_the_root_down():
    root = CategoryFactory(name="A")
    middle = CategoryFactory(name="B", parent=root)
    leaf = CategoryFactory(name="C", parent=middle)
    assert leaf.ancestors() == [root, middle]
    assert leaf.get_absolute_url() == f"/category/{leaf.slug}/"


def test_tag_url_and_name():
    tag = TagFactory(name="Twitter", slug="twitter")
    assert str(tag) == "Twitter"
    assert tag.get_absolute_url() == "/tag/twitter/"


def test_author_name_prefers_profile_then_full_name_then_username():
    profile = AuthorProfileFactory(display_name="Erika Muster", byline="Akademieleitung")
    assert author_name(profile.user) == "Erika Muster"
    assert str(profile) == "Erika Muster"
    named = UserFactory(first_name="Max", last_name="Mustermann")
    assert author_name(named) == "Max Mustermann"
    plain = UserFactory(username="anonym")
    assert author_name(plain) == "anonym"


def test_image_keeps_credit_and_dimensions():
    image = ImageFactory()
    assert (image.width, image.height) == (1200, 800)
    assert image.credit_name == "flickr"
    assert str(image) == image.alt_text


def test_page_renders_markdown_and_refuses_reserved_slugs():
    page = PageFactory(title="Impressum", slug="impressum", body="<h2>Anbieter</h2><script>x</script>")
    assert "<h2>Anbieter</h2>" in page.body_html
    assert "<script" not in page.body_html
    assert page.get_absolute_url() == "/impressum/"
    for slug in ("admin", "feed", "2011"):
        with pytest.raises(ValidationError):
            Page(title="x", slug=slug, body="x").full_clean()


def test_page_published_queryset():
    shown = PageFactory()
    PageFactory(is_published=False)
    assert list(Page.objects.published()) == [shown]
