from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import autodiscover_modules

from blog import demo


class Command(BaseCommand):
    help = "Create the German demo content (idempotent): posts, pages, comments, the poll."

    def handle(self, *args, **options):
        autodiscover_modules("demo")
        with transaction.atomic():
            for seeder in demo.seeders():
                seeder(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo content is in place."))
        if settings.DEBUG:
            for role, (user, password) in (
                ("Admin", demo.DEMO_ADMIN),
                ("Editor", demo.DEMO_EDITOR),
                ("Moderator", demo.DEMO_MODERATOR),
            ):
                self.stdout.write(f"  {role} login: {user} / {password}  (sign in at /admin/)")
