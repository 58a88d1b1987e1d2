#!/usr/bin/env python
"""Reader pages benchmark: queries and median render time per page, for blogs of several sizes.

    .venv/bin/python bench/pages.py                        # SQLite file in /tmp, 10 and 500 posts
    .venv/bin/python bench/pages.py --posts 10 500 2000 --runs 100
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bw_bench .venv/bin/python bench/pages.py
    REDIS_URL=redis://127.0.0.1:6379/9 … bench/pages.py     # cache in Redis instead of local memory

For each size a fresh database is built (with DATABASE_URL: Django's test database
``test_<name>`` next to it, dropped afterwards, so real data is never touched), filled with
N posts, tags, nested categories and a few images, then every page is requested through
Django's test Client: one warm-up, then ``--runs`` timed renders. "queries" and "render ms"
are measured with the anonymous page cache off: "queries" with the small caches (sidebar,
footer) warm, "cold" right after a cache clear. "cached ms" is the same page served from the
page cache, as most anonymous readers get it. Settings are production-like (DEBUG off).
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

WORDS = [
    "Social",
    "Media",
    "Marketing",
    "Kommunikation",
    "Strategie",
    "Facebook",
    "Twitter",
    "Kunden",
    "Dialog",
    "Marke",
    "Reichweite",
    "Kampagne",
    "Inhalte",
    "Leser",
    "Kommentare",
    "Netzwerk",
    "Agentur",
    "Unternehmen",
    "Vertrauen",
]


def configure(workdir: Path, *, migrate: bool = True) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz")
    os.environ["DEBUG"] = "false"
    os.environ["SECURE_SSL_REDIRECT"] = "false"
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
    os.environ.setdefault("CACHE_KEY_PREFIX", "bw-bench")

    import django

    django.setup()
    from django.conf import settings
    from django.test.utils import override_settings, setup_test_environment

    setup_test_environment()
    # No collectstatic needed: plain static storage, as in the test suite.
    override_settings(
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    ).enable()
    database = settings.DATABASES["default"]
    database.setdefault("TEST", {})["MIGRATE"] = migrate
    if database["ENGINE"].endswith("sqlite3"):
        # A file, not memory: WAL and the page cache behave as in production.
        database["TEST"]["NAME"] = str(workdir / "bench-test.sqlite3")


def seed(n_posts: int, rng: random.Random) -> dict:
    """N published posts (plus a few drafts) with tags, nested categories and images."""
    from django.contrib.auth import get_user_model
    from django.core.files.base import ContentFile
    from django.utils import timezone
    from django.utils.text import slugify

    from blog import rendering
    from blog.models import AuthorProfile, Category, Image, Page, Post, Tag
    from tests.factories import image_bytes

    user = get_user_model().objects.create_user("bench", "bench@example.org", "bench-pass-123")
    AuthorProfile.objects.create(user=user, display_name="Erika Muster", byline="Akademieleitung")
    roots = [Category.objects.create(name=f"Bereich {i}", slug=f"bereich-{i}") for i in range(4)]
    children = [
        Category.objects.create(name=f"Thema {i}", slug=f"thema-{i}", parent=roots[i % 4]) for i in range(12)
    ]
    tags = [Tag.objects.create(name=f"{WORDS[i % len(WORDS)]} {i}", slug=f"tag-{i}") for i in range(40)]
    images = [
        Image.objects.create(
            file=ContentFile(image_bytes("JPEG", (1600, 900), color), name=f"bild-{i}.jpg"),
            alt_text=f"Bild {i}",
            credit_name="flickr",
        )
        for i, color in enumerate(("#336699", "#993366", "#669933"))
    ]
    for title in ("Impressum", "Datenschutz", "Über uns"):
        Page.objects.create(title=title, slug=slugify(title), body=f"## {title}\n\nText.")

    now = timezone.now()
    posts = []
    for i in range(n_posts + 3):
        paragraphs = [" ".join(rng.choices(WORDS, k=60)) + "." for _ in range(6)]
        body = f"Ein Beitrag über **Social Media**, Nummer {i}.\n\n" + "\n\n".join(paragraphs)
        body_html = rendering.render_post_body(body)
        draft = i >= n_posts
        posts.append(
            Post(
                title=f"Beitrag {i}: {' '.join(rng.choices(WORDS, k=4))}",
                slug=f"beitrag-{i}",
                author=user,
                body=body,
                body_html=body_html,
                teaser_html=rendering.render_teaser("", body_html),
                status=Post.Status.DRAFT if draft else Post.Status.PUBLISHED,
                published_at=None if draft else now - timedelta(hours=7 * i + 1),
                featured_image=images[i % len(images)],
                is_sticky=i == n_posts // 2,
            )
        )
    Post.objects.bulk_create(posts, batch_size=500)
    post_tags, post_categories = [], []
    for post in Post.objects.all():
        for tag in rng.sample(tags, 3):
            post_tags.append(Post.tags.through(post=post, tag=tag))
        for category in rng.sample(children, 2):
            post_categories.append(Post.categories.through(post=post, category=category))
    Post.tags.through.objects.bulk_create(post_tags, batch_size=1000)
    Post.categories.through.objects.bulk_create(post_categories, batch_size=1000)

    middle = Post.objects.published().order_by("-published_at")[n_posts // 2]
    return {
        "home": "/",
        "post": middle.get_absolute_url(),
        "category": roots[0].get_absolute_url(),
        "tag": tags[0].get_absolute_url(),
        "search": "/search/?q=Strategie+Kunden",
        "feed": "/feed/",
    }


def _timings(client, url: str, runs: int) -> list[float]:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
    return sorted(timings)


def measure(urls: dict, runs: int) -> list[tuple]:
    """Per page: queries and render time without the page cache, then the cached hit time."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    client = Client()
    rows = []
    for name, url in urls.items():
        with override_settings(PAGECACHE_SECONDS=0):
            cache.clear()
            # Count right away: the next request clears the connection's query log.
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url)
            cold = len(captured)
            if response.status_code != 200:
                raise SystemExit(f"{name}: {url} answered {response.status_code}")
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url)
            warm = len(captured)
            rendered = _timings(client, url, runs)
        client.get(url)  # fills the page cache (listings and posts; search and feeds have none)
        cached = _timings(client, url, runs)
        rows.append(
            (
                name,
                warm,
                cold,
                statistics.median(rendered),
                rendered[int(len(rendered) * 0.9) - 1],
                statistics.median(cached),
                len(response.content) // 1024,
                url,
            )
        )
    return rows


def print_table(n_posts: int, vendor: str, rows: list[tuple]) -> None:
    print(f"\n{n_posts} posts on {vendor}")
    header = (
        f"{'page':<10}{'queries':>8}{'cold':>6}{'render ms':>11}{'p90 ms':>9}{'cached ms':>11}{'KiB':>6}  url"
    )
    print(header)
    print("-" * len(header))
    for name, warm, cold, median, p90, cached, kib, url in rows:
        print(f"{name:<10}{warm:>8}{cold:>6}{median:>11.1f}{p90:>9.1f}{cached:>11.1f}{kib:>6}  {url}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--posts", type=int, nargs="+", default=[10, 500], help="blog sizes (default: 10 500)"
    )
    parser.add_argument("--runs", type=int, default=50, help="timed renders per page (default: 50)")
    parser.add_argument("--seed", type=int, default=1, help="random seed for the content")
    parser.add_argument(
        "--no-migrations", action="store_true", help="create tables from the models (faster set-up)"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bw-bench-") as tmp:
        configure(Path(tmp), migrate=not args.no_migrations)
        from django.db import connection

        for n_posts in args.posts:
            old_name = connection.creation.create_test_db(
                verbosity=0, autoclobber=True, keepdb=False, serialize=False
            )
            try:
                started = time.perf_counter()
                urls = seed(n_posts, random.Random(args.seed))
                print(f"\n(seeded {n_posts} posts in {time.perf_counter() - started:.1f}s)", end="")
                print_table(n_posts, connection.vendor, measure(urls, args.runs))
            finally:
                connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
