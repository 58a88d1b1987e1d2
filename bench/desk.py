#!/usr/bin/env python
"""The moderation desk with many comments: queries and render time per tab.

    .venv/bin/python bench/desk.py                          # SQLite file in /tmp, 10,000 comments
    .venv/bin/python bench/desk.py --comments 1000 10000 --runs 30
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bw_bench .venv/bin/python bench/desk.py

Builds a throwaway database (as ``bench/pages.py`` does: with DATABASE_URL Django's test
database ``test_<name>`` next to it, dropped afterwards), fills it with N comments on 200 posts
in every status (40 % spam with scores, a third of them replies, open reports, authors who
come back), signs a moderator in and requests the desk through Django's test Client: one
warm-up, then ``--runs`` timed renders per view. Prints queries and median / p90 ms for each
tab, a search over every status, a filter by author, and a row action answered by ``fetch``.
"cpu ms" is the CPU time this process spent (median): on a busy shared machine it shows the
work without the waiting; with SQLite that is all of it, with PostgreSQL the server's share
is missing.
The target is a fixed number of queries and under 150 ms rendered with 10,000 comments.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from pages import configure  # noqa: E402  (the same production-like settings)

WORDS = [
    "Social",
    "Media",
    "Marketing",
    "PR",
    "Strategie",
    "Kunden",
    "Dialog",
    "Marke",
    "Reichweite",
    "Kampagne",
    "Danke",
    "Frage",
    "casino",
    "viagra",
]


def seed(n: int, rng: random.Random, n_posts: int = 200) -> dict:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from blog.models import Post
    from comments.models import Comment, CommentReport
    from comments.sanitize import render_comment_body

    user = get_user_model().objects.create_user("bench", "bench@example.org", "bench-pass-123")
    moderator = get_user_model().objects.create_superuser("mod", "mod@example.org", "bench-pass-123")
    now = timezone.now()
    posts = Post.objects.bulk_create(
        Post(
            title=f"Beitrag {i}",
            slug=f"beitrag-{i}",
            author=user,
            body="x",
            body_html="<p>x</p>",
            status=Post.Status.PUBLISHED,
            published_at=now - timedelta(days=i),
        )
        for i in range(n_posts)
    )
    statuses = ["pending"] * 10 + ["approved"] * 40 + ["spam"] * 40 + ["trash"] * 10
    comments = []
    for i in range(n):
        status = rng.choice(statuses)
        body = " ".join(rng.choices(WORDS, k=rng.randint(8, 60)))
        comments.append(
            Comment(
                post=posts[i % len(posts)],
                author_name=f"Person {i % 1500}",
                author_email=f"person{i % 1500}@example.org",
                author_url="https://example.org/" if i % 7 == 0 else "",
                body=body,
                body_html=render_comment_body(body),
                status=status,
                reasons=[{"rule": "spam_filter", "action": "hold", "detail": "55 %: casino"}],
                spam_score=rng.random() if status == "spam" else None,
                ip_address=f"203.0.{i % 250}.{i % 200}",
                created_at=now - timedelta(minutes=i),
            )
        )
    Comment.objects.bulk_create(comments, batch_size=1000)
    first = list(Comment.objects.order_by("pk").values_list("pk", "post_id")[: n // 3])
    replies = []
    for i, (pk, post_id) in enumerate(first):
        body = "Antwort " + " ".join(rng.choices(WORDS, k=10))
        replies.append(
            Comment(
                post_id=post_id,
                parent_id=pk,
                depth=1,
                author_name=f"Antwort {i}",
                author_email=f"reply{i % 800}@example.org",
                body=body,
                body_html=render_comment_body(body),
                status=rng.choice(statuses),
                created_at=now - timedelta(minutes=i, seconds=30),
            )
        )
    Comment.objects.bulk_create(replies[: n // 3], batch_size=1000)
    # Keep the total at n: the replies replace the newest plain comments.
    extra = Comment.objects.count() - n
    if extra > 0:
        Comment.objects.filter(
            pk__in=Comment.objects.filter(parent__isnull=True, replies__isnull=True)
            .order_by("-pk")
            .values_list("pk", flat=True)[:extra]
        ).delete()
    reported = Comment.objects.order_by("?").values_list("pk", flat=True)[:50]
    CommentReport.objects.bulk_create(CommentReport(comment_id=pk, reporter_hash=f"r{pk}") for pk in reported)
    return {"moderator": moderator, "author": "person7@example.org"}


def timed(client, method: str, url: str, runs: int, data=None, headers=None) -> tuple[int, list[float]]:
    from django.db import connection

    call = getattr(client, method)
    call(url, data or {}, **(headers or {}))  # warm-up
    captured = []

    def count(execute, sql, params, many, context):
        captured.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = call(url, data or {}, **(headers or {}))
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    timings, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        call(url, data or {}, **(headers or {}))
        timings.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return len(captured), sorted(timings), statistics.median(cpu)


def measure(facts: dict, runs: int) -> list[tuple]:
    from django.test import Client

    from comments.models import Comment

    client = Client()
    client.force_login(facts["moderator"])
    desk = "/admin/comments/comment/"
    views = {
        "pending": f"{desk}?status=pending",
        "approved": f"{desk}?status=approved",
        "spam": f"{desk}?status=spam",
        "all": f"{desk}?status=all",
        "reported": f"{desk}?status=reported",
        "search": f"{desk}?q=Person+12",
        "author": f"{desk}?author={facts['author']}",
        "page 20": f"{desk}?status=spam&p=20",
    }
    rows = []
    for name, url in views.items():
        queries, timings, cpu = timed(client, "get", url, runs)
        rows.append(
            (name, queries, statistics.median(timings), timings[int(len(timings) * 0.9) - 1], cpu, url)
        )
    # A row action by fetch: each run approves another waiting comment (real work every time).
    pks = iter(
        Comment.objects.filter(status="pending").order_by("pk").values_list("pk", flat=True)[: runs + 2]
    )
    fetch = {"HTTP_X_REQUESTED_WITH": "fetch", "HTTP_ACCEPT": "application/json"}
    timings, cpu = [], []
    for _ in range(runs + 1):
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.post(f"{desk}act/approve/", {"id": next(pks), "view": "pending"}, **fetch)
        timings.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"row action answered {response.status_code}")
    timings = sorted(timings[1:])
    rows.append(
        (
            "approve",
            "-",
            statistics.median(timings),
            timings[int(len(timings) * 0.9) - 1],
            statistics.median(cpu[1:]),
            "fetch",
        )
    )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--comments", type=int, nargs="+", default=[10_000])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--posts", type=int, default=200, help="issue 15's large site has 10,000")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bw-desk-") as tmp:
        configure(Path(tmp), migrate=True)
        from django.db import connection

        for n in args.comments:
            old_name = connection.creation.create_test_db(
                verbosity=0, autoclobber=True, keepdb=False, serialize=False
            )
            try:
                started = time.perf_counter()
                facts = seed(n, random.Random(args.seed), args.posts)
                from comments.models import Comment

                print(
                    f"\n{Comment.objects.count()} comments on {args.posts} posts, {connection.vendor} "
                    f"(seeded in {time.perf_counter() - started:.1f}s)"
                )
                print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
                print(f"{'view':<10}{'queries':>8}{'median ms':>11}{'p90 ms':>9}{'cpu ms':>8}  url")
                for name, queries, median, p90, cpu, url in measure(facts, args.runs):
                    print(f"{name:<10}{queries:>8}{median:>11.1f}{p90:>9.1f}{cpu:>8.1f}  {url}")
                print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
            finally:
                connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
