"""The admin for editors: changelist, bulk actions, preview, history, groups and rights."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from reversion.models import Version

from blog.models import Post
from tests.factories import CategoryFactory, PostFactory, TagFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
CHANGELIST = "/admin/blog/post/"


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def mixed_posts():
    marketing = CategoryFactory(name="Marketing")
    return {
        "live": PostFactory(
            title="Live-Beitrag", categories=[marketing], published_at=datetime(2011, 5, 24, tzinfo=BERLIN)
        ),
        "scheduled": PostFactory(title="Geplant-Beitrag", published_at=timezone.now() + timedelta(days=3)),
        "draft": PostFactory(title="Entwurf-Beitrag", status=Post.Status.DRAFT, published_at=None),
        "category": marketing,
    }


def titles_in(response) -> set[str]:
    return {post.title for post in response.context["cl"].result_list}


def test_changelist_renders_with_state_author_and_categories(editor_client, mixed_posts):
    response = editor_client.get(CHANGELIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert titles_in(response) == {"Live-Beitrag", "Geplant-Beitrag", "Entwurf-Beitrag"}
    assert "bw-badge-live" in html and "bw-badge-scheduled" in html and "bw-badge-draft" in html
    assert "Marketing" in html
    assert 'id="changelist-filter"' in html
    assert 'id="changelist-search"' in html
    assert "xfull" in html or "date_hierarchy" in html or "published_at__year" in html


@pytest.mark.parametrize(
    "query,expected",
    [
        ("state=live", {"Live-Beitrag"}),
        ("state=scheduled", {"Geplant-Beitrag"}),
        ("state=draft", {"Entwurf-Beitrag"}),
        ("status__exact=published", {"Live-Beitrag", "Geplant-Beitrag"}),
        ("q=Entwurf", {"Entwurf-Beitrag"}),
        ("published_at__year=2011&published_at__month=5", {"Live-Beitrag"}),
        ("is_sticky__exact=1", set()),
    ],
)
def test_changelist_filters_search_and_date_hierarchy(editor_client, mixed_posts, query, expected):
    response = editor_client.get(f"{CHANGELIST}?{query}")
    assert response.status_code == 200
    assert titles_in(response) == expected


def test_changelist_category_filter(editor_client, mixed_posts):
    response = editor_client.get(f"{CHANGELIST}?categories__id__exact={mixed_posts['category'].pk}")
    assert titles_in(response) == {"Live-Beitrag"}


def test_changelist_query_count_does_not_grow(editor_client, django_assert_max_num_queries):
    for _ in range(30):
        PostFactory(categories=[CategoryFactory(), CategoryFactory()], tags=[TagFactory()])
    with django_assert_max_num_queries(20):
        assert editor_client.get(CHANGELIST).status_code == 200


def run_action(client, action, posts):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [p.pk for p in posts], "index": 0},
        follow=True,
    )


def test_bulk_publish(editor_client, mixed_posts):
    draft, scheduled = mixed_posts["draft"], mixed_posts["scheduled"]
    before = timezone.now()
    response = run_action(editor_client, "publish", [draft, scheduled, mixed_posts["live"]])
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert messages == ["2 posts published.", "1 post was already published."]
    draft.refresh_from_db()
    assert draft.status == Post.Status.PUBLISHED and draft.published_at >= before
    assert draft.is_published()
    scheduled.refresh_from_db()
    assert scheduled.is_published() and scheduled.published_at >= before  # "publish" means now
    assert editor_client.get(draft.get_absolute_url()).status_code == 200


def test_bulk_publish_makes_a_draft_with_a_planned_time_live_now(editor_client):
    planned = timezone.now() + timedelta(days=2)
    draft = PostFactory(status=Post.Status.DRAFT, published_at=planned)
    run_action(editor_client, "publish", [draft])
    draft.refresh_from_db()
    assert draft.is_published() and draft.published_at < planned


def test_bulk_publish_says_why_a_post_was_not_published(editor_client):
    draft = PostFactory(status=Post.Status.DRAFT, body='<p><img src="/media/x.jpg" alt=""></p>')
    response = run_action(editor_client, "publish", [draft])
    [message] = [str(m) for m in response.context["messages"]]
    assert "alternative text" in message and draft.title in message
    draft.refresh_from_db()
    assert draft.status == Post.Status.DRAFT


def test_bulk_publish_german_plural(editor_client, mixed_posts):
    from django.utils import translation

    with translation.override("de"):
        response = editor_client.post(
            CHANGELIST,
            {"action": "publish", "_selected_action": [mixed_posts["draft"].pk, mixed_posts["scheduled"].pk]},
            follow=True,
            HTTP_ACCEPT_LANGUAGE="de",
        )
    messages = [str(m) for m in response.context["messages"]]
    assert messages == ["2 Beiträge veröffentlicht."]


def test_bulk_unpublish(editor_client, client, mixed_posts):
    live = mixed_posts["live"]
    response = run_action(editor_client, "unpublish", [live, mixed_posts["draft"]])
    assert response.status_code == 200
    live.refresh_from_db()
    assert live.status == Post.Status.DRAFT
    client.logout()
    assert client.get(live.get_absolute_url()).status_code == 404
    assert "Live-Beitrag" not in client.get("/").content.decode()


def test_bulk_publish_shows_up_in_sidebar_at_once(editor_client, client, mixed_posts):
    client.get("/")  # warm the sidebar cache
    run_action(editor_client, "publish", [mixed_posts["draft"]])
    client.logout()
    html = client.get("/").content.decode()
    assert "Entwurf-Beitrag" in html


def test_change_form_has_preview_link_and_prefilled_slug(editor_client, mixed_posts):
    draft = mixed_posts["draft"]
    html = editor_client.get(f"{CHANGELIST}{draft.pk}/change/").content.decode()
    assert f'href="/preview/{draft.pk}/"' in html
    add = editor_client.get(f"{CHANGELIST}add/")
    assert add.status_code == 200
    assert "prepopulated" in add.content.decode()
    assert add.context["adminform"].form.initial["author"] is not None


def post_form_data(post, **changes):
    data = {
        "title": post.title,
        "slug": post.slug,
        "body": post.body,
        "excerpt": post.excerpt,
        "status": post.status,
        "published_at_0": timezone.localtime(post.published_at).strftime("%Y-%m-%d")
        if post.published_at
        else "",
        "published_at_1": timezone.localtime(post.published_at).strftime("%H:%M:%S")
        if post.published_at
        else "",
        "updated_at_0": "",
        "updated_at_1": "",
        "author": post.author_id,
        "comments_open": "on",
        "categories": [c.pk for c in post.categories.all()],
        "tags": [t.pk for t in post.tags.all()],
        "featured_image": "",
        "seo_description": "",
    }
    data.update(changes)
    return data


def test_revision_history_compare_and_restore(editor_client):
    post = PostFactory(
        title="Erste Fassung", body="Alter Text.", published_at=datetime(2011, 5, 24, tzinfo=BERLIN)
    )
    change_url = f"{CHANGELIST}{post.pk}/change/"
    for body in ("Zweiter Text.", "Dritter Text."):
        response = editor_client.post(change_url, post_form_data(post, body=body))
        assert response.status_code == 302, response.context["adminform"].form.errors
    versions = list(Version.objects.get_for_object(post).order_by("pk"))
    assert len(versions) == 2

    history = editor_client.get(f"{CHANGELIST}{post.pk}/history/")
    assert history.status_code == 200
    assert "compare" in history.content.decode()

    compare = editor_client.get(
        f"{CHANGELIST}{post.pk}/history/compare/",
        {"version_id1": versions[0].pk, "version_id2": versions[1].pk},
    )
    assert compare.status_code == 200
    html = compare.content.decode()
    assert "Zweiter" in html and "Dritter" in html

    revision = editor_client.get(f"{CHANGELIST}{post.pk}/history/{versions[0].pk}/")
    assert revision.status_code == 200
    restore = editor_client.post(
        f"{CHANGELIST}{post.pk}/history/{versions[0].pk}/", post_form_data(post, body="Zweiter Text.")
    )
    assert restore.status_code == 302
    post.refresh_from_db()
    assert post.body == "Zweiter Text."
    assert "Zweiter Text." in post.body_html


def test_groups_exist_after_migrate_with_the_right_permissions():
    editors = Group.objects.get(name="Editors")
    moderators = Group.objects.get(name="Moderators")
    editor_perms = set(
        editors.permissions.filter(content_type__app_label="blog").values_list("codename", flat=True)
    )
    for model in ("post", "page", "category", "tag", "image"):
        for action in ("add", "change", "delete", "view"):
            assert f"{action}_{model}" in editor_perms
    assert not moderators.permissions.filter(
        content_type__app_label="blog", content_type__model="post"
    ).exists()
    assert not moderators.permissions.filter(
        codename__in=["change_page", "change_category", "change_tag"]
    ).exists()


def test_editor_can_use_the_post_admin_and_moderator_cannot(client, editor, moderator, mixed_posts):
    client.force_login(editor)
    for url in (
        CHANGELIST,
        "/admin/blog/page/",
        "/admin/blog/category/",
        "/admin/blog/tag/",
        "/admin/blog/image/",
    ):
        assert client.get(url).status_code == 200, url
    client.force_login(moderator)
    assert client.get(CHANGELIST).status_code == 403
    assert client.get(f"{CHANGELIST}{mixed_posts['live'].pk}/change/").status_code == 403
    run_action(client, "unpublish", [mixed_posts["live"]])
    mixed_posts["live"].refresh_from_db()
    assert mixed_posts["live"].status == Post.Status.PUBLISHED
    assert client.get(mixed_posts["draft"].get_preview_url()).status_code == 403


def test_image_admin_lists_thumbnails(editor_client):
    from tests.factories import ImageFactory

    image = ImageFactory()
    html = editor_client.get("/admin/blog/image/").content.decode()
    assert image.fallback_url in html
    change = editor_client.get(f"/admin/blog/image/{image.pk}/change/").content.decode()
    assert "480px" in change
