from django.core.management.base import BaseCommand

from comments import spamfilter
from comments.models import SpamModel


class Command(BaseCommand):
    help = "Show, rebuild (--retrain) or forget (--reset) the learning spam filter."

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--retrain", action="store_true", help="Rebuild from every moderator decision.")
        group.add_argument("--reset", action="store_true", help="Forget everything it learned.")

    def handle(self, *args, retrain, reset, **options):
        if reset:
            spamfilter.reset()
            self.stdout.write("The spam filter forgot everything it learned.")
        if retrain:
            spam, ham = spamfilter.retrain()
            self.stdout.write(f"Retrained from {spam} spam and {ham} good comments.")
        state, _created = SpamModel.objects.get_or_create(id=1)
        self.stdout.write(
            f"Model: {state.spam} spam, {state.ham} good, trained {state.trained_at or 'never'}."
        )
