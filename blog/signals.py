"""Cache invalidation and the search index (independent concerns, hence signals)."""

from django.conf import settings
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver

from blog import search
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


# --- the search index (an independent concern too: nothing reads it but search) ---------


@receiver(post_save, sender=Post)
def index_saved_post(sender, instance, using, **kwargs):
    search.index_posts([instance.pk], using=using)


@receiver(post_delete, sender=Post)
def unindex_deleted_post(sender, instance, using, **kwargs):
    search.unindex_posts([instance.pk], using=using)


@receiver(m2m_changed, sender=Post.tags.through)
@receiver(m2m_changed, sender=Post.categories.through)
def index_relinked_posts(sender, instance, action, reverse, pk_set, using, **kwargs):
    """Tags or categories of posts changed (from either side of the relation)."""
    if not reverse:
        if action in ("post_add", "post_remove", "post_clear"):
            search.index_posts([instance.pk], using=using)
    elif action == "pre_clear":
        instance._search_reindex = list(instance.posts.values_list("pk", flat=True))
    elif action == "post_clear":
        search.index_posts(getattr(instance, "_search_reindex", []), using=using)
    elif action in ("post_add", "post_remove"):
        search.index_posts(pk_set or [], using=using)


@receiver(pre_delete, sender=Tag)
@receiver(pre_delete, sender=Category)
def remember_posts_of_deleted_label(sender, instance, **kwargs):
    instance._search_reindex = list(instance.posts.values_list("pk", flat=True))


@receiver(post_save, sender=Tag)
@receiver(post_save, sender=Category)
@receiver(post_delete, sender=Tag)
@receiver(post_delete, sender=Category)
def index_posts_of_label(sender, instance, using, **kwargs):
    """A renamed or deleted tag or category: the posts carrying it."""
    pks = getattr(instance, "_search_reindex", None)
    if pks is None:
        pks = [] if kwargs.get("created") else list(instance.posts.values_list("pk", flat=True))
    search.index_posts(pks, using=using)


@receiver(post_save, sender=AuthorProfile)
def index_posts_of_profile(sender, instance, using, **kwargs):
    search.index_posts(
        Post.objects.using(using).filter(author_id=instance.user_id).values_list("pk", flat=True), using=using
    )


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def index_posts_of_user(sender, instance, using, created, update_fields, **kwargs):
    """Only a changed name matters (a login saves ``last_login`` alone)."""
    if created or (
        update_fields is not None and not {"first_name", "last_name", "username"} & set(update_fields)
    ):
        return
    search.index_posts(
        Post.objects.using(using).filter(author_id=instance.pk).values_list("pk", flat=True), using=using
    )
