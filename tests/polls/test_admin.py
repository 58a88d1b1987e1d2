import csv
import io

import pytest
from django.contrib.admin import helpers
from django.contrib.auth.models import Permission
from django.urls import reverse

from polls.models import Ballot, Poll
from tests.factories import UserFactory
from tests.polls.factories import PollFactory, add_votes

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:polls_poll_changelist")


def _action(client, action, polls, **extra):
    data = {"action": action, helpers.ACTION_CHECKBOX_NAME: [p.pk for p in polls], **extra}
    return client.post(CHANGELIST, data)


def _rows(response):
    text = b"".join(response.streaming_content if response.streaming else [response.content]).decode(
        "utf-8-sig"
    )
    return list(csv.reader(io.StringIO(text)))


def test_changelist_totals_without_n_plus_one(client, editor, django_assert_max_num_queries):
    for i in range(6):
        poll = PollFactory(question=f"Frage {i}?")
        add_votes(poll.choices.first(), i)
    client.force_login(editor)
    with django_assert_max_num_queries(12):
        response = client.get(CHANGELIST)
    assert response.status_code == 200
    totals = sorted(p.total_votes for p in response.context["cl"].result_list)
    assert totals == [0, 1, 2, 3, 4, 5]


def test_change_page_shows_chart_and_choices(client, editor, poll, choices):
    add_votes(choices[1], 3)
    client.force_login(editor)
    body = client.get(reverse("admin:polls_poll_change", args=[poll.pk])).content.decode()
    assert "poll-chart-bar" in body and "width: 100%" in body
    assert "[poll social-media]" in body
    assert "polls/admin-choices.js" in body


def test_editor_creates_poll_with_ordered_choices(client, editor):
    client.force_login(editor)
    data = {
        "question": "Neue Frage?", "slug": "neue-frage", "description": "",
        "opens_at_0": "2024-01-01", "opens_at_1": "10:00", "closes_at_0": "", "closes_at_1": "",
        "results_policy": "always", "show_counts": "on", "protection": "browser", "ip_window": "24:00:00",
        "ip_allowlist": "", "legacy_id": "",
        "choices-TOTAL_FORMS": "3", "choices-INITIAL_FORMS": "0", "choices-MIN_NUM_FORMS": "2",
        "choices-MAX_NUM_FORMS": "1000",
        "choices-0-text": "Zweite", "choices-0-position": "2",
        "choices-1-text": "Erste", "choices-1-position": "1",
        "choices-2-text": "", "choices-2-position": "0",
    }  # fmt: skip
    response = client.post(reverse("admin:polls_poll_add"), data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    poll = Poll.objects.get(slug="neue-frage")
    assert [c.text for c in poll.choices.all()] == ["Erste", "Zweite"]


def test_open_close_actions(client, editor, poll):
    client.force_login(editor)
    _action(client, "close_polls", [poll])
    poll.refresh_from_db()
    assert poll.is_closed()
    _action(client, "open_polls", [poll])
    poll.refresh_from_db()
    assert poll.is_open()


def test_reset_asks_for_confirmation(client, superuser, poll, choices):
    add_votes(choices[0], 2)
    client.force_login(superuser)
    confirm = _action(client, "reset_votes", [poll])
    assert confirm.status_code == 200
    assert "polls/admin/reset_confirmation.html" in [t.name for t in confirm.templates]
    assert Ballot.objects.count() == 2
    done = _action(client, "reset_votes", [poll], confirm="yes")
    assert done.status_code == 302
    assert not Ballot.objects.exists()
    assert poll.choices.count() == 3


def test_export_results_csv(client, editor, poll, choices):
    add_votes(choices[0], 3)
    add_votes(choices[2], 1)
    client.force_login(editor)
    response = _action(client, "export_results", [poll])
    assert response["Content-Type"].startswith("text/csv")
    rows = _rows(response)
    assert rows[0] == ["poll", "slug", "choice", "votes", "percent"]
    assert rows[1:] == [
        [poll.question, "social-media", "PR", "3", "75"],
        [poll.question, "social-media", "Marketing", "0", "0"],
        [poll.question, "social-media", "Privat", "1", "25"],
    ]


def test_export_votes_csv_is_anonymous_and_neutralises_formulas(client, editor):
    poll = PollFactory(slug="csv", choices=["A", "Sonstiges"])
    client.post("/polls/csv/vote/", {"choice": poll.choices.last().pk, "other_text": "=HYPERLINK(1)"})
    client.force_login(editor)
    rows = _rows(_action(client, "export_votes", [poll]))
    assert rows[0] == ["poll", "time", "choice", "other_text"]
    assert len(rows) == 2
    assert rows[1][0] == "csv" and rows[1][2] == "Sonstiges" and rows[1][3] == "'=HYPERLINK(1)"
    ballot = Ballot.objects.get()
    assert ballot.voter not in ",".join(rows[1]) and ballot.ip_hash not in ",".join(rows[1])


def test_moderator_cannot_see_or_change_polls(client, moderator, poll):
    client.force_login(moderator)
    assert client.get(CHANGELIST).status_code == 403
    assert client.get(reverse("admin:polls_poll_change", args=[poll.pk])).status_code == 403
    assert _action(client, "reset_votes", [poll], confirm="yes").status_code == 403


def test_editors_group_has_all_poll_permissions(editor, moderator):
    for model in ["poll", "choice", "ballot", "vote"]:
        for action in ["add", "change", "delete", "view"]:
            assert editor.has_perm(f"polls.{action}_{model}")
            assert not moderator.has_perm(f"polls.{action}_{model}")


# --- reset and vote export have permissions of their own ---------------------------------


def _available_actions(client) -> set[str]:
    return {value for value, _label in client.get(CHANGELIST).context["action_form"].fields["action"].choices}


def test_editors_may_export_votes_but_not_reset_them(editor, moderator, superuser):
    assert editor.has_perm("polls.export_poll_votes")
    assert not editor.has_perm("polls.reset_poll_votes")
    assert not moderator.has_perm("polls.export_poll_votes")
    assert not moderator.has_perm("polls.reset_poll_votes")
    assert superuser.has_perm("polls.reset_poll_votes") and superuser.has_perm("polls.export_poll_votes")


def test_editor_without_reset_permission_neither_sees_nor_runs_the_reset(client, editor, poll, choices):
    add_votes(choices[0], 2)
    client.force_login(editor)
    assert "reset_votes" not in _available_actions(client)
    assert "export_votes" in _available_actions(client)
    for extra in ({}, {"confirm": "yes"}):
        response = _action(client, "reset_votes", [poll], **extra)
        assert response.status_code in (200, 302)
        assert "polls/admin/reset_confirmation.html" not in [t.name for t in response.templates]
    assert Ballot.objects.count() == 2


def test_reset_permission_given_to_one_editor_lets_them_reset(client, editor, poll, choices):
    add_votes(choices[0], 2)
    editor.user_permissions.add(Permission.objects.get(codename="reset_poll_votes"))
    editor = type(editor).objects.get(pk=editor.pk)  # fresh permission cache
    client.force_login(editor)
    assert "reset_votes" in _available_actions(client)
    assert _action(client, "reset_votes", [poll], confirm="yes").status_code == 302
    assert not Ballot.objects.exists()


def test_vote_export_needs_its_permission_while_results_need_only_view(client, poll, choices):
    add_votes(choices[0], 1)
    viewer = UserFactory(username="leserbeirat", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_poll"))
    client.force_login(viewer)
    assert _available_actions(client) >= {"export_results"}
    assert "export_votes" not in _available_actions(client)
    refused = _action(client, "export_votes", [poll])
    assert not refused["Content-Type"].startswith("text/csv")
    assert _action(client, "export_results", [poll])["Content-Type"].startswith("text/csv")
