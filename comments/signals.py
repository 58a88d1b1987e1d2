"""Cache invalidation only: any saved or deleted comment makes its post's cached page stale."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from blog.cache import bump_version
from comments.models import Comment


@receiver([post_save, post_delete], sender=Comment)
def comment_changed(sender, instance, **kwargs):
    if instance.post_id:
        bump_version("post", instance.post_id)
