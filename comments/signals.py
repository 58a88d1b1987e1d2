"""Cache invalidation only: a changed comment makes its post's cached page stale, changed
moderation settings (closing, threading depth) every page."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from comments.models import Comment, ModerationSettings
from core import invalidation


@receiver([post_save, post_delete], sender=Comment)
def comment_saved(sender, instance, **kwargs):
    if instance.post_id:
        invalidation.post_page_changed(instance.post_id)
    elif instance.page_id:
        invalidation.static_page_changed(instance.page_id)


@receiver(post_save, sender=ModerationSettings)
def settings_saved(sender, **kwargs):
    invalidation.site_changed()
