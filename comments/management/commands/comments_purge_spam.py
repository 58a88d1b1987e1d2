from django.core.management.base import BaseCommand

from comments import services
from comments.models import ModerationSettings


class Command(BaseCommand):
    help = "Delete spam older than the moderation settings allow (run daily from cron)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="Override the setting.")

    def handle(self, *args, days, **options):
        days = ModerationSettings.load().spam_purge_days if days is None else days
        deleted = services.comments_purge_spam(older_than_days=days)
        self.stdout.write(f"Deleted {deleted} spam comments older than {days} days.")
