"""Cache invalidation only (an independent concern, hence signals)."""

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from blog.cache import bump_version
from blog.context_processors import FOOTER_CACHE_KEY
from blog.images import delete_renditions
from blog.models import NEXT_PUBLICATION_CACHE_KEY, AuthorProfile, Category, Image, Page, Post, Tag
from blog.pagecache import SITE
from blog.views import SIDEBAR_CACHE_KEY


@receiver([post_save, post_delete], sender=Page)
def forget_footer_pages(sender, **kwargs):
    cache.delete(FOOTER_CACHE_KEY)


@receiver([post_save, post_delete], sender=Category)
def forget_sidebar(sender, **kwargs):
    cache.delete(SIDEBAR_CACHE_KEY)


def forget_post_caches(*post_pks) -> None:
    """Posts changed: drop what shows them. Also for bulk updates, which send no signals."""
    cache.delete_many([SIDEBAR_CACHE_KEY, NEXT_PUBLICATION_CACHE_KEY])
    for pk in post_pks:
        bump_version("post", pk)
    bump_version(*SITE)


@receiver([post_save, post_delete], sender=Post)
def post_changed(sender, instance, **kwargs):
    forget_post_caches(instance.pk)


@receiver([post_save, post_delete], sender=Page)
@receiver([post_save, post_delete], sender=Category)
@receiver([post_save, post_delete], sender=Tag)
@receiver([post_save, post_delete], sender=Image)
@receiver([post_save, post_delete], sender=AuthorProfile)
def site_changed(sender, **kwargs):
    """Listings, sidebars and footers show these: every cached page goes stale."""
    bump_version(*SITE)


@receiver(post_delete, sender=Image)
def delete_image_files(sender, instance, **kwargs):
    delete_renditions(instance.renditions, instance.file.storage)
    if instance.file:
        instance.file.delete(save=False)
