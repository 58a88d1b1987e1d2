"""Counting votes: one query for any number of polls, percentages that add up to 100."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Count

from polls.models import Choice, Poll


def percentages(counts: Sequence[int]) -> list[int]:
    """Whole percentages of ``counts`` summing to exactly 100 (largest remainder); all 0 for none."""
    total = sum(counts)
    if total <= 0:
        return [0 for _c in counts]
    exact = [count * 100 / total for count in counts]
    floors = [int(value) for value in exact]
    missing = 100 - sum(floors)
    # Hand the missing points to the largest remainders; ties go to the earlier choice.
    order = sorted(range(len(counts)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:missing]:
        floors[i] += 1
    return floors


@dataclass
class ChoiceResult:
    id: int
    text: str
    votes: int
    percent: int = 0
    is_other: bool = False


@dataclass
class PollResults:
    poll: Poll
    choices: list[ChoiceResult] = field(default_factory=list)

    @property
    def total_votes(self) -> int:
        return sum(c.votes for c in self.choices)

    def as_json(self, *, show_counts: bool = True) -> dict:
        """The public shape of ``results.json`` (see the contract)."""
        return {
            "question": self.poll.question,
            "total_votes": self.total_votes if show_counts else None,
            "closed": self.poll.is_closed(),
            "choices": [
                {"id": c.id, "text": c.text, "votes": c.votes if show_counts else None, "percent": c.percent}
                for c in self.choices
            ],
        }


def results_for(polls: Iterable[Poll]) -> dict[int, PollResults]:
    """Results of ``polls`` keyed by poll id, with their choices in editor order, in one query."""
    polls = list(polls)
    by_poll = {poll.pk: PollResults(poll=poll) for poll in polls}
    if not by_poll:
        return by_poll
    rows = (
        Choice.objects.filter(poll__in=list(by_poll))
        .annotate(vote_count=Count("votes"))
        .order_by("poll_id", "position", "pk")
        .values_list("poll_id", "pk", "text", "vote_count", "is_other")
    )
    for poll_id, pk, text, votes, is_other in rows:
        by_poll[poll_id].choices.append(ChoiceResult(id=pk, text=text, votes=votes, is_other=is_other))
    for result in by_poll.values():
        for choice, percent in zip(
            result.choices, percentages([c.votes for c in result.choices]), strict=True
        ):
            choice.percent = percent
    return by_poll


def poll_results(poll: Poll) -> PollResults:
    """Results of one poll (one query)."""
    return results_for([poll])[poll.pk]
