#!/usr/bin/env python
"""Live-preview round trip of the writing desk: a 2,000-word post with 10 images and 2 polls.

    .venv/bin/python bench/desk_preview.py                 # SQLite file in /tmp, 100 runs
    .venv/bin/python bench/desk_preview.py --runs 300 --words 2000 --images 10 --polls 2
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bw_bench .venv/bin/python bench/desk_preview.py

Builds a throwaway database (as ``pages.py`` does), uploads the images (with renditions),
creates the polls, signs an editor in and POSTs the editor's HTML to the preview endpoint
through Django's test Client, as the desk's JavaScript does after each pause in typing:
one warm-up, then ``--runs`` timed requests. It prints median and p95 in ms and the
queries one preview costs. The target is a median and p95 under 150 ms on this machine.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.pages import WORDS, configure  # noqa: E402


def build_body(*, words: int, images: list, polls: list, rng: random.Random) -> str:
    """Editor HTML: paragraphs and headings, figures and polls spread through the text."""
    blocks, written, paragraph = [], 0, 0
    figures = [
        f'<figure><img src="{image.fallback_url}" alt="" data-file="{image.pk}">'
        f"<figcaption>Bild {i}</figcaption></figure>"
        for i, image in enumerate(images)
    ]
    shortcodes = [f"<p>[poll {poll.slug}]</p>" for poll in polls]
    extras = figures + shortcodes
    rng.shuffle(extras)
    while written < words:
        n = min(80, words - written)
        text = " ".join(rng.choices(WORDS, k=n))
        blocks.append(f"<p>{text} <strong>wichtig</strong> <a href='https://example.org/'>Link</a>.</p>")
        written += n + 2
        paragraph += 1
        if paragraph % 5 == 0:
            blocks.append(f"<h2>Abschnitt {paragraph // 5}</h2>")
        if extras and paragraph % 2 == 0:
            blocks.append(extras.pop())
    blocks.extend(extras)
    blocks.append("<p>https://www.youtube.com/watch?v=dQw4w9WgXcQ</p>")
    return "".join(blocks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--words", type=int, default=2000)
    parser.add_argument("--images", type=int, default=10)
    parser.add_argument("--polls", type=int, default=2)
    parser.add_argument("--show-queries", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bw-desk-bench-") as tmp:
        configure(Path(tmp), migrate=True)
        from django.contrib.auth import get_user_model
        from django.core.files.base import ContentFile
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext
        from django.urls import reverse

        from blog.models import Image
        from polls.models import Choice, Poll
        from tests.factories import image_bytes

        old_name = connection.creation.create_test_db(
            verbosity=0, autoclobber=True, keepdb=False, serialize=False
        )
        try:
            rng = random.Random(1)
            images = [
                Image.objects.create(
                    file=ContentFile(image_bytes("JPEG", (2400, 1600), "#336699"), name=f"bild-{i}.jpg"),
                    alt_text=f"Bild {i}",
                    credit_name="flickr",
                    credit_url="https://www.flickr.com/",
                )
                for i in range(args.images)
            ]
            polls = []
            for i in range(args.polls):
                poll = Poll.objects.create(question=f"Frage {i}?", slug=f"frage-{i}")
                Choice.objects.bulk_create(
                    [Choice(poll=poll, text=t, position=n) for n, t in enumerate("ABC")]
                )
                polls.append(poll)
            body = build_body(words=args.words, images=images, polls=polls, rng=rng)
            get_user_model().objects.create_superuser("desk", "desk@example.org", "desk-pass-123")
            client = Client()
            client.login(username="desk", password="desk-pass-123")
            url = reverse("admin:blog_desk_preview")
            data = {"body": body, "excerpt": "", "seo_description": ""}
            first = client.post(url, data).json()
            assert first["html"].count("<picture>") == args.images, "images not rendered"
            assert first["html"].count("poll-box") >= args.polls, "polls not rendered"
            with CaptureQueriesContext(connection) as queries:
                client.post(url, data)
            query_count = len(queries.captured_queries)
            if "--show-queries" in sys.argv:
                for query in queries.captured_queries:
                    print(query["sql"][:160])
            timings = []
            for _ in range(args.runs):
                started = time.perf_counter()
                response = client.post(url, data)
                timings.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200
            timings.sort()
            p95 = timings[max(0, round(0.95 * len(timings)) - 1)]
            print(
                f"live preview, {first['words']} words, {args.images} images, {args.polls} polls, "
                f"{len(body) // 1024} KiB editor HTML, {connection.vendor}"
            )
            print(
                f"runs {args.runs}  median {statistics.median(timings):.1f} ms  p95 {p95:.1f} ms  "
                f"queries {query_count}  (target: < 150 ms)"
            )
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
