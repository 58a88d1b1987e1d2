from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from blog.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Write the database and all media files into one archive (FILE.tar, or FILE.tar.gz "
        "compressed). SQLite is copied with its online backup API, PostgreSQL with pg_dump; "
        "the site may keep running meanwhile."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The archive to write, e.g. /var/backups/blog.tar.gz.")

    def handle(self, *args, file: Path, **options):
        if file.is_dir():
            raise CommandError(f"{file} is a folder; name the archive file to write.")
        if not file.parent.is_dir():
            raise CommandError(f"The folder {file.parent} does not exist.")
        try:
            result = backup_create(path=file)
        except (BackupError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written to {result.path}: the {result.engine} database and "
                f"{result.media_files} media files, {result.size / 1_048_576:.1f} MB."
            )
        )
