from django.core.management.base import BaseCommand

from comments.conf import comments_settings
from comments.services import comments_erase_ips


class Command(BaseCommand):
    help = (
        "Erase IP addresses and browser strings of comments older than the retention period (GDPR). "
        "blogwerk_worker does this daily by itself."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=comments_settings.IP_RETENTION_DAYS,
            help="Keep them this many days (default: COMMENTS_IP_RETENTION_DAYS).",
        )

    def handle(self, *args, days, **options):
        count = comments_erase_ips(older_than_days=max(0, days))
        self.stdout.write(f"Erased IP address and browser of {count} comments older than {days} days.")
