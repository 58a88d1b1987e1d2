"""Cache invalidation only: a changed comment makes its post's cached page stale, changed
moderation settings (closing, threading depth) every page."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from blog.cache import bump_version
from blog.pagecache import SITE
from comments.models import Comment, ModerationSettings


@receiver([post_save, post_delete], sender=Comment)
def comment_changed(sender, instance, **kwargs):
    if instance.post_id:
        bump_version("post", instance.post_id)


@receiver(post_save, sender=ModerationSettings)
def settings_changed(sender, created, **kwargs):
    if not created:  # created with the defaults on the first page view: nothing changed
        bump_version(*SITE)
