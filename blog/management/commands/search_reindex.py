"""Rebuild the search index of every post (after changes made around the ORM)."""

from django.core.management.base import BaseCommand

from blog.search import index_rebuild


class Command(BaseCommand):
    help = "Rebuild the full-text search index of all posts."

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default")

    def handle(self, *args, database, **options):
        count = index_rebuild(using=database)
        self.stdout.write(f"Indexed {count} posts.")
