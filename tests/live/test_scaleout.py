"""Two gunicorn processes on one PostgreSQL and one Redis act as one site."""

import pytest

from blog.models import Post
from tests.factories import PostFactory, UserFactory

pytestmark = pytest.mark.live


def test_sessions_work_across_processes(start_app, visitor):
    UserFactory(username="chefin", is_staff=True, is_superuser=True)
    a, b = start_app(), start_app()
    reader = visitor()
    status, html, _ = reader.get(a.url + "/admin/login/")
    assert status == 200
    status, _, _ = reader.post(
        a.url + "/admin/login/?next=/admin/",
        {"username": "chefin", "password": "secret-pass-123", "csrfmiddlewaretoken": reader.csrf_token(html)},
    )
    assert status == 302, "login through process A failed"
    status, html, _ = reader.get(b.url + "/admin/")
    assert status == 200
    assert "chefin" in html.lower() or "logout" in html.lower()


def test_an_edit_shows_at_once_through_the_other_process(start_app, visitor):
    post = PostFactory(title="Alter Titel")
    a, b = start_app(), start_app()
    reader = visitor()
    for app in (a, b):
        status, html, _ = reader.get(app.url + post.get_absolute_url())
        assert status == 200 and "Alter Titel" in html
    post.title = "Neuer Titel"
    post.save()
    for app in (b, a):
        _, html, _ = reader.get(app.url + post.get_absolute_url())
        assert "Neuer Titel" in html


def test_share_count_counts_once_across_processes(start_app, visitor):
    post = PostFactory()
    a, b = start_app(), start_app()
    reader = visitor()
    for app in (a, b, a):
        status, _, headers = reader.get(f"{app.url}/share/{post.pk}/facebook/")
        assert status == 302
        assert headers["Location"].startswith("https://www.facebook.com/")
    assert Post.objects.get(pk=post.pk).share_count == 1
