"""A small WXR writer for tests: exports as WordPress writes them, built from plain values."""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

SITE = "http://alt.example.org"


def cdata(text: str) -> str:
    # WordPress splits a "]]>" inside the text across two CDATA sections, exactly like this.
    return "<![CDATA[" + str(text).replace("]]>", "]]]]><![CDATA[>") + "]]>"


@dataclass
class Comment:
    wp_id: int
    content: str = "Ein Kommentar."
    author: str = "Leserin"
    email: str = "leserin@example.org"
    url: str = ""
    ip: str = "192.0.2.10"
    date: str = "2011-05-25 10:00:00"
    date_gmt: str | None = "2011-05-25 08:00:00"
    approved: str = "1"
    type: str = ""
    parent: int = 0
    user_id: int = 0

    def xml(self) -> str:
        gmt = "" if self.date_gmt is None else f"<wp:comment_date_gmt>{self.date_gmt}</wp:comment_date_gmt>"
        return f"""
    <wp:comment>
      <wp:comment_id>{self.wp_id}</wp:comment_id>
      <wp:comment_author>{cdata(self.author)}</wp:comment_author>
      <wp:comment_author_email>{cdata(self.email)}</wp:comment_author_email>
      <wp:comment_author_url>{escape(self.url)}</wp:comment_author_url>
      <wp:comment_author_IP>{cdata(self.ip)}</wp:comment_author_IP>
      <wp:comment_date>{self.date}</wp:comment_date>
      {gmt}
      <wp:comment_content>{cdata(self.content)}</wp:comment_content>
      <wp:comment_approved>{cdata(self.approved)}</wp:comment_approved>
      <wp:comment_type>{cdata(self.type)}</wp:comment_type>
      <wp:comment_parent>{self.parent}</wp:comment_parent>
      <wp:comment_user_id>{self.user_id}</wp:comment_user_id>
      <wp:commentmeta><wp:meta_key>{cdata("akismet_result")}</wp:meta_key><wp:meta_value>{cdata("false")}</wp:meta_value></wp:commentmeta>
    </wp:comment>"""


@dataclass
class Item:
    wp_id: int
    title: str = "Ein Beitrag"
    slug: str = ""
    content: str = "Erster Absatz.\n\nZweiter Absatz."
    excerpt: str = ""
    post_type: str = "post"
    status: str = "publish"
    date: str = "2011-05-24 15:05:00"
    date_gmt: str | None = "2011-05-24 13:05:00"
    creator: str = "anna"
    link: str | None = None
    password: str = ""
    sticky: bool = False
    parent: int = 0
    menu_order: int = 0
    comment_status: str = "open"
    attachment_url: str = ""
    modified_gmt: str | None = None
    has_post_id: bool = True  # hand-written exports leave wp:post_id out
    guid: str | None = None
    categories: list[tuple[str, str]] = field(default_factory=list)  # (slug, name)
    tags: list[tuple[str, str]] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    comments: list[Comment] = field(default_factory=list)

    def xml(self) -> str:
        slug = self.slug or f"beitrag-{self.wp_id}"
        link = self.link if self.link is not None else f"{SITE}/2011/05/24/{slug}/"
        terms = "".join(
            f'\n    <category domain="category" nicename={quoteattr(s)}>{cdata(n)}</category>'
            for s, n in self.categories
        ) + "".join(
            f'\n    <category domain="post_tag" nicename={quoteattr(s)}>{cdata(n)}</category>'
            for s, n in self.tags
        )
        meta = "".join(
            f"\n    <wp:postmeta><wp:meta_key>{cdata(k)}</wp:meta_key><wp:meta_value>{cdata(v)}</wp:meta_value></wp:postmeta>"
            for k, v in self.meta.items()
        )
        gmt = "" if self.date_gmt is None else f"<wp:post_date_gmt>{cdata(self.date_gmt)}</wp:post_date_gmt>"
        if self.modified_gmt is not None:
            gmt += f"<wp:post_modified_gmt>{cdata(self.modified_gmt)}</wp:post_modified_gmt>"
        post_id = f"<wp:post_id>{self.wp_id}</wp:post_id>" if self.has_post_id else ""
        guid = self.guid if self.guid is not None else f"{SITE}/?p={self.wp_id}"
        attachment = (
            f"<wp:attachment_url>{cdata(self.attachment_url)}</wp:attachment_url>"
            if self.attachment_url
            else ""
        )
        return f"""
  <item>
    <title>{cdata(self.title)}</title>
    <link>{escape(link)}</link>
    <pubDate>Tue, 24 May 2011 13:05:00 +0000</pubDate>
    <dc:creator>{cdata(self.creator)}</dc:creator>
    <guid isPermaLink="false">{escape(guid)}</guid>
    <description></description>
    <content:encoded>{cdata(self.content)}</content:encoded>
    <excerpt:encoded>{cdata(self.excerpt)}</excerpt:encoded>
    {post_id}
    <wp:post_date>{cdata(self.date)}</wp:post_date>
    {gmt}
    <wp:comment_status>{cdata(self.comment_status)}</wp:comment_status>
    <wp:ping_status>{cdata("open")}</wp:ping_status>
    <wp:post_name>{cdata(slug)}</wp:post_name>
    <wp:status>{cdata(self.status)}</wp:status>
    <wp:post_parent>{self.parent}</wp:post_parent>
    <wp:menu_order>{self.menu_order}</wp:menu_order>
    <wp:post_type>{cdata(self.post_type)}</wp:post_type>
    <wp:post_password>{cdata(self.password)}</wp:post_password>
    <wp:is_sticky>{int(self.sticky)}</wp:is_sticky>
    {attachment}{terms}{meta}{"".join(c.xml() for c in self.comments)}
  </item>"""


DEFAULT_AUTHORS = [(1, "anna", "anna@example.org", "Anna Schmidt")]


def wxr(
    items=(),
    *,
    authors=DEFAULT_AUTHORS,
    categories=(),  # (term_id, slug, parent_slug, name)
    tags=(),  # (term_id, slug, name)
    site: str = SITE,
    version: str = "1.2",
    encoding: str = "UTF-8",
    title: str = "Altes Blog",
) -> bytes:
    """A whole export as bytes in ``encoding`` (declared in the XML declaration)."""
    ns = f"http://wordpress.org/export/{version}/"
    author_xml = "".join(
        f"""
  <wp:author><wp:author_id>{wp_id}</wp:author_id><wp:author_login>{cdata(login)}</wp:author_login>
    <wp:author_email>{cdata(email)}</wp:author_email><wp:author_display_name>{cdata(name)}</wp:author_display_name>
    <wp:author_first_name>{cdata("")}</wp:author_first_name><wp:author_last_name>{cdata("")}</wp:author_last_name></wp:author>"""
        for wp_id, login, email, name in authors
    )
    category_xml = "".join(
        f"""
  <wp:category><wp:term_id>{term_id}</wp:term_id><wp:category_nicename>{cdata(slug)}</wp:category_nicename>
    <wp:category_parent>{cdata(parent)}</wp:category_parent><wp:cat_name>{cdata(name)}</wp:cat_name></wp:category>"""
        for term_id, slug, parent, name in categories
    )
    tag_xml = "".join(
        f"""
  <wp:tag><wp:term_id>{term_id}</wp:term_id><wp:tag_slug>{cdata(slug)}</wp:tag_slug><wp:tag_name>{cdata(name)}</wp:tag_name></wp:tag>"""
        for term_id, slug, name in tags
    )
    text = f"""<?xml version="1.0" encoding="{encoding}" ?>
<!-- This is a WordPress eXtended RSS file generated by WordPress as an export of your site. -->
<rss version="2.0"
  xmlns:excerpt="{ns}excerpt/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:wfw="http://wellformedweb.org/CommentAPI/"
  xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:wp="{ns}"
>
<channel>
  <title>{escape(title)}</title>
  <link>{site}</link>
  <description>Ein Blog</description>
  <pubDate>Mon, 01 Aug 2011 10:00:00 +0000</pubDate>
  <language>de-DE</language>
  <wp:wxr_version>{version}</wp:wxr_version>
  <wp:base_site_url>{site}</wp:base_site_url>
  <wp:base_blog_url>{site}</wp:base_blog_url>
{author_xml}{category_xml}{tag_xml}
  <generator>https://wordpress.org/?v=3.2</generator>
{"".join(item.xml() for item in items)}
</channel>
</rss>
"""
    return text.encode(encoding)
