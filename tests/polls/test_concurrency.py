"""Once-only under concurrency: threads post to a live server at the same moment.

On PostgreSQL the in-process live server does; SQLite's in-memory test database cannot
take parallel writers, so there a gunicorn with several workers serves a temporary file
database configured like production (WAL, IMMEDIATE transactions).
"""

import http.client
import os
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from django.db import connection

from polls.models import Ballot, Poll
from tests.polls.factories import PollFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.live]

ROOT = Path(__file__).resolve().parents[2]
POLLS = {"parallel": "browser", "many": "browser", "ip": "browser_ip"}
SETUP = """
from polls.models import Poll, Choice
for slug, protection in {polls!r}.items():
    poll = Poll.objects.create(question=slug + "?", slug=slug, protection=protection)
    for position, text in enumerate(["PR", "Marketing", "Privat"]):
        Choice.objects.create(poll=poll, text=text, position=position)
"""


class OrmServer:
    """The in-process live server on PostgreSQL; counts straight from the ORM."""

    def __init__(self, url):
        self.url = url
        for slug, protection in POLLS.items():
            PollFactory(slug=slug, protection=protection)

    def choice_ids(self, slug):
        return list(Poll.objects.get(slug=slug).choices.values_list("pk", flat=True))

    def ballots(self, slug):
        return Ballot.objects.filter(poll__slug=slug).count()


class GunicornServer:
    """Gunicorn with three workers on a temporary SQLite file, like a small production site."""

    def __init__(self, tmp_path):
        self.db = tmp_path / "votes.sqlite3"
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{self.db}",
            "DEBUG": "true",
            "RATELIMIT_ENABLED": "true",
        }
        env.pop("REDIS_URL", None)
        manage = [sys.executable, str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "-v0"], env=env, cwd=ROOT, check=True)
        subprocess.run(
            [*manage, "shell", "--no-imports", "-c", SETUP.format(polls=POLLS)], env=env, cwd=ROOT, check=True
        )
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{port}", "-w", "3",
             "-k", "gthread", "--threads", "4", "--log-level", "warning"],
            env=env, cwd=ROOT,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not start")

    def _query(self, sql, *params):
        with sqlite3.connect(self.db) as db:
            return db.execute(sql, params).fetchall()

    def choice_ids(self, slug):
        rows = self._query(
            "SELECT c.id FROM polls_choice c JOIN polls_poll p ON p.id = c.poll_id WHERE p.slug = ? "
            "ORDER BY c.position",
            slug,
        )
        return [row[0] for row in rows]

    def ballots(self, slug):
        sql = "SELECT count(*) FROM polls_ballot b JOIN polls_poll p ON p.id = b.poll_id WHERE p.slug = ?"
        return self._query(sql, slug)[0][0]

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture(scope="module")
def sqlite_server(tmp_path_factory):
    if connection.vendor == "postgresql":
        yield None
        return
    server = GunicornServer(tmp_path_factory.mktemp("votes"))
    yield server
    server.stop()


@pytest.fixture
def server(request, sqlite_server):
    if sqlite_server is None:
        return OrmServer(request.getfixturevalue("live_server").url)
    return sqlite_server


class Browser:
    """A minimal cookie-keeping HTTP client (the live server speaks plain HTTP)."""

    def __init__(self, base_url):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.cookies: dict[str, str] = {}

    def request(self, method, path, body=None):
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            body = urlencode(body, doseq=True)
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read().decode()
        status = response.status
        set_cookies = response.headers.get_all("Set-Cookie") or []
        connection.close()
        return status, content, set_cookies

    def open(self, path):
        status, content, set_cookies = self.request("GET", path)
        for header in set_cookies:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        self.csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', content).group(1)
        return status


def _post_in_parallel(browsers, path, data, n_each):
    barrier = threading.Barrier(len(browsers) * n_each)

    def post(browser):
        barrier.wait()
        return browser.request("POST", path, {**data, "csrfmiddlewaretoken": browser.csrf})[0]

    with ThreadPoolExecutor(max_workers=len(browsers) * n_each) as pool:
        return list(pool.map(post, [b for b in browsers for _i in range(n_each)]))


def test_vote_ten_parallel_posts_from_one_browser_count_once(server):
    choice = server.choice_ids("parallel")[0]
    browser = Browser(server.url)
    assert browser.open("/polls/parallel/") == 200
    statuses = _post_in_parallel([browser], "/polls/parallel/vote/", {"choice": choice}, 10)
    assert statuses == [302] * 10  # no 500, no lock error: every reader gets an answer
    assert server.ballots("parallel") == 1


def test_vote_parallel_browsers_lose_no_vote(server):
    choice = server.choice_ids("many")[1]
    browsers = [Browser(server.url) for _i in range(8)]
    for browser in browsers:
        browser.open("/polls/many/")
    statuses = _post_in_parallel(browsers, "/polls/many/vote/", {"choice": choice}, 2)
    assert statuses == [302] * 16
    assert server.ballots("many") == 8


def test_vote_ip_window_holds_under_parallel_browsers(server):
    choice = server.choice_ids("ip")[0]
    browsers = [Browser(server.url) for _i in range(6)]
    for browser in browsers:
        browser.open("/polls/ip/")
    statuses = _post_in_parallel(browsers, "/polls/ip/vote/", {"choice": choice}, 1)
    assert statuses == [302] * 6
    assert server.ballots("ip") == 1
