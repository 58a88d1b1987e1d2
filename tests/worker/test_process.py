"""Real worker processes against a real database (a fresh SQLite file, and PostgreSQL when
DATABASE_URL points there) and an SMTP server in this process: kill -9 in the middle of a
send, several workers on one queue, the schedule with two workers, Ctrl+C.

Delivery is *at least once*: a mail the server never accepted is sent exactly once after the
restart; a mail the server accepted just before the worker died (before the worker could
record it) is sent again — with the same Message-ID, so mail programs show it once.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.parse
from collections import Counter
from contextlib import closing

import pytest

from tests.live.stack import ROOT
from tests.worker.smtp import SmtpServer

pytestmark = pytest.mark.live

QUEUE_MAILS = """
import os
from django.core.mail import EmailMessage
from django.db import transaction
from comments.notifications import messages_queue
count = int(os.environ["QUEUE_COUNT"])
with transaction.atomic():
    messages_queue([EmailMessage(subject=f"Mail {i}", body="Hallo", to=[f"r{i}@example.org"]) for i in range(count)])
"""

DIGEST_RACE = """
from django.contrib.auth.models import Group, User
from comments.tasks import notices_prepare
from tests.comments.factories import CommentFactory
mod = User.objects.create(username="mona", email="mona@example.org", is_staff=True)
mod.groups.add(Group.objects.get(name="Moderators"))
for i in range(5):
    CommentFactory(status="pending", author_email=f"x{i}@example.org", body=f"Wartet {i}")
for _ in range(20):
    notices_prepare.enqueue("moderators_digest")
"""


def _postgres_url(base: str, name: str) -> str:
    parts = urllib.parse.urlsplit(base)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def _environment(url: str) -> dict:
    return {**os.environ, "DATABASE_URL": url, "DEBUG": "false", "EMAIL_TIMEOUT": "5", "LOG_LEVEL": "INFO"}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def template(request, tmp_path_factory):
    """A migrated database to copy for each test (migrating once saves most of the time)."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("worker-db") / "template.sqlite3"
        manage(_environment(f"sqlite:///{path}"), "migrate", "-v0")
        yield ("sqlite", path)
        return
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        pytest.skip("needs DATABASE_URL=postgres://…")
    import psycopg

    name = (urllib.parse.urlsplit(base).path.strip("/") or "blogwerk") + "_worker_tpl"
    admin = _postgres_url(base, "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    manage(_environment(_postgres_url(base, name)), "migrate", "-v0")
    yield ("postgresql", (base, admin, name))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def env(template, tmp_path):
    """Environment for manage.py on a freshly migrated database of its own."""
    kind, source = template
    if kind == "sqlite":
        path = tmp_path / "worker.sqlite3"
        shutil.copyfile(source, path)
        yield _environment(f"sqlite:///{path}")
        return
    import psycopg

    base, admin, template_name = source
    name = template_name.replace("_tpl", "_procs")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template_name}"')
    yield _environment(_postgres_url(base, name))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(env: dict, *args: str, **extra_env: str) -> str:
    env = {**env, **extra_env}
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def queue_mails(env: dict, count: int) -> None:
    manage(env, "shell", "-c", QUEUE_MAILS, QUEUE_COUNT=str(count))


def task_rows(env: dict) -> list[tuple[str, str]]:
    """(task path, status) of every queued task, read straight from the database: polling
    through manage.py would start Django for every look and slow the workers down."""
    url = env["DATABASE_URL"]
    query = "SELECT task_path, status FROM django_tasks_database_dbtaskresult ORDER BY enqueued_at"
    if url.startswith("sqlite"):
        with closing(sqlite3.connect(url.removeprefix("sqlite:///"), timeout=20)) as conn:
            return [tuple(row) for row in conn.execute(query).fetchall()]
    import psycopg

    with psycopg.connect(url) as conn:
        return [tuple(row) for row in conn.execute(query).fetchall()]


def start_worker(env: dict, tmp_path, smtp: SmtpServer, *extra: str, name: str = "w") -> subprocess.Popen:
    log = open(tmp_path / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(
        [sys.executable, "manage.py", "blogwerk_worker", "--interval", "0.1", "--worker-id", name, *extra],
        cwd=ROOT,
        env={**env, "EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}"},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    process.log_path = tmp_path / f"{name}.log"
    return process


def wait_for(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def stop(process: subprocess.Popen) -> int:
    """SIGTERM, as systemd stops a service; only once the worker is up (before that, its
    handlers are not installed and it dies like any process)."""
    if process.poll() is None:
        wait_for(lambda: process.poll() is not None or b"runs queues" in process.log_path.read_bytes())
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    return process.wait(timeout=30)


def test_worker_killed_before_the_server_accepted_sends_the_mail_exactly_once(env, tmp_path):
    with SmtpServer() as smtp:
        smtp.behaviour.hang_at = "data"  # the message is on the wire, the server never answers
        queue_mails(env, 1)
        worker = start_worker(env, tmp_path, smtp, "--no-schedule", name="first")
        assert smtp.hanging.wait(60)
        worker.kill()  # kill -9 mid-send
        worker.wait()
        smtp.behaviour.hang_at = ""
        smtp.release.set()
        assert smtp.accepted == []
        assert task_rows(env) == [("comments.tasks.mail_send", "RUNNING")]  # lost its worker

        again = start_worker(env, tmp_path, smtp, "--no-schedule", "--lease", "1", name="second")
        try:
            wait_for(lambda: len(smtp.accepted) == 1)
            wait_for(lambda: task_rows(env) == [("comments.tasks.mail_send", "SUCCESSFUL")])
        finally:
            assert stop(again) == 0
        assert len(smtp.accepted) == 1


def test_worker_killed_after_the_server_accepted_sends_again_with_the_same_message_id(env, tmp_path):
    with SmtpServer() as smtp:
        smtp.behaviour.hang_at = "quit"  # accepted (250), then the worker hangs saying goodbye
        queue_mails(env, 1)
        worker = start_worker(env, tmp_path, smtp, "--no-schedule", name="first")
        assert smtp.hanging.wait(60)
        worker.kill()
        worker.wait()
        smtp.behaviour.hang_at = ""
        smtp.release.set()
        assert len(smtp.accepted) == 1

        again = start_worker(env, tmp_path, smtp, "--no-schedule", "--lease", "1", name="second")
        try:
            wait_for(lambda: len(smtp.accepted) == 2)
            wait_for(lambda: task_rows(env) == [("comments.tasks.mail_send", "SUCCESSFUL")])
        finally:
            assert stop(again) == 0
        first, second = smtp.message_ids()
        assert first == second  # at least once, recognisably the same mail


def test_several_workers_send_every_mail_exactly_once(env, tmp_path):
    count = 60
    with SmtpServer() as smtp:
        queue_mails(env, count)
        workers = [start_worker(env, tmp_path, smtp, "--no-schedule", name=f"w{i}") for i in range(3)]
        try:
            wait_for(lambda: len(smtp.accepted) >= count)
            wait_for(lambda: {status for _path, status in task_rows(env)} == {"SUCCESSFUL"})
        finally:
            codes = [stop(worker) for worker in workers]
        assert codes == [0, 0, 0]
        ids = Counter(smtp.message_ids())
        assert len(ids) == count and set(ids.values()) == {1}
        subjects = sorted(m["Subject"] for m in smtp.accepted)
        assert subjects == sorted(f"Mail {i}" for i in range(count))
        logs = [(tmp_path / f"w{i}.log").read_text() for i in range(3)]
        assert sum(log.count("mail_send state=SUCCESSFUL") for log in logs) == count


def test_many_digest_tasks_on_several_workers_send_one_digest(env, tmp_path):
    """Twenty "comments wait" tasks race on three workers: one mail, listing all five."""
    with SmtpServer() as smtp:
        manage(env, "shell", "-c", DIGEST_RACE)
        workers = [start_worker(env, tmp_path, smtp, "--no-schedule", name=f"d{i}") for i in range(3)]
        try:
            wait_for(lambda: {status for _path, status in task_rows(env)} == {"SUCCESSFUL"})
        finally:
            codes = [stop(worker) for worker in workers]
        assert codes == [0, 0, 0]
        assert [m["To"] for m in smtp.accepted] == ["mona@example.org"]
        assert "5 comments wait" in smtp.accepted[0]["Subject"]


def test_two_workers_run_each_periodic_job_once(env, tmp_path):
    with SmtpServer() as smtp:
        workers = [start_worker(env, tmp_path, smtp, name=f"p{i}") for i in range(2)]
        try:

            def all_ran():
                return sum(status == "SUCCESSFUL" for _path, status in task_rows(env)) >= 8

            wait_for(all_ran)
            time.sleep(1)  # both workers had their chance to schedule
            rows = task_rows(env)
        finally:
            codes = [stop(worker) for worker in workers]
        assert codes == [0, 0]
        ran = Counter(path for path, status in rows if status == "SUCCESSFUL")
        waiting = Counter(path for path, status in rows if status == "READY")
        assert len(ran) >= 8 and set(ran.values()) == {1}, rows  # each job ran once …
        assert set(waiting.values()) <= {1}, rows  # … and has at most one next run waiting
        assert {status for _path, status in rows} <= {"SUCCESSFUL", "READY"}


def test_ctrl_c_stops_an_idle_worker_at_once(env, tmp_path):
    with SmtpServer() as smtp:
        worker = start_worker(env, tmp_path, smtp, "--no-schedule", name="idle")
        wait_for(lambda: b"runs queues" in (tmp_path / "idle.log").read_bytes(), timeout=30)
        started = time.monotonic()
        worker.send_signal(signal.SIGINT)
        assert worker.wait(timeout=10) == 0
        assert time.monotonic() - started < 3
