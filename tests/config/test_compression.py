"""HTML leaves compressed (Django's GZipMiddleware, outside the page cache) with BREACH
mitigations intact: a fresh CSRF mask per response and a random-length gzip header."""

import gzip
import re

import pytest

from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


def fetch(client, url):
    response = client.get(url, headers={"accept-encoding": "gzip, br"})
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("warm", [False, True], ids=["rendered", "from-page-cache"])
def test_html_is_gzipped_with_each_readers_token(client, warm):
    post = PostFactory(title="Komprimiert")
    url = post.get_absolute_url()
    if warm:
        fetch(client, url)
    first, second = fetch(client, url), fetch(client, url)
    for response in (first, second):
        assert response["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in response["Vary"]
    html = [gzip.decompress(r.content).decode() for r in (first, second)]
    assert "Komprimiert" in html[0]
    tokens = [re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', h)[1] for h in html]
    assert tokens[0] != tokens[1]  # masked anew: the secret never repeats byte for byte


def test_gzip_length_varies_between_identical_responses(client):
    url = PostFactory().get_absolute_url()
    fetch(client, url)
    sizes = {len(fetch(client, url).content) for _ in range(8)}
    assert len(sizes) > 1


def test_uncompressed_without_accept_encoding(client):
    response = client.get("/")
    assert "Content-Encoding" not in response
