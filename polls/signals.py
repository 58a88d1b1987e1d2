"""Cache invalidation only: an edited poll or choice makes pages that show it stale."""

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from blog.cache import bump_version
from blog.pagecache import SITE
from polls.models import Choice, Poll

SIDEBAR_CACHE_KEY = "polls:sidebar:v1"


@receiver([post_save, post_delete], sender=Poll)
def forget_poll(sender, instance, **kwargs):
    cache.delete(SIDEBAR_CACHE_KEY)
    transaction.on_commit(lambda: bump_version("poll", instance.pk))
    # The sidebar's newest open poll shows on every page.
    transaction.on_commit(lambda: bump_version(*SITE))


@receiver([post_save, post_delete], sender=Choice)
def forget_choice(sender, instance, **kwargs):
    poll_id = instance.poll_id
    transaction.on_commit(lambda: bump_version("poll", poll_id))
