"""Cache invalidation only (an independent concern, hence signals)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from blog.images import delete_renditions
from blog.models import AuthorProfile, Category, Image, Page, Post, Tag
from core import invalidation


@receiver([post_save, post_delete], sender=Post)
def post_saved(sender, instance, **kwargs):
    invalidation.post_changed(instance.pk)


@receiver([post_save, post_delete], sender=Page)
@receiver([post_save, post_delete], sender=Category)
@receiver([post_save, post_delete], sender=Tag)
@receiver([post_save, post_delete], sender=Image)
@receiver([post_save, post_delete], sender=AuthorProfile)
def site_object_saved(sender, **kwargs):
    """Listings, sidebars and footers show these: every cached page goes stale."""
    invalidation.site_changed()


@receiver(post_delete, sender=Image)
def delete_image_files(sender, instance, **kwargs):
    delete_renditions(instance.renditions, instance.file.storage)
    if instance.file:
        instance.file.delete(save=False)
