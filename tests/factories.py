"""factory_boy factories for the blog; apps add their own next to their tests."""

import io
from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image as PILImage

from blog.models import AuthorProfile, Category, Image, Page, Post, Tag


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password("secret-pass-123")

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        for name in extracted or []:
            self.groups.add(role_group(name))


def role_group(name: str) -> Group:
    """The group the data migrations made; transactional tests before this one may have
    flushed it, then it is made again with the apps' permissions, as the migrations grant."""
    from django.contrib.auth.models import Permission

    group, created = Group.objects.get_or_create(name=name)
    if created:
        apps = {"Moderators": ["comments"], "Editors": ["blog", "polls"]}.get(name, [])
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label__in=apps).exclude(codename="reset_poll_votes")
        )
    return group


class AuthorProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuthorProfile

    user = factory.SubFactory(UserFactory)
    display_name = factory.Faker("name", locale="de_DE")
    byline = "Akademieleitung Social Media"


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Kategorie {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag

    name = factory.Sequence(lambda n: f"Schlagwort {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


def image_bytes(fmt="JPEG", size=(1200, 800), color="#336699") -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", size, color).save(buffer, fmt)
    return buffer.getvalue()


class ImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Image

    file = factory.LazyFunction(lambda: ContentFile(image_bytes(), name="bild.jpg"))
    alt_text = "Ein blaues Testbild"
    credit_name = "flickr"
    credit_url = "https://www.flickr.com/"


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Beitrag Nummer {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.title))
    author = factory.SubFactory(UserFactory)
    body = "<p>Ein erster Absatz über <strong>Social Media</strong>.</p><p>Ein zweiter Absatz.</p>"
    status = Post.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        if extracted:
            self.categories.set(extracted)

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if extracted:
            self.tags.set(extracted)


class PageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Page

    title = factory.Sequence(lambda n: f"Seite {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.title))
    body = "Inhalt der Seite."
