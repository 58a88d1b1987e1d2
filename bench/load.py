#!/usr/bin/env python
"""Load run: readers, commenters and voters against gunicorn, on PostgreSQL + Redis or SQLite.

One command, from the project root (about two minutes on a 2-core machine):

    .venv/bin/python bench/load.py                  # PostgreSQL and Redis (--store pg)
    .venv/bin/python bench/load.py --store sqlite   # SQLite file and the shared disk cache
    .venv/bin/python bench/load.py --duration 30 --readers 12 --commenters 4 --voters 4

Options:
    --store pg|sqlite   where data and cache live (default pg): ``pg`` is a fresh PostgreSQL
                        database and Redis; ``sqlite`` is a SQLite file and the cache every
                        process on the machine shares without Redis (``core.cache.SharedDiskCache``,
                        diskcache's SQLite files in ``CACHE_DIR``), both in a temporary directory
    --duration S        length of the mixed workload in seconds (default 30)
    --wrk-duration S    length of each pure-GET run (default 3)
    --rounds N          interleaved rounds of pure-GET runs over the four pages (default 3)
    --connections N     open connections of each pure-GET run (default 16)
    --readers N, --commenters N, --voters N
                        concurrent clients of each kind in the mixed workload (12, 4, 4)
    --max-requests N    stop the mixed workload early after this many requests (50000)
    --workers N, --threads N
                        gunicorn processes and threads per process (default 4 and 1)
    --no-wrk            use the Python client for the pure-GET runs even if wrk is there
    --pg URL            PostgreSQL server, trust auth (postgres://postgres@127.0.0.1:5432); --store pg
    --redis URL         Redis database (redis://127.0.0.1:6379/13); --store pg
    --max-runtime S     hard limit for the whole run, clean-up included (300)

What it does, on 127.0.0.1 only:
1. creates a fresh store: with ``--store pg`` a database ``bw_load_<random>`` and a Redis key
   prefix of its own; with ``--store sqlite`` a SQLite file and a ``CACHE_DIR`` in a temporary
   directory (``REDIS_URL`` empty, so the settings pick the shared disk cache); migrates, runs
   ``seed_demo`` and adds posts, a poll embedded in a post and a few hundred approved comments
   in threads on that post;
2. starts gunicorn with DEBUG off, ``RATELIMIT_ENABLED=false`` (every client here shares one
   address; the contract allows it for load tests) and ``bench.settings_bench``, which adds
   ``/__bench__/bare/``, a minimal Django view returning a fixed page (0.2 KiB), and
   ``/__bench__/bare/<kib>/``, the same view returning a fixed page of that size;
3. (a) measures requests/s, p50/p99 and the server's CPU time per request of anonymous readers
   on the home page, the demo post page, the post with 250 comments and the bare view (also
   at the size of each page), in interleaved rounds, with Debian's ``wrk`` (the Python client
   when wrk is missing), the page cache's hit ratio from the ``X-Page-Cache`` header, and the
   ratios to the bare view;
   (b) runs a mixed workload for ``--duration`` seconds: readers (home and post pages),
   commenters (post page, cached or not, and the form exactly as it came: all its hidden and
   honeypot fields, the reader's own captcha task ``captcha_0`` and start time ``started``
   from the page, as a reader without JavaScript sends them; the task solved with
   ``core.captcha.challenge_numbers``, which works here because this process and the server
   share the SECRET_KEY; the form's minimum fill time respected; POST, follow the redirect and
   find the comment on the page; a task or start time seen twice is an error, since the page
   cache must give every reader their own) and voters (fresh browsers, half with the page
   script's JSON request and half as a plain form, some trying a second time, which must be
   refused);
   (c) checks in the database that every comment and vote the server accepted is stored
   exactly once, and nothing else was;
4. stops the server and removes everything: drops the database and deletes its Redis keys, or
   deletes the temporary directory with the SQLite file and the disk cache.

Exit code 1 on any server error (5xx), connection error, unexpected status or failed check.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import io
import json
import os
import random
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.live.stack import Gunicorn, collect_static  # noqa: E402

BARE = "/__bench__/bare/"
POLL_SLUG = "lasttest-umfrage"
HOT_SLUG = "lasttest-diskussion"
DEMO_SLUG = "social-media-pr-marketing-oder-privat"  # seed_demo's post with poll and discussion
MARK = "lasttest"  # every comment the run posts carries "lasttest-<n>" in its body
SEED_THREADS = 50  # top-level threads of seeded comments on the hot post, 250 comments in all:
REPLIES = {1: 1, 2: 1, 3: 2}  # replies per comment of the level above, down to depth 3
TIMEOUT = 30  # seconds per HTTP request

WRK_SCRIPT = r"""
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) hits = 0; misses = 0; bad = 0 end
function response(status, headers, body)
  local cache = headers["X-Page-Cache"] or headers["x-page-cache"]
  if cache == "hit" then hits = hits + 1 elseif cache == "miss" then misses = misses + 1 end
  if status ~= 200 then bad = bad + 1 end
end
function done(summary, latency, requests)
  local h, m, b = 0, 0, 0
  for _, t in ipairs(threads) do h = h + t:get("hits"); m = m + t:get("misses"); b = b + t:get("bad") end
  local e = summary.errors
  io.write(string.format(
    'WRK-RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "hits": %d, '
    .. '"misses": %d, "bad_status": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), h, m, b,
    e.connect + e.read + e.write + e.timeout))
end
"""


# --- HTTP client: one "browser" with its own connection and cookies --------------------------
class Browser:
    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)

    def reset(self) -> None:
        """A fresh browser: no cookies (the connection may stay)."""
        self.cookies.clear()

    def request(self, method: str, path: str, fields=None, accept: str = "text/html"):
        """Return (status, headers, body, seconds); raise OSError/HTTPException on connection errors."""
        headers = {"Accept": accept, "Accept-Language": "de", "User-Agent": "blogwerk-load/1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if fields is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            data = urlencode(fields)
        started = time.perf_counter()
        try:
            self.conn.request(method, path, body=data, headers=headers)
            response = self.conn.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            raise
        seconds = time.perf_counter() - started
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        if response.getheader("Connection", "").lower() == "close":
            self.conn.close()  # http.client reconnects on the next request
        return response.status, response.headers, body, seconds


class FormParser(HTMLParser):
    """Every <form> with its fields as a browser would submit them, and a few attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._textarea: list | None = None
        self.comment_ids: list[int] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if (a.get("id") or "").startswith("comment-") and a["id"][8:].isdigit():
            self.comment_ids.append(int(a["id"][8:]))
        if tag == "form":
            self._form = {"attrs": a, "fields": []}
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        if tag == "input" and a.get("name"):
            self._form["fields"].append(
                {
                    "name": a["name"],
                    "type": (a.get("type") or "text").lower(),
                    "value": a.get("value") or "",
                    "checked": "checked" in a,
                }
            )
        elif tag == "textarea" and a.get("name"):
            self._textarea = [a["name"], ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None and self._form is not None:
            name, value = self._textarea
            self._form["fields"].append({"name": name, "type": "textarea", "value": value, "checked": False})
            self._textarea = None
        elif tag == "form":
            self._form = None


def parse_page(body: bytes) -> FormParser:
    parser = FormParser()
    parser.feed(body.decode("utf-8", "replace"))
    return parser


def browser_fields(form: dict) -> dict[str, str]:
    """What a browser sends for an untouched form: text and hidden inputs, ticked boxes."""
    data = {}
    for f in form["fields"]:
        if f["type"] in ("checkbox", "radio"):
            if f["checked"]:
                data[f["name"]] = f["value"] or "on"
        elif f["type"] not in ("button", "image", "reset", "file"):
            data[f["name"]] = f["value"]
    return data


# --- recording --------------------------------------------------------------------------------
@dataclass
class Recorder:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    cache: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    accepted_comments: list[tuple[int, str, bool]] = field(default_factory=list)  # id, token, known
    accepted_votes: list[tuple[str, int]] = field(default_factory=list)  # voter token, choice id
    seen_tokens: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # per reader
    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: int = 0

    def ok(self, kind: str, seconds: float, cache: str | None = None) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            self.requests += 1
            if cache is not None:
                self.cache[kind][cache or "none"] += 1

    def error(self, kind: str, message: str, seconds: float = 0.0) -> None:
        with self.lock:
            self.errors[kind].append(message)
            self.latencies[kind].append(seconds)
            self.requests += 1


class Unexpected(Exception):
    pass


def fetch(rec: Recorder, browser: Browser, kind: str, method: str, path: str, *, expect=(200,), **kw):
    """One request: recorded under ``kind``; raises ``Unexpected`` on an error of any sort."""
    try:
        status, headers, body, seconds = browser.request(method, path, **kw)
    except (OSError, http.client.HTTPException) as exc:
        rec.error(kind, f"connection error: {exc!r}")
        raise Unexpected from exc
    if status not in expect:
        rec.error(kind, f"{method} {path} -> {status}", seconds)
        raise Unexpected
    rec.ok(kind, seconds, headers.get("X-Page-Cache", "") if method == "GET" else None)
    return status, headers, body


def percentile(values: list[float], pct: int) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


# --- seeding (in this process, through the ORM) -----------------------------------------------
def seed(stdout) -> dict:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.utils import timezone

    from blog.models import Post
    from comments.models import Comment
    from comments.sanitize import render_comment_body
    from comments.services import fingerprint
    from polls.models import Choice, Poll

    call_command("migrate", "--noinput", verbosity=0)
    call_command("seed_demo", force=True, stdout=io.StringIO())
    author = get_user_model().objects.filter(is_superuser=True).first()
    now = timezone.now()
    for n in range(12):
        Post.objects.create(
            title=f"Lasttest Beitrag {n + 1}",
            slug=f"lasttest-beitrag-{n + 1}",
            author=author,
            excerpt="Ein Beitrag für den Lasttest.",
            body="\n\n".join(
                f"Absatz {p + 1}: Social Media zwischen PR, Marketing und privater Nutzung – "
                "Erfahrungen, Zahlen und offene Fragen aus der Praxis." * 3
                for p in range(6)
            ),
            status=Post.Status.PUBLISHED,
            published_at=now - timedelta(days=20 - n),
        )
    poll = Poll.objects.create(
        question="Wer pflegt bei Ihnen die Social-Media-Kanäle?",
        slug=POLL_SLUG,
        opens_at=now - timedelta(days=1),
    )
    choices = [
        Choice.objects.create(poll=poll, text=text, position=i)
        for i, text in enumerate(["PR", "Marketing", "Alle gemeinsam"], start=1)
    ]
    hot = Post.objects.create(
        title="Lasttest: Wer spricht für das Unternehmen?",
        slug=HOT_SLUG,
        author=author,
        excerpt="Die Diskussion unter diesem Beitrag ist lang, und die Umfrage läuft.",
        body="Wer sollte die Kanäle pflegen?\n\n[poll " + POLL_SLUG + "]\n\nDiskutieren Sie mit!",
        status=Post.Status.PUBLISHED,
        published_at=now - timedelta(hours=6),
    )

    def comment(parent, n, depth, email):
        text = f"Beitrag {n} zur Diskussion: Das sehen wir in unserem Team ähnlich, aber nicht ganz."
        return Comment(
            post=hot,
            parent=parent,
            depth=depth,
            author_name=f"Leserin {n}",
            author_email=email,
            body=text,
            body_html=render_comment_body(text),
            status=Comment.Status.APPROVED,
            fingerprint=fingerprint(email, text),
            created_at=now - timedelta(hours=5) + timedelta(seconds=n),
        )

    emails = [f"stammleser{i}@example.org" for i in range(20)]
    n = 0
    tops = []
    for _t in range(SEED_THREADS):
        n += 1
        tops.append(comment(None, n, 0, emails[n % len(emails)]))
    Comment.objects.bulk_create(tops)
    level = tops
    for depth in (1, 2, 3):
        children = []
        for parent in level:
            for _c in range(REPLIES[depth]):
                n += 1
                children.append(comment(parent, n, depth, emails[n % len(emails)]))
        Comment.objects.bulk_create(children)
        level = children
    demo = Post.objects.get(slug=DEMO_SLUG)
    others = [
        p.get_absolute_url()
        for p in Post.objects.published().exclude(pk__in=[hot.pk, demo.pk]).order_by("-published_at")[:10]
    ]
    print(
        f"seeded: {Post.objects.published().count()} posts; {hot.get_absolute_url()} with poll {POLL_SLUG!r} "
        f"and {Comment.objects.filter(post=hot).count()} approved comments; demo post {demo.get_absolute_url()} "
        f"with {Comment.objects.filter(post=demo).count()} comments",
        file=stdout,
    )
    return {
        "demo_url": demo.get_absolute_url(),
        "hot_url": hot.get_absolute_url(),
        "hot_pk": hot.pk,
        "other_urls": others,
        "poll_pk": poll.pk,
        "choices": [c.pk for c in choices],
        "known_emails": emails,
        "seeded_comments": n,
    }


# --- (a) pure GET throughput --------------------------------------------------------------------
def server_cpu_seconds(master: int) -> float:
    """User and system CPU time of gunicorn's master and workers so far (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    total = 0
    for pid in [master, *map(int, children)]:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def run_wrk(url: str, seconds: int, connections: int, script: Path) -> dict:
    done = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(script), url],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=False,
    )
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("WRK-RESULT ")), None)
    if line is None:
        raise RuntimeError(f"wrk failed: {done.stdout}\n{done.stderr}")
    r = json.loads(line.removeprefix("WRK-RESULT "))
    return {
        "seconds": r["duration_us"] / 1e6,
        "requests": r["requests"],
        "p50": r["p50_us"] / 1000,
        "p99": r["p99_us"] / 1000,
        "hits": r["hits"],
        "misses": r["misses"],
        "errors": r["bad_status"] + r["socket_errors"],
    }


def run_python_get(port: int, path: str, seconds: int, connections: int) -> dict:
    rec = Recorder()
    deadline = time.monotonic() + seconds

    def worker():
        browser = Browser(port)
        while time.monotonic() < deadline:
            browser.reset()
            with contextlib.suppress(Unexpected):
                fetch(rec, browser, "get", "GET", path)

    threads = [threading.Thread(target=worker, daemon=True) for _i in range(connections)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + TIMEOUT + 5)
    elapsed = time.perf_counter() - started
    lat = rec.latencies["get"]
    return {
        "seconds": elapsed,
        "requests": len(lat),
        "p50": percentile(lat, 50) * 1000,
        "p99": percentile(lat, 99) * 1000,
        "hits": rec.cache["get"]["hit"],
        "misses": rec.cache["get"]["miss"],
        "errors": len(rec.errors["get"]),
    }


# --- (b) the mixed workload ---------------------------------------------------------------------
def captcha_answer(key: str) -> str | None:
    """The answer to the task a page showed: the key is signed with the server's SECRET_KEY,
    which this process shares, so the numbers follow from the key alone (no store to read)."""
    from core.captcha import challenge_numbers

    numbers = challenge_numbers(key)
    return None if numbers is None else str(sum(numbers))


def reader(rec: Recorder, port: int, site: dict, stop: threading.Event):
    browser = Browser(port)
    rng = random.Random()
    while not stop.is_set():
        if rng.random() < 0.05:
            browser.reset()  # now and then a new reader
        roll = rng.random()
        if roll < 0.3:
            kind, path = "read home", "/"
        elif roll < 0.6:
            kind, path = "read post (hot)", site["hot_url"]
        elif roll < 0.8:
            kind, path = "read post (demo)", site["demo_url"]
        else:
            kind, path = "read post (other)", rng.choice(site["other_urls"])
        try:
            fetch(rec, browser, kind, "GET", path)
        except Unexpected:
            time.sleep(0.05)


def commenter(rec: Recorder, port: int, site: dict, stop: threading.Event, counter, min_seconds: float):
    browser = Browser(port)
    rng = random.Random()
    while not stop.is_set():
        browser.reset()
        try:
            _s, _h, body = fetch(rec, browser, "comment: page", "GET", site["hot_url"])
            shown_at = time.monotonic()  # the server stamped the form's start time before this
            page = parse_page(body)
            form = next((f for f in page.forms if f["attrs"].get("id") == "commentform"), None)
            if form is None:
                rec.error("comment: page", "no comment form on the post page")
                continue
            data = browser_fields(form)
            missing = {"csrfmiddlewaretoken", "name", "email", "url", "body", "parent", "started",
                       "homepage", "captcha_0", "captcha_1"} - set(data)  # fmt: skip
            if missing:
                rec.error("comment: page", f"comment form lacks {sorted(missing)}")
                continue
            # No JavaScript: the task and start time are the ones the page came with, which the
            # page cache must have made this reader's own.
            with rec.lock:
                repeated = [name for name in ("captcha_0", "started") if data[name] in rec.seen_tokens[name]]
                for name in ("captcha_0", "started"):
                    rec.seen_tokens[name].add(data[name])
            if repeated:
                rec.error("comment: page", f"{' and '.join(repeated)} already shown to another reader")
                continue
            answer = captcha_answer(data["captcha_0"])
            if answer is None:
                rec.error("comment: page", f"captcha task not genuine or expired: {data['captcha_0']!r}")
                continue
            data["captcha_1"] = answer
            n = next(counter)
            token = f"{MARK}-{n}-{secrets.token_hex(4)}"
            known = n % 2 == 0  # half write as a regular (approved at once), half as new authors
            data["name"] = f"Lasttest Person {n}"
            data["email"] = rng.choice(site["known_emails"]) if known else f"neu-{token}@example.org"
            data["url"] = "https://example.org/" if n % 3 == 0 else ""
            data["body"] = f"Kommentar {token}: Das sehe ich ähnlich.\nZweite Zeile, <em>betont</em>."
            if n % 3 == 1 and page.comment_ids:
                data["parent"] = str(rng.choice(page.comment_ids))
            if n % 4 == 0:
                data["remember"] = "on"
            data["submit"] = "submit"
            # A person needs a moment to type: respect the form's minimum fill time.
            time.sleep(max(0.0, min_seconds + 0.2 - (time.monotonic() - shown_at)))
            _s, headers, body = fetch(
                rec, browser, "comment: POST", "POST", form["attrs"]["action"], fields=data, expect=(302,)
            )
            location = headers.get("Location", "")
            match = re.search(r"#comment-(\d+)$", location)
            if not match:
                rec.error("comment: POST", f"redirect without #comment-<id>: {location!r}")
                continue
            comment_id = int(match.group(1))
            with rec.lock:
                rec.accepted_comments.append((comment_id, token, known))
            target = urlsplit(location)
            path = target.path + (f"?{target.query}" if target.query else "")
            _s, _h, body = fetch(rec, browser, "comment: redirect", "GET", path)
            if f'id="comment-{comment_id}"'.encode() not in body:
                rec.error("comment: redirect", f"comment {comment_id} not on the page it redirected to")
        except Unexpected:
            time.sleep(0.1)


def voter(rec: Recorder, port: int, site: dict, stop: threading.Event, counter):
    browser = Browser(port)
    rng = random.Random()
    cookie = "bw_voter"
    while not stop.is_set():
        browser.reset()  # every voter is a fresh browser
        n = next(counter)
        try:
            _s, _h, body = fetch(rec, browser, "vote: page", "GET", site["hot_url"])
            form = next(
                (
                    f
                    for f in parse_page(body).forms
                    if f"/polls/{POLL_SLUG}/vote/" in f["attrs"].get("action", "")
                ),
                None,
            )
            if form is None:
                rec.error("vote: page", "no vote form on the post page")
                continue
            data = browser_fields(form)
            radios = [f["value"] for f in form["fields"] if f["name"] == "choice" and f["type"] == "radio"]
            choice = rng.choice(radios)
            data["choice"] = choice
            action = form["attrs"]["action"]
            if n % 2 == 0:  # with the page script: JSON answer
                _s, headers, raw = fetch(
                    rec, browser, "vote: POST json", "POST", action, fields=data, accept="application/json"
                )
                if not json.loads(raw).get("ok"):
                    rec.error("vote: POST json", f"vote refused: {raw[:200]!r}")
                    continue
            else:  # a plain form: redirect back to the post, with a flash message
                _s, headers, _b = fetch(
                    rec, browser, "vote: POST form", "POST", action, fields=data, expect=(302,)
                )
                if "bw_voted" not in browser.cookies:
                    rec.error("vote: POST form", "vote not confirmed (no bw_voted cookie)")
                    continue
                target = urlsplit(headers.get("Location", ""))
                fetch(
                    rec,
                    browser,
                    "vote: redirect",
                    "GET",
                    target.path + (f"?{target.query}" if target.query else ""),
                )
            token = browser.cookies.get(cookie, "").split(":")[0]
            with rec.lock:
                rec.accepted_votes.append((token, int(choice)))
            if n % 3 == 0:  # the same browser tries again: must be refused, not counted
                fetch(
                    rec, browser, "vote: repeat (409)", "POST", action, fields=data,
                    accept="application/json", expect=(409,),
                )  # fmt: skip
        except Unexpected:
            time.sleep(0.1)


def run_mixed(port: int, site: dict, args, min_seconds: float) -> tuple[Recorder, float]:
    import itertools

    rec = Recorder()
    stop = threading.Event()
    comment_counter, vote_counter = itertools.count(1), itertools.count(1)
    threads = (
        [threading.Thread(target=reader, args=(rec, port, site, stop)) for _i in range(args.readers)]
        + [
            threading.Thread(target=commenter, args=(rec, port, site, stop, comment_counter, min_seconds))
            for _i in range(args.commenters)
        ]
        + [
            threading.Thread(target=voter, args=(rec, port, site, stop, vote_counter))
            for _i in range(args.voters)
        ]
    )
    for t in threads:
        t.daemon = True
    started = time.perf_counter()
    for t in threads:
        t.start()
    deadline = time.monotonic() + args.duration
    while time.monotonic() < deadline and rec.requests < args.max_requests:
        time.sleep(0.2)
    stop.set()
    for t in threads:
        t.join(TIMEOUT + 10)
    elapsed = time.perf_counter() - started
    if any(t.is_alive() for t in threads):
        rec.error("run", "a client thread did not finish")
    return rec, elapsed


# --- (c) database check -------------------------------------------------------------------------
def check_database(rec: Recorder, site: dict) -> tuple[list[str], Counter, int]:
    from comments.models import Comment
    from polls.models import Ballot, Vote

    failures = []
    rows = list(
        Comment.objects.filter(post_id=site["hot_pk"], body__contains=f"{MARK}-").values_list(
            "pk", "body", "status"
        )
    )
    by_token = Counter(re.search(rf"{MARK}-\d+-[0-9a-f]+", body).group(0) for _pk, body, _st in rows)
    accepted_ids = [cid for cid, _t, _k in rec.accepted_comments]
    stored_ids = {pk for pk, _b, _s in rows}
    if len(set(accepted_ids)) != len(accepted_ids):
        failures.append("the server gave the same comment id to two submissions")
    missing = set(accepted_ids) - stored_ids
    if missing:
        failures.append(f"{len(missing)} accepted comments are not in the database: {sorted(missing)[:10]}")
    extra = stored_ids - set(accepted_ids)
    if extra:
        failures.append(f"{len(extra)} comments stored that the run was not told about: {sorted(extra)[:10]}")
    twice = [t for t, c in by_token.items() if c != 1]
    if twice:
        failures.append(f"{len(twice)} comments stored more than once: {twice[:5]}")
    accepted_tokens = {t for _c, t, _k in rec.accepted_comments}
    if set(by_token) != accepted_tokens:
        failures.append("stored comment texts differ from the accepted ones")
    status = Counter(st for _pk, _b, st in rows)
    total = Comment.objects.filter(post_id=site["hot_pk"]).count()
    if total != site["seeded_comments"] + len(accepted_ids):
        failures.append(
            f"post has {total} comments, expected {site['seeded_comments']} + {len(accepted_ids)}"
        )

    ballots = list(Ballot.objects.filter(poll_id=site["poll_pk"]).values_list("voter", flat=True))
    votes = Counter(Vote.objects.filter(ballot__poll_id=site["poll_pk"]).values_list("choice_id", flat=True))
    tokens = [t for t, _c in rec.accepted_votes]
    expected_votes = Counter(c for _t, c in rec.accepted_votes)
    if len(set(tokens)) != len(tokens) or "" in tokens:
        failures.append("accepted votes without a distinct voter cookie")
    if Counter(ballots) != Counter(tokens):
        failures.append(
            f"ballots in the database ({len(ballots)}) differ from accepted votes ({len(tokens)})"
        )
    if votes != expected_votes:
        failures.append(f"votes per choice {dict(votes)} != accepted {dict(expected_votes)}")
    return failures, status, len(ballots)


# --- main ---------------------------------------------------------------------------------------
def connections_close_all() -> None:
    """Close this process's database connections and cache handles (diskcache keeps its
    SQLite connections open on purpose, see ``core.cache``)."""
    from django.core.cache import caches
    from django.db import connections

    connections.close_all()
    for alias in caches:
        backend = caches[alias]
        inner = getattr(backend, "_cache", None)  # diskcache's FanoutCache behind DjangoCache
        if inner is not None and hasattr(inner, "close"):
            inner.close()
        else:
            backend.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", choices=("pg", "sqlite"), default="pg")
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument("--wrk-duration", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--readers", type=int, default=12)
    parser.add_argument("--commenters", type=int, default=4)
    parser.add_argument("--voters", type=int, default=4)
    parser.add_argument("--max-requests", type=int, default=50_000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--no-wrk", action="store_true")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--max-runtime", type=int, default=300)
    args = parser.parse_args()
    if args.store == "pg":
        for url in (args.pg, args.redis):
            if urlsplit(url).hostname not in ("127.0.0.1", "localhost"):
                parser.error(f"{url}: this load run talks to 127.0.0.1 only")

    def out_of_time(_signum, _frame):
        raise TimeoutError(f"the run took longer than --max-runtime {args.max_runtime} s")

    def terminated(_signum, _frame):
        raise SystemExit("terminated")

    signal.signal(signal.SIGALRM, out_of_time)
    signal.signal(signal.SIGTERM, terminated)
    signal.alarm(args.max_runtime)

    run_id = secrets.token_hex(4)
    tmp = Path(tempfile.mkdtemp(prefix="bw-load-"))
    log = tmp / "gunicorn.log"
    if args.store == "pg":
        import psycopg
        import redis

        database = f"bw_load_{run_id}"
        prefix = f"bw-load-{run_id}"
        admin_dsn = f"{args.pg.rstrip('/')}/postgres"
        store_env = {
            "DATABASE_URL": f"{args.pg.rstrip('/')}/{database}",
            "REDIS_URL": args.redis,
            "CACHE_KEY_PREFIX": prefix,
        }
        where = f"PostgreSQL database {database}, Redis {args.redis} prefix {prefix}"
    else:
        # Empty, not unset: a REDIS_URL in the project's .env must not win (read_env never
        # overwrites a variable that is set); the settings then pick core.cache.SharedDiskCache.
        store_env = {
            "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
            "REDIS_URL": "",
            "CACHE_DIR": str(tmp / "cache"),
        }
        where = f"SQLite {tmp / 'db.sqlite3'}, shared disk cache {tmp / 'cache'}"
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings_bench",
            **store_env,
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(40),
            "SECURE_SSL_REDIRECT": "false",
            "RATELIMIT_ENABLED": "false",  # one client address for everybody (CONTRACT: load tests)
            "CAPTCHA_TEST_MODE": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "STATIC_ROOT": str(tmp / "static"),
            "MEDIA_ROOT": str(tmp / "media"),
            "EMAIL_URL": "memorymail://",
            "LOG_LEVEL": "WARNING",
        }
    )
    wrk = None if args.no_wrk else shutil.which("wrk")
    server = None
    django_ready = False
    failures: list[str] = []
    t0 = time.perf_counter()
    if args.store == "pg":
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{database}"')
    try:
        print(f"store {args.store}: {where}; log {log}")
        print("load average of the machine: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
        import django

        django.setup()
        django_ready = True
        from django.conf import settings
        from django.core.cache import caches
        from django.db import connection

        cache = caches["default"]
        print(f"cache backend {type(cache).__module__}.{type(cache).__name__}, database {connection.vendor}")
        expected = ("postgresql", "RedisCache") if args.store == "pg" else ("sqlite", "SharedDiskCache")
        if (connection.vendor, type(cache).__name__) != expected:
            raise RuntimeError(f"--store {args.store} expects {expected}, the settings gave another")

        site = seed(sys.stdout)
        collect_static(tmp / "static")
        # Hold no database or disk-cache handles while the server runs; (c) opens them again.
        connections_close_all()
        server = Gunicorn({}, workers=args.workers, threads=args.threads, log=log).start()
        print(
            f"gunicorn {server.url} ({args.store}): {args.workers} workers x {args.threads} threads, DEBUG off, "
            f"RATELIMIT_ENABLED=false; setup took {time.perf_counter() - t0:.0f} s"
        )
        warm = Browser(server.port)
        for path in ("/", site["demo_url"], site["hot_url"], BARE, *site["other_urls"]):
            status, *_rest = warm.request("GET", path)
            if status != 200:
                raise RuntimeError(f"warm-up: {path} answered {status}")

        # (a) pure GET throughput
        if wrk:
            script = tmp / "count.lua"
            script.write_text(WRK_SCRIPT)
            tool = f"wrk, 2 threads, {args.connections} connections, {args.wrk_duration} s each"
        else:
            reason = "--no-wrk" if args.no_wrk else "wrk is not installed (apt-get install -y wrk)"
            print(f"NOTE: {reason}: the pure-GET runs use the Python client, which measures less than "
                  "the server can do")  # fmt: skip
            tool = f"Python client, {args.connections} threads, {args.wrk_duration} s each"
        pages = {
            "home": "/",
            "post page": site["demo_url"],
            f"post, {site['seeded_comments']} c.": site["hot_url"],
            "bare view": BARE,
        }
        # The same bare view sending as many bytes as each page: what the wire and the client
        # cost for that size, which no server-side work can save.
        same_size = {}
        for name in list(pages)[:3]:
            kib = max(1, round(len(warm.request("GET", pages[name])[2]) / 1024))
            same_size[name] = f"bare {kib} KiB"
            pages[same_size[name]] = f"{BARE}{kib}/"
            status, *_rest = warm.request("GET", pages[same_size[name]])
            if status != 200:
                raise RuntimeError(f"warm-up: {pages[same_size[name]]} answered {status}")
        runs = defaultdict(list)
        for _round in range(args.rounds):  # interleaved, so a busy moment hits every page alike
            for name, path in pages.items():
                cpu_before = server_cpu_seconds(server.proc.pid)
                if wrk:
                    run = run_wrk(server.url + path, args.wrk_duration, args.connections, script)
                else:
                    run = run_python_get(server.port, path, args.wrk_duration, args.connections)
                run["cpu"] = server_cpu_seconds(server.proc.pid) - cpu_before
                runs[name].append(run)
        print(f"\n(a) anonymous readers, pure GET ({tool}; {args.rounds} interleaved rounds)")
        print(
            f"{'page':<14}{'KiB':>6}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'cache hits':>12}{'errors':>8}"
            f"{'CPU ms/req':>12}"
        )
        rps, cpu, all_hits = {}, {}, {}
        for name, path in pages.items():
            rounds = runs[name]
            rps[name] = sum(r["requests"] for r in rounds) / sum(r["seconds"] for r in rounds)
            cpu[name] = 1000 * sum(r["cpu"] for r in rounds) / max(1, sum(r["requests"] for r in rounds))
            hits, misses = sum(r["hits"] for r in rounds), sum(r["misses"] for r in rounds)
            all_hits[name] = hits > 0 and misses == 0
            errors = sum(r["errors"] for r in rounds)
            ratio = f"{100 * hits / (hits + misses):.1f}%" if hits + misses else "-"
            size = len(warm.request("GET", path)[2]) / 1024
            print(
                f"{name:<14}{size:>6.0f}{rps[name]:>9.0f}{statistics.median(r['p50'] for r in rounds):>9.1f}"
                f"{max(r['p99'] for r in rounds):>9.1f}{ratio:>12}{errors:>8}{cpu[name]:>12.2f}"
            )
            if errors:
                failures.append(f"{name}: {errors} errors in the pure-GET run")
        print(
            "(req/s over all rounds; p50: median of the rounds; p99: worst round; CPU ms/req: CPU time of\n"
            " the gunicorn processes per request, which other load on the machine hardly changes)"
        )
        print(
            "ratio to the bare view (issue 3 target for an anonymous post page: at least 0.5; "
            "a page served\n from the page cache only: at least 0.9), and to the bare view sending "
            "as many bytes as the page"
        )
        for name in ("home", "post page", f"post, {site['seeded_comments']} c."):
            ratio, capacity = rps[name] / rps["bare view"], cpu["bare view"] / max(cpu[name], 1e-9)
            verdict = "target met" if ratio >= 0.5 else "BELOW the target"
            if all_hits[name]:
                verdict += ", cache-hit target " + ("met" if ratio >= 0.9 else "BELOW")
            sized = same_size[name]
            print(
                f"  {name:<14} req/s {ratio:.2f} - {verdict}; by server CPU per request {capacity:.2f}\n"
                f"  {'':<14} to the {sized} bare view: req/s {rps[name] / rps[sized]:.2f}, "
                f"by server CPU per request {cpu[sized] / max(cpu[name], 1e-9):.2f}"
            )

        # (b) mixed workload
        print(
            f"\n(b) mixed workload for {args.duration} s: {args.readers} readers, {args.commenters} "
            f"commenters, {args.voters} voters (Python clients on the same 2 cores: latency as they see it)"
        )
        min_seconds = float(settings.COMMENTS_MIN_SUBMIT_SECONDS)
        cpu_before = server_cpu_seconds(server.proc.pid)
        rec, elapsed = run_mixed(server.port, site, args, min_seconds)
        server_cpu = server_cpu_seconds(server.proc.pid) - cpu_before
        print(
            f"{'request':<22}{'count':>7}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'cache hits':>12}{'errors':>8}"
        )
        total = 0
        for kind in sorted(rec.latencies):
            lat = rec.latencies[kind]
            total += len(lat)
            hits = rec.cache[kind]
            cached = hits["hit"] + hits["miss"]
            ratio = f"{100 * hits['hit'] / cached:.1f}%" if cached else "-"
            print(
                f"{kind:<22}{len(lat):>7}{len(lat) / elapsed:>9.1f}{percentile(lat, 50) * 1000:>9.1f}"
                f"{percentile(lat, 99) * 1000:>9.1f}{ratio:>12}{len(rec.errors[kind]):>8}"
            )
        all_lat = [x for lat in rec.latencies.values() for x in lat]
        n_errors = sum(len(e) for e in rec.errors.values())
        print(
            f"{'all':<22}{total:>7}{total / elapsed:>9.1f}{percentile(all_lat, 50) * 1000:>9.1f}"
            f"{percentile(all_lat, 99) * 1000:>9.1f}{'':>12}{n_errors:>8}"
        )
        known = sum(1 for _c, _t, k in rec.accepted_comments if k)
        print(
            f"accepted: {len(rec.accepted_comments)} comments ({known} by known authors, approved at once), "
            f"{len(rec.accepted_votes)} votes in {elapsed:.1f} s"
        )
        print(
            f"server CPU: {server_cpu / elapsed:.2f} cores busy on average, "
            f"{1000 * server_cpu / max(1, total):.1f} ms per request"
        )
        for kind, messages in rec.errors.items():
            if not messages:
                continue
            for message, count in Counter(messages).most_common(5):
                print(f"  error {kind}: {message} (x{count})")
            failures.append(f"{kind}: {len(messages)} errors")
        if not rec.accepted_comments or not rec.accepted_votes:
            failures.append("the mixed workload accepted no comment or no vote")

        # (c) database check
        problems, status, ballots = check_database(rec, site)
        print(
            f"\n(c) database: {sum(status.values())} comments of the run stored ({dict(status)}), "
            f"{ballots} ballots: "
            + ("OK, every accepted comment and vote stored exactly once" if not problems else "FAIL")
        )
        for problem in problems:
            print(f"  - {problem}")
        failures += problems
    except TimeoutError as exc:  # --max-runtime: clean up, report, exit 1
        failures.append(str(exc))
    except Exception as exc:
        failures.append(f"{type(exc).__name__}: {exc}")
        raise
    finally:
        signal.alarm(0)
        if server is not None:
            server.stop()
        if django_ready:
            connections_close_all()
        if args.store == "pg":
            with psycopg.connect(admin_dsn, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            client = redis.Redis.from_url(args.redis)
            keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
            if keys:
                client.delete(*keys)
            removed = f"database dropped, {len(keys)} cache keys deleted"
        else:
            removed = "SQLite file and disk cache deleted with the temporary directory"
        server_errors = []
        if log.exists():
            lines = log.read_text(errors="replace").splitlines()
            server_errors = [
                i
                for i, ln in enumerate(lines)
                if "Traceback" in ln or " ERROR " in ln or "[ERROR]" in ln or "[CRITICAL]" in ln
            ]
            if server_errors:
                print(f"\ngunicorn log: {len(server_errors)} error lines; the first:")
                first = server_errors[0]
                print("\n".join("  " + ln for ln in lines[first : first + 25]))
        if server_errors:
            kept = Path(tempfile.gettempdir()) / f"bw-load-{run_id}-gunicorn.log"
            shutil.copy(log, kept)
            print(f"the whole gunicorn log: {kept}")
        shutil.rmtree(tmp, ignore_errors=True)
        load = " ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"\ncleaned up ({removed}); load average now {load}")
        print(f"total {time.perf_counter() - t0:.0f} s")
        if server_errors:
            failures.append("errors in the gunicorn log")
    print("RESULT: " + ("OK" if not failures else "FAIL - " + "; ".join(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
