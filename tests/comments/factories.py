"""factory_boy factories for comments."""

import factory

from comments.models import Comment
from comments.sanitize import render_comment_body
from tests.factories import PostFactory


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    post = factory.SubFactory(PostFactory)
    parent = None
    depth = factory.LazyAttribute(lambda o: o.parent.depth + 1 if o.parent else 0)
    author_name = factory.Sequence(lambda n: f"Leserin {n}")
    author_email = factory.Sequence(lambda n: f"leserin{n}@example.org")
    body = factory.Sequence(lambda n: f"Ein Kommentar Nummer {n}.")
    body_html = factory.LazyAttribute(lambda o: render_comment_body(o.body))
    status = Comment.Status.APPROVED
    ip_address = "192.0.2.1"
