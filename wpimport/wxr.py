"""Streaming reader for WordPress eXtended RSS exports (WXR 1.0–1.2, WordPress and WordPress.com).

The file is fed in chunks to defusedxml's SAX parser (no entity expansion, no external
resources), and one small tree per author, term or item is handed out as soon as it ends,
so memory is bounded by the largest single item, never by the file.
"""

from __future__ import annotations

import datetime
import email.utils
import re
import zoneinfo
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO
from xml.sax import SAXException, SAXParseException
from xml.sax.handler import ContentHandler, feature_namespaces

import defusedxml.sax
from defusedxml import DefusedXmlException

CHUNK_SIZE = 256 * 1024

_NAMESPACES = {
    "http://purl.org/rss/1.0/modules/content/": "content",
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://wellformedweb.org/CommentAPI/": "wfw",
}


class WxrError(Exception):
    """The file is not a readable WordPress export; ``line`` says where reading stopped."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line

    def __str__(self):
        return f"line {self.line}: {self.message}" if self.line else self.message


def _prefixed(uri: str | None, local: str) -> str:
    if not uri:
        return local
    if uri.startswith(("http://wordpress.org/export/", "https://wordpress.org/export/")):
        # Each WXR version has its own URI; the excerpt module lives beneath it.
        return f"excerpt:{local}" if uri.rstrip("/").endswith("/excerpt") else f"wp:{local}"
    prefix = _NAMESPACES.get(uri)
    return f"{prefix}:{local}" if prefix else f"{{{uri}}}{local}"


class Node:
    """A minimal element: tag (``wp:post_id`` style), attributes, children, text, line."""

    __slots__ = ("_text", "attrs", "children", "line", "tag")

    def __init__(self, tag: str, attrs: dict[str, str], line: int):
        self.tag = tag
        self.attrs = attrs
        self.children: list[Node] = []
        self._text: list[str] = []
        self.line = line

    @property
    def text(self) -> str:
        return "".join(self._text)

    def find(self, tag: str) -> Node | None:
        for child in self.children:
            if child.tag == tag:
                return child
        return None

    def findall(self, tag: str) -> list[Node]:
        return [child for child in self.children if child.tag == tag]

    def get(self, tag: str, default: str = "") -> str:
        child = self.find(tag)
        return child.text if child is not None else default

    def __repr__(self):
        return f"<Node {self.tag} line {self.line}>"


class _Handler(ContentHandler):
    """Builds a tree for each child of ``<channel>`` and queues it when it closes."""

    def __init__(self, reader):
        super().__init__()
        self.reader = reader
        self.depth = 0
        self.open: list[Node] = []
        self.done: deque[Node] = deque()
        self.root_seen = False
        self.channel_seen = False

    def startElementNS(self, name, qname, attrs):
        tag = _prefixed(*name)
        line = self.reader.getLineNumber()
        if self.depth == 0:
            self.root_seen = True
            if tag != "rss":
                raise WxrError(
                    f"this is not a WordPress export: the root element is <{tag}>, not <rss>", line
                )
        elif self.depth == 1:
            if tag == "channel":
                self.channel_seen = True
        else:
            node = Node(tag, {key[1]: value for key, value in attrs.items()}, line)
            if self.open:
                self.open[-1].children.append(node)
            self.open.append(node)
        self.depth += 1

    def endElementNS(self, name, qname):
        self.depth -= 1
        if self.depth >= 2:
            node = self.open.pop()
            if not self.open:
                self.done.append(node)

    def characters(self, content):
        if self.open:
            self.open[-1]._text.append(content)


def read_wxr(fileobj: BinaryIO, chunk_size: int = CHUNK_SIZE) -> Iterator[Node]:
    """Yield each child element of ``<channel>`` (authors, terms, items, …) as it ends.

    Raises ``WxrError`` with the line number for malformed, truncated or hostile files.
    """
    reader = defusedxml.sax.make_parser()
    reader.setFeature(feature_namespaces, True)
    handler = _Handler(reader)
    reader.setContentHandler(handler)
    try:
        while chunk := fileobj.read(chunk_size):
            reader.feed(chunk)
            while handler.done:
                yield handler.done.popleft()
        if not handler.root_seen:
            raise WxrError("the file is empty or contains no XML element")
        reader.close()
    except SAXParseException as exc:
        raise WxrError(_describe(exc.getMessage()), exc.getLineNumber()) from None
    except DefusedXmlException as exc:
        raise WxrError(f"refused for safety: {exc}", reader.getLineNumber()) from None
    except SAXException as exc:
        raise WxrError(str(exc), reader.getLineNumber()) from None
    while handler.done:
        yield handler.done.popleft()
    if not handler.channel_seen:
        raise WxrError("this RSS file has no <channel>; it is not a WordPress export")


def _describe(message: str) -> str:
    if "no element found" in message or "unclosed token" in message:
        return f"the file ends too early (truncated?): {message}"
    return f"the XML is broken: {message}"


def count_items(fileobj: BinaryIO) -> int:
    """A quick estimate of the number of ``<item>`` elements, for the progress bar."""
    count, tail = 0, b""
    while chunk := fileobj.read(1024 * 1024):
        data = tail + chunk
        count += data.count(b"<item>")
        tail = data[-5:]
    fileobj.seek(0)
    return count


# --- Records ------------------------------------------------------------------------------


@dataclass
class WxrTerm:
    """A category (with its parent's slug) or a tag as the export declares it."""

    taxonomy: str
    slug: str
    name: str
    parent_slug: str = ""
    description: str = ""
    wp_id: int = 0


@dataclass
class WxrAuthor:
    wp_id: int
    login: str
    email: str = ""
    display_name: str = ""
    first_name: str = ""
    last_name: str = ""


@dataclass
class WxrComment:
    wp_id: int
    author: str = ""
    email: str = ""
    url: str = ""
    ip: str = ""
    date: str = ""
    date_gmt: str = ""
    content: str = ""
    approved: str = ""
    type: str = ""
    parent: int = 0
    user_id: int = 0
    line: int = 0


@dataclass
class WxrItem:
    line: int
    wp_id: int | None
    post_type: str
    title: str = ""
    link: str = ""
    pub_date: str = ""
    creator: str = ""
    guid: str = ""
    content: str = ""
    excerpt: str = ""
    post_date: str = ""
    post_date_gmt: str = ""
    post_modified: str = ""
    post_modified_gmt: str = ""
    comment_status: str = ""
    slug: str = ""
    status: str = ""
    parent: int = 0
    menu_order: int = 0
    password: str = ""
    is_sticky: bool = False
    attachment_url: str = ""
    terms: list[tuple[str, str, str]] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    comments: list[WxrComment] = field(default_factory=list)


def _int(value: str, default: int | None = 0) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() else default


def parse_author(node: Node) -> WxrAuthor:
    return WxrAuthor(
        wp_id=_int(node.get("wp:author_id")) or 0,
        login=node.get("wp:author_login").strip(),
        email=node.get("wp:author_email").strip(),
        display_name=node.get("wp:author_display_name").strip(),
        first_name=node.get("wp:author_first_name").strip(),
        last_name=node.get("wp:author_last_name").strip(),
    )


def parse_term(node: Node) -> WxrTerm | None:
    """``wp:category``, ``wp:tag`` or a ``wp:term`` of those two taxonomies; else ``None``."""
    if node.tag == "wp:category":
        return WxrTerm(
            "category",
            node.get("wp:category_nicename").strip(),
            node.get("wp:cat_name").strip(),
            node.get("wp:category_parent").strip(),
            node.get("wp:category_description").strip(),
            _int(node.get("wp:term_id")) or 0,
        )
    if node.tag == "wp:tag":
        return WxrTerm(
            "post_tag",
            node.get("wp:tag_slug").strip(),
            node.get("wp:tag_name").strip(),
            wp_id=_int(node.get("wp:term_id")) or 0,
        )
    if node.tag == "wp:term" and node.get("wp:term_taxonomy") in {"category", "post_tag"}:
        return WxrTerm(
            node.get("wp:term_taxonomy"),
            node.get("wp:term_slug").strip(),
            node.get("wp:term_name").strip(),
            node.get("wp:term_parent").strip(),
            node.get("wp:term_description").strip(),
            _int(node.get("wp:term_id")) or 0,
        )
    return None


def parse_item(node: Node) -> WxrItem:
    item = WxrItem(
        line=node.line,
        wp_id=_int(node.get("wp:post_id"), None),
        post_type=node.get("wp:post_type").strip() or "post",
        title=node.get("title").strip(),
        link=node.get("link").strip(),
        pub_date=node.get("pubDate").strip(),
        creator=node.get("dc:creator").strip(),
        guid=node.get("guid").strip(),
        content=node.get("content:encoded"),
        excerpt=node.get("excerpt:encoded"),
        post_date=node.get("wp:post_date").strip(),
        post_date_gmt=node.get("wp:post_date_gmt").strip(),
        post_modified=node.get("wp:post_modified").strip(),
        post_modified_gmt=node.get("wp:post_modified_gmt").strip(),
        comment_status=node.get("wp:comment_status").strip(),
        slug=node.get("wp:post_name").strip(),
        status=node.get("wp:status").strip(),
        parent=_int(node.get("wp:post_parent")) or 0,
        menu_order=_int(node.get("wp:menu_order")) or 0,
        password=node.get("wp:post_password"),
        is_sticky=node.get("wp:is_sticky").strip() == "1",
        attachment_url=node.get("wp:attachment_url").strip(),
    )
    for child in node.children:
        if child.tag == "category":
            item.terms.append(
                (child.attrs.get("domain", "category"), child.attrs.get("nicename", ""), child.text.strip())
            )
        elif child.tag == "wp:postmeta":
            item.meta[child.get("wp:meta_key").strip()] = child.get("wp:meta_value")
        elif child.tag == "wp:comment":
            item.comments.append(
                WxrComment(
                    wp_id=_int(child.get("wp:comment_id"), 0) or 0,
                    author=child.get("wp:comment_author").strip(),
                    email=child.get("wp:comment_author_email").strip(),
                    url=child.get("wp:comment_author_url").strip(),
                    ip=child.get("wp:comment_author_IP").strip(),
                    date=child.get("wp:comment_date").strip(),
                    date_gmt=child.get("wp:comment_date_gmt").strip(),
                    content=child.get("wp:comment_content"),
                    approved=child.get("wp:comment_approved").strip(),
                    type=child.get("wp:comment_type").strip(),
                    parent=_int(child.get("wp:comment_parent")) or 0,
                    user_id=_int(child.get("wp:comment_user_id")) or 0,
                    line=child.line,
                )
            )
    return item


# --- Dates --------------------------------------------------------------------------------


def _wp_datetime(value: str) -> datetime.datetime | None:
    """``2011-05-24 13:05:00`` as a naive datetime; ``0000-00-00 00:00:00`` and junk → None."""
    try:
        parsed = datetime.datetime.strptime((value or "").strip(), "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None
    return parsed if parsed.year > 1 else None


_RFC822_YEAR = re.compile(r"\b\d{1,2} [A-Za-z]{3} [12]\d{3} \d{2}:\d{2}")


def parse_wp_date(gmt: str, local: str, tz: zoneinfo.ZoneInfo, rfc822: str = "") -> datetime.datetime | None:
    """The GMT field when it holds a real time, else the local one in ``tz``, else the RSS date."""
    if value := _wp_datetime(gmt):
        return value.replace(tzinfo=datetime.UTC)
    if value := _wp_datetime(local):
        return value.replace(tzinfo=tz)
    # WordPress writes "Mon, 30 Nov -0001 00:00:00 +0000" for drafts; only real years count.
    if rfc822 and _RFC822_YEAR.search(rfc822):
        try:
            value = email.utils.parsedate_to_datetime(rfc822)
        except (TypeError, ValueError, IndexError):
            return None
        if value.year > 1:
            return value if value.tzinfo else value.replace(tzinfo=datetime.UTC)
    return None
