"""factory_boy factories for polls."""

from datetime import timedelta

import factory
from django.utils import timezone

from polls.models import Ballot, Choice, Poll, Vote


class PollFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Poll
        skip_postgeneration_save = True

    question = factory.Sequence(lambda n: f"Frage Nummer {n}?")
    slug = factory.Sequence(lambda n: f"frage-{n}")
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))

    @factory.post_generation
    def choices(self, create, extracted, **kwargs):
        """``PollFactory(choices=["PR", "Marketing"])``; three choices by default."""
        texts = ["PR", "Marketing", "Privat"] if extracted is None else extracted
        for position, text in enumerate(texts, start=1):
            ChoiceFactory(poll=self, text=text, position=position, is_other=text == "Sonstiges")


class ChoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Choice

    poll = factory.SubFactory(PollFactory, choices=[])
    text = factory.Sequence(lambda n: f"Antwort {n}")
    position = factory.Sequence(lambda n: n)


class BallotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ballot

    poll = factory.SubFactory(PollFactory)
    voter = factory.Sequence(lambda n: f"{n:032x}")
    ip_hash = "0" * 64


def add_votes(choice: Choice, count: int) -> None:
    """``count`` ballots with one vote each for ``choice``."""
    for _i in range(count):
        ballot = BallotFactory(poll=choice.poll)
        Vote.objects.create(ballot=ballot, choice=choice)
