import pytest
from django.utils import timezone

from polls.models import Poll
from polls.results import percentages, poll_results, results_for
from tests.polls.factories import PollFactory, add_votes


@pytest.mark.parametrize(
    "counts",
    [[1, 1, 1], [2, 2, 2, 1], [14, 23, 9], [1, 0, 0], [0, 0, 0], [1, 1, 1, 1, 1, 1, 1], [333, 333, 334], []],
)
def test_percentages_sum_to_100(counts):
    result = percentages(counts)
    assert len(result) == len(counts)
    assert sum(result) == (100 if sum(counts) else 0)
    for count, percent in zip(counts, result, strict=True):
        exact = count * 100 / sum(counts) if sum(counts) else 0
        assert abs(percent - exact) < 1


def test_percentages_largest_remainder_wins():
    assert percentages([1, 1, 1]) == [34, 33, 33]
    assert percentages([14, 23, 9]) == [30, 50, 20]


@pytest.mark.django_db
def test_poll_results_counts_in_editor_order(django_assert_num_queries):
    poll = PollFactory(choices=["B", "A", "C"])
    _b, a, c = poll.choices.all()
    add_votes(a, 3)
    add_votes(c, 1)
    with django_assert_num_queries(1):
        results = poll_results(poll)
    assert [(r.text, r.votes, r.percent) for r in results.choices] == [
        ("B", 0, 0),
        ("A", 3, 75),
        ("C", 1, 25),
    ]
    assert results.total_votes == 4


@pytest.mark.django_db
def test_results_for_many_polls_is_one_query(django_assert_num_queries):
    polls = [PollFactory() for _i in range(5)]
    for poll in polls:
        add_votes(poll.choices.first(), 2)
    with django_assert_num_queries(1):
        results = results_for(polls)
    assert {r.total_votes for r in results.values()} == {2}


@pytest.mark.django_db
def test_as_json_hides_numbers_when_asked():
    poll = PollFactory(closes_at=timezone.now())
    add_votes(poll.choices.first(), 2)
    data = poll_results(Poll.objects.get(pk=poll.pk)).as_json(show_counts=False)
    assert data["total_votes"] is None
    assert data["closed"] is True
    assert [c["votes"] for c in data["choices"]] == [None, None, None]
    assert [c["percent"] for c in data["choices"]] == [100, 0, 0]
