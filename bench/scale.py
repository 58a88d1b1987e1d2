#!/usr/bin/env python
"""Every public page on the demo site and on a ten-year-old blog, side by side (issue 15).

    .venv/bin/python bench/scale.py                      # SQLite: demo vs 10,000 posts
    .venv/bin/python bench/scale.py --postgres           # SQLite and PostgreSQL
    .venv/bin/python bench/scale.py --db postgres --runs 9 --no-rss
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bw_scale .venv/bin/python bench/scale.py --postgres

The large site is 10,000 posts (50 categories, one of them with 5,000 posts, 500 tags),
about 100,000 threaded comments (one post with 1,000) and posts embedding a poll through
``[polldaddy poll=4711]``: a WXR file written by ``bench/import_wxr.py``'s generator and
loaded with ``manage.py import_wxr``, as a real move from WordPress would. The demo site is
``seed_demo``. Both are built once and kept: SQLite files (and the WXR file) under
``var/bench-scale/``, on PostgreSQL the databases ``<name>_demo`` and ``<name>_large`` next
to the one ``DATABASE_URL`` names (default ``bw_scale``) plus a ``pg_dump`` of each, so a
rerun only migrates them (new indexes) and measures. ``--rebuild`` starts over.

Measured in a child process per site, through Django's test Client with DEBUG off, the page
cache off and the small caches (sidebar, footer, related posts) warm: median ms of ``--runs``
renders, the queries of one render, the response size, and large/demo. Admin lists named in
``bench/scale_admin.py`` are measured as a logged-in superuser. Last, one gunicorn worker
serves the large site for 1,000 mixed requests and its resident memory is printed (target:
at most 120 MiB).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "var" / "bench-scale"
SECRET = "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"
LARGE = {"posts": 10_000, "comments": 100_000, "categories": 50, "tags": 500, "big_post_comments": 1_000}
BUILD_VERSION = "1"  # bump when what is built changes
TARGET_MS = 100
TARGET_RATIO = 1.5
RSS_TARGET_MIB = 120
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/bw_scale"
RSS_PORTS = {"sqlite": 8201, "postgres": 8202}

# What runs after the import on both sites: a few polls behind the legacy number the
# generated posts embed, a static page, and the superuser the admin lists are measured as.
EXTRAS = """
from django.contrib.auth import get_user_model
from blog.models import Page
from polls.models import Choice, Poll
for number in (4711, 4712):
    poll, created = Poll.objects.get_or_create(
        slug=f"bench-umfrage-{number}", defaults={"question": f"Umfrage {number}?", "legacy_id": number}
    )
    if created:
        for text in ("Ja", "Nein", "Vielleicht"):
            Choice.objects.create(poll=poll, text=text)
if not Page.objects.filter(slug="ueber-uns").exists():
    Page.objects.create(title="Über uns", slug="ueber-uns", body="<p>Wer wir sind.</p>")
User = get_user_model()
if not User.objects.filter(username="bench-admin").exists():
    User.objects.create_superuser("bench-admin", "bench-admin@example.org", "bench-admin-password")
"""


# ---------------------------------------------------------------- building the sites


def run(args: list[str], env: dict, *, quiet: bool = True) -> None:
    out = subprocess.DEVNULL if quiet else None
    completed = subprocess.run(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.PIPE, text=True)
    if completed.returncode:
        raise SystemExit(
            f"{' '.join(args[:4])}… failed ({completed.returncode}):\n{completed.stderr[-3000:]}"
        )


def base_env(database_url: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "SECRET_KEY": SECRET,
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
        "MEDIA_ROOT": str(CACHE / "media"),
        "CACHE_KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "bench-scale"),
    }


def build_key(size: str) -> str:
    params = json.dumps(LARGE if size == "large" else {"demo": True}, sort_keys=True)
    return hashlib.sha256(f"{BUILD_VERSION}:{params}".encode()).hexdigest()[:12]


def wxr_file() -> Path:
    path = CACHE / f"large-{build_key('large')}.xml"
    if not path.exists():
        sys.path.insert(0, str(ROOT / "bench"))
        from import_wxr import generate

        started = time.perf_counter()
        partial = path.with_suffix(".part")
        generate(partial, LARGE["posts"], LARGE["comments"], wide_category=True,
                 categories=LARGE["categories"], tags=LARGE["tags"],
                 big_post_comments=LARGE["big_post_comments"])  # fmt: skip
        partial.rename(path)
        print(
            f"  generated {path.name} ({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - started:.0f} s"
        )
    return path


def fill(size: str, env: dict) -> None:
    """Migrate an empty database and load the site into it."""
    python = sys.executable
    started = time.perf_counter()
    run([python, "manage.py", "migrate", "--noinput", "-v0"], env)
    if size == "demo":
        run([python, "manage.py", "seed_demo", "--force"], {**env, "DEBUG": "true"})
    else:
        export = wxr_file()
        print("  importing (a few minutes on a loaded machine)…", flush=True)
        run([python, "manage.py", "import_wxr", str(export)], env)
    run([python, "manage.py", "shell", "-c", EXTRAS], env)
    print(f"  built the {size} site in {time.perf_counter() - started:.0f} s", flush=True)


def sqlite_site(size: str, rebuild: bool) -> str:
    path = CACHE / f"{size}-{build_key(size)}.sqlite3"
    if rebuild and path.exists():
        path.unlink()
    if not path.exists():
        print(f"building the {size} site on SQLite → {path}", flush=True)
        partial = path.with_suffix(".building")
        partial.unlink(missing_ok=True)
        fill(size, base_env(f"sqlite:///{partial}"))
        partial.rename(path)
    url = f"sqlite:///{path}"
    run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], base_env(url))  # new indexes
    return url


def _pg_urls(database_url: str, name: str) -> tuple[str, str]:
    parts = urlsplit(database_url)
    return (urlunsplit(parts._replace(path=f"/{name}")), urlunsplit(parts._replace(path="/postgres")))


def _psql(admin_url: str, sql: str) -> str:
    return subprocess.run(
        ["psql", admin_url, "-Atqc", sql], check=True, capture_output=True, text=True
    ).stdout.strip()


def _wait_for_other_build(pidfile: Path) -> None:
    """Another run of this script is building the same database: wait for it."""
    while pidfile.exists():
        pid = int(pidfile.read_text() or 0)
        if pid == os.getpid() or not Path(f"/proc/{pid}").exists():
            pidfile.unlink(missing_ok=True)
            return
        print(f"  waiting for process {pid}, which builds this database…", flush=True)
        time.sleep(30)


def postgres_site(size: str, rebuild: bool, database_url: str) -> str:
    base = urlsplit(database_url).path.lstrip("/") or "bw_scale"
    name = f"{base}_{size}"
    url, admin = _pg_urls(database_url, name)
    marker = CACHE / f"pg-{name}.key"
    _wait_for_other_build(CACHE / f"pg-{name}.pid")
    dump = CACHE / f"pg-{name}-{build_key(size)}.dump"
    exists = _psql(admin, f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"  # noqa: S608
    fresh = exists and marker.exists() and marker.read_text() == build_key(size) and not rebuild
    if not fresh:
        (CACHE / f"pg-{name}.pid").write_text(str(os.getpid()))
        if exists:
            _psql(admin, f'DROP DATABASE "{name}" WITH (FORCE)')
        _psql(admin, f'CREATE DATABASE "{name}"')
        marker.unlink(missing_ok=True)
        if dump.exists() and not rebuild:
            print(f"restoring the {size} site on PostgreSQL from {dump.name}", flush=True)
            subprocess.run(["pg_restore", "--no-owner", "-d", url, str(dump)], check=True)
        else:
            print(f"building the {size} site on PostgreSQL → {name}", flush=True)
            fill(size, base_env(url))
            subprocess.run(["pg_dump", "-Fc", "-f", str(dump), url], check=True)
        _psql(url, "ANALYZE")
        marker.write_text(build_key(size))
        (CACHE / f"pg-{name}.pid").unlink(missing_ok=True)
    run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], base_env(url))
    return url


# ---------------------------------------------------------------- measuring (child process)


def discover() -> dict:
    """One URL per page type, chosen from the data: the same rule on both sites."""
    from django.db.models import Count, Q
    from django.utils import timezone

    from blog.models import Category, Page, Post, Tag
    from blog.sitemaps import PART_SIZE
    from comments.models import Comment

    published = Post.objects.published()
    newest = published.order_by("-published_at").first()
    approved = Q(comments__status=Comment.Status.APPROVED)
    counted = published.annotate(n=Count("comments", filter=approved)).order_by("-n", "pk")
    big = counted.first()
    near_five = (
        published.annotate(n=Count("comments", filter=approved))
        .filter(n__lte=5)
        .order_by("-n", "-pk")
        .first()
    )
    category = Category.objects.annotate(n=Count("posts")).order_by("-n", "pk").first()
    tag = Tag.objects.annotate(n=Count("posts")).order_by("-n", "pk").first()
    author = (
        Post.objects.values("author__username")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()["author__username"]
    )
    page = Page.objects.published().first()
    local = timezone.localtime(newest.published_at)
    pages = (published.count() + 9) // 10
    return {
        "home": "/",
        "home ?page=500": f"/?page={min(500, pages)}",
        "post, 5 comments": near_five.get_absolute_url(),
        "post, most comments": big.get_absolute_url(),
        "category (largest)": category.get_absolute_url(),
        "tag (largest)": tag.get_absolute_url(),
        "author": f"/author/{author}/",
        "archive year": f"/{local:%Y}/",
        "archive month": f"/{local:%Y/%m}/",
        "archive day (301)": f"/{local:%Y/%m/%d}/",
        "search": "/search/?q=Social+Media",
        "page": page.get_absolute_url(),
        "/feed/": "/feed/",
        "/feed/atom/": "/feed/atom/",
        "/comments/feed/": "/comments/feed/",
        "category feed": f"{category.get_absolute_url()}feed/",
        "post comments feed": f"/comments/feed/post/{big.pk}/",
        "sitemap index": "/sitemap.xml",
        "sitemap posts p1": "/sitemap-posts.xml",
        "sitemap posts last": f"/sitemap-posts.xml?p={max(1, -(-published.count() // PART_SIZE))}",
        "sitemap taxonomy": "/sitemap-taxonomy.xml",
        "sitemap pages": "/sitemap-pages.xml",
        "_facts": {
            "posts": published.count(),
            "comments": Comment.objects.count(),
            "most comments": big.n,
            "five": near_five.n,
            "category posts": category.n,
        },
    }


def mixed_urls(count: int, seed: int = 15) -> list[str]:
    """A reader mix for the memory run: posts, listings, archives, feeds, sitemap, search."""
    from blog.models import Category, Post, Tag

    rng = random.Random(seed)
    posts = list(Post.objects.published().order_by("?")[:400])
    categories = [c.get_absolute_url() for c in Category.objects.all()]
    tags = [t.get_absolute_url() for t in Tag.objects.all()[:200]]
    urls = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.45:
            urls.append(rng.choice(posts).get_absolute_url())
        elif roll < 0.55:
            urls.append(f"/?page={rng.randint(1, 900)}")
        elif roll < 0.65:
            urls.append(rng.choice(categories) + f"?page={rng.randint(1, 20)}")
        elif roll < 0.72:
            urls.append(rng.choice(tags))
        elif roll < 0.78:
            post = rng.choice(posts)
            urls.append(f"/{post.permalink_date:%Y/%m}/")
        elif roll < 0.84:
            urls.append(rng.choice(["/feed/", "/feed/atom/", "/comments/feed/"]))
        elif roll < 0.90:
            urls.append(rng.choice(["/sitemap.xml", "/sitemap-posts.xml", "/sitemap-posts.xml?p=2"]))
        elif roll < 0.95:
            urls.append(f"/search/?q={rng.choice(['Betonung', 'Social+Media', 'Zwischentitel', 'Kunden'])}")
        else:
            urls.append(f"/comments/feed/post/{rng.choice(posts).pk}/")
    return urls


def child_measure(runs: int, out: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings, setup_test_environment

    setup_test_environment()
    override_settings(
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "scale"}},
        PAGECACHE_SECONDS=0,
        ALLOWED_HOSTS=["testserver"],
    ).enable()
    cache.clear()
    sys.path.insert(0, str(ROOT / "bench"))
    from scale_admin import ADMIN_URLS

    urls = discover()
    facts = urls.pop("_facts")
    admin_client = Client()
    admin_client.force_login(get_user_model().objects.get(username="bench-admin"))
    pages = [(name, url, Client()) for name, url in urls.items()]
    for name, url in ADMIN_URLS:
        pages.append((name, url(facts) if callable(url) else url, admin_client))
    rows = {}
    for name, url, client in pages:
        for _ in range(2):  # warm: sidebar, footer, neighbours, compiled templates
            response = client.get(url)
        executed = []

        def count(execute, sql, params, many, context, executed=executed):
            executed.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            response = client.get(url)
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        rows[name] = {
            "url": url,
            "status": response.status_code,
            "ms": statistics.median(timings),
            "queries": len(executed),
            "kb": len(response.content) / 1024,
        }
    out.write_text(
        json.dumps({"vendor": connection.vendor, "facts": facts, "rows": rows, "mixed": mixed_urls(1000)})
    )


def measure(database_url: str, runs: int) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        out = Path(handle.name)
    try:
        run([sys.executable, __file__, "--child", str(out), "--runs", str(runs)], base_env(database_url))
        return json.loads(out.read_text())
    finally:
        out.unlink(missing_ok=True)


def merge(rounds: list[dict]) -> dict:
    """One result from several rounds: per page the median of the rounds' medians."""
    merged = rounds[0]
    for name, row in merged["rows"].items():
        row["ms"] = statistics.median(r["rows"][name]["ms"] for r in rounds)
    return merged


# ---------------------------------------------------------------- memory of a worker


def worker_rss(database_url: str, urls: list[str], port: int) -> tuple[float, float, int, float]:
    """Resident and peak MiB of a single gunicorn worker after serving ``urls``."""
    sys.path.insert(0, str(ROOT))
    from tests.live.stack import Gunicorn, collect_static

    with tempfile.TemporaryDirectory(prefix="bw-scale-rss-") as tmp:
        # Collected anew each run: a kept copy goes stale when a stylesheet is added, and
        # every page then answers 500 (a missing manifest entry).
        static = collect_static(Path(tmp) / "static")
        env = {
            **base_env(database_url),
            "STATIC_ROOT": str(static),
            "CACHE_DIR": str(Path(tmp) / "cache"),
            "REDIS_URL": "",
            "RATELIMIT_ENABLED": "false",
            "SITE_URL": f"http://127.0.0.1:{port}",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
        }
        server = Gunicorn(env, workers=1, log=Path(tmp) / "gunicorn.log")
        server.port = port
        server.start(timeout=60)
        errors, started = 0, time.perf_counter()
        try:
            for url in urls:
                try:
                    with urllib.request.urlopen(server.url + url, timeout=60) as response:  # noqa: S310
                        response.read()
                except urllib.error.HTTPError as exc:
                    errors += exc.code >= 500
            seconds = time.perf_counter() - started
            children = Path(f"/proc/{server.proc.pid}/task/{server.proc.pid}/children").read_text().split()
            status = Path(f"/proc/{children[0]}/status").read_text()
            fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            rss = int(fields["VmRSS"].split()[0]) / 1024
            peak = int(fields["VmHWM"].split()[0]) / 1024
        finally:
            server.stop()
    return rss, peak, errors, seconds


# ---------------------------------------------------------------- report


def print_table(vendor: str, demo: dict, large: dict) -> list[str]:
    failures = []
    print(f"\n{vendor}: demo ({demo['facts']['posts']} posts, {demo['facts']['comments']} comments) vs "
          f"large ({large['facts']['posts']} posts, {large['facts']['comments']} comments); "
          f"post with most comments: {demo['facts']['most comments']} / {large['facts']['most comments']}")  # fmt: skip
    header = f"{'page':<22}{'demo ms':>9}{'large ms':>10}{'ratio':>7}{'queries':>10}{'KB':>14}  large url"
    print(header)
    print("-" * len(header))
    for name, row in large["rows"].items():
        small = demo["rows"].get(name)
        ratio = row["ms"] / small["ms"] if small else float("nan")
        queries = f"{small['queries'] if small else '-'}/{row['queries']}"
        kb = f"{small['kb'] if small else 0:.0f}/{row['kb']:.0f}"
        limit = 200 if name.startswith("admin") else TARGET_MS
        mark = ""
        if row["ms"] > limit or (not name.startswith("admin") and ratio > TARGET_RATIO):
            mark = " !"
            failures.append(f"{vendor} {name}")
        if row["status"] not in (200, 301):
            mark += f" [{row['status']}]"
        print(
            f"{name:<22}{small['ms'] if small else 0:>9.1f}{row['ms']:>10.1f}{ratio:>7.2f}{queries:>10}{kb:>14}"
            f"  {row['url']}{mark}"
        )
    page1, deep = large["rows"]["home"]["ms"], large["rows"]["home ?page=500"]["ms"]
    print(f"deep pagination: ?page=500 / page 1 = {deep / page1:.2f} (target ≤ 2)")
    if deep / page1 > 2:
        failures.append(f"{vendor} deep pagination")
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", nargs="+", choices=["sqlite", "postgres"], default=["sqlite"])
    parser.add_argument("--postgres", action="store_true", help="same as --db sqlite postgres")
    parser.add_argument("--runs", type=int, default=5, help="renders per page and round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds alternating demo and large")
    parser.add_argument("--rebuild", action="store_true", help="build the sites anew")
    parser.add_argument("--no-rss", action="store_true", help="skip the gunicorn memory run")
    parser.add_argument("--requests", type=int, default=1000, help="requests of the memory run")
    parser.add_argument(
        "--build-only", action="store_true", help="build (or check) the sites, measure nothing"
    )
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        child_measure(options.runs, options.child)
        return 0
    databases = ["sqlite", "postgres"] if options.postgres else options.db
    CACHE.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg()
    print(f"load average at start: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} ({os.cpu_count()} CPUs)")
    failures = []
    for vendor in databases:
        pg = (
            os.environ.get("DATABASE_URL", "")
            if os.environ.get("DATABASE_URL", "").startswith("postgres")
            else DEFAULT_PG
        )
        sites = {
            size: sqlite_site(size, options.rebuild) if vendor == "sqlite" else postgres_site(size, options.rebuild, pg)
            for size in ("demo", "large")
        }  # fmt: skip
        if options.build_only:
            continue
        # Rounds alternate between the sites, so a burst of load on the shared machine hits
        # both alike; each page's figure is the median over the rounds.
        rounds = [
            {size: measure(url, options.runs) for size, url in sites.items()} for _ in range(options.rounds)
        ]
        results = {size: merge([r[size] for r in rounds]) for size in sites}
        failures += print_table(vendor, results["demo"], results["large"])
        if not options.no_rss:
            mixed = results["large"]["mixed"][: options.requests]
            rss, peak, errors, seconds = worker_rss(sites["large"], mixed, RSS_PORTS[vendor])
            print(
                f"gunicorn worker on the large site after {len(mixed)} mixed requests ({seconds:.0f} s): "
                f"RSS {rss:.0f} MiB, peak {peak:.0f} MiB (target ≤ {RSS_TARGET_MIB}), 5xx: {errors}"
            )
            if rss > RSS_TARGET_MIB or errors:
                failures.append(f"{vendor} worker memory")
    load = os.getloadavg()
    print(f"\nload average at end: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    print("all targets met" if not failures else "over target: " + ", ".join(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
