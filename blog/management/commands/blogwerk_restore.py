from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from blog.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Bring an archive written by blogwerk_backup back into an empty installation (no user "
        "accounts, no media files) with the same kind of database. Stop the web and worker "
        "processes first; run migrate afterwards."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The archive blogwerk_backup wrote.")

    def handle(self, *args, file: Path, **options):
        if not file.is_file():
            raise CommandError(f"{file} does not exist or is not a file.")
        try:
            result = backup_restore(path=file)
        except (BackupError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored the {result.engine} database and {result.media_files} media files "
                f"of the backup made {result.created}."
            )
        )
        self.stdout.write("Next: python manage.py migrate  (brings an older backup up to this version)")
