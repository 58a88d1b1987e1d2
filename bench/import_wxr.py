"""Benchmark the WordPress importer on a big export: time and peak memory.

    .venv/bin/python bench/import_wxr.py                # 10,000 posts, 100,000 comments
    .venv/bin/python bench/import_wxr.py --posts 1000 --comments 10000 --rerun

Writes a generated WXR file and a fresh SQLite database into a temporary folder (or uses
``--database-url``, e.g. an empty PostgreSQL database), runs ``manage.py migrate`` and then
``manage.py import_wxr`` as a child process, and prints the wall time and the peak resident
memory of the import process. ``--rerun`` imports the same file a second time (the update path).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE = "http://bench.example.org"

PARAGRAPHS = [
    "Social Media verändert, wie Unternehmen mit ihren Kunden sprechen. Wer zuhört, gewinnt.",
    'Ein zweiter Gedanke mit einem <a href="http://example.org/">Link</a> und <strong>Betonung</strong>.\n'
    "Eine neue Zeile im selben Absatz.",
    "<ul>\n<li>Erstens</li>\n<li>Zweitens</li>\n</ul>",
    '[caption id="attachment_1" align="alignleft" width="300"]<img src="/bild.jpg" alt="Bild" /> '
    "Eine Bildunterschrift[/caption]",
    "    Ein eingerückter Absatz, der kein Code-Block werden darf.",
    "[polldaddy poll=4711]",
]


# Half the posts come from the block editor, as WordPress 6 saves them.
BLOCKS = [
    "<!-- wp:paragraph -->\n<p>Ein Absatz aus dem Block-Editor mit <strong>Betonung</strong>.</p>\n<!-- /wp:paragraph -->",
    '<!-- wp:heading -->\n<h2 class="wp-block-heading">Zwischentitel</h2>\n<!-- /wp:heading -->',
    '<!-- wp:columns -->\n<div class="wp-block-columns"><!-- wp:column -->\n<div class="wp-block-column">'
    "<!-- wp:paragraph -->\n<p>Links.</p>\n<!-- /wp:paragraph --></div>\n<!-- /wp:column -->\n\n"
    '<!-- wp:column -->\n<div class="wp-block-column"><!-- wp:paragraph -->\n<p>Rechts.</p>\n'
    "<!-- /wp:paragraph --></div>\n<!-- /wp:column --></div>\n<!-- /wp:columns -->",
    '<!-- wp:gallery {"linkTo":"none"} -->\n<figure class="wp-block-gallery has-nested-images columns-default">'
    '<!-- wp:image {"id":1} -->\n<figure class="wp-block-image"><img src="/a.jpg" alt="A" class="wp-image-1"/></figure>\n'
    '<!-- /wp:image -->\n\n<!-- wp:image {"id":2} -->\n<figure class="wp-block-image"><img src="/b.jpg" alt="B" '
    'class="wp-image-2"/></figure>\n<!-- /wp:image --></figure>\n<!-- /wp:gallery -->',
    '<!-- wp:embed {"url":"https://www.youtube.com/watch?v=abc","type":"video","providerNameSlug":"youtube"} -->\n'
    '<figure class="wp-block-embed is-type-video is-provider-youtube"><div class="wp-block-embed__wrapper">\n'
    "https://www.youtube.com/watch?v=abc\n</div></figure>\n<!-- /wp:embed -->",
    '<!-- wp:list -->\n<ul class="wp-block-list"><!-- wp:list-item -->\n<li>Eins</li>\n<!-- /wp:list-item -->'
    "\n\n<!-- wp:list-item -->\n<li>Zwei</li>\n<!-- /wp:list-item --></ul>\n<!-- /wp:list -->",
]


def cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def comment_xml(wp_id: int, parent: int, rng: random.Random, day: int) -> str:
    kind = rng.random()
    ctype = "pingback" if kind < 0.02 else ""
    approved = "spam" if kind > 0.97 else ("0" if kind > 0.94 else "1")
    content = f"Kommentar {wp_id}: Sehr interessant!\n\nUnd ein <em>zweiter</em> Absatz."
    return (
        f"<wp:comment><wp:comment_id>{wp_id}</wp:comment_id>"
        f"<wp:comment_author>{cdata(f'Leser {wp_id % 977}')}</wp:comment_author>"
        f"<wp:comment_author_email>{cdata(f'leser{wp_id % 977}@example.org')}</wp:comment_author_email>"
        f"<wp:comment_author_url>http://leser{wp_id % 97}.example.org/</wp:comment_author_url>"
        f"<wp:comment_author_IP>{cdata(f'192.0.2.{wp_id % 250}')}</wp:comment_author_IP>"
        f"<wp:comment_date>{cdata(f'2012-01-{day:02d} 12:{wp_id % 60:02d}:00')}</wp:comment_date>"
        f"<wp:comment_date_gmt>{cdata(f'2012-01-{day:02d} 11:{wp_id % 60:02d}:00')}</wp:comment_date_gmt>"
        f"<wp:comment_content>{cdata(content)}"
        f"</wp:comment_content><wp:comment_approved>{cdata(approved)}</wp:comment_approved>"
        f"<wp:comment_type>{cdata(ctype)}</wp:comment_type><wp:comment_parent>{parent}</wp:comment_parent>"
        f"<wp:comment_user_id>0</wp:comment_user_id></wp:comment>\n"
    )


def generate(
    path: Path,
    posts: int,
    comments: int,
    seed: int = 4711,
    *,
    categories: int = 20,
    tags: int = 300,
    big_post_comments: int = 0,
    wide_category: bool = False,
) -> None:
    """Write an export like WordPress does, streaming, with threads and forward references.

    ``bench/scale.py`` builds its large site with more terms: ``categories`` and ``tags``,
    post 1 with ``big_post_comments`` comments (the rest spread over the others, 5, 10 or 15
    each around the mean), and with ``wide_category`` every even post in ``kategorie-1`` too.
    """
    rng = random.Random(seed)
    ns = "http://wordpress.org/export/1.2/"
    spread = big_post_comments > 0
    if spread:
        comments -= big_post_comments
    others = posts - 1 if spread else posts
    per_post = comments // others if others > 0 else 0
    extra = comments - per_post * others
    next_comment = 1
    with path.open("w", encoding="utf-8") as out:
        out.write(
            f'<?xml version="1.0" encoding="UTF-8" ?>\n<rss version="2.0" xmlns:excerpt="{ns}excerpt/" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:wfw="http://wellformedweb.org/CommentAPI/" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            f'xmlns:wp="{ns}">\n<channel>\n<title>Bench-Blog</title>\n<link>{SITE}</link>\n'
            f"<wp:wxr_version>1.2</wp:wxr_version>\n<wp:base_site_url>{SITE}</wp:base_site_url>\n"
            f"<wp:base_blog_url>{SITE}</wp:base_blog_url>\n"
        )
        for n in range(1, 6):
            out.write(
                f"<wp:author><wp:author_id>{n}</wp:author_id><wp:author_login>{cdata(f'autor{n}')}</wp:author_login>"
                f"<wp:author_email>{cdata(f'autor{n}@example.org')}</wp:author_email>"
                f"<wp:author_display_name>{cdata(f'Autorin {n}')}</wp:author_display_name></wp:author>\n"
            )
        for n in range(1, categories + 1):
            parent = f"kategorie-{n // 5}" if n % 5 else ""
            out.write(
                f"<wp:category><wp:term_id>{n}</wp:term_id><wp:category_nicename>{cdata(f'kategorie-{n}')}"
                f"</wp:category_nicename><wp:category_parent>{cdata(parent)}</wp:category_parent>"
                f"<wp:cat_name>{cdata(f'Kategorie {n}')}</wp:cat_name></wp:category>\n"
            )
        for post in range(1, posts + 1):
            day = post % 28 + 1
            month = post % 12 + 1
            year = 2008 + post % 10
            slug = f"beitrag-{post}"
            body = "\n\n".join(rng.sample(PARAGRAPHS if post % 2 else BLOCKS, 4))
            status = "draft" if post % 50 == 0 else "publish"
            if spread and post == 1:
                count = big_post_comments
            elif spread:
                # 5, 10 or 15 around a mean of 10 (the rest on the first posts), so some post
                # has exactly five comments and threads differ in length.
                count = max(0, per_post + 5 * (post % 3 - 1)) + (1 if post - 1 <= extra else 0)
            else:
                count = per_post + (1 if post <= extra else 0)
            ids = list(range(next_comment, next_comment + count))
            next_comment += count
            threads = []
            for index, wp_id in enumerate(ids):
                parent = 0
                if index and rng.random() < 0.4:
                    parent = ids[rng.randrange(index)]
                elif index + 1 < len(ids) and rng.random() < 0.05:
                    parent = ids[-1]  # a reply whose parent comes later in the file
                threads.append(comment_xml(wp_id, parent, rng, day))
            terms = (
                "".join(
                    f'<category domain="category" nicename="kategorie-{c}">{cdata(f"Kategorie {c}")}</category>'
                    for c in {post % categories + 1, post % 7 + 1}
                    | ({1} if wide_category and post % 2 == 0 else set())
                )
                + f'<category domain="post_tag" nicename="tag-{post % tags}">{cdata(f"Tag {post % tags}")}</category>'
            )
            out.write(
                f"<item><title>{cdata(f'Beitrag Nummer {post}')}</title>"
                f"<link>{SITE}/{year}/{month:02d}/{day:02d}/{slug}/</link>"
                f"<pubDate>Tue, 24 May 2011 13:05:00 +0000</pubDate><dc:creator>{cdata(f'autor{post % 5 + 1}')}</dc:creator>"
                f'<guid isPermaLink="false">{SITE}/?p={post}</guid><description></description>'
                f"<content:encoded>{cdata(body)}</content:encoded><excerpt:encoded>{cdata('')}</excerpt:encoded>"
                f"<wp:post_id>{post}</wp:post_id><wp:post_date>{cdata(f'{year}-{month:02d}-{day:02d} 10:00:00')}"
                f"</wp:post_date><wp:post_date_gmt>{cdata(f'{year}-{month:02d}-{day:02d} 09:00:00')}</wp:post_date_gmt>"
                f"<wp:comment_status>open</wp:comment_status><wp:post_name>{cdata(slug)}</wp:post_name>"
                f"<wp:status>{cdata(status)}</wp:status><wp:post_parent>0</wp:post_parent>"
                f"<wp:menu_order>0</wp:menu_order><wp:post_type>{cdata('post')}</wp:post_type>"
                f"<wp:post_password>{cdata('')}</wp:post_password><wp:is_sticky>{int(post % 1000 == 0)}</wp:is_sticky>\n"
                f"{terms}\n{''.join(threads)}</item>\n"
            )
        out.write("</channel>\n</rss>\n")


def run_child(args: list[str], env: dict) -> tuple[float, int, int, float]:
    """Run a child process; return wall seconds, exit code, its peak RSS in MiB and CPU seconds."""
    started = time.perf_counter()
    process = subprocess.Popen(args, cwd=ROOT, env=env)
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    return time.perf_counter() - started, process.returncode, usage.ru_maxrss // 1024, cpu


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--database-url", default="", help="default: a fresh SQLite file in the temp folder")
    parser.add_argument("--rerun", action="store_true", help="import the same file again (updates)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--profile", metavar="FILE", help="run the import under cProfile, stats to FILE")
    options = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="bench-wxr-"))
    export = folder / "export.xml"
    started = time.perf_counter()
    generate(export, options.posts, options.comments)
    print(
        f"generated {export} ({export.stat().st_size / 1e6:.1f} MB, {options.posts} posts, "
        f"{options.comments} comments) in {time.perf_counter() - started:.1f} s"
    )

    env = {
        **os.environ,
        "DATABASE_URL": options.database_url or f"sqlite:///{folder / 'bench.sqlite3'}",
        "DEBUG": "false",  # DEBUG would keep every SQL query in memory
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-secret-key-0123456789abcdefghijklmnop"),
        "MEDIA_ROOT": str(folder / "media"),
        "LOG_LEVEL": "WARNING",
    }
    python = sys.executable
    seconds, code, _rss, _cpu = run_child([python, "manage.py", "migrate", "--noinput", "-v0"], env)
    if code:
        print("migrate failed", file=sys.stderr)
        return code
    print(f"migrated a fresh database in {seconds:.1f} s")

    runs = ["first import", "second import (updates)"] if options.rerun else ["import"]
    engine = "PostgreSQL" if env["DATABASE_URL"].startswith("postgres") else "SQLite"
    for label in runs:
        command = [python, "manage.py", "import_wxr", str(export)]
        if options.profile:
            profiled = f"import cProfile, runpy, sys; sys.argv = sys.argv[1:]; cProfile.run(\"runpy.run_path('manage.py', run_name='__main__')\", {str(options.profile)!r})"
            command = [python, "-c", profiled, *command[1:]]
        load_before = os.getloadavg()[0]
        seconds, code, rss, cpu = run_child(command, env)
        load_after = os.getloadavg()[0]
        if code:
            print(f"{label} failed with exit code {code}", file=sys.stderr)
            return code
        items = options.posts + options.comments
        print(
            f"{label} on {engine}: {seconds:.1f} s wall, {cpu:.1f} s CPU, {items / seconds:,.0f} posts+comments/s, "
            f"peak RSS {rss} MiB; load average {load_before:.1f} before, {load_after:.1f} after"
        )
        if options.posts == 10_000 and options.comments == 100_000:
            print(
                f"  against the target (180 s, 300 MiB): wall {seconds / 180:.0%}, CPU {cpu / 180:.0%}, "
                f"memory {rss / 300:.0%}"
            )
    print(
        f"(python peak RSS of this script: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MiB)"
    )
    if options.keep:
        print(f"kept {folder}")
    else:
        for path in sorted(folder.rglob("*"), reverse=True):
            path.rmdir() if path.is_dir() else path.unlink()
        folder.rmdir()
    return 0


if __name__ == "__main__":
    sys.exit(main())
