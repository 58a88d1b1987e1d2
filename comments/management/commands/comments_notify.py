from django.core.management.base import BaseCommand

from comments import notifications, services
from comments.models import ModerationSettings


class Command(BaseCommand):
    help = (
        "Send the moderators' mail about comments that wait and reports, delete old spam "
        "(run from cron, e.g. every 10 min)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default="", help="Site address for links when SITE_URL is unset.")

    def handle(self, *args, base_url, **options):
        messages = notifications.moderators_digest(base_url=base_url, force=True)
        sent = notifications.send_messages(messages)
        self.stdout.write(f"Sent {sent} moderation mails.")
        # The cron job that runs this anyway keeps the spam tab short.
        purged = services.comments_purge_spam(older_than_days=ModerationSettings.load().spam_purge_days)
        if purged:
            self.stdout.write(f"Deleted {purged} old spam comments.")
