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


@pytest.mark.django_db
def test_month_archive_list_is_the_local_months_computed_in_sql(django_assert_max_num_queries):
    # Each of these is in another month in Berlin than in UTC (issue 15: grouped by the UTC
    # month in SQL, then the earliest and latest post of each group put into local months).
    from blog.views import month_archive_list

    for moment in (
        datetime(2024, 1, 31, 23, 30, tzinfo=UTC),  # 1 February, 00:30 in Berlin
        datetime(2024, 3, 31, 22, 30, tzinfo=UTC),  # 1 April, 00:30 (summer time)
        datetime(2024, 3, 15, 12, 0, tzinfo=UTC),
        datetime(2023, 12, 31, 23, 59, tzinfo=UTC),  # 1 January 2024
        datetime(2023, 6, 1, 12, 0, tzinfo=UTC),
    ):
        PostFactory(published_at=moment)
    PostFactory(published_at=timezone.now() + timedelta(days=40))  # scheduled: not yet listed
    with django_assert_max_num_queries(1):
        months = month_archive_list()
    expected = list(Post.objects.published().datetimes("published_at", "month", order="DESC"))
    assert months == expected
    assert [(m.year, m.month) for m in months] == [(2024, 4), (2024, 3), (2024, 2), (2024, 1), (2023, 6)]
