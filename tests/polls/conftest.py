import pytest

from tests.polls.factories import PollFactory


@pytest.fixture
def poll(db):
    return PollFactory(slug="social-media", question="Social Media: PR, Marketing oder Privat?")


@pytest.fixture
def choices(poll):
    return list(poll.choices.all())
