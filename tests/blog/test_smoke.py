import pytest
from django.urls import reverse

from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


def test_home_lists_published_post(client):
    post = PostFactory(title="Hallo Welt")
    response = client.get(reverse("blog:home"))
    assert response.status_code == 200
    assert post.title in response.content.decode()


def test_permalink_renders_body(client):
    post = PostFactory(body="<p>Ein <strong>fetter</strong> Satz.</p>")
    response = client.get(post.get_absolute_url())
    assert "<strong>fetter</strong>" in response.content.decode()
