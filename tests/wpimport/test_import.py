import datetime
import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone
from PIL import Image as PILImage

from blog.models import Category, Image, Page, Post, Tag
from comments.models import Comment
from tests.wpimport.builder import Comment as C
from tests.wpimport.builder import Item, wxr
from wpimport.models import LegacyComment, LegacyItem

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def test_import_statuses_map_to_published_scheduled_and_draft(run_import):
    future = (timezone.now() + datetime.timedelta(days=30)).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    report = run_import(
        items=[
            Item(1, status="publish"),
            Item(2, status="future", date=future, date_gmt=future),
            Item(3, status="draft", date_gmt="0000-00-00 00:00:00"),
            Item(4, status="pending", date_gmt="0000-00-00 00:00:00"),
            Item(5, status="private"),
            Item(6, status="publish", password="geheim", title="Nur mit Passwort"),
            Item(7, status="trash"),
            Item(8, status="auto-draft"),
        ]
    )
    posts = {legacy.wp_id: legacy.post for legacy in LegacyItem.objects.select_related("post")}
    assert posts[1].is_published()
    assert posts[1].published_at == datetime.datetime(2011, 5, 24, 13, 5, tzinfo=UTC)
    assert posts[2].is_scheduled()
    assert {posts[n].status for n in (3, 4, 5, 6)} == {Post.Status.DRAFT}
    assert posts[3].published_at is None
    assert 7 not in posts and 8 not in posts
    assert "password-protected" in report and "Nur mit Passwort" in report
    assert "status trash: 1" in report and "status auto-draft: 1" in report


def test_import_brings_authors_terms_and_post_fields(run_import):
    run_import(
        items=[
            Item(
                1,
                title="Hallo Welt",
                slug="hallo-welt",
                excerpt="Kurz gesagt",
                sticky=True,
                comment_status="closed",
                categories=[("kind", "Kind")],
                tags=[("pr", "PR"), ("neu", "Neu")],
            )
        ],
        authors=[(1, "anna", "anna@example.org", "Anna Schmidt"), (2, "bob", "bob@example.org", "Bob")],
        categories=[(10, "kind", "eltern", "Kind"), (11, "eltern", "", "Eltern")],
        tags=[(20, "pr", "PR")],
    )
    anna = get_user_model().objects.get(username="anna")
    assert anna.is_staff and not anna.has_usable_password()
    assert anna.groups.filter(name="Editors").exists()
    assert anna.author_profile.display_name == "Anna Schmidt"
    assert get_user_model().objects.filter(username="bob").exists()
    assert Category.objects.get(slug="kind").parent == Category.objects.get(slug="eltern")
    post = Post.objects.get()
    assert (post.title, post.slug, post.author) == ("Hallo Welt", "hallo-welt", anna)
    assert post.is_sticky and not post.comments_open
    assert "Kurz gesagt" in post.teaser_html
    assert set(post.tags.values_list("slug", flat=True)) == {"pr", "neu"}
    assert set(Tag.objects.values_list("slug", flat=True)) == {"pr", "neu"}
    assert list(post.categories.values_list("slug", flat=True)) == ["kind"]


def test_import_pages_and_attachments(run_import):
    report = run_import(
        items=[
            Item(
                1,
                "Über uns",
                post_type="page",
                slug="%c3%bcber-uns",
                link="http://alt.example.org/ueber-uns/",
            ),
            Item(2, "Feed", post_type="page", slug="feed"),
            Item(
                3,
                "bild",
                post_type="attachment",
                status="inherit",
                parent=9,
                attachment_url="http://alt.example.org/wp-content/uploads/2011/05/bild.jpg",
            ),
            Item(4, "Menü", post_type="nav_menu_item"),
        ]
    )
    assert Page.objects.get(slug="uber-uns").title == "Über uns"
    # A WordPress slug the site uses itself is moved out of the way.
    assert Page.objects.filter(slug="page-feed").exists()
    attachment = LegacyItem.objects.get(kind="attachment")
    assert attachment.url == "http://alt.example.org/wp-content/uploads/2011/05/bild.jpg"
    assert attachment.parent_wp_id == 9
    assert "post type nav_menu_item: 1" in report


def test_import_comments_with_threads_statuses_and_skips(run_import):
    report = run_import(
        items=[
            Item(
                1,
                comments=[
                    C(
                        10,
                        content="Antwort, deren Eltern später kommen",
                        parent=11,
                        date_gmt="2011-05-26 08:00:00",
                    ),
                    C(
                        11,
                        content="Erster",
                        author="Erika",
                        email="erika@example.org",
                        url="https://erika.example",
                    ),
                    C(12, content="Tiefer", parent=10),
                    C(13, approved="0"),
                    C(14, approved="spam"),
                    C(15, approved="trash"),
                    C(16, type="pingback"),
                    C(17, type="trackback"),
                    C(18, parent=999, ip="not-an-ip"),
                ],
            )
        ]
    )
    by_wp = {legacy.wp_id: legacy.comment for legacy in LegacyComment.objects.select_related("comment")}
    assert set(by_wp) == {10, 11, 12, 13, 14, 18}
    assert by_wp[10].parent == by_wp[11] and by_wp[10].depth == 1
    assert by_wp[12].parent == by_wp[10] and by_wp[12].depth == 2
    assert by_wp[11].author_name == "Erika"
    assert by_wp[11].author_url == "https://erika.example"
    assert by_wp[11].ip_address == "192.0.2.10"
    assert by_wp[11].created_at == datetime.datetime(2011, 5, 25, 8, tzinfo=UTC)
    assert by_wp[11].body_html == "<p>Erster</p>"
    assert by_wp[13].status == Comment.Status.PENDING
    assert by_wp[14].status == Comment.Status.SPAM
    assert by_wp[18].parent is None and by_wp[18].depth == 0 and by_wp[18].ip_address is None
    assert "pingback: 1" in report and "trackback: 1" in report and "in trash: 1" in report


def test_import_comment_bodies_are_sanitised(run_import):
    run_import(
        items=[Item(1, comments=[C(1, content='Hallo <script>x()</script><b onclick="y">fett</b>\n\nZwei')])]
    )
    comment = Comment.objects.get()
    assert "<script" not in comment.body_html and "onclick" not in comment.body_html
    assert "<b>fett</b>" in comment.body_html and "<p>Zwei</p>" in comment.body_html


def test_import_comment_dates_without_gmt_use_the_blog_time_zone(run_import):
    run_import(
        items=[Item(1, comments=[C(1, date="2011-07-01 12:00:00", date_gmt=None)])],
    )
    assert Comment.objects.get().created_at == datetime.datetime(2011, 7, 1, 10, tzinfo=UTC)


def test_import_odd_post_dates(run_import):
    report = run_import(
        items=[
            Item(1, date="2011-01-10 12:00:00", date_gmt=None),
            Item(2, date="2011-01-10 12:00:00", date_gmt="0000-00-00 00:00:00"),
            Item(3, date="0000-00-00 00:00:00", date_gmt="0000-00-00 00:00:00"),
        ]
    )
    posts = {legacy.wp_id: legacy.post for legacy in LegacyItem.objects.select_related("post")}
    expected = datetime.datetime(2011, 1, 10, 11, tzinfo=UTC)  # Berlin is UTC+1 in winter
    assert posts[1].published_at == expected and posts[2].published_at == expected
    # No usable date at all: the RSS pubDate still dates the post.
    assert posts[3].published_at == datetime.datetime(2011, 5, 24, 13, 5, tzinfo=UTC)
    assert "posts" in report


def test_import_twice_updates_instead_of_duplicating(run_import):
    items = [Item(1, title="Alt", comments=[C(1), C(2, parent=1)]), Item(2)]
    run_import(items=items)
    first_ids = sorted(Comment.objects.values_list("pk", flat=True))

    report = run_import(items=items)
    assert Post.objects.count() == 2 and Comment.objects.count() == 2
    assert "posts                 0          0          2" in report
    assert "comments              0          0          2" in report

    items[0].title = "Neu"
    items[0].comments[1].content = "Geändert"
    items[0].comments.append(C(3, parent=2))
    report = run_import(items=items)
    assert Post.objects.get(legacy_items__wp_id=1).title == "Neu"
    assert sorted(Comment.objects.values_list("pk", flat=True))[:2] == first_ids
    assert Comment.objects.get(legacy__wp_id=2).body == "Geändert"
    assert Comment.objects.get(legacy__wp_id=3).depth == 2
    assert "posts                 0          1          1" in report
    assert "comments              1          1          1" in report


def test_import_keys_objects_by_site(run_import):
    run_import(items=[Item(1, slug="gleich")])
    run_import(items=[Item(1, slug="gleich")], site="http://anderes.example.org")
    assert Post.objects.count() == 2
    assert set(Post.objects.values_list("slug", flat=True)) == {"gleich", "gleich-2"}


def test_import_dry_run_writes_nothing_and_reports(run_import):
    report = run_import(None, "--dry-run", items=[Item(1, comments=[C(1)])])
    assert "DRY RUN" in report
    assert "posts                 1          0          0" in report
    assert not Post.objects.exists() and not Comment.objects.exists() and not LegacyItem.objects.exists()
    assert not get_user_model().objects.filter(username="anna").exists()


def test_import_broken_file_names_the_line_and_changes_nothing(tmp_path):
    data = wxr([Item(n, comments=[C(n * 10)]) for n in range(1, 30)])
    path = tmp_path / "broken.xml"
    path.write_bytes(data[: int(len(data) * 0.9)])
    with pytest.raises(CommandError, match=r"line \d+: the file ends too early.*database is unchanged"):
        call_command("import_wxr", str(path))
    assert not Post.objects.exists() and not Comment.objects.exists() and not Category.objects.exists()


def test_import_refuses_a_missing_file_and_plain_rss(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_wxr", str(tmp_path / "fehlt.xml"))
    path = tmp_path / "feed.xml"
    path.write_bytes(
        b"<rss version='2.0'><channel><title>x</title><item><title>a</title></item></channel></rss>"
    )
    with pytest.raises(CommandError, match="not a WordPress export"):
        call_command("import_wxr", str(path))


def _jpeg(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    PILImage.new("RGB", (640, 400), "#228833").save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())


def test_import_media_dir_turns_found_files_into_featured_images(run_import, tmp_path):
    media = tmp_path / "uploads"
    _jpeg(media / "2011" / "05" / "titel.jpg")
    _jpeg(media / "2011" / "05" / "angehaengt.jpg")
    (media / "2011" / "05" / "kaputt.jpg").write_bytes(b"not an image")
    url = "http://alt.example.org/wp-content/uploads/2011/05/"
    items = [
        Item(1, meta={"_thumbnail_id": "11"}),
        Item(2),
        Item(3, meta={"_thumbnail_id": "13"}),
        Item(4, meta={"_thumbnail_id": "14"}),
        Item(
            11,
            "titel",
            post_type="attachment",
            status="inherit",
            attachment_url=url + "titel.jpg",
            meta={"_wp_attachment_image_alt": "Ein grünes Bild"},
        ),
        Item(
            12,
            "angehaengt",
            post_type="attachment",
            status="inherit",
            parent=2,
            attachment_url=url + "angehaengt.jpg",
        ),
        Item(13, "kaputt", post_type="attachment", status="inherit", attachment_url=url + "kaputt.jpg"),
        Item(14, "fehlt", post_type="attachment", status="inherit", attachment_url=url + "fehlt.jpg"),
    ]
    report = run_import(None, "--media-dir", str(media), "--allow-skips", items=items)
    posts = {
        legacy.wp_id: legacy.post for legacy in LegacyItem.objects.filter(kind="post").select_related("post")
    }
    assert posts[1].featured_image.alt_text == "Ein grünes Bild"
    assert posts[1].featured_image.width == 640
    assert posts[2].featured_image is not None
    assert posts[3].featured_image is None and posts[4].featured_image is None
    assert Image.objects.count() == 2
    assert "not a readable image: 1" in report and "file not found in the media folder: 1" in report

    run_import(None, "--media-dir", str(media), "--allow-skips", items=items)
    assert Image.objects.count() == 2


def test_import_with_media_dir_in_dry_run_creates_no_files(run_import, tmp_path, settings):
    media = tmp_path / "uploads"
    _jpeg(media / "bild.jpg")
    items = [
        Item(1, meta={"_thumbnail_id": "2"}),
        Item(2, post_type="attachment", status="inherit", attachment_url="http://alt.example.org/bild.jpg"),
    ]
    report = run_import(None, "--dry-run", "--media-dir", str(media), items=items)
    assert "images                1" in report
    assert not Image.objects.exists()
    assert not (settings.MEDIA_ROOT / "images").exists()


def test_import_media_dir_points_body_images_at_the_imported_copies(run_import, tmp_path):
    media = tmp_path / "uploads"
    _jpeg(media / "2011" / "05" / "sonne.jpg")
    url = "http://alt.example.org/wp-content/uploads/2011/05/sonne"
    body = f'[caption id="attachment_9"]<img src="{url}-300x200.jpg" alt="Sonne" />Sonne[/caption]\n\n<img src="{url}.jpg" />'
    items = [
        Item(1, content=body),
        Item(9, post_type="attachment", status="inherit", parent=1, attachment_url=f"{url}.jpg"),
    ]
    run_import(None, "--media-dir", str(media), items=items)
    post = Post.objects.get()
    image = Image.objects.get()
    assert "alt.example.org" not in post.body_html
    # Both body images are served as responsive <picture>s, never the original file.
    assert post.body_html.count("<picture>") == 2 and image.file.url not in post.body_html
    assert 'alt="Sonne"' in post.body_html
    assert post.featured_image == image


def test_import_media_dir_makes_every_uploaded_file_in_a_body_local(run_import, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    media = tmp_path / "uploads"
    _jpeg(media / "2011" / "05" / "kein-anhang.jpg")
    (media / "2011" / "05" / "folge.mp3").write_bytes(b"ID3 not really audio")
    url = "http://alt.example.org/wp-content/uploads/2011/05"
    body = (
        f'<img src="{url}/kein-anhang-150x150.jpg" alt="Ohne Anhang" class="alignleft" '
        f'srcset="{url}/kein-anhang-150x150.jpg 150w, {url}/kein-anhang.jpg 640w" />\n\n'
        f'[audio mp3="{url}/folge.mp3"][/audio]\n\n<a href="{url}/fehlt.pdf">PDF</a>'
    )
    report = run_import(None, "--media-dir", str(media), "--allow-skips", items=[Item(1, content=body)])
    post = Post.objects.get()
    image = Image.objects.get()
    assert image.alt_text == "Ohne Anhang"
    assert "<picture>" in post.body_html
    assert "alt.example.org/wp-content/uploads/2011/05/kein-anhang" not in post.body_html
    assert '<source src="/media/wordpress/2011/05/folge.mp3" type="audio/mpeg">' in post.body_html
    assert (tmp_path / "media" / "wordpress" / "2011" / "05" / "folge.mp3").exists()
    assert f'href="{url}/fehlt.pdf"' in post.body_html  # not in the folder: stays, and is reported
    assert re.search(r"^media files\s+1\s+0\s+0\s+1$", report, re.M)
    assert f"NOT IMPORTED: media files: file not found in the media folder ({url}/fehlt.pdf)" in report


def test_import_media_dir_gives_galleries_local_images_with_srcset(run_import, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    media = tmp_path / "uploads"
    _jpeg(media / "2011" / "05" / "eins.jpg")
    url = "http://alt.example.org/wp-content/uploads/2011/05/eins.jpg"
    items = [
        Item(1, content='[gallery ids="9" link="file"]'),
        Item(9, post_type="attachment", status="inherit", parent=1, attachment_url=url,
             meta={"_wp_attachment_image_alt": "Eins"}),
    ]  # fmt: skip
    run_import(None, "--media-dir", str(media), items=items)
    body = Post.objects.get().body_html
    image = Image.objects.get()
    assert '<ul class="wp-gallery__grid"><li class="wp-gallery__item"><figure class="bw-figure"' in body
    assert "<picture>" in body and image.fallback_url in body
    assert 'alt="Eins"' in body and "alt.example.org" not in body


def test_import_teaches_the_spam_filter_its_approved_and_spam_comments(
    run_import, django_capture_on_commit_callbacks
):
    from comments.models import SpamModel, SpamToken
    from tests.worker.utils import task_rows, tasks_run

    spam = [C(100 + n, approved="spam", content=f"Cheap viagra casino bonus number {n}") for n in range(6)]
    good = [C(200 + n, content=f"Danke für den Beitrag, Gedanke {n}") for n in range(6)]
    with django_capture_on_commit_callbacks(execute=True):
        run_import(items=[Item(1, comments=[*spam, *good, C(300, approved="0")])])
    # Queued for the worker, due now: no --retrain by hand.
    row = task_rows("comments.tasks.spamfilter_retrain").get()
    assert row.run_after is None or row.run_after <= timezone.now()
    tasks_run()
    state = SpamModel.objects.get()
    assert (state.spam, state.ham) == (6, 6)  # the pending one teaches nothing
    assert SpamToken.objects.get(token="w:viagra").spam == 6
    assert Comment.objects.get(legacy__wp_id=300).trained_as == ""
    # Importing the same export again changes no comment: nothing more to learn.
    with django_capture_on_commit_callbacks(execute=True):
        run_import(items=[Item(1, comments=[*spam, *good, C(300, approved="0")])])
    assert task_rows("comments.tasks.spamfilter_retrain").count() == 1
