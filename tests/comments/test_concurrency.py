"""Parallel submissions: a solved captcha counts once, every comment is stored exactly once.

On PostgreSQL threads post in this process; on SQLite a child process runs the same scenario
on a temporary database file set up like production (WAL, IMMEDIATE transactions).
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tests.comments import concurrency_scenarios

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def sqlite_template(tmp_path_factory):
    if connection.vendor != "sqlite":
        return None
    db = tmp_path_factory.mktemp("comments-concurrency") / "template.sqlite3"
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"],
        env=_env(db),
        cwd=ROOT,
        check=True,
    )
    return db


def _env(db: Path) -> dict:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.setdefault("SECRET_KEY", "tests-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz")
    env.pop("REDIS_URL", None)
    return env


def scenario(name, sqlite_template, tmp_path) -> dict:
    if sqlite_template is None:
        return concurrency_scenarios.run(name)
    db = tmp_path / "scenario.sqlite3"
    shutil.copy(sqlite_template, db)
    env = {
        **_env(db),
        "CAPTCHA_TEST_MODE": "false",
        "PYTHONPATH": str(ROOT),
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "false",
    }
    output = subprocess.run(
        [sys.executable, "-m", "tests.comments.concurrency_scenarios", name],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def test_solved_captcha_counts_once_under_ten_parallel_requests(sqlite_template, tmp_path):
    outcome = scenario("captcha_once", sqlite_template, tmp_path)
    assert outcome["results"].count(302) == 1, outcome
    assert outcome["results"].count(200) == 9, outcome  # the form comes back with a new task
    assert len(outcome["bodies"]) == 1


def test_twenty_concurrent_submissions_are_each_stored_exactly_once(sqlite_template, tmp_path):
    outcome = scenario("twenty_distinct", sqlite_template, tmp_path)
    assert outcome["results"] == [302] * 20, outcome
    assert outcome["bodies"] == sorted(f"Gleichzeitig {i}" for i in range(20))


def test_twenty_copies_of_one_comment_are_stored_once(sqlite_template, tmp_path):
    outcome = scenario("twenty_copies", sqlite_template, tmp_path)
    assert outcome["results"].count(302) == 1, outcome
    assert outcome["bodies"] == ["Doppelt hält nicht besser"]
