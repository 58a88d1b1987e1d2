import pytest
from django.core.management import call_command

from polls.models import Poll
from polls.results import poll_results

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_the_social_media_poll_embedded_in_a_post(client):
    call_command("seed_demo", force=True, stdout=None)
    call_command("seed_demo", force=True, stdout=None)  # idempotent
    poll = Poll.objects.get(slug="social-media-pr-marketing-oder-privat")
    assert poll.question == "Social Media: PR, Marketing oder Privat?"
    assert poll.legacy_id == 1234
    results = poll_results(poll)
    assert [c.text for c in results.choices] == ["PR", "Marketing", "Privat"]
    assert results.total_votes > 0
    from blog.models import Post

    post = Post.objects.get(slug="social-media-pr-marketing-oder-privat")
    body = client.get(post.get_absolute_url()).content.decode()
    assert poll.question in body and 'name="choice"' in body
