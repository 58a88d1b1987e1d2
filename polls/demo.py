"""Demo polls (German): the social-media poll embedded in the demo post, and a second one."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from blog.demo import register
from core.clients import ip_hash
from polls.models import Ballot, Choice, Poll, Vote

SOCIAL_MEDIA = {
    "slug": "social-media-pr-marketing-oder-privat",
    "question": "Social Media: PR, Marketing oder Privat?",
    "description": "Wer sollte in Ihrem Unternehmen für die sozialen Netzwerke zuständig sein?",
    "legacy_id": 1234,
    "choices": [("PR", 14), ("Marketing", 23), ("Privat", 9)],
    "days_open": 2,
}
NETWORKS = {
    "slug": "welche-netzwerke-nutzen-sie-beruflich",
    "question": "Welche Netzwerke nutzen Sie beruflich?",
    "description": "Mehrere Antworten sind möglich.",
    "legacy_id": None,
    "is_multiple_choice": True,
    "max_choices": 3,
    "choices": [("LinkedIn", 31), ("XING", 12), ("Instagram", 17), ("Mastodon", 6), ("Sonstiges", 4)],
    "days_open": 30,
}


def _seed_poll(spec: dict) -> None:
    now = timezone.now()
    poll, created = Poll.objects.get_or_create(
        slug=spec["slug"],
        defaults={
            "question": spec["question"],
            "description": spec["description"],
            "legacy_id": spec["legacy_id"],
            "is_multiple_choice": spec.get("is_multiple_choice", False),
            "max_choices": spec.get("max_choices"),
            "opens_at": now - timedelta(days=spec["days_open"]),
        },
    )
    if not created or poll.ballots.exists():
        return
    choices = [
        Choice.objects.create(poll=poll, text=text, position=index, is_other=text == "Sonstiges")
        for index, (text, _votes) in enumerate(spec["choices"], start=1)
    ]
    # Spread the demo votes over the days the poll has been open.
    number = 0
    for choice, (_text, votes) in zip(choices, spec["choices"], strict=True):
        for _i in range(votes):
            number += 1
            ballot = Ballot.objects.create(
                poll=poll,
                voter=f"demo{number:028d}",
                ip_hash=ip_hash(f"192.0.2.{number % 250}"),
                created_at=now - timedelta(hours=(number * 7) % (24 * spec["days_open"])),
            )
            other = "Threads" if choice.is_other and number % 2 else ""
            Vote.objects.create(ballot=ballot, choice=choice, other_text=other)


@register
def seed_polls(stdout=None) -> None:
    _seed_poll(SOCIAL_MEDIA)
    _seed_poll(NETWORKS)
