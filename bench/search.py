#!/usr/bin/env python
"""Search relevance and speed: the hit rate of the relevance set, and query times.

    .venv/bin/python bench/search.py                     # SQLite (FTS5 + Snowball German)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bw_bench .venv/bin/python bench/search.py
    .venv/bin/python bench/search.py --filler 5000       # more unrelated posts around the set

A fresh test database (``test_<name>`` beside the configured one, dropped afterwards) gets the
relevance set of ``blog/search_relevance.py`` plus ``--filler`` generated posts. Printed: per
query the post that must come first and the one that did, the hit rate (share of queries
whose expected post came first) and the median ms of ``/search/?q=…`` through the test Client
with the page cache off.
"""

from __future__ import annotations

import argparse
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

from pages import WORDS, configure  # noqa: E402


def fill(n: int, rng: random.Random) -> None:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from blog.models import Post
    from blog.search import stem_words
    from blog.search_relevance import QUERIES

    # Noise, not rivals: no word of the set's queries (the relevance set decides who must win).
    query_stems = set(stem_words(" ".join(QUERIES).split()))
    words = [w for w, s in zip(WORDS, stem_words(WORDS), strict=True) if s not in query_stems]
    user, _ = get_user_model().objects.get_or_create(username="fueller")
    now = timezone.now()
    for i in range(n):
        Post.objects.create(
            title=" ".join(rng.choices(words, k=5)),
            slug=f"fueller-{i}",
            author=user,
            body="\n\n".join(" ".join(rng.choices(words, k=60)) for _ in range(4)),
            status=Post.Status.PUBLISHED,
            published_at=now - timedelta(days=400 + i),
        )


def run(filler: int, runs: int) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings
    from django.utils import timezone

    from blog.search_relevance import QUERIES, relevance_hits, relevance_load

    fill(filler, random.Random(13))
    now = timezone.now()
    posts = relevance_load(published_at=lambda n: now - timedelta(days=n + 1))
    rows = relevance_hits(posts)
    hits = sum(expected == first for _q, expected, first in rows)
    print(f"database: {connection.vendor}, posts: {len(posts) + filler}")
    print(f"{'query':28} {'expected':12} {'first':12}")
    for query, expected, first in rows:
        print(f"{query:28} {expected:12} {first or '-':12} {'' if expected == first else 'MISS'}")
    print(f"hit rate: {hits}/{len(QUERIES)} = {hits / len(QUERIES):.0%}")

    client = Client()
    with override_settings(PAGECACHE_SECONDS=0):
        times = []
        for query in list(QUERIES)[:6]:
            client.get("/search/", {"q": query})
            for _ in range(runs):
                start = time.perf_counter()
                assert client.get("/search/", {"q": query}).status_code == 200
                times.append((time.perf_counter() - start) * 1000)
        print(f"search page: median {statistics.median(times):.1f} ms over {len(times)} requests")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--filler", type=int, default=500, help="unrelated posts (default 500)")
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bw-search-") as tmp:
        configure(Path(tmp))
        from django.db import connection

        old_name = connection.creation.create_test_db(
            verbosity=0, autoclobber=True, keepdb=False, serialize=False
        )
        try:
            run(args.filler, args.runs)
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
