from django.core.management.base import BaseCommand

from comments import notifications


class Command(BaseCommand):
    help = (
        "Queue the moderators' mail about comments that wait and reports now, ignoring the "
        "batching interval (the worker sends it; it also sends these by itself)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default="", help="Site address for links when SITE_URL is unset.")

    def handle(self, *args, base_url, **options):
        queued = notifications.notices_queue("moderators_digest", base_url=base_url, force=True)
        self.stdout.write(f"Queued {queued} moderation mails; blogwerk_worker sends them.")
