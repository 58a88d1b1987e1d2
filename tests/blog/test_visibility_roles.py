"""Only editors and superusers see unpublished posts and pages; moderators see what readers see.

Every path a post can be reached by, for each role: permalink, preview, listings, archive,
search, feeds, sitemap, share and comment links.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from blog.models import Page, Post, sees_unpublished
from tests.comments.factories import CommentFactory
from tests.factories import CategoryFactory, PageFactory, PostFactory, TagFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "moderator", "plain_staff", "editor", "superuser"]
SEES_UNPUBLISHED = {"editor", "superuser"}


@pytest.fixture
def as_role(client, request):
    """A client signed in as the role named by the test's ``role`` parameter."""

    def sign_in(role):
        if role == "plain_staff":
            client.force_login(UserFactory(username="staff", is_staff=True))
        elif role != "anonymous":
            client.force_login(request.getfixturevalue(role))
        return client

    return sign_in


@pytest.fixture
def hidden_posts():
    category, tag = CategoryFactory(slug="versteckt"), TagFactory(slug="versteckt")
    author = UserFactory(username="autorin")
    PostFactory(title="Sichtbarer Nachbar", author=author, categories=[category], tags=[tag])
    draft = PostFactory(
        title="Geheimer Entwurf",
        slug="geheimer-entwurf",
        status=Post.Status.DRAFT,
        published_at=None,
        author=author,
        categories=[category],
        tags=[tag],
    )
    scheduled = PostFactory(
        title="Geplanter Beitrag",
        slug="geplanter-beitrag",
        published_at=timezone.now() + timedelta(days=2),
        author=author,
        categories=[category],
        tags=[tag],
    )
    for post in (draft, scheduled):
        CommentFactory(post=post, body="Kommentar unter einem versteckten Beitrag")
    return draft, scheduled


def listing_urls(post) -> list[str]:
    now = timezone.localtime()
    later = timezone.localtime(post.permalink_date)
    return [
        reverse("blog:home"),
        "/category/versteckt/",
        "/tag/versteckt/",
        "/author/autorin/",
        f"/{now:%Y}/",
        f"/{later:%Y}/{later:%m}/",
        "/search/?q=Geheimer",
        "/search/?q=Geplanter",
        "/feed/",
        "/feed/atom/",
        "/category/versteckt/feed/",
        "/comments/feed/",
        f"/comments/feed/post/{post.pk}/",
        "/sitemap.xml",
        "/sitemap-posts.xml",
    ]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("which", ["draft", "scheduled"])
def test_permalink_of_unpublished_post_by_role(as_role, hidden_posts, role, which):
    post = hidden_posts[0] if which == "draft" else hidden_posts[1]
    response = as_role(role).get(post.get_absolute_url())
    if role in SEES_UNPUBLISHED:
        assert response.status_code == 200
        assert post.title in response.content.decode()
    else:
        assert response.status_code == 404
        assert post.title not in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("which", ["draft", "scheduled"])
def test_preview_of_unpublished_post_by_role(as_role, hidden_posts, role, which):
    post = hidden_posts[0] if which == "draft" else hidden_posts[1]
    response = as_role(role).get(post.get_preview_url())
    if role in SEES_UNPUBLISHED:
        assert response.status_code == 200
        assert post.title in response.content.decode()
    else:
        assert response.status_code == (302 if role == "anonymous" else 403)
        assert post.title not in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_unpublished_posts_are_listed_nowhere_for_any_role(as_role, hidden_posts, role):
    """Listings, feeds, search and the sitemap are the readers' view, also for editors."""
    client = as_role(role)
    for post in hidden_posts:
        for url in listing_urls(post):
            response = client.get(url)
            assert response.status_code in (200, 404), url
            body = response.content.decode()
            assert post.title not in body, (role, url)
            assert post.slug not in body, (role, url)
            assert "versteckten Beitrag" not in body, (role, url)


@pytest.mark.parametrize("role", ROLES)
def test_share_and_comment_links_of_unpublished_posts_are_404_for_every_role(as_role, hidden_posts, role):
    client = as_role(role)
    for post in hidden_posts:
        assert client.get(reverse("blog:share", kwargs={"pk": post.pk, "network": "x"})).status_code == 404
        comment = post.comments.get()
        assert client.get(reverse("comments:permalink", args=[comment.pk])).status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_unpublished_page_by_role(as_role, role):
    page = PageFactory(title="Noch nicht fertig", slug="bald", is_published=False)
    response = as_role(role).get(page.get_absolute_url())
    assert response.status_code == (200 if role in SEES_UNPUBLISHED else 404)


def test_sees_unpublished_needs_an_active_staff_account_with_the_change_permission(editor, moderator):
    assert sees_unpublished(editor, Post) and sees_unpublished(editor, Page)
    assert not sees_unpublished(moderator, Post)
    assert not sees_unpublished(None, Post)
    not_staff = UserFactory(username="ex-editor", groups=["Editors"], is_staff=False)
    assert not sees_unpublished(not_staff, Post)
    editor.is_active = False
    assert not sees_unpublished(editor, Post)


def test_visible_to_and_is_visible_to_agree(editor, moderator, hidden_posts):
    draft, scheduled = hidden_posts
    for user in (editor, moderator):
        ids = set(Post.objects.visible_to(user).values_list("pk", flat=True))
        for post in (draft, scheduled):
            assert (post.pk in ids) == post.is_visible_to(user)
    assert draft.is_visible_to(editor) and not draft.is_visible_to(moderator)
