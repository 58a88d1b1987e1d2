#!/usr/bin/env python
"""What a page-cache hit costs, in microseconds, against a bare Django view — in one process.

    .venv/bin/python bench/pagehit.py                                  # SQLite + shared disk cache
    .venv/bin/python bench/pagehit.py --redis redis://127.0.0.1:6379/1  # SQLite + Redis
    .venv/bin/python bench/pagehit.py --rounds 15 --requests 400 --profile

``bench/load.py`` measures requests/s on gunicorn, which a loaded machine makes noisy; this
one calls Django's WSGI handler directly (the same middleware, settings ``bench.settings_bench``
with DEBUG off), so only the server-side cost of a request is timed: the bare view
``/__bench__/bare/`` and, served from the page cache, the home page, the demo post page (comment
form and poll: per-reader CSRF token, captcha and start time) and the post with 250 comments.
Every request is a new reader without cookies, as wrk sends them. Rounds are interleaved;
per page it prints the median µs per request over the rounds and the extra µs over the bare
view, and the ratio bare/page, which is what requests/s on one core would show.

It seeds a throwaway SQLite database (and cache directory, or a key prefix of its own in
Redis) in a temporary directory and removes everything afterwards.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def environ(path: str, cookies: str = "") -> dict:
    path_info, _, query = path.partition("?")
    env = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path_info,
        "QUERY_STRING": query,
        "SCRIPT_NAME": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8100",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_ACCEPT": "text/html",
        "HTTP_ACCEPT_LANGUAGE": "de",
        "HTTP_ACCEPT_ENCODING": "identity",
        "HTTP_USER_AGENT": "blogwerk-pagehit/1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    if cookies:
        env["HTTP_COOKIE"] = cookies
    return env


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--redis", default="", help="cache in this Redis database instead of the disk cache")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--requests", type=int, default=300, help="requests per page and round")
    parser.add_argument("--profile", action="store_true", help="cProfile the demo post page's hits")
    parser.add_argument(
        "--ablate",
        action="store_true",
        help="also time the post page with parts of a hit left out (per-reader values, CSRF token)",
    )
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bw-pagehit-"))
    prefix = f"bw-pagehit-{secrets.token_hex(4)}"
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings_bench",
            "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
            "REDIS_URL": args.redis,
            "CACHE_KEY_PREFIX": prefix,
            "CACHE_DIR": str(tmp / "cache"),
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(40),
            "SECURE_SSL_REDIRECT": "false",
            "RATELIMIT_ENABLED": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "STATIC_ROOT": str(tmp / "static"),
            "MEDIA_ROOT": str(tmp / "media"),
            "EMAIL_URL": "memorymail://",
            "LOG_LEVEL": "WARNING",
        }
    )
    try:
        import django

        django.setup()
        from django.core.cache import cache
        from django.core.handlers.wsgi import WSGIHandler

        from bench.load import BARE, connections_close_all, seed
        from tests.live.stack import collect_static

        site = seed(sys.stdout)
        collect_static(tmp / "static")
        connections_close_all()
        print(f"cache {type(cache).__module__}.{type(cache).__name__}; load average {os.getloadavg()[0]:.1f}")
        handler = WSGIHandler()

        def request(path: str) -> tuple[str, bytes, dict]:
            status_headers = {}

            def start_response(status, headers, exc_info=None):
                status_headers["status"] = status
                status_headers["headers"] = dict(headers)

            result = handler(environ(path), start_response)
            body = b"".join(result)
            if hasattr(result, "close"):
                result.close()
            return status_headers["status"], body, status_headers["headers"]

        pages = {
            "bare view": BARE,
            "home": "/",
            "post page": site["demo_url"],
            f"post, {site['seeded_comments']} c.": site["hot_url"],
        }
        for name, path in pages.items():
            for _i in range(3):  # render, then hits (a process learns which paths are cached)
                status, body, headers = request(path)
            if not status.startswith("200"):
                raise RuntimeError(f"{name}: {status}")
            if name != "bare view" and headers.get("X-Page-Cache") != "hit":
                raise RuntimeError(f"{name}: not served from the page cache ({headers.get('X-Page-Cache')})")
            print(f"  {name:<14} {path:<45} {len(body) / 1024:6.1f} KiB")

        cpu: dict[str, list[float]] = {name: [] for name in pages}
        wall: dict[str, list[float]] = {name: [] for name in pages}
        for _round in range(args.rounds):
            for name, path in pages.items():
                started, started_cpu = time.perf_counter(), time.process_time()
                for _i in range(args.requests):
                    request(path)
                cpu[name].append((time.process_time() - started_cpu) / args.requests * 1e6)
                wall[name].append((time.perf_counter() - started) / args.requests * 1e6)

        print(
            f"\nµs per request, median of {args.rounds} interleaved rounds of {args.requests} requests;"
            "\nCPU: this process's CPU time (what other load on the machine hardly changes), wall: elapsed"
        )
        print(
            f"{'page':<16}{'CPU µs':>8}{'extra':>7}{'bare/page':>11}{'wall µs':>9}{'extra':>7}{'bare/page':>11}"
            f"{'best CPU':>10}{'bare/page':>11}"
        )
        bare_cpu, bare_wall = statistics.median(cpu["bare view"]), statistics.median(wall["bare view"])
        bare_best = min(cpu["bare view"])
        for name in pages:
            c, w, best = statistics.median(cpu[name]), statistics.median(wall[name]), min(cpu[name])
            print(
                f"{name:<16}{c:>8.0f}{c - bare_cpu:>7.0f}{bare_cpu / c:>11.2f}"
                f"{w:>9.0f}{w - bare_wall:>7.0f}{bare_wall / w:>11.2f}{best:>10.0f}{bare_best / best:>11.2f}"
            )
        print("(best CPU: the quickest round, the least disturbed by other load on the machine)")

        if args.ablate:
            from core import pagecache

            fixed_csrf = "x" * 64
            real_csrf, real_per_reader = pagecache.csrf_token, dict(pagecache._per_reader)
            variants = {
                "post page as it is": lambda: None,
                "  without a new CSRF token": lambda: setattr(
                    pagecache, "csrf_token", lambda request: fixed_csrf
                ),
                "  without new captcha/start": lambda: pagecache._per_reader.update(
                    {name: (pattern, lambda: "fixed") for name, (pattern, _f) in real_per_reader.items()}
                ),
            }
            print(
                f"\nablation, post page: CPU µs per request, median of {args.rounds} rounds (bare {bare_cpu:.0f})"
            )
            results: dict[str, list[float]] = {name: [] for name in variants}
            for _round in range(args.rounds):
                for name, apply in variants.items():
                    apply()
                    started_cpu = time.process_time()
                    for _i in range(args.requests):
                        request(pages["post page"])
                    results[name].append((time.process_time() - started_cpu) / args.requests * 1e6)
                    pagecache.csrf_token = real_csrf
                    pagecache._per_reader.clear()
                    pagecache._per_reader.update(real_per_reader)
            for name, values in results.items():
                c, best = statistics.median(values), min(values)
                print(
                    f"{name:<32}{c:>8.0f}  extra over bare {c - bare_cpu:>5.0f}   "
                    f"best round {best:>5.0f}, extra {best - bare_best:>5.0f}"
                )

        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for _i in range(args.requests * 3):
                request(pages["post page"])
            profiler.disable()
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
            print(out.getvalue())
    finally:
        if args.redis:
            import redis

            client = redis.Redis.from_url(args.redis)
            keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
            if keys:
                client.delete(*keys)
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
