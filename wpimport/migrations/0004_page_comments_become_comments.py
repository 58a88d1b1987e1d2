# Comments on pages were a read-only archive (PageComment); now they are real comments.

import html
import re

from django.db import migrations

_BREAKS = re.compile(r"<br\s*/?>|</p>\s*<p[^>]*>", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]+>")


def _plain(body_html: str) -> str:
    """The text a reader wrote, from the stored HTML (paragraphs become blank lines)."""
    text = _BREAKS.sub("\n\n", body_html or "")
    return html.unescape(_TAGS.sub("", text)).strip()


def forwards(apps, schema_editor):
    PageComment = apps.get_model("wpimport", "PageComment")
    Comment = apps.get_model("comments", "Comment")
    CommentEvent = apps.get_model("comments", "CommentEvent")
    LegacyComment = apps.get_model("wpimport", "LegacyComment")
    db = schema_editor.connection.alias
    new_pk: dict[int, int] = {}
    # Parents before their replies, so each reply finds its parent's new row.
    for old in PageComment.objects.using(db).order_by("depth", "created_at", "pk").iterator(chunk_size=500):
        parent_id = new_pk.get(old.parent_id) if old.parent_id else None
        comment = Comment.objects.using(db).create(
            page_id=old.page_id,
            parent_id=parent_id,
            depth=old.depth if parent_id else 0,
            author_name=old.author_name,
            author_email="",
            author_url=old.author_url,
            body=_plain(old.body_html),
            body_html=old.body_html,
            status=old.status,
            created_at=old.created_at,
            announced_at=old.created_at,  # nobody is to be told about them again
            moderators_notified_at=old.created_at,
        )
        new_pk[old.pk] = comment.pk
        # Keyed like imported post comments, so importing the same export again updates them.
        LegacyComment.objects.using(db).get_or_create(
            site=old.site, wp_id=old.wp_id, defaults={"comment_id": comment.pk}
        )
        CommentEvent.objects.using(db).create(
            comment_id=comment.pk,
            action="imported",
            status=old.status,
            note=f"WordPress comment {old.wp_id} from {old.site}",
        )


def backwards(apps, schema_editor):
    PageComment = apps.get_model("wpimport", "PageComment")
    Comment = apps.get_model("comments", "Comment")
    db = schema_editor.connection.alias
    new_pk: dict[int, int] = {}
    rows = Comment.objects.using(db).filter(page__isnull=False, legacy__isnull=False)
    for comment in rows.select_related("legacy").order_by("depth", "created_at", "pk"):
        if comment.status == "trash":
            continue
        old = PageComment.objects.using(db).create(
            site=comment.legacy.site,
            wp_id=comment.legacy.wp_id,
            page_id=comment.page_id,
            parent_id=new_pk.get(comment.parent_id),
            depth=comment.depth if comment.parent_id in new_pk else 0,
            author_name=comment.author_name,
            author_url=comment.author_url,
            body_html=comment.body_html,
            status=comment.status,
            created_at=comment.created_at,
        )
        new_pk[comment.pk] = old.pk
    Comment.objects.using(db).filter(page__isnull=False).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0008_comments_on_pages"),
        ("wpimport", "0003_page_comments_and_terms"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.DeleteModel(name="PageComment"),
    ]
