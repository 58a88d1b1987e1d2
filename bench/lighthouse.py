#!/usr/bin/env python
"""Lighthouse scores (performance, accessibility, best practices, SEO) of the reader pages.

    npm ci                                   # Lighthouse from the npm registry (package.json)
    .venv/bin/python bench/lighthouse.py     # mobile preset, as PageSpeed Insights runs it
    .venv/bin/python bench/lighthouse.py --preset desktop --runs 3 --keep-reports test-artifacts/lighthouse

Builds a throwaway SQLite site with the demo content (``seed_demo``: a post with comments
and a poll, categories, images), collects static files as production does, and starts two
gunicorn servers with production settings (DEBUG off): one with the page cache (each page
requested once before it is measured) and one without it (every request rendered). Media
are served by Django (``SERVE_MEDIA=true``, the single-box set-up). Debian's Chromium runs
headless (``CHROME_PATH``, default /usr/bin/chromium). Prints the four scores per page and
server, the median of ``--runs`` runs, and the audits that cost points.

``--calibrate-cpu``: Lighthouse's mobile preset slows the CPU down 4×, which assumes a
desktop host (benchmark index about 1,000) emulating a Moto G Power (index 264, the figure
Chrome DevTools' CPU calibration uses). On a slower or busy host that double-counts: the
option measures the host's benchmark index first and uses index / 264 as the slowdown, so
the emulated phone is the same on every machine. Both the index and the factor are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.live.stack import Gunicorn, collect_static  # noqa: E402

LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]


def build_site(workdir: Path) -> tuple[dict[str, str], dict[str, str]]:
    """A demo database; returns the servers' environment and the pages to measure."""
    env = {
        "DEBUG": "false",
        "SECRET_KEY": "lighthouse-bench-key-" + "x" * 40,
        "DATABASE_URL": f"sqlite:///{workdir / 'site.sqlite3'}",
        "CACHE_DIR": str(workdir / "cache"),
        "MEDIA_ROOT": str(workdir / "media"),
        "STATIC_ROOT": str(collect_static(workdir / "static")),
        "SERVE_MEDIA": "true",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SITE_URL": "http://127.0.0.1",
        "DJANGO_SETTINGS_MODULE": "bench.settings_lighthouse",
        "PYTHONPATH": str(ROOT),
    }
    full_env = {**os.environ, **env}
    for command in (["migrate", "--noinput", "-v0"], ["seed_demo", "--force"]):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=full_env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    script = (
        "from blog.models import Post, Category\n"
        "post = Post.objects.published().filter(body__contains='[poll').first()\n"
        "print(post.get_absolute_url())\n"
        "print(Category.objects.filter(posts__in=Post.objects.published()).first().get_absolute_url())\n"
    )
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=full_env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    pages = {
        "home": "/",
        "post": out[-2],
        "category": out[-1],
        "search": "/search/",
        "results": "/search/?q=Social+Media",  # noindex on purpose: SEO cannot be 100
    }
    return env, pages


MOTO_G_POWER_INDEX = 264  # Chrome DevTools' CPU calibration: the low-tier reference phone


def lighthouse(url: str, preset: str, report: Path | None, cpu_slowdown: float | None = None) -> dict:
    chrome_flags = "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage"
    command = [
        str(LIGHTHOUSE),
        url,
        "--output=json",
        "--output-path=stdout",
        "--quiet",
        f"--only-categories={','.join(CATEGORIES)}",
        f"--chrome-flags={chrome_flags}",
    ]
    if preset == "desktop":
        command.append("--preset=desktop")
    if cpu_slowdown is not None:
        command.append(f"--throttling.cpuSlowdownMultiplier={cpu_slowdown:.2f}")
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"lighthouse failed on {url}: {result.stderr[-2000:]}")
    data = json.loads(result.stdout)
    if report:
        report.write_text(result.stdout)
    return data


def lost_points(data: dict) -> list[str]:
    """Audits of the four categories that did not pass, with their title and display value."""
    lost = []
    for name in CATEGORIES:
        for ref in data["categories"][name]["auditRefs"]:
            audit = data["audits"][ref["id"]]
            if ref.get("weight", 0) > 0 and audit.get("score") is not None and audit["score"] < 1:
                value = audit.get("displayValue") or ""
                lost.append(f"{name}: {audit['id']} {audit['score']:.2f} {value}".strip())
    return lost


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", choices=["mobile", "desktop"], default="mobile")
    parser.add_argument("--runs", type=int, default=1, help="runs per page; the median is printed")
    parser.add_argument("--keep-reports", type=Path, help="folder for the JSON reports")
    parser.add_argument("--pages", nargs="+", help="only these pages (home post category search results)")
    parser.add_argument(
        "--calibrate-cpu",
        action="store_true",
        help="CPU slowdown from the host's benchmark index (see above)",
    )
    parser.add_argument(
        "--port", type=int, default=0, help="first of two ports for the servers (default: free ones)"
    )
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        sys.exit("Lighthouse is missing: run `npm ci` in the project folder.")
    if args.keep_reports:
        args.keep_reports.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bw-lighthouse-") as tmp:
        env, pages = build_site(Path(tmp))
        servers = {
            "cached": Gunicorn(env, workers=2, log=Path(tmp) / "cached.log"),
            "uncached": Gunicorn(
                {**env, "BENCH_PAGECACHE_OFF": "1"}, workers=2, log=Path(tmp) / "uncached.log"
            ),
        }
        if args.port:
            for offset, server in enumerate(servers.values()):
                server.port = args.port + offset
        try:
            for server in servers.values():
                server.start()
            cpu_slowdown = None
            if args.calibrate_cpu:
                probe = lighthouse(servers["cached"].url + "/", args.preset, None)
                index = probe["environment"]["benchmarkIndex"]
                cpu_slowdown = max(1.0, index / MOTO_G_POWER_INDEX)
                print(f"Host benchmark index {index:.0f}: CPU slowdown {cpu_slowdown:.2f}x (default 4x)")
            print(f"Lighthouse, {args.preset}, median of {args.runs} run(s); Chromium headless")
            print(f"{'page':10} {'server':9} {'perf':>5} {'a11y':>5} {'best':>5} {'seo':>5}  url")
            problems: dict[str, list[str]] = {}
            for page, path in pages.items():
                if args.pages and page not in args.pages:
                    continue
                for label, server in servers.items():
                    url = server.url + path
                    urllib.request.urlopen(url, timeout=30).read()  # noqa: S310 - warms the page cache
                    runs = []
                    for n in range(args.runs):
                        report = args.keep_reports / f"{page}-{label}-{n}.json" if args.keep_reports else None
                        runs.append(lighthouse(url, args.preset, report, cpu_slowdown))
                    scores = [
                        round(statistics.median(r["categories"][c]["score"] * 100 for r in runs))
                        for c in CATEGORIES
                    ]
                    print(f"{page:10} {label:9} " + " ".join(f"{s:5d}" for s in scores) + f"  {path}")
                    for line in lost_points(runs[len(runs) // 2]):
                        problems.setdefault(line, []).append(f"{page}/{label}")
            if problems:
                print("\nAudits that cost points (page/server):")
                for line, where in problems.items():
                    print(f"  {line}  [{', '.join(where)}]")
        except Exception:
            for label, server in servers.items():
                if server.log and server.log.exists():
                    print(
                        f"--- {label} server log (tail)\n" + server.log.read_text()[-3000:], file=sys.stderr
                    )
            raise
        finally:
            for server in servers.values():
                server.stop()


if __name__ == "__main__":
    main()
