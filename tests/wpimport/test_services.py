from pathlib import Path

import pytest

from tests.wpimport.builder import Comment as C
from wpimport.services import (
    comment_skip_reason,
    comment_status,
    find_media_file,
    legacy_path,
    make_slug,
    make_username,
    post_status,
    site_key,
    thread_depths,
)
from wpimport.wxr import WxrComment


def test_thread_depths_follows_parents_in_any_order():
    result = thread_depths({3: 2, 1: 0, 2: 1})
    assert result == {1: (None, 0), 2: (1, 1), 3: (2, 2)}


def test_thread_depths_breaks_cycles_and_missing_parents():
    result = thread_depths({1: 2, 2: 1, 3: 3, 4: 99})
    assert sorted(depth for _parent, depth in result.values()) == [0, 0, 0, 1]
    assert result[3] == (None, 0) and result[4] == (None, 0)


@pytest.mark.parametrize(
    ("status", "password", "expected"),
    [
        ("publish", "", "published"),
        ("future", "", "published"),
        ("draft", "", "draft"),
        ("pending", "", "draft"),
        ("private", "", "draft"),
        ("publish", "x", "draft"),
        ("trash", "", None),
        ("inherit", "", None),
    ],
)
def test_post_status_maps_wordpress_statuses(status, password, expected):
    assert post_status(status, password)[0] == expected


def test_comment_status_and_skip_reasons():
    assert [comment_status(v) for v in ("1", "0", "spam", "trash", "weird")] == [
        "approved",
        "pending",
        "spam",
        None,
        "pending",
    ]
    assert comment_skip_reason(WxrComment(wp_id=1, type="pingback")) == "pingback"
    assert comment_skip_reason(WxrComment(wp_id=1, type="trackback")) == "trackback"
    assert comment_skip_reason(WxrComment(wp_id=1, type="note")) == "type note"
    assert comment_skip_reason(WxrComment(wp_id=1, approved="trash")) == "in trash"
    assert comment_skip_reason(WxrComment(wp_id=0)) == "no comment id"
    assert comment_skip_reason(WxrComment(wp_id=1, approved="1")) == ""
    assert C(1).type == ""  # the builder writes WordPress's empty type for plain comments


def test_site_key_ignores_scheme_and_trailing_slash():
    assert (
        site_key("https://Blog.Example.org/wp/")
        == site_key("http://blog.example.org/wp")
        == "blog.example.org/wp"
    )


def test_legacy_path_decodes_and_skips_query_only_links():
    assert legacy_path("http://x.org/2011/05/24/%C3%BCber/") == "/2011/05/24/über/"
    assert legacy_path("http://x.org/?p=12") == ""
    assert legacy_path("http://x.org/") == ""


def test_make_slug_and_username_are_url_safe():
    assert make_slug("%c3%bcber-uns", "", 50) == "uber-uns"
    assert make_slug("", "Grüße & Küsse!", 50) == "grue-kusse"
    assert make_slug("a" * 300, "", 250) == "a" * 250
    assert make_username("Anna Maria <x>") == "Anna-Maria--x-"
    assert make_username("   ") == "wordpress"


def test_find_media_file_stays_inside_the_media_folder(tmp_path: Path):
    media = tmp_path / "media"
    (media / "2011" / "05").mkdir(parents=True)
    (media / "2011" / "05" / "a.jpg").write_bytes(b"x")
    (tmp_path / "secret.jpg").write_bytes(b"x")
    assert (
        find_media_file(media, "http://x.org/wp-content/uploads/2011/05/a.jpg")
        == media / "2011" / "05" / "a.jpg"
    )
    assert find_media_file(media, "http://x.org/wp-content/uploads/../../secret.jpg") is None
    assert find_media_file(media, "http://x.org/wp-content/uploads/2011/05/b.jpg") is None
