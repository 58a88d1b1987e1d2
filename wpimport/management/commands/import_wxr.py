"""``manage.py import_wxr FILE.xml``: import a WordPress export (WXR 1.1/1.2)."""

from __future__ import annotations

import sys
import zoneinfo
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from wpimport.services import wxr_import
from wpimport.wxr import WxrError, count_items


class Command(BaseCommand):
    help = (
        "Import a WordPress export (WXR 1.1/1.2): authors, categories, tags, posts, pages, "
        "comments and old links. Runs in one transaction; safe to run again (it updates)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The WXR file WordPress wrote (Tools → Export).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change and write nothing."
        )
        parser.add_argument(
            "--media-dir",
            help="A copy of wp-content/uploads; images found there become the posts' featured images.",
        )
        parser.add_argument(
            "--allow-skips",
            action="store_true",
            help="Exit with 0 even when some items could not be imported (they are listed).",
        )
        parser.add_argument(
            "--time-zone",
            default=settings.TIME_ZONE,
            help="The blog's time zone, for dates the export has no GMT value for (default: %(default)s).",
        )

    def handle(self, *args, file, dry_run, media_dir, time_zone, verbosity, allow_skips=False, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        media = Path(media_dir) if media_dir else None
        if media is not None and not media.is_dir():
            raise CommandError(f"--media-dir {media}: no such folder.")
        try:
            tz = zoneinfo.ZoneInfo(time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise CommandError(f"--time-zone {time_zone}: unknown time zone.") from None

        with path.open("rb") as source:
            total = count_items(source)
            bar = tqdm(
                total=total,
                unit=" items",
                desc="dry run" if dry_run else "import",
                file=sys.stderr,
                disable=True if verbosity == 0 else None,  # None: only on a terminal
                smoothing=0.1,
            )
            try:
                report = wxr_import(
                    source=source, dry_run=dry_run, media_dir=media, time_zone=tz, progress=bar.update
                )
            except WxrError as exc:
                raise CommandError(
                    f"{path}: {exc}. Nothing was imported; the database is unchanged."
                ) from None
            finally:
                bar.close()
        if verbosity:
            self.stdout.write("\n".join(report.lines()))
        if report.failures and not allow_skips:
            done = "Nothing was written (dry run)." if dry_run else "Everything else was imported."
            raise CommandError(
                f"{len(report.failures)} item(s) could not be imported (listed as NOT IMPORTED). "
                f"{done} Fix the export, or pass --allow-skips to accept this.",
                returncode=3,
            )
