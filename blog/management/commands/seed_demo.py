from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.module_loading import autodiscover_modules

from blog import demo


class Command(BaseCommand):
    help = (
        "Create the German demo content (idempotent): posts, pages, comments, the poll, and "
        "three demo logins. Runs with DEBUG=true only, unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help=(
                "Seed a site running without DEBUG too. The demo logins then get random "
                "passwords, printed once; never the public demo password."
            ),
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo fills the site with demo posts, comments and logins and runs with "
                "DEBUG=true only. To put the demo on a site running without DEBUG, add --force: "
                "the logins then get random passwords, printed once."
            )
        autodiscover_modules("demo")
        with transaction.atomic():
            logins = demo.demo_logins_ensure(known_password=settings.DEBUG)
            for seeder in demo.seeders():
                seeder(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo content is in place."))
        for login, password in logins:
            self.stdout.write(f"  {login.role} login: {login.username} / {password}  (sign in at /admin/)")
        if not settings.DEBUG and logins:
            self.stdout.write(
                self.style.WARNING(
                    "  These passwords are shown only now. Change them or delete the demo logins "
                    "before the site goes public."
                )
            )
