"""Cache invalidation only: an edited poll or choice makes pages that show it stale."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from core import invalidation
from polls.models import Choice, Poll


@receiver([post_save, post_delete], sender=Poll)
def poll_saved(sender, instance, **kwargs):
    invalidation.poll_changed(instance.pk)
    # The sidebar's newest open poll shows on every page.
    invalidation.site_changed()


@receiver([post_save, post_delete], sender=Choice)
def choice_saved(sender, instance, **kwargs):
    invalidation.poll_changed(instance.poll_id)
