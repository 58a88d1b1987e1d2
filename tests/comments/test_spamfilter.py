"""The learning spam filter: features, scores, learning from decisions, and its place in the pipeline."""

import io
import math
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from comments import moderation, services, spamfilter
from comments.models import Comment, CommentEvent, ModerationSettings, SpamModel, SpamToken
from tests.comments.factories import CommentFactory
from tests.factories import PostFactory

SPAM_TEXTS = [
    "Buy cheap viagra online at http://bit.ly/pills no prescription casino bonus",
    "Best casino bonus, free spins, visit http://bit.ly/casino now, cheap viagra",
    "Cheap viagra and cialis, http://pharma.example casino winnings",
    "Earn bitcoin fast with our casino bot http://bit.ly/btc cheap",
    "Online casino free bonus viagra http://spam.example",
    "Viagra discount casino http://bit.ly/deal buy now cheap",
]
HAM_TEXTS = [
    "Danke für den Überblick, wir diskutieren das Thema Zuständigkeit im Team.",
    "Spannende Umfrage, gibt es die Ergebnisse nach Branchen?",
    "Bei uns gehört Social Media zur Unternehmenskommunikation.",
    "Die Freigabeschleifen dauern bei uns viel zu lange.",
    "Wir haben gute Erfahrungen mit einem Redaktionsplan gemacht.",
    "Mir fehlt der Punkt Datenschutz, sonst sehr gelungen.",
]


# --- pure parts ----------------------------------------------------------------------------------


def test_features_fold_umlauts_and_split_compounds():
    a = spamfilter.features(body="Glückwunsch zur Suchmaschinenoptimierung")
    b = spamfilter.features(body="Glueckwunsch zur Suchmaschinen-Optimierung")
    assert "w:glueckwunsch" in a and "w:glueckwunsch" in b
    # the compound shares its pieces with the separate words
    assert any(t.startswith("g:") and "optimi" in t for t in a)
    assert "w:optimierung" in b


def test_features_know_hosts_mail_domain_language_and_shape():
    tokens = spamfilter.features(
        body="Great post! Visit http://bit.ly/x and https://www.shop.example.ru/a!!!",
        name="Cheap Pills",
        email="best123pills@mail.example",
        url="https://pills.example",
    )
    assert {"host:bit.ly", "meta:shortener", "dom:example.ru", "tld:ru", "host:shop.example.ru"} <= tokens
    assert {
        "mail:mail.example",
        "meta:mail-digits",
        "site:pills.example",
        "n:cheap",
        "meta:exclaims",
    } <= tokens
    assert "lang:en" in spamfilter.features(body="This is great and you are right")
    assert "lang:de" in spamfilter.features(body="Das ist nicht ganz richtig, aber ich sehe es auch so")


def test_combine_is_neutral_without_clues_and_extreme_with_strong_ones():
    assert spamfilter.combine({}).probability == 0.5
    fitted = (0.5, 0.0)  # a calibration as the worker fits it
    spam = spamfilter.combine({"w:casino": 0.99, "w:viagra": 0.98}, fitted)
    assert spam.probability > 0.95
    more = spamfilter.combine({"w:casino": 0.99, "w:viagra": 0.98, "host:bit.ly": 0.97}, fitted)
    assert more.probability > spam.probability
    assert spamfilter.combine({"w:danke": 0.02, "w:umfrage": 0.03}, fitted).probability < 0.05
    # Before the first fit the mapping is cautious: two strong words alone are not spam yet,
    # the evidence of a typical spam comment (log-odds about 25) is.
    assert spamfilter.combine({"w:casino": 0.99, "w:viagra": 0.98}).probability < 0.6
    assert spamfilter.combine({f"w:{n}": 0.99 for n in range(6)}).probability > 0.9


def test_score_waits_until_it_has_seen_enough_of_each_kind():
    assert spamfilter.score_with({}, 100, 2, {"w:x"}) is None
    assert spamfilter.score_with({}, 5, 5, {"w:x"}).probability == 0.5


def test_score_detail_names_the_words_that_drove_it():
    score = spamfilter.combine(
        {"w:viagra": 0.99, "w:casino": 0.97, "host:bit.ly": 0.95, "w:danke": 0.2}, (0.5, 0.0)
    )
    assert score.detail().startswith(f"{score.percent} %: ")
    assert score.top_words() == ["viagra", "casino", "bit.ly"]


def test_spam_filter_rule_maps_probability_to_actions():
    rules = moderation.Rules(spam_hold_percent=50, spam_percent=90)
    sub = moderation.Submission(name="n", email="e@example.org", url="", body="b")
    for probability, action in [(0.95, "spam"), (0.6, "hold"), (0.1, "approve")]:
        reason = moderation.spam_filter(sub, moderation.Facts(spam_probability=probability), rules)
        assert reason.action.label == action
    assert moderation.spam_filter(sub, moderation.Facts(), rules) is None
    reason = {"rule": "spam_filter", "detail": "97 %: viagra, casino, bit.ly"}
    with translation.override("en"):
        assert moderation.describe(reason) == "spam probability 97 %: viagra, casino, bit.ly"
    with translation.override("de"):
        assert moderation.describe(reason) == "Spam-Wahrscheinlichkeit 97 %: viagra, casino, bit.ly"


# --- learning in the database ---------------------------------------------------------------------


def _teach(moderator, post=None):
    post = post or PostFactory()
    for text in SPAM_TEXTS:
        services.comment_mark_spam(
            comment=CommentFactory(post=post, status="pending", body=text), by=moderator
        )
    for text in HAM_TEXTS:
        services.comment_approve(comment=CommentFactory(post=post, status="pending", body=text), by=moderator)
    return post


@pytest.mark.django_db
def test_moderator_decisions_teach_and_a_changed_mind_unlearns(moderator):
    comment = CommentFactory(status="pending", body="casino casino bonus")
    services.comment_mark_spam(comment=comment, by=moderator)
    assert comment.trained_as == "spam"
    assert SpamToken.objects.get(token="w:casino").spam == 1
    assert SpamModel.objects.get().spam == 1
    services.comment_approve(comment=comment, by=moderator)
    token = SpamToken.objects.get(token="w:casino")
    assert (token.spam, token.ham) == (0, 1)
    assert (SpamModel.objects.get().spam, SpamModel.objects.get().ham) == (0, 1)
    services.comment_hold(comment=comment, by=moderator)  # undoing the approval forgets the lesson
    assert SpamToken.objects.get(token="w:casino").ham == 0
    assert Comment.objects.get(pk=comment.pk).trained_as == ""


@pytest.mark.django_db
def test_the_pipeline_itself_teaches_nothing():
    comment = CommentFactory(status="pending", body="viagra")
    services.comment_mark_spam(comment=comment)  # no moderator: e.g. a rule or a script
    assert not SpamToken.objects.exists()


@pytest.mark.django_db
def test_new_comment_is_scored_and_sent_to_spam_with_its_words(moderator, settings):
    settings.COMMENTS_MIN_SUBMIT_SECONDS = 0
    post = _teach(moderator)
    spam = services.comment_create(
        post=post,
        author_name="Pills",
        author_email="pills@example.net",
        body="cheap viagra casino bonus http://bit.ly/zzz",
        signals=services.Signals(elapsed_seconds=20),
    )
    assert spam.status == "spam"
    assert spam.spam_score > 0.9
    reason = next(r for r in spam.reasons if r["rule"] == "spam_filter")
    assert reason["action"] == "spam" and "viagra" in reason["detail"] and "casino" in reason["detail"]
    ham = services.comment_create(
        post=post,
        author_name="Leserin",
        author_email="leserin@example.org",
        body="Danke, die Umfrage zur Zuständigkeit im Team ist spannend.",
        signals=services.Signals(elapsed_seconds=20),
    )
    assert ham.status == "pending"  # first-time author, held as before
    assert ham.spam_score < 0.5


@pytest.mark.django_db
def test_thresholds_and_switch_come_from_the_moderation_settings(moderator, settings):
    settings.COMMENTS_MIN_SUBMIT_SECONDS = 0
    post = _teach(moderator)
    spamfilter.retrain()  # what the worker does after the decisions: fit the calibration
    ms = ModerationSettings.load()
    ms.spam_percent = 100
    ms.spam_hold_percent = 30
    ms.approval = "none"
    ms.save()
    held = services.comment_create(
        post=post,
        author_name="X",
        author_email="x@example.net",
        body="cheap viagra casino",
        signals=services.Signals(elapsed_seconds=9),
    )
    assert held.status == "pending"
    ms.spam_filter_enabled = False
    ms.save()
    live = services.comment_create(
        post=post,
        author_name="Y",
        author_email="y@example.net",
        body="cheap viagra casino bonus",
        signals=services.Signals(elapsed_seconds=9),
    )
    assert live.status == "approved" and live.spam_score is None


@pytest.mark.django_db
def test_retrain_rebuilds_the_same_counts_and_includes_imports(moderator):
    _teach(moderator)
    imported = CommentFactory(status="approved", body="Importierter guter Kommentar aus WordPress")
    CommentEvent.objects.create(comment=imported, action="imported", status="approved")
    before = {t.token: (t.spam, t.ham) for t in SpamToken.objects.all()}
    spam, ham = spamfilter.retrain()
    assert (spam, ham) == (len(SPAM_TEXTS), len(HAM_TEXTS) + 1)
    after = {t.token: (t.spam, t.ham) for t in SpamToken.objects.all()}
    assert after["w:importierter"] == (0, 1)
    for token, counts in before.items():
        if counts != (0, 0):
            assert after[token] == counts or token in spamfilter.comment_features(imported)
    assert Comment.objects.get(pk=imported.pk).trained_as == "ham"


@pytest.mark.django_db
def test_reset_forgets_and_retrain_brings_it_back(moderator):
    _teach(moderator)
    spamfilter.reset()
    assert not SpamToken.objects.exists() and SpamModel.objects.get().spam == 0
    assert not Comment.objects.exclude(trained_as="").exists()
    call_command("comments_spamfilter", "--retrain", stdout=io.StringIO())
    assert SpamModel.objects.get().spam == len(SPAM_TEXTS)


@pytest.mark.django_db
def test_moderator_edit_relearns_the_new_text(moderator):
    comment = CommentFactory(status="pending", body="casino")
    services.comment_mark_spam(comment=comment, by=moderator)
    services.comment_moderator_edit(
        comment=comment,
        by=moderator,
        body="poker",
        author_name="x",
        author_email="x@example.org",
        author_url="",
    )
    assert SpamToken.objects.get(token="w:casino").spam == 0
    assert SpamToken.objects.get(token="w:poker").spam == 1


@pytest.mark.django_db
def test_decisions_queue_one_retrain_in_the_worker_which_fits_the_calibration(
    moderator, django_capture_on_commit_callbacks
):
    from tests.worker.utils import task_rows, tasks_run

    with django_capture_on_commit_callbacks(execute=True):
        _teach(moderator)
    # Twelve decisions, one waiting retrain, due a little later (a burst shares it).
    rows = task_rows("comments.tasks.spamfilter_retrain")
    assert rows.count() == 1 and rows.get().run_after > timezone.now()
    assert spamfilter.retrain_waiting()
    assert spamfilter.retrain_schedule() is False
    rows.update(run_after=timezone.now())
    tasks_run()  # the retrain (and the decisions' mail)
    assert rows.get().status == "SUCCESSFUL"
    assert not spamfilter.retrain_waiting()
    state = SpamModel.objects.get()
    assert (state.spam, state.ham) == (len(SPAM_TEXTS), len(HAM_TEXTS))
    assert state.calibration_scale > 0 and state.trained_at is not None


def test_calibration_fit_turns_held_out_scores_into_probabilities():
    # Spam scores high, good comments low, with some overlap: a finite, increasing mapping.
    data = [(x, True) for x in (4, 6, 8, 10, 12, -1)] + [(x, False) for x in (-8, -6, -4, -2, 0, 5)]
    scale, shift = spamfilter.calibration_fit(data)
    assert 0 < scale < 10
    prob = lambda x: 1 / (1 + math.exp(-(scale * x + shift)))  # noqa: E731
    assert prob(12) > 0.8 and prob(-8) < 0.2 and prob(-8) < prob(0) < prob(12)
    # Too little to fit: the default.
    assert spamfilter.calibration_fit([(1.0, True)]) == spamfilter.DEFAULT_CALIBRATION
    # A clean split does not run off to infinity.
    clean = spamfilter.calibration_fit(
        [(x, True) for x in range(5, 15)] + [(-x, False) for x in range(5, 15)]
    )
    assert math.isfinite(clean[0]) and clean[0] > 0


def test_leave_one_out_scores_a_decision_as_though_it_was_not_learned():
    counts = {"w:casino": (1, 0), "w:danke": (0, 3), "w:post": (2, 2)}
    alone = spamfilter.log_odds_with(counts, 5, 5, {"w:casino", "w:post"}, leave_out="spam")
    # "casino" came only from this comment: without it, it says nothing.
    assert alone == pytest.approx(spamfilter.log_odds_with({"w:post": (1, 2)}, 4, 5, {"w:post"}))


@pytest.mark.django_db
def test_spamfilter_page_shows_what_it_learned_and_can_reset(client, moderator):
    _teach(moderator)
    client.force_login(moderator)
    url = reverse("admin:comments_comment_spamfilter")
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "spam examples" in html and "viagra" in html and "judging" in html
    response = client.post(url, {"reset": "1"})
    assert response.status_code == 302
    assert SpamModel.objects.get().spam == 0


# --- old spam goes away ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_purge_deletes_old_spam_only():
    old = timezone.now() - timedelta(days=40)
    gone = CommentFactory(status="spam", created_at=old)
    kept_recent = CommentFactory(status="spam")
    kept_approved = CommentFactory(status="approved", created_at=old)
    assert services.comments_purge_spam(older_than_days=30) == 1
    assert not Comment.objects.filter(pk=gone.pk).exists()
    assert Comment.objects.filter(pk__in=[kept_recent.pk, kept_approved.pk]).count() == 2
    assert services.comments_purge_spam(older_than_days=0) == 0


@pytest.mark.django_db
def test_purge_command_reads_the_setting(capsys):
    CommentFactory(status="spam", created_at=timezone.now() - timedelta(days=31))
    call_command("comments_purge_spam")
    assert "Deleted 1 spam" in capsys.readouterr().out


def test_features_note_contact_channels_and_money_but_not_mail_addresses():
    tokens = spamfilter.features(
        body="I earn $5000 a week, WhatsApp +1 415 555 0176 or Telegram @CryptoKing88"
    )
    assert {"meta:phone", "meta:money", "meta:handle"} <= tokens
    plain = spamfilter.features(body="Schreiben Sie an info@example.org, die Studie kostet nichts.")
    assert not {"meta:phone", "meta:money", "meta:handle"} & plain
