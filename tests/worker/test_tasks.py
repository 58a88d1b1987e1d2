"""The worker in this process: retries with backoff, reclaiming lost runs, the periodic
schedule, mail that is done only when the server accepted it, and the periodic jobs."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.utils import timezone
from django_tasks.base import TaskResultStatus as S
from django_tasks_db.models import DBTaskResult

from blog.tasks import autosaves_purge, renditions_sweep
from comments import notifications
from comments.models import Comment, ModerationSettings
from comments.tasks import comment_ips_erase, spam_purge
from core.tasks import PERIODIC, Backoff, periodic_schedule, tasks_discover, tasks_reclaim
from tests.comments.factories import CommentFactory
from tests.factories import ImageFactory, image_bytes
from tests.worker import sample_tasks
from tests.worker.smtp import SmtpServer
from tests.worker.utils import task_rows, tasks_run

pytestmark = pytest.mark.django_db


def row(result) -> DBTaskResult:
    return DBTaskResult.objects.get(pk=result.id)


# --- retries ------------------------------------------------------------------------------
def test_backoff_doubles_up_to_its_cap():
    policy = Backoff(attempts=10, base=30, cap=3600)
    delays = [policy.delay(n).total_seconds() for n in range(1, 10)]
    assert delays == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]
    assert policy.should_retry(OSError(), 9) and not policy.should_retry(OSError(), 10)
    assert not Backoff(give_up_on=(ValueError,)).should_retry(ValueError(), 1)


def test_failed_run_waits_and_is_retried_until_it_succeeds(time_machine):
    result = sample_tasks.flaky.enqueue(fail_until=3)
    assert tasks_run() == 1
    first = row(result)
    assert first.status == S.READY  # back in the queue, not failed
    assert first.exception_class_path == "builtins.ConnectionRefusedError"
    assert 29 <= (first.run_after - timezone.now()).total_seconds() <= 30
    assert tasks_run() == 0  # not due yet

    time_machine.move_to(first.run_after + timedelta(seconds=1))
    assert tasks_run() == 1
    second = row(result)
    assert second.status == S.READY
    assert 44 <= (second.run_after - timezone.now()).total_seconds() <= 45  # doubled, capped at 45

    time_machine.move_to(second.run_after + timedelta(seconds=1))
    assert tasks_run() == 1
    done = row(result)
    assert done.status == S.SUCCESSFUL
    assert done.return_value == 3
    assert len(done.worker_ids) == 3


def test_retries_stop_after_the_last_attempt(time_machine):
    result = sample_tasks.flaky.enqueue(fail_until=99)
    for _attempt in range(3):
        time_machine.move_to(row(result).run_after if row(result).run_after.year < 9999 else timezone.now())
        tasks_run()
    assert row(result).status == S.FAILED
    assert "attempt 3: down" in row(result).traceback


def test_task_without_a_policy_fails_at_once():
    result = sample_tasks.broken.enqueue()
    tasks_run()
    assert row(result).status == S.FAILED
    assert row(result).exception_class_path == "builtins.ValueError"


def test_runs_whose_worker_died_are_queued_again_after_the_lease():
    lost, busy = sample_tasks.flaky.enqueue(fail_until=1), sample_tasks.flaky.enqueue(fail_until=1)
    for result, age in ((lost, 700), (busy, 10)):
        db_row = row(result)
        db_row.claim("a-worker-that-was-killed")
        DBTaskResult.objects.filter(pk=db_row.pk).update(started_at=timezone.now() - timedelta(seconds=age))
    assert tasks_reclaim(lease_seconds=600) == 1
    assert row(lost).status == S.READY and row(busy).status == S.RUNNING
    tasks_run()
    assert row(lost).status == S.SUCCESSFUL
    assert row(lost).worker_ids == ["a-worker-that-was-killed", "test-worker"]


# --- the periodic schedule -----------------------------------------------------------------
def test_schedule_keeps_exactly_one_waiting_run_per_job(time_machine, django_assert_max_num_queries):
    tasks_discover()
    assert {
        "comments.tasks.moderators_notify",
        "comments.tasks.comment_ips_erase",
        "core.tasks.captcha_purge",
        "comments.tasks.spam_purge",
        "core.tasks.sessions_clear",
        "blog.tasks.renditions_sweep",
        "blog.tasks.autosaves_purge",
        "core.tasks.task_results_prune",
    } <= set(PERIODIC)
    assert set(periodic_schedule()) == set(PERIODIC)
    with django_assert_max_num_queries(4):  # PostgreSQL: savepoint, lock, select, release
        assert periodic_schedule() == []  # every job has its run waiting: nothing more
    assert task_rows().count() == len(PERIODIC)

    started = timezone.now()
    assert tasks_run() == len(PERIODIC)
    assert set(task_rows().values_list("status", flat=True)) == {S.SUCCESSFUL}
    assert set(periodic_schedule()) == set(PERIODIC)
    due = dict(task_rows().filter(status=S.READY).values_list("task_path", "run_after"))
    for path, job in PERIODIC.items():
        assert abs((due[path] - started - job.every).total_seconds()) < 5, path
    assert tasks_run() == 0  # nothing is due yet

    time_machine.move_to(started + timedelta(minutes=1, seconds=5))
    assert tasks_run() == 1  # the moderators' digest runs every minute
    time_machine.move_to(started + timedelta(days=1, seconds=5))
    periodic_schedule()
    assert tasks_run() == len(PERIODIC)  # a day later: every job (the digest once more)


def test_worker_schedules_by_itself():
    tasks_discover()
    assert tasks_run(schedule=True) == len(PERIODIC)


# --- mail -------------------------------------------------------------------------------
@pytest.fixture
def smtp(settings):
    server = SmtpServer()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 1
    with server:
        yield server


def queue_mail(to="leserin@example.org"):
    notifications.messages_queue([EmailMessage(subject="Hallo", body="Text", to=[to])])
    return task_rows("comments.tasks.mail_send").latest("enqueued_at")


def test_mail_is_done_only_when_the_server_accepted_it(smtp, time_machine):
    smtp.behaviour.data_replies = [451]  # "try again later"
    mail = queue_mail()
    tasks_run()
    mail.refresh_from_db()
    assert smtp.accepted == [] and mail.status == S.READY
    assert mail.exception_class_path == "smtplib.SMTPDataError"
    time_machine.move_to(mail.run_after + timedelta(seconds=1))
    tasks_run()
    mail.refresh_from_db()
    assert mail.status == S.SUCCESSFUL
    assert smtp.message_ids() == [mail.return_value]


def test_mail_refused_for_good_is_not_retried(smtp):
    smtp.behaviour.data_replies = [550]
    mail = queue_mail()
    tasks_run()
    mail.refresh_from_db()
    assert mail.status == S.FAILED
    assert mail.exception_class_path == "comments.tasks.MailRejected"


def test_a_hung_mail_server_costs_email_timeout_then_the_mail_waits(smtp):
    smtp.behaviour.hang_at = "data"
    mail = queue_mail()
    tasks_run()
    mail.refresh_from_db()
    assert smtp.touched.is_set() and mail.status == S.READY
    assert "timeout" in mail.traceback.lower() or "timed out" in mail.traceback.lower()


# --- the periodic jobs ----------------------------------------------------------------------
def test_renditions_left_behind_by_a_replaced_file_are_swept(settings):
    image = ImageFactory()
    old = [Path(settings.MEDIA_ROOT) / p for kind in ("webp", "fallback") for _w, p in image.renditions[kind]]
    assert len(old) == 6
    image.file = ContentFile(image_bytes("JPEG", (900, 600)), name="neu.jpg")
    image.save()
    new = [Path(settings.MEDIA_ROOT) / p for kind in ("webp", "fallback") for _w, p in image.renditions[kind]]
    assert all(p.exists() for p in old + new)  # today the old six stay on disk …
    assert renditions_sweep.call() == 0  # … and young files are left alone (an upload in progress)
    assert renditions_sweep.call(grace_hours=0) == 6  # … until the sweep
    assert not any(p.exists() for p in old)
    assert all(p.exists() for p in new)
    assert Path(image.file.path).exists()


def test_spam_is_deleted_after_the_days_the_moderation_settings_keep_it():
    ms = ModerationSettings.load()
    ms.spam_purge_days = 30
    ms.save()
    old = timezone.now() - timedelta(days=40)
    gone = CommentFactory(status=Comment.Status.SPAM, created_at=old)
    recent = CommentFactory(status=Comment.Status.SPAM)
    answered = CommentFactory(status=Comment.Status.SPAM, created_at=old)
    CommentFactory(post=answered.post, parent=answered, status=Comment.Status.APPROVED)
    kept = CommentFactory(status=Comment.Status.APPROVED, created_at=old)
    assert spam_purge.call() == 1
    remaining = set(Comment.objects.values_list("pk", flat=True))
    assert gone.pk not in remaining
    assert {recent.pk, answered.pk, kept.pk} <= remaining
    ms.spam_purge_days = 0  # keeps spam
    ms.save()
    CommentFactory(status=Comment.Status.SPAM, created_at=old)
    assert spam_purge.call() == 0


def test_ip_addresses_expire(settings):
    settings.COMMENTS_IP_RETENTION_DAYS = 30
    old = CommentFactory(created_at=timezone.now() - timedelta(days=31), ip_address="203.0.113.5")
    new = CommentFactory(ip_address="203.0.113.6")
    assert comment_ips_erase.call() == 1
    old.refresh_from_db(), new.refresh_from_db()
    assert old.ip_address is None and new.ip_address == "203.0.113.6"


def test_used_captchas_and_expired_sessions_are_deleted():
    from core.models import UsedChallenge
    from core.tasks import captcha_purge, sessions_clear

    now = timezone.now()
    UsedChallenge.objects.create(nonce="a" * 32, expires_at=now - timedelta(seconds=1))
    UsedChallenge.objects.create(nonce="b" * 32, expires_at=now + timedelta(minutes=5))
    assert captcha_purge.call() == 1
    assert list(UsedChallenge.objects.values_list("nonce", flat=True)) == ["b" * 32]
    Session.objects.create(session_key="x" * 32, session_data="", expire_date=now - timedelta(days=1))
    Session.objects.create(session_key="y" * 32, session_data="", expire_date=now + timedelta(days=1))
    sessions_clear.call()
    assert list(Session.objects.values_list("session_key", flat=True)) == ["y" * 32]


def test_old_autosaves_are_deleted(editor):
    from blog.models import PostAutosave
    from tests.factories import PostFactory

    post = PostFactory()
    old = PostAutosave.objects.create(post=post, user=editor, saved_at=timezone.now() - timedelta(days=31))
    new = PostAutosave.objects.create(post=None, user=editor)
    assert autosaves_purge.call() == 1
    assert list(PostAutosave.objects.values_list("pk", flat=True)) == [new.pk]
    assert not PostAutosave.objects.filter(pk=old.pk).exists()
