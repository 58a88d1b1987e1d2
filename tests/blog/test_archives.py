"""Year and month archives: posts by local date; impossible and empty dates are 404s, never 500s."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from blog.models import Post
from blog.views import archive_span
from tests.factories import PostFactory

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    ("year", "month"),
    [(0, None), (0, 1), (1, None), (1, 1), (9999, 12), (9999, None), (2011, 0), (2011, 13), (2011, -1)],
)
def test_archive_span_refuses_dates_no_calendar_or_time_zone_has(year, month, settings):
    with timezone.override(BERLIN), pytest.raises(ValueError):
        archive_span(year, month)


def test_archive_span_is_local_time():
    with timezone.override(BERLIN):
        start, end = archive_span(2011, 12)
    assert start == datetime(2011, 11, 30, 23, 0, tzinfo=UTC)
    assert end == datetime(2011, 12, 31, 23, 0, tzinfo=UTC)
    with timezone.override(BERLIN):
        assert archive_span(9999, 11)[1] == datetime(9999, 12, 1, tzinfo=BERLIN)
        assert archive_span(2, 1)[0] == datetime(2, 1, 1, tzinfo=BERLIN)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/0000/",
        "/0000/01/",
        "/0001/",
        "/0001/01/",
        "/9999/",
        "/9999/12/",
        "/9999/11/",
        "/2011/13/",
        "/99999/",
    ],
)
def test_impossible_or_empty_archives_are_404(client, url):
    PostFactory(published_at=datetime(2011, 5, 3, 12, 0, tzinfo=BERLIN))
    response = client.get(url)
    assert response.status_code == 404
    assert client.head(url).status_code == 404


@pytest.mark.django_db
def test_archive_with_only_drafts_or_scheduled_posts_is_404(client):
    PostFactory(status=Post.Status.DRAFT, published_at=None)
    PostFactory(published_at=timezone.now() + timedelta(days=400))
    future = timezone.localtime(timezone.now() + timedelta(days=400))
    assert client.get(f"/{future:%Y}/{future:%m}/").status_code == 404


@pytest.mark.django_db
def test_archive_pages_past_the_last_are_404_and_the_first_is_200(client, settings):
    PostFactory(title="Im Mai", published_at=datetime(2011, 5, 3, 12, 0, tzinfo=BERLIN))
    assert "Im Mai" in client.get("/2011/05/").content.decode()
    assert client.get("/2011/05/?page=2").status_code == 404
    assert client.get("/2011/?page=0").status_code == 404
