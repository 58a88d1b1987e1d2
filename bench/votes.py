"""Vote throughput: concurrent voters against gunicorn on PostgreSQL and Redis.

Run (one command, from the project root):

    .venv/bin/python bench/votes.py [--voters 400] [--concurrency 32] [--workers 5]

Needs PostgreSQL (``--pg``, default postgres://postgres@127.0.0.1:5432) and Redis (``--redis``,
default redis://127.0.0.1:6379/2) on this machine. It creates a fresh database, migrates it,
starts gunicorn on 127.0.0.1 with a free port, lets bounded concurrent voters (threads on this
machine only, each a browser of its own) vote once and then try a second time, prints votes/s
and checks that the final totals equal the accepted votes and that no second vote counted.
Everything it created (database, server, cache keys) is removed at the end. Exit code 1 when a
check fails.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[1]
SLUG = "bench-umfrage"
SETUP = f"""
from polls.models import Choice, Poll
poll = Poll.objects.create(question="Social Media: PR, Marketing oder Privat?", slug="{SLUG}")
for position, text in enumerate(["PR", "Marketing", "Privat"], start=1):
    Choice.objects.create(poll=poll, text=text, position=position)
print(",".join(str(pk) for pk in poll.choices.values_list("pk", flat=True)))
"""
COUNT = f"""
from polls.models import Ballot, Vote
print(Ballot.objects.filter(poll__slug="{SLUG}").count(), Vote.objects.filter(ballot__poll__slug="{SLUG}").count())
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Voter:
    """One browser: its own keep-alive connection and cookies."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.csrf = ""

    def request(self, method: str, path: str, body: dict | None = None, accept: str = "text/html"):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), "Accept": accept}
        data = None
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            data = urlencode(body)
        for attempt in range(2):
            try:
                self.connection.request(method, path, body=data, headers=headers)
                response = self.connection.getresponse()
                content = response.read()
                break
            except (http.client.HTTPException, ConnectionError):
                self.connection.close()
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, content

    def open_poll(self) -> None:
        status, content = self.request("GET", f"/polls/{SLUG}/")
        if status != 200:
            raise RuntimeError(f"vote page answered {status}")
        self.csrf = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content).group(1).decode()

    def vote(self, choice: int) -> tuple[int, float]:
        started = time.perf_counter()
        status, _content = self.request(
            "POST",
            f"/polls/{SLUG}/vote/",
            {"choice": choice, "csrfmiddlewaretoken": self.csrf},
            accept="application/json",
        )
        return status, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--voters", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/2")
    args = parser.parse_args()

    import psycopg
    import redis

    database = f"bw_polls_bench_{os.getpid()}"
    prefix = f"bw-polls-bench-{os.getpid()}"
    pg = urlsplit(args.pg)
    admin_dsn = f"{args.pg.rstrip('/')}/postgres"
    static_root = Path(tempfile.mkdtemp(prefix="bw-bench-static-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"{args.pg.rstrip('/')}/{database}",
        "REDIS_URL": args.redis,
        "CACHE_KEY_PREFIX": prefix,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "SECURE_SSL_REDIRECT": "false",
        "RATELIMIT_ENABLED": "false",  # every voter comes from 127.0.0.1 (see the contract)
        "ALLOWED_HOSTS": "127.0.0.1",
        "STATIC_ROOT": str(static_root),
        "LOG_LEVEL": "ERROR",  # 409 "already voted" is expected here
    }
    manage = [sys.executable, str(ROOT / "manage.py")]

    def django(*command: str) -> str:
        done = subprocess.run(
            [*manage, *command], env=env, cwd=ROOT, check=True, capture_output=True, text=True
        )
        return done.stdout

    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{database}"')
    server = None
    try:
        print(f"database {database} on {pg.hostname}:{pg.port}, cache {args.redis} (prefix {prefix})")
        django("migrate", "--noinput", "-v0")
        django("collectstatic", "--noinput", "-v0")
        choices = [int(pk) for pk in django("shell", "--no-imports", "-c", SETUP).strip().split(",")]

        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{port}",
             "-w", str(args.workers), "--log-level", "warning", "--backlog", "2048"],
            env=env, cwd=ROOT,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        print(f"gunicorn on 127.0.0.1:{port} with {args.workers} workers; "
              f"{args.voters} voters, at most {args.concurrency} at once")  # fmt: skip

        voters = [Voter(port) for _i in range(args.voters)]
        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            list(pool.map(Voter.open_poll, voters))

        accepted = dict.fromkeys(choices, 0)
        lock = threading.Lock()
        statuses: dict[int, int] = {}
        latencies: list[float] = []
        second_counted = 0

        def cast(voter: Voter) -> None:
            nonlocal second_counted
            choice = random.choice(choices)
            status, seconds = voter.vote(choice)
            again, seconds_again = voter.vote(choice)  # the same browser once more: must not count
            with lock:
                latencies.extend([seconds, seconds_again])
                statuses[status] = statuses.get(status, 0) + 1
                statuses[again] = statuses.get(again, 0) + 1
                if status == 200:
                    accepted[choice] += 1
                if again == 200:
                    second_counted += 1

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            list(pool.map(cast, voters))
        elapsed = time.perf_counter() - started

        check = Voter(port)
        _status, body = check.request("GET", f"/polls/{SLUG}/results.json", accept="application/json")
        results = json.loads(body)
        ballots, votes = (int(n) for n in django("shell", "--no-imports", "-c", COUNT).split())

        total_accepted = sum(accepted.values())
        requests = 2 * len(voters)
        print(f"accepted votes:      {total_accepted} of {len(voters)} first votes")
        print(f"responses:           {dict(sorted(statuses.items()))} (200 counted, 409 already voted)")
        print(f"elapsed:             {elapsed:.2f} s for {requests} vote requests")
        print(f"votes/s (counted):   {total_accepted / elapsed:.1f}")
        print(f"vote requests/s:     {requests / elapsed:.1f}")
        print(f"latency p50 / p95:   {statistics.median(latencies) * 1000:.1f} ms / "
              f"{statistics.quantiles(latencies, n=20)[18] * 1000:.1f} ms")  # fmt: skip

        failures = []
        per_choice = {c["id"]: c["votes"] for c in results["choices"]}
        if results["total_votes"] != total_accepted or per_choice != accepted:
            failures.append(
                f"results.json {per_choice} (total {results['total_votes']}) != accepted {accepted}"
            )
        if ballots != total_accepted or votes != total_accepted:
            failures.append(f"database has {ballots} ballots / {votes} votes, accepted {total_accepted}")
        if second_counted:
            failures.append(f"{second_counted} second votes were counted")
        if total_accepted != len(voters):
            failures.append(f"{len(voters) - total_accepted} first votes were not counted")
        if any(status >= 500 for status in statuses):
            failures.append("server errors")
        print(
            "check:               " + ("OK – totals equal the accepted votes" if not failures else "FAILED")
        )
        for failure in failures:
            print(f"  - {failure}")
        return 1 if failures else 0
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=15)
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        client = redis.Redis.from_url(args.redis)
        keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
        shutil.rmtree(static_root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
