"""The moderation desk: tabs and counts, search in every status, filters, row actions, undo."""

import json

import pytest
from django.urls import reverse

from comments import services
from comments.admin_views import parse_query
from comments.models import Comment, CommentReport
from tests.comments.factories import CommentFactory
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db

DESK = reverse("admin:comments_comment_changelist")
FETCH = {"HTTP_X_REQUESTED_WITH": "fetch", "HTTP_ACCEPT": "application/json"}


def act(verb):
    return reverse("admin:comments_comment_act", args=[verb])


@pytest.fixture
def desk(client, moderator):
    client.force_login(moderator)
    return client


# --- parsing hostile input ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "status", "post", "ip"),
    [
        ({}, "pending", None, ""),
        ({"status": "spam"}, "spam", None, ""),
        ({"status": "<script>"}, "pending", None, ""),
        ({"q": "anna"}, "all", None, ""),
        ({"q": "anna", "status": "approved"}, "approved", None, ""),
        ({"post": "abc"}, "pending", None, ""),
        ({"post": "7"}, "all", 7, ""),
        ({"ip": "not-an-ip"}, "pending", None, ""),
        ({"ip": "2001:db8::1"}, "all", None, "2001:db8::1"),
    ],
)
def test_parse_query_reads_hostile_input_without_errors(params, status, post, ip):
    dq = parse_query(params)
    assert (dq.status, dq.post, dq.ip) == (status, post, ip)


# --- the screen -----------------------------------------------------------------------------------


def test_desk_shows_tabs_with_counts_and_opens_on_pending(desk):
    for status, n in [("pending", 5), ("approved", 3), ("spam", 2), ("trash", 1)]:
        for _ in range(n):
            CommentFactory(status=status)
    reported = Comment.objects.filter(status="approved").first()
    CommentReport.objects.create(comment=reported, reporter_hash="x")
    response = desk.get(DESK, HTTP_ACCEPT_LANGUAGE="de")
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["counts"] == {
        "pending": 5,
        "approved": 3,
        "spam": 2,
        "trash": 1,
        "reported": 1,
        "all": 11,
        "uncertain": 0,
    }
    assert len(response.context["rows"]) == 5
    for label in ("Ausstehend", "Freigegeben", "Spam", "Papierkorb", "Gemeldet", "Alle"):
        assert label in html
    assert 'aria-current="page"' in html
    assert "<title>(5) " in html


def test_desk_row_shows_author_history_post_parent_reasons_and_score(desk):
    post = PostFactory(title="Strategie 2026")
    parent = CommentFactory(post=post, author_name="Erste", body="Die Frage, auf die geantwortet wird.")
    CommentFactory(author_email="wer@example.org", status="approved")
    CommentFactory(author_email="wer@example.org", status="spam")
    CommentFactory(
        post=post,
        parent=parent,
        status="pending",
        author_name="Wer",
        author_email="wer@example.org",
        author_url="https://wer.example",
        ip_address="203.0.113.9",
        body="Volltext der Antwort, ganz und gar nicht gekürzt, mit allen Wörtern bis zum Ende.",
        reasons=[{"rule": "spam_filter", "action": "hold", "detail": "62 %: casino, bit.ly"}],
        spam_score=0.62,
    )
    html = desk.get(DESK, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "wer@example.org" in html and "wer.example" in html and "203.0.113.9" in html
    assert "1 approved" in html and "1 spam" in html
    assert "Strategie 2026" in html
    assert "In reply to Erste:" in html and "Die Frage, auf die geantwortet wird." in html
    assert "bis zum Ende." in html
    assert "spam probability 62 %: casino, bit.ly" in html
    assert "Spam 62 %" in html
    assert "All by this author" in html


def test_desk_fits_the_admin_look_without_inline_scripts(desk):
    CommentFactory(status="pending", body="<script>alert(1)</script> Hallo")
    html = desk.get(DESK).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert 'src="/static/comments/moderation.js"' in html
    assert " onclick=" not in html and " onsubmit=" not in html
    # every <script> is a file or JSON data, never inline code (the CSP forbids it)
    for chunk in html.split("<script")[1:]:
        assert chunk.lstrip().startswith(
            ("src=", 'type="application/json"', 'id="md-strings" type="application/json"')
        )


def test_search_without_a_tab_covers_every_status(desk):
    for status in ("pending", "approved", "spam", "trash"):
        CommentFactory(status=status, author_name=f"Nadel {status}")
    CommentFactory(status="approved", author_name="Heu")
    response = desk.get(DESK + "?q=nadel")
    assert response.context["dq"].status == "all"
    names = {row.comment.author_name for row in response.context["rows"]}
    assert names == {"Nadel pending", "Nadel approved", "Nadel spam", "Nadel trash"}
    assert response.context["counts"]["approved"] == 1  # the tabs count the matches


def test_contract_status_and_q_parameters_keep_working(desk):
    CommentFactory(status="approved", body="sichtbar und gesucht")
    CommentFactory(status="pending", body="wartet und gesucht")
    CommentFactory(status="spam", body="Spam ohne Treffer")
    for status, expected in [("pending", 1), ("approved", 1), ("spam", 1), ("trash", 0), ("all", 3)]:
        assert len(desk.get(DESK, {"status": status}).context["rows"]) == expected
    assert len(desk.get(DESK, {"status": "all", "q": "gesucht"}).context["rows"]) == 2
    assert len(desk.get(DESK, {"status": "pending", "q": "gesucht"}).context["rows"]) == 1


def test_search_by_ip_prefix_email_and_website(desk):
    CommentFactory(status="spam", ip_address="198.51.100.23", author_url="https://spam.example/x")
    CommentFactory(status="approved", ip_address="192.0.2.99", author_email="anna@example.org")
    assert len(desk.get(DESK, {"q": "198.51.100"}).context["rows"]) == 1
    assert len(desk.get(DESK, {"q": "anna@example"}).context["rows"]) == 1
    assert len(desk.get(DESK, {"q": "spam.example"}).context["rows"]) == 1


def test_filters_by_post_author_and_ip(desk):
    post = PostFactory()
    mine = CommentFactory(post=post, status="pending", author_email="a@example.org", ip_address="203.0.113.5")
    CommentFactory(status="approved", author_email="a@example.org", ip_address="203.0.113.5")
    CommentFactory(post=post, status="spam")
    assert {r.comment.pk for r in desk.get(DESK, {"post": post.pk}).context["rows"]} == {
        mine.pk,
        *Comment.objects.filter(post=post, status="spam").values_list("pk", flat=True),
    }
    assert len(desk.get(DESK, {"author": "A@example.org "}).context["rows"]) == 2
    assert len(desk.get(DESK, {"ip": "203.0.113.5", "status": "pending"}).context["rows"]) == 1
    html = desk.get(DESK, {"post": post.pk}).content.decode()
    assert (
        post.title in html
        and "Show all comments again"
        in desk.get(DESK, {"post": post.pk}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )


def test_spam_tab_puts_the_least_certain_spam_on_top(desk):
    CommentFactory(status="spam", spam_score=0.99, author_name="sicher")
    CommentFactory(status="spam", spam_score=None, author_name="regel")
    CommentFactory(status="spam", spam_score=0.91, author_name="knapp")
    names = [r.comment.author_name for r in desk.get(DESK, {"status": "spam"}).context["rows"]]
    assert names == ["knapp", "sicher", "regel"]


def test_desk_answers_in_a_fixed_number_of_queries(desk):
    def count_for(rows: int) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        Comment.objects.all().delete()
        for i in range(rows):
            parent = CommentFactory(status="approved") if i % 3 == 0 else None
            extra = {"parent": parent, "post": parent.post} if parent else {}
            comment = CommentFactory(status="pending", **extra)
            if i % 4 == 0:
                CommentReport.objects.create(comment=comment, reporter_hash=str(i))
        with CaptureQueriesContext(connection) as queries:
            assert desk.get(DESK).status_code == 200
        return len(queries)

    few, many = count_for(3), count_for(40)
    assert few == many
    assert many <= 10


def test_desk_with_10000_comments_on_many_posts_keeps_its_queries_and_a_short_post_filter(desk):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from comments.admin_views import POST_CHOICES

    def queries(params) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = desk.get(DESK, params)
        assert response.status_code == 200
        return len(captured), response

    for status in ("pending", "spam", "approved"):
        comment = CommentFactory(status=status, spam_score=0.5 if status == "spam" else None)
        CommentReport.objects.create(comment=comment, reporter_hash=status)
    small = {status: queries({"status": status})[0] for status in ("pending", "spam", "all", "reported")}
    Comment.objects.all().delete()
    posts = [PostFactory() for _ in range(60)]
    now = timezone.now()
    statuses = ["pending", "approved", "spam", "spam", "trash"]
    Comment.objects.bulk_create(
        Comment(
            post=posts[i % len(posts)],
            author_name=f"Person {i}",
            author_email=f"p{i % 700}@example.org",
            body=f"Kommentar {i}",
            body_html=f"<p>Kommentar {i}</p>",
            status=statuses[i % 5],
            spam_score=(i % 100) / 100 if statuses[i % 5] == "spam" else None,
            created_at=now - timezone.timedelta(minutes=i),
        )
        for i in range(10_000)
    )
    reported = Comment.objects.order_by("pk").values_list("pk", flat=True)[:7]
    CommentReport.objects.bulk_create(CommentReport(comment_id=pk, reporter_hash=f"r{pk}") for pk in reported)
    for status, count in small.items():
        n, response = queries({"status": status})
        assert n == count, status
    assert response.context["counts"]["reported"] == 7
    assert response.context["counts"]["all"] == 10_000
    choices = response.context["post_choices"]
    assert 0 < len(choices) <= POST_CHOICES and all(title for _pk, title, _n in choices)
    # A post outside the short list, chosen from a row's link, stays selected.
    quiet = PostFactory(title="Ein stiller Beitrag")
    CommentFactory(post=quiet, status="pending", created_at=now - timezone.timedelta(days=400))
    html = desk.get(DESK, {"status": "all", "post": quiet.pk}).content.decode()
    assert f'<option value="{quiet.pk}" selected>Ein stiller Beitrag</option>' in html


@pytest.mark.parametrize("status", ["spam", "all", "reported"])
def test_every_tab_has_the_same_query_budget(desk, django_assert_max_num_queries, status):
    for i in range(30):
        CommentFactory(status=["pending", "approved", "spam", "trash"][i % 4])
    with django_assert_max_num_queries(10):
        assert desk.get(DESK, {"status": status, "q": "Kommentar"}).status_code == 200


def test_editors_without_comment_rights_cannot_open_the_desk(client, editor):
    client.force_login(editor)
    assert client.get(DESK).status_code == 403
    assert client.post(act("approve"), {"id": CommentFactory(status="pending").pk}).status_code == 403


# --- row actions ------------------------------------------------------------------------------------


def test_row_action_without_javascript_redirects_back_with_a_message(desk, moderator):
    comment = CommentFactory(status="pending")
    response = desk.post(
        act("approve"), {"id": comment.pk, "next": DESK + "?status=pending"}, HTTP_ACCEPT_LANGUAGE="de"
    )
    assert response.status_code == 302 and response["Location"] == DESK + "?status=pending"
    comment.refresh_from_db()
    assert comment.status == "approved"
    assert comment.events.filter(action="approved", user=moderator).exists()
    html = desk.get(DESK, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "1 Kommentar freigegeben." in html
    assert "Rückgängig" in html


def test_row_action_refuses_redirects_to_other_sites(desk):
    comment = CommentFactory(status="pending")
    response = desk.post(act("spam"), {"id": comment.pk, "next": "https://evil.example/"})
    assert response["Location"] == DESK


@pytest.mark.parametrize(
    ("verb", "start", "end"),
    [
        ("approve", "pending", "approved"),
        ("unapprove", "approved", "pending"),
        ("spam", "pending", "spam"),
        ("trash", "approved", "trash"),
        ("notspam", "spam", "approved"),  # back to where it was before
        ("restore", "trash", "approved"),
    ],
)
def test_row_actions_by_fetch_answer_with_the_new_row_and_counts(desk, verb, start, end):
    comment = CommentFactory(status="approved")
    if start != "approved":
        services.comment_set_status(comment=comment, status=start)
    response = desk.post(act(verb), {"id": comment.pk, "view": start}, **FETCH)
    assert response.status_code == 200
    data = response.json()
    comment.refresh_from_db()
    assert comment.status == end
    row = data["rows"][str(comment.pk)]
    assert row["status"] == end and row["in_view"] is False
    assert f'id="md-c{comment.pk}"' in row["html"] and "md-done" in row["html"]
    assert data["counts"][end] == 1
    assert data["undo"]


def test_unknown_verb_and_missing_ids_get_a_clear_answer(desk):
    assert desk.post(act("explode"), {"id": 1}, **FETCH).status_code == 400
    response = desk.post(act("approve"), {"id": "abc"}, **FETCH)
    assert response.status_code == 400 and response.json()["message"]
    assert desk.post(act("approve"), {"id": 999999}, **FETCH).status_code == 404
    assert desk.get(act("approve")).status_code == 302


def test_bulk_by_fetch_and_plural_messages(desk):
    comments = [CommentFactory(status="pending") for _ in range(3)]
    response = desk.post(act("spam"), {"id": [c.pk for c in comments]}, HTTP_ACCEPT_LANGUAGE="de", **FETCH)
    assert response.json()["message"] == "3 Kommentare als Spam markiert."
    one = CommentFactory(status="pending")
    response = desk.post(act("spam"), {"id": one.pk}, HTTP_ACCEPT_LANGUAGE="de", **FETCH)
    assert response.json()["message"] == "1 Kommentar als Spam markiert."


def test_admin_bulk_actions_keep_their_values_and_speak_in_the_singular(desk):
    comment = CommentFactory(status="pending")
    response = desk.post(
        DESK, {"action": "mark_spam", "_selected_action": [comment.pk]}, HTTP_ACCEPT_LANGUAGE="de"
    )
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == "spam"
    html = desk.get(DESK, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "1 Kommentar als Spam markiert." in html
    values = [value for value, _label in desk.get(DESK).context["action_choices"]]
    assert "approve" in values and any("spam" in v for v in values)


def test_bulk_action_without_selection_says_so(desk):
    CommentFactory(status="pending")
    response = desk.post(DESK, {"action": "approve"}, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "Items must be selected" in response.content.decode()


def test_decisions_answer_open_reports(desk):
    comment = CommentFactory(status="approved")
    CommentReport.objects.create(comment=comment, reporter_hash="r")
    desk.post(act("trash"), {"id": comment.pk}, **FETCH)
    assert not CommentReport.objects.filter(resolved=False).exists()


# --- reply, edit, undo ------------------------------------------------------------------------------


def test_reply_from_the_row_approves_and_publishes_the_reply(desk, moderator):
    comment = CommentFactory(status="pending")
    response = desk.post(
        reverse("admin:comments_comment_answer"),
        {"id": comment.pk, f"reply-{comment.pk}": "Danke, <b>gern</b>!"},
        **FETCH,
    )
    assert response.status_code == 200, response.content
    comment.refresh_from_db()
    assert comment.status == "approved"
    reply = Comment.objects.get(parent=comment)
    assert reply.status == "approved" and reply.user == moderator and "<b>gern</b>" in reply.body_html


def test_empty_reply_is_refused_with_a_message(desk):
    comment = CommentFactory(status="pending")
    response = desk.post(reverse("admin:comments_comment_answer"), {"id": comment.pk}, **FETCH)
    assert response.status_code == 400 and response.json()["message"]
    comment.refresh_from_db()
    assert comment.status == "pending"


def test_inline_edit_sanitises_and_keeps_history(desk, moderator):
    comment = CommentFactory(status="pending", body="alt")
    prefix = f"edit-{comment.pk}-"
    response = desk.post(
        reverse("admin:comments_comment_quick_edit"),
        {
            "id": comment.pk,
            prefix + "body": 'neu <script>x</script><a href="javascript:alert(1)">l</a>',
            prefix + "author_name": "Neuer Name",
            prefix + "author_email": "neu@example.org",
            prefix + "author_url": "",
        },
        **FETCH,
    )
    assert response.status_code == 200
    comment.refresh_from_db()
    assert comment.author_name == "Neuer Name"
    assert "<script" not in comment.body_html and "javascript" not in comment.body_html
    assert comment.events.filter(action="edited", user=moderator, note="alt").exists()


def test_inline_edit_with_a_bad_address_is_refused(desk):
    comment = CommentFactory(status="pending")
    prefix = f"edit-{comment.pk}-"
    response = desk.post(
        reverse("admin:comments_comment_quick_edit"),
        {
            "id": comment.pk,
            prefix + "body": "x",
            prefix + "author_name": "x",
            prefix + "author_email": "kaputt",
        },
        **FETCH,
    )
    assert response.status_code == 400 and response.json()["message"]


def test_undo_takes_back_status_reply_and_edit_in_order(desk):
    comment = CommentFactory(status="pending", body="Original")
    undo = reverse("admin:comments_comment_undo")
    desk.post(act("spam"), {"id": comment.pk}, **FETCH)
    desk.post(
        reverse("admin:comments_comment_answer"),
        {"id": comment.pk, f"reply-{comment.pk}": "Antwort"},
        **FETCH,
    )
    prefix = f"edit-{comment.pk}-"
    desk.post(
        reverse("admin:comments_comment_quick_edit"),
        {
            "id": comment.pk,
            prefix + "body": "Geändert",
            prefix + "author_name": comment.author_name,
            prefix + "author_email": comment.author_email,
        },
        **FETCH,
    )
    comment.refresh_from_db()
    assert (comment.status, comment.body) == ("approved", "Geändert")

    desk.post(undo, **FETCH)  # the edit
    comment.refresh_from_db()
    assert comment.body == "Original"
    desk.post(undo, **FETCH)  # the reply: trashed, the comment back to spam
    comment.refresh_from_db()
    assert comment.status == "spam"
    assert Comment.objects.get(parent=comment).status == "trash"
    desk.post(undo, **FETCH)  # the spam
    comment.refresh_from_db()
    assert comment.status == "pending"
    response = desk.post(undo, **FETCH)
    assert response.status_code == 200 and response.json()["message"]


def test_undo_without_javascript_redirects(desk):
    comment = CommentFactory(status="pending")
    desk.post(act("trash"), {"id": comment.pk})
    response = desk.post(reverse("admin:comments_comment_undo"), {"next": DESK})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == "pending"


def test_counts_endpoint_for_live_updates(desk):
    CommentFactory(status="pending")
    data = desk.get(reverse("admin:comments_comment_counts")).json()
    assert data["counts"]["pending"] == 1 and data["pending_total"] == 1


# --- the old reply page -----------------------------------------------------------------------------


def test_reply_page_offered_on_waiting_comments_and_help_text_not_escaped_twice(desk):
    comment = CommentFactory(status="pending")
    url = reverse("admin:comments_comment_reply", args=[comment.pk])
    html = desk.get(url).content.decode()
    assert "&amp;lt;a href" not in html and "&lt;a href=&quot;&quot;" in html
    change = desk.get(reverse("admin:comments_comment_change", args=[comment.pk])).content.decode()
    assert url in change
    desk.post(url, {"body": "Willkommen!"})
    comment.refresh_from_db()
    assert comment.status == "approved"


def test_js_strings_are_json_data(desk):
    CommentFactory(status="pending")
    html = desk.get(DESK, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    start = html.index('<script id="md-strings" type="application/json">') + len(
        '<script id="md-strings" type="application/json">'
    )
    strings = json.loads(html[start : html.index("</script>", start)])
    assert strings["Pending"] == "Ausstehend"


def test_same_reply_to_two_readers_and_no_approval_without_a_reply(desk):
    post = PostFactory()
    first, second = (CommentFactory(post=post, status="pending") for _ in range(2))
    answer = reverse("admin:comments_comment_answer")
    for comment in (first, second):
        response = desk.post(answer, {"id": comment.pk, f"reply-{comment.pk}": "Danke!"}, **FETCH)
        assert response.status_code == 200, response.json()
    assert Comment.objects.filter(parent__in=[first, second], body="Danke!").count() == 2
    post.comments_open = False
    post.save()
    third = CommentFactory(post=post, status="pending")
    response = desk.post(answer, {"id": third.pk, f"reply-{third.pk}": "Zu spät"}, **FETCH)
    assert response.status_code == 400 and response.json()["message"]
    third.refresh_from_db()
    assert third.status == "pending"  # the refused reply took the approval back with it


def test_reported_comment_can_be_kept_which_answers_the_reports(desk):
    comment = CommentFactory(status="approved")
    CommentReport.objects.create(comment=comment, reporter_hash="r")
    rows = desk.get(DESK, {"status": "reported"}).context["rows"]
    assert rows[0].verbs[0][0] == "approve" and rows[0].verbs[0][2] == "a"
    data = desk.post(act("approve"), {"id": comment.pk, "view": "reported"}, **FETCH).json()
    comment.refresh_from_db()
    assert comment.status == "approved"
    assert not CommentReport.objects.filter(resolved=False).exists()
    assert data["rows"][str(comment.pk)]["in_view"] is False
    assert data["counts"]["reported"] == 0


def test_delete_selected_goes_through_the_admin_confirmation(desk):
    doomed = [CommentFactory(status="spam") for _ in range(2)]
    ids = [c.pk for c in doomed]
    response = desk.post(DESK + "?status=spam", {"action": "delete_selected", "_selected_action": ids})
    assert response.status_code == 200 and b'name="post"' in response.content
    response = desk.post(
        DESK + "?status=spam", {"action": "delete_selected", "_selected_action": ids, "post": "yes"}
    )
    assert response.status_code == 302
    assert not Comment.objects.filter(pk__in=ids).exists()


def test_spam_tab_counts_the_uncertain_spam_on_top(desk):
    CommentFactory(status="spam", spam_score=0.99)
    CommentFactory(status="spam", spam_score=0.91)
    CommentFactory(status="spam", spam_score=None)
    response = desk.get(DESK, {"status": "spam"}, HTTP_ACCEPT_LANGUAGE="de")
    assert response.context["counts"]["uncertain"] == 1
    assert "1 davon unter 95 % Spam-Wahrscheinlichkeit" in response.content.decode()
