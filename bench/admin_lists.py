#!/usr/bin/env python
"""Every admin change list, with each of its filters, on a large site: ms and queries.

    .venv/bin/python bench/admin_lists.py                   # SQLite, 10,000 posts, 100,000 comments
    .venv/bin/python bench/admin_lists.py --postgres        # the same on PostgreSQL
    .venv/bin/python bench/admin_lists.py --posts 1000 --comments 10000 --runs 3 --only blog

The site is built once with the WordPress export generator of ``bench/import_wxr.py`` and
``manage.py import_wxr`` (child processes), then topped up to 50 categories and 500 tags and
given what the importer does not bring: images, polls with votes, users, subscriptions,
bans, open reports, imported page comments. SQLite keeps it in ``var/bench-admin/``;
``--postgres`` in the database ``bw_scaleadmin`` (or ``--database NAME``) on
127.0.0.1:5432. Later runs reuse it (``--rebuild`` starts over); ``migrate`` runs every time,
so new indexes are measured.

Every registered ``ModelAdmin`` whose change list is a Django ``ChangeList`` is requested
through the test Client signed in as a superuser: the bare list, one request per filter
(its first choice, as an editor would click it), the date hierarchy's first year, a search
and page 20. Each URL gets one warm-up (queries counted there) and ``--runs`` timed requests;
the median wall time and the median CPU time of this process are printed, and every URL
over the 200 ms target is listed at the end. On a busy shared machine "cpu ms" shows the
work without the waiting (on SQLite that is all of it; on PostgreSQL the server's share is
missing); the load average is printed too.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.append(str(ROOT / "bench"))  # after the apps: bench/comments.py is not the comments app

TARGET_MS = 200
SECRET = "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"


def environment(database_url: str, workdir: Path) -> dict:
    return {
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("SECRET_KEY", SECRET),
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": "testserver,localhost",
        "MEDIA_ROOT": str(workdir / "media"),
        "CACHE_DIR": str(workdir / "cache"),
        "CACHE_KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "bw-admin-bench"),
        "LOG_LEVEL": "WARNING",
    }


def child(args: list[str], env: dict) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env={**os.environ, **env}, check=True)


def postgres_reset(database_url: str, name: str) -> None:
    import psycopg

    server = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def build(options, env: dict, workdir: Path) -> None:
    """Generate the export, migrate an empty database and import it (child processes)."""
    from import_wxr import generate

    export = workdir / f"export-{options.posts}-{options.comments}.xml"
    if not export.exists():
        started = time.perf_counter()
        generate(export, options.posts, options.comments)
        print(f"generated {export.name} in {time.perf_counter() - started:.0f} s", flush=True)
    child(["migrate", "--noinput", "-v0"], env)
    started = time.perf_counter()
    child(["import_wxr", str(export)], env)
    print(f"imported in {time.perf_counter() - started:.0f} s", flush=True)


def top_up(options) -> None:
    """What the importer does not make: more taxonomy, images, polls, people, reports."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import transaction
    from django.utils import timezone

    from blog.models import Category, Image, Page, Post, Tag
    from comments.models import Ban, Comment, CommentReport, Subscription
    from polls.models import Ballot, Choice, Poll, Vote
    from wpimport.models import PageComment

    rng = random.Random(4711)
    now = timezone.now()
    User = get_user_model()
    with transaction.atomic():
        extra_categories = Category.objects.bulk_create(
            Category(name=f"Bereich {n}", slug=f"bereich-{n}") for n in range(options.categories - 20)
        )
        extra_tags = Tag.objects.bulk_create(
            Tag(name=f"Schlagwort {n}", slug=f"schlagwort-{n}") for n in range(options.tags - 300)
        )
        post_ids = list(Post.objects.values_list("pk", flat=True))
        if extra_categories:
            Post.categories.through.objects.bulk_create(
                (
                    Post.categories.through(
                        post_id=pk, category_id=extra_categories[pk % len(extra_categories)].pk
                    )
                    for pk in post_ids
                    if pk % 3 == 0
                ),
                batch_size=2000,
            )
        if extra_tags:
            Post.tags.through.objects.bulk_create(
                (
                    Post.tags.through(post_id=pk, tag_id=extra_tags[pk % len(extra_tags)].pk)
                    for pk in post_ids
                ),
                batch_size=2000,
            )
        Image.objects.bulk_create(
            (
                Image(
                    file=f"images/bench/bild-{n}.jpg",
                    width=1600,
                    height=900,
                    alt_text=f"Bild {n}",
                    credit_name="flickr" if n % 2 else "",
                    renditions={"fallback": [[400, f"images/bench/bild-{n}-400.jpg"]]},
                )
                for n in range(options.images)
            ),
            batch_size=1000,
        )
        pages = Page.objects.bulk_create(
            Page(
                title=f"Seite {n}", slug=f"seite-{n}", body=f"## Seite {n}\n\nText.", body_html="<p>Text.</p>"
            )
            for n in range(options.pages)
        )
        PageComment.objects.bulk_create(
            (
                PageComment(
                    site="http://bench.example.org",
                    wp_id=900_000 + n,
                    page=pages[n % len(pages)],
                    author_name=f"Leser {n % 97}",
                    body_html="<p>Danke.</p>",
                    status=rng.choice(["approved", "approved", "pending", "spam"]),
                    created_at=now - timedelta(hours=n),
                )
                for n in range(options.pages * 20)
            ),
            batch_size=2000,
        )
        editors = Group.objects.filter(name="Editors").first()
        users = User.objects.bulk_create(
            User(username=f"nutzer{n}", email=f"nutzer{n}@example.org", is_staff=n % 10 == 0)
            for n in range(options.users)
        )
        if editors:
            editors.user_set.add(*users[::10])
        comment_ids = list(
            Comment.objects.order_by("pk").values_list("pk", "post_id")[: options.subscriptions]
        )
        Subscription.objects.bulk_create(
            (
                Subscription(
                    post_id=post_id,
                    email=f"abo{n}@example.org",
                    comment_id=comment_id,
                    confirmed_at=now if n % 3 else None,
                )
                for n, (comment_id, post_id) in enumerate(comment_ids)
            ),
            batch_size=2000,
        )
        CommentReport.objects.bulk_create(
            (
                CommentReport(
                    comment_id=comment_id, reason="Beleidigend", reporter_hash=f"h{n}", resolved=n % 4 == 0
                )
                for n, (comment_id, _post) in enumerate(comment_ids[: options.subscriptions // 2])
            ),
            batch_size=2000,
        )
        Ban.objects.bulk_create(
            Ban(kind=Ban.Kind.EMAIL, value=f"spam{n}@example.net", note="Spam") for n in range(options.bans)
        )
        for n in range(options.polls):
            poll = Poll.objects.create(
                question=f"Umfrage {n}?",
                slug=f"umfrage-{n}",
                opens_at=now - timedelta(days=n * 7),
                closes_at=now - timedelta(days=n * 7 - 30) if n % 3 else None,
                legacy_id=10_000 + n,
            )
            choices = Choice.objects.bulk_create(
                Choice(poll=poll, text=f"Antwort {c}", position=c) for c in range(4)
            )
            ballots = Ballot.objects.bulk_create(
                Ballot(poll=poll, voter=f"v{n}-{b}", created_at=now - timedelta(minutes=b))
                for b in range(options.votes // options.polls)
            )
            Vote.objects.bulk_create(
                (Vote(ballot=ballot, choice=choices[b % 4]) for b, ballot in enumerate(ballots)),
                batch_size=2000,
            )


def configure(env: dict) -> None:
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.test.utils import override_settings

    # No collectstatic needed: plain static storage, as in the test suite.
    override_settings(
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    ).enable()


def changelist_urls(client, only: list[str]) -> list[tuple[str, str]]:
    """(label, url) for every change list: bare, each filter's first choice, date, search, page 20."""
    from django.contrib import admin
    from django.contrib.admin.views.main import ChangeList
    from django.urls import reverse

    urls = [("admin index", reverse("admin:index"))]
    for model, model_admin in sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label):
        label = model._meta.label_lower
        if only and not any(label.startswith(prefix) for prefix in only):
            continue
        base = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = client.get(base)
        context = getattr(response, "context_data", None) or {}
        changelist = context.get("cl")
        if response.status_code != 200 or not isinstance(changelist, ChangeList):
            continue  # a custom page (the moderation desk, a redirect to settings)
        urls.append((label, base))
        for spec in changelist.filter_specs:
            choices = [c for c in spec.choices(changelist) if not c.get("selected")]
            if choices:
                query = choices[len(choices) // 2]["query_string"]
                urls.append((f"{label} filter {spec.title}", base + query))
        if changelist.date_hierarchy:
            field = changelist.date_hierarchy
            urls.append((f"{label} date {field} year", base + "?" + urlencode({f"{field}__year": 2012})))
            urls.append(
                (
                    f"{label} date {field} month",
                    base + "?" + urlencode({f"{field}__year": 2012, f"{field}__month": 5}),
                )
            )
        if model_admin.search_fields:
            urls.append((f"{label} search", base + "?q=Nummer+50"))
        if changelist.result_count > changelist.list_per_page * 20:
            urls.append((f"{label} page 20", base + "?p=20"))
    return urls


def measure(client, url: str, runs: int) -> tuple[float, float, int, int]:
    from django.db import connection

    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):  # survives the connection closing after a request
        response = client.get(url)
    status = response.status_code
    times, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return statistics.median(times), statistics.median(cpu), len(queries), status


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--categories", type=int, default=50)
    parser.add_argument("--tags", type=int, default=500)
    parser.add_argument("--images", type=int, default=2_000)
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--users", type=int, default=1_000)
    parser.add_argument("--subscriptions", type=int, default=5_000)
    parser.add_argument("--bans", type=int, default=500)
    parser.add_argument("--polls", type=int, default=100)
    parser.add_argument("--votes", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL on 127.0.0.1:5432")
    parser.add_argument("--database", default="bw_scaleadmin", help="PostgreSQL database name")
    parser.add_argument("--rebuild", action="store_true", help="build the site again")
    parser.add_argument("--only", nargs="*", default=[], help="model labels to measure, e.g. blog.post auth")
    options = parser.parse_args()

    workdir = ROOT / "var" / "bench-admin"
    workdir.mkdir(parents=True, exist_ok=True)
    size = f"{options.posts}-{options.comments}"
    if options.postgres:
        database_url = f"postgres://postgres@127.0.0.1:5432/{options.database}"
        marker = workdir / f"pg-{options.database}-{size}"
    else:
        database_url = f"sqlite:///{workdir / f'site-{size}.sqlite3'}"
        marker = workdir / f"sqlite-{size}"
    imported, topped_up = marker.with_suffix(".imported"), marker.with_suffix(".topped-up")
    env = environment(database_url, workdir)
    if options.rebuild or not imported.exists():
        topped_up.unlink(missing_ok=True)
        if options.postgres:
            postgres_reset(database_url, options.database)
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(database_url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
        build(options, env, workdir)
        imported.touch()
    child(["migrate", "--noinput", "-v0"], env)  # new indexes count
    configure(env)
    if not topped_up.exists():
        started = time.perf_counter()
        top_up(options)
        print(f"topped up in {time.perf_counter() - started:.0f} s", flush=True)
        if options.postgres:
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        topped_up.touch()

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from blog.models import Post
    from comments.models import Comment

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    admin_user, _created = get_user_model().objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(admin_user)
    urls = changelist_urls(client, options.only)

    load = os.getloadavg()
    print(
        f"\nadmin lists on {connection.vendor}: {Post.objects.count():,} posts, {Comment.objects.count():,} "
        f"comments; median of {options.runs} runs; load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}\n"
    )
    print(f"{'list':58} {'status':>6} {'queries':>7} {'ms':>8} {'cpu ms':>8}")
    slow = []
    for label, url in urls:
        ms, cpu, queries, status = measure(client, url, options.runs)
        flag = " *" if ms > TARGET_MS else ""
        print(f"{label[:58]:58} {status:>6} {queries:>7} {ms:>8.1f} {cpu:>8.1f}{flag}", flush=True)
        if ms > TARGET_MS:
            slow.append((label, url, ms, cpu))
    print(f"\n{len(urls)} URLs, {len(slow)} over {TARGET_MS} ms wall time (marked *):")
    for label, url, ms, cpu in slow:
        print(f"  {ms:7.1f} ms ({cpu:.1f} cpu ms)  {url}  ({label})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
