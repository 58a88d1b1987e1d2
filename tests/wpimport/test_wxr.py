import datetime
import io
import zoneinfo

import pytest

from tests.wpimport.builder import Comment, Item, wxr
from wpimport.wxr import WxrError, count_items, parse_item, parse_wp_date, read_wxr

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def items_of(data: bytes, chunk_size: int = 64):
    return [
        parse_item(node) for node in read_wxr(io.BytesIO(data), chunk_size=chunk_size) if node.tag == "item"
    ]


def test_read_wxr_yields_items_with_comments_and_terms():
    data = wxr([Item(7, "Titel", categories=[("pr", "PR")], tags=[("x", "X")], comments=[Comment(3)])])
    (item,) = items_of(data)
    assert item.wp_id == 7
    assert item.title == "Titel"
    assert ("category", "pr", "PR") in item.terms
    assert ("post_tag", "x", "X") in item.terms
    assert [c.wp_id for c in item.comments] == [3]
    assert item.line > 1


def test_read_wxr_joins_split_cdata_and_keeps_markup():
    content = "Code: a[b[0]]> c & <em>d</em> ]]> Ende"
    (item,) = items_of(wxr([Item(1, content=content, title="Ä ö ü ß – “Zitat”")]))
    assert item.content == content
    assert item.title == "Ä ö ü ß – “Zitat”"


@pytest.mark.parametrize("encoding", ["ISO-8859-1", "UTF-16", "windows-1252"])
def test_read_wxr_honours_declared_encoding(encoding):
    (item,) = items_of(wxr([Item(1, title="Grüße aus Köln")], encoding=encoding))
    assert item.title == "Grüße aus Köln"


@pytest.mark.parametrize("version", ["1.0", "1.1", "1.2"])
def test_read_wxr_accepts_every_wxr_version(version):
    (item,) = items_of(wxr([Item(5)], version=version))
    assert item.wp_id == 5
    assert item.post_type == "post"


def test_read_wxr_names_the_line_of_broken_xml():
    data = wxr([Item(1), Item(2)]).replace(b"<wp:post_id>2</wp:post_id>", b"<wp:post_id>2</wp:postid>")
    line = data[: data.index(b"</wp:postid>")].count(b"\n") + 1
    with pytest.raises(WxrError) as info:
        items_of(data)
    assert info.value.line == line
    assert "broken" in str(info.value)


def test_read_wxr_reports_a_truncated_file():
    data = wxr([Item(1), Item(2)])
    with pytest.raises(WxrError) as info:
        items_of(data[: len(data) // 2 + 200])
    assert "truncated" in str(info.value)
    assert info.value.line


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"<?xml version='1.0'?><html><body/></html>", "root element"),
        (b"<rss version='2.0'></rss>", "no <channel>"),
    ],
)
def test_read_wxr_refuses_what_is_not_an_export(data, message):
    with pytest.raises(WxrError, match=message):
        list(read_wxr(io.BytesIO(data)))


def test_read_wxr_refuses_entity_expansion():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        b"<rss><channel><title>&b;</title></channel></rss>"
    )
    with pytest.raises(WxrError, match="refused"):
        list(read_wxr(io.BytesIO(bomb)))


def test_read_wxr_keeps_memory_to_one_item_at_a_time():
    data = wxr([Item(n) for n in range(1, 50)])
    seen = 0
    for node in read_wxr(io.BytesIO(data), chunk_size=128):
        if node.tag == "item":
            seen += 1
            # Each yielded tree is detached: the reader holds nothing of earlier items.
            assert len(node.findall("wp:post_id")) == 1
    assert seen == 49


def test_count_items_counts_items():
    buffer = io.BytesIO(wxr([Item(n) for n in range(1, 8)]))
    assert count_items(buffer) == 7
    assert buffer.tell() == 0


def test_parse_wp_date_prefers_gmt():
    value = parse_wp_date("2011-05-24 13:05:00", "2011-05-24 15:05:00", BERLIN)
    assert value == datetime.datetime(2011, 5, 24, 13, 5, tzinfo=datetime.UTC)


def test_parse_wp_date_uses_local_time_when_gmt_is_zero_or_missing():
    expected = datetime.datetime(2011, 5, 24, 13, 5, tzinfo=datetime.UTC)
    assert parse_wp_date("0000-00-00 00:00:00", "2011-05-24 15:05:00", BERLIN) == expected
    assert parse_wp_date("", "2011-05-24 15:05:00", BERLIN) == expected


def test_parse_wp_date_falls_back_to_rss_date_then_none():
    assert parse_wp_date(
        "0000-00-00 00:00:00", "0000-00-00 00:00:00", BERLIN, "Tue, 24 May 2011 13:05:00 +0000"
    ) == (datetime.datetime(2011, 5, 24, 13, 5, tzinfo=datetime.UTC))
    assert parse_wp_date("0000-00-00 00:00:00", "junk", BERLIN, "Mon, 30 Nov -0001 00:00:00 +0000") is None
