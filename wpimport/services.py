"""Bring a WordPress export into the site: authors, terms, posts, pages, comments, old links.

The whole file is imported in ONE database transaction: a broken or truncated file, or any
error, rolls everything back, so the database is either fully updated or unchanged. Re-runs
are safe because every object is keyed by the export's site and its WordPress id.
"""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
import re
import zoneinfo
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO
from urllib.parse import parse_qs, unquote, urlsplit

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.text import slugify

from blog.images import delete_renditions, validate_image_file
from blog.models import RESERVED_PAGE_SLUGS, AuthorProfile, Category, Image, Page, Post, Tag
from blog.permissions import EDITORS
from blog.search import index_deferred
from comments import spamfilter
from core import invalidation
from wpimport.conf import wpimport_settings
from wpimport.content import Attachment, Library, convert_content, picture_img, plain_title, tag_attrs
from wpimport.markup import autop
from wpimport.models import LegacyComment, LegacyItem, LegacyTerm
from wpimport.wxr import (
    WxrAuthor,
    WxrComment,
    WxrError,
    WxrItem,
    WxrTerm,
    parse_author,
    parse_item,
    parse_term,
    parse_wp_date,
    read_wxr,
)

KINDS = (
    "authors", "categories", "tags", "posts", "pages", "attachments", "images", "media files", "comments",
)  # fmt: skip
# WordPress's own bookkeeping types: not content, skipped without counting as a failure.
INTERNAL_POST_TYPES = {
    "nav_menu_item", "revision", "wp_block", "wp_navigation", "wp_template", "wp_template_part",
    "wp_global_styles", "custom_css", "customize_changeset", "oembed_cache", "user_request",
    "wp_font_family", "wp_font_face", "shop_order", "feedback", "jp_pay_order", "jp_pay_product",
}  # fmt: skip
OUTCOMES = ("created", "updated", "unchanged", "skipped")
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".webp"}
# A change WordPress recorded this long after publication shows as "Aktualisiert am …".
UPDATE_GRACE = datetime.timedelta(days=1)


# --- The report ---------------------------------------------------------------------------


@dataclass
class ImportReport:
    """Counts per kind and outcome, reasons for everything skipped, and notes for editors."""

    dry_run: bool = False
    site: str = ""
    title: str = ""
    wxr_version: str = ""
    counts: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    skipped: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    notes: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def count(self, kind: str, outcome: str, n: int = 1) -> None:
        self.counts[kind][outcome] += n

    def skip(self, kind: str, reason: str, *, failed: str = "") -> None:
        """Count a skip; ``failed`` (where, e.g. "line 12") marks something that should have come over."""
        self.counts[kind]["skipped"] += 1
        self.skipped[kind][reason] += 1
        if failed:
            self.failures.append(f"{kind}: {reason} ({failed})")

    def note(self, text: str) -> None:
        self.notes.append(text)

    def lines(self) -> list[str]:
        head = f"WordPress import of {self.site or '(unknown site)'}"
        if self.title:
            head += f" “{self.title}”"
        if self.wxr_version:
            head += f" (WXR {self.wxr_version})"
        out = [head]
        if self.dry_run:
            out.append("DRY RUN: nothing was written; the counts say what a real run would do.")
        out.append(f"{'':<12}" + "".join(f"{o:>11}" for o in OUTCOMES))
        for kind in KINDS:
            out.append(f"{kind:<12}" + "".join(f"{self.counts[kind][o]:>11}" for o in OUTCOMES))
        for kind in KINDS:
            if self.skipped[kind]:
                reasons = ", ".join(f"{reason}: {n}" for reason, n in self.skipped[kind].most_common())
                out.append(f"Skipped {kind}: {reasons}")
        limit = wpimport_settings.REPORT_MAX_NOTES
        for text in self.notes[:limit]:
            out.append(f"Note: {text}")
        if len(self.notes) > limit:
            out.append(f"… and {len(self.notes) - limit} more notes.")
        for text in self.failures[:limit]:
            out.append(f"NOT IMPORTED: {text}")
        if len(self.failures) > limit:
            out.append(f"… and {len(self.failures) - limit} more that could not be imported.")
        return out


# --- Pure decisions -----------------------------------------------------------------------


def site_key(url: str) -> str:
    """The export's identity: host and path of its blog URL, without scheme or trailing slash."""
    parts = urlsplit((url or "").strip())
    host = (parts.hostname or "").lower()
    if parts.port:
        host = f"{host}:{parts.port}"
    return f"{host}{parts.path.rstrip('/')}"[:200]


def legacy_path(link: str) -> str:
    """The decoded path of an old permalink, or "" when only ``?p=`` identifies it."""
    try:
        parts = urlsplit((link or "").strip())
    except ValueError:
        return ""
    path = unquote(parts.path)
    if path in ("", "/") or len(path) > 500:
        return ""
    return path


_ID_PARAMS = ("p", "page_id", "attachment_id")
SYNTHETIC_ID_BASE = 10**15  # far above any real WordPress id


def item_id(wp_id: int | None, guid: str, link: str, *fallback: str) -> tuple[int, bool]:
    """The item's WordPress id; without ``wp:post_id`` the ``?p=19`` of its guid or link, else a
    stable synthetic id from its guid, link or the given texts. Returns (id, is_synthetic)."""
    if wp_id:
        return wp_id, False
    for url in (guid, link):
        try:
            query = parse_qs(urlsplit(url or "").query)
        except ValueError:
            continue
        for name in _ID_PARAMS:
            value = (query.get(name) or [""])[0]
            if value.isdigit() and 0 < len(value) < 16:
                return int(value), False
    seed = guid or link or "\x00".join(fallback)
    digest = hashlib.sha256(seed.encode("utf-8", "surrogatepass")).digest()
    return SYNTHETIC_ID_BASE + int.from_bytes(digest[:5]), True


def post_status(wp_status: str, password: str) -> tuple[str | None, str]:
    """Our status for a WordPress status (``None``: not imported) and a note for the report."""
    if wp_status in ("publish", "future"):
        if password:
            return Post.Status.DRAFT, "password-protected, imported as draft"
        return Post.Status.PUBLISHED, ""
    if wp_status in ("draft", "pending", "private"):
        return Post.Status.DRAFT, ""
    return None, f"status {wp_status or '(none)'}"


def comment_status(approved: str) -> str | None:
    """WordPress's ``comment_approved`` as our status; ``None`` for trash (not imported)."""
    return {
        "1": "approved",
        "0": "pending",
        "spam": "spam",
        "trash": None,
        "post-trashed": None,
    }.get(approved, "pending")


def comment_skip_reason(comment: WxrComment) -> str:
    """Why a comment is not imported, or "" when it is."""
    kind = comment.type or "comment"
    if kind in ("pingback", "trackback"):
        return kind
    if kind != "comment":
        return f"type {kind}"
    if comment_status(comment.approved) is None:
        return "in trash"
    if not comment.wp_id:
        return "no comment id"
    return ""


def thread_depths(parents: dict[int, int]) -> dict[int, tuple[int | None, int]]:
    """For each comment id its (parent id, depth); a missing parent or a cycle makes it top-level."""
    result: dict[int, tuple[int | None, int]] = {}
    for start in parents:
        path, on_path, node = [], set(), start
        while node not in result:
            parent = parents[node]
            if parent not in parents or parent in on_path or parent == node:
                result[node] = (None, 0)
                break
            path.append(node)
            on_path.add(node)
            node = parent
        for child in reversed(path):
            parent = parents[child]
            result[child] = (parent, result[parent][1] + 1)
    return result


def clean_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def clean_email(value: str) -> str:
    value = (value or "").strip()[:254]
    try:
        validate_email(value)
    except ValidationError:
        return ""
    return value


def make_slug(value: str, fallback: str, max_length: int) -> str:
    """A URL slug from a WordPress slug (percent-encoded UTF-8 allowed) or the fallback text."""
    slug = slugify(unquote(value or ""))[:max_length].strip("-")
    if not slug:
        slug = slugify(fallback)[:max_length].strip("-")
    return slug


_USERNAME_JUNK = re.compile(r"[^\w.@+-]")


def make_username(login: str) -> str:
    return _USERNAME_JUNK.sub("-", login.strip())[:150] or "wordpress"


def find_media_file(media_dir: Path, url: str) -> Path | None:
    """The file for an attachment URL under ``media_dir``: by uploads path, full path or name."""
    path = unquote(urlsplit(url).path).lstrip("/")
    if not path:
        return None
    candidates = []
    if "uploads/" in path:
        candidates.append(path.split("uploads/", 1)[1])
    candidates += [path, PurePosixPath(path).name]
    root = media_dir.resolve()
    for candidate in candidates:
        found = (root / candidate).resolve()
        if found.is_relative_to(root) and found.is_file():
            return found
    return None


_IMG_TAG = re.compile(r"<img\b[^>]*>", re.I)
_UPLOAD_URL = re.compile(r"https?://[^\s\"'<>]+/wp-content/uploads/[^\s\"'<>]+?\.[A-Za-z0-9]{2,5}\b")
_SIZE_SUFFIX = re.compile(r"-\d+x\d+(?=\.[A-Za-z0-9]+$)")


def _full_size(url: str) -> str:
    """``bild-300x200.jpg`` → ``bild.jpg``: WordPress's resized copies name their original."""
    return _SIZE_SUFFIX.sub("", url)


def _stem(url: str) -> str:
    return _full_size(url).rpartition(".")[0].lower()


def _conversion_meta(item: WxrItem) -> dict[str, str]:
    """What a later conversion needs of an item's meta: footnotes and WordPress's oEmbed cache."""
    return {k: v for k, v in item.meta.items() if k == "footnotes" or k.startswith("_oembed_")}


def _chunks(values: list, size: int) -> Iterable[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


# --- The import ---------------------------------------------------------------------------


def wxr_import(
    *,
    source: BinaryIO,
    dry_run: bool = False,
    media_dir: Path | None = None,
    time_zone: zoneinfo.ZoneInfo | None = None,
    progress: Callable[[int], object] | None = None,
) -> ImportReport:
    """Import an open WXR file in one transaction; ``dry_run`` rolls it back after counting.

    Raises ``WxrError`` (naming the line) for a broken file; nothing is kept then.
    """
    report = ImportReport(dry_run=dry_run)
    importer = _Importer(
        report=report,
        dry_run=dry_run,
        media_dir=media_dir,
        time_zone=time_zone or timezone.get_default_timezone(),
        progress=progress,
    )
    try:
        # The search index is built once at the end, not per saved post and per linked tag.
        with transaction.atomic():
            with index_deferred():
                for node in read_wxr(source):
                    importer.handle(node)
                importer.finish()
            if dry_run:
                transaction.set_rollback(True)
    except BaseException:
        importer.discard_files()
        raise
    if not dry_run:
        touched = list(importer.touched_posts)
        invalidation.post_changed(*touched)
        if importer.touched_pages:
            invalidation.site_changed()
        if report.counts["comments"]["created"] or report.counts["comments"]["updated"]:
            # WordPress's approved and spam comments are decisions too: the worker learns them now.
            spamfilter.retrain_schedule(delay=datetime.timedelta(0))
    return report


class _Importer:
    def __init__(self, *, report, dry_run, media_dir, time_zone, progress):
        self.report = report
        self.dry_run = dry_run
        self.media_dir = Path(media_dir) if media_dir else None
        self.tz = time_zone
        self.progress = progress or (lambda n: None)
        self.now = timezone.now()
        self.channel: dict[str, str] = {}
        self.site = ""
        self.terms: list[WxrTerm] = []
        self.terms_done = False
        self.users_by_login: dict[str, object] = {}
        self.users_by_wp_id: dict[int, object] = {}
        self.default_user = None
        self.categories: dict[str, Category] = {}
        self.tags: dict[str, Tag] = {}
        self.seen_items: set[int] = set()
        self.seen_comments: set[int] = set()
        self.pending: list[tuple[Post | Page, list[WxrComment]]] = []
        self.pending_count = 0
        self.touched_posts: set[int] = set()
        self.new_images: list[Image] = []
        self.new_files: list[str] = []
        self.new_links: dict[type, list[tuple[int, int]]] = defaultdict(list)
        self.slugs: dict[type, set[str]] = {}
        self.fresh_items = self.fresh_comments = False
        self.library = Library()
        self.reusable: dict[int, str] = {}
        # Bodies with galleries or playlists, converted again at the end, when every
        # attachment of the file is known: (model, pk, content, wp id, footnotes).
        self.deferred: list[tuple[type, int, str, int, dict[str, str]]] = []
        self.old_media_hosts: set[str] = set()
        self.touched_pages = False
        self.legacy_terms: dict[tuple[str, int], LegacyTerm] = {}
        self.editors = Group.objects.get_or_create(name=EDITORS)[0]

    # -- channel ---------------------------------------------------------------------------

    def handle(self, node) -> None:
        tag = node.tag
        if tag == "item":
            self.item(parse_item(node))
            self.progress(1)
        elif tag == "wp:author":
            self.author(parse_author(node))
        elif tag in ("wp:category", "wp:tag", "wp:term"):
            term = parse_term(node)
            if term is None:
                self.report.skip("categories", f"taxonomy {node.get('wp:term_taxonomy') or '?'}")
            else:
                self.terms.append(term)
        elif tag in ("title", "link", "wp:base_site_url", "wp:base_blog_url", "wp:wxr_version"):
            self.channel[tag] = node.text.strip()

    def ensure_site(self, line: int) -> None:
        if self.site:
            return
        url = (
            self.channel.get("wp:base_blog_url")
            or self.channel.get("wp:base_site_url")
            or self.channel.get("link")
        )
        if not self.channel.get("wp:wxr_version"):
            raise WxrError("this RSS file is not a WordPress export (it has no wp:wxr_version)", line)
        self.site = site_key(url or "")
        if not self.site:
            raise WxrError("the export names no site (wp:base_blog_url or wp:base_site_url)", line)
        self.report.site = self.site
        self.report.title = self.channel.get("title", "")
        self.report.wxr_version = self.channel.get("wp:wxr_version", "")
        # A first import of a site needs no look-ups of earlier imports: the fast path.
        self.fresh_items = not LegacyItem.objects.filter(site=self.site).exists()
        self.fresh_comments = not LegacyComment.objects.filter(site=self.site).exists()

    def finish(self) -> None:
        self.ensure_site(0)
        self.flush_terms()
        self.flush_comments()
        if self.media_dir:
            self.attach_media()
        self.convert_deferred()
        if self.media_dir:
            self.rewrite_media_urls()
        self.flush_legacy_terms()
        if self.old_media_hosts and not self.media_dir:
            hosts = ",".join(sorted(self.old_media_hosts))
            self.report.note(
                f"images and media stay on the old site ({hosts}): allow it with CSP_IMG_HOSTS={hosts} "
                "or import the files with --media-dir path/to/wp-content/uploads"
            )

    # -- authors and terms -----------------------------------------------------------------

    def author(self, author: WxrAuthor):
        if not author.login:
            self.report.skip("authors", "no login name")
            return None
        User = get_user_model()
        username = make_username(author.login)
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                email=clean_email(author.email),
                first_name=author.first_name[:150],
                last_name=author.last_name[:150],
                is_staff=True,
            )
            user.set_unusable_password()
            user.save()
            user.groups.add(self.editors)
            outcome = "created"
        elif user.has_usable_password():
            # A real account of this site: use it for the posts, but never change its rights.
            self.report.note(f"author “{author.login}” matched the existing user “{username}”")
            outcome = "unchanged"
        else:
            user.groups.add(self.editors)
            outcome = "unchanged"
        display_name = (author.display_name or author.login)[:150]
        profile, created = AuthorProfile.objects.get_or_create(
            user=user, defaults={"display_name": display_name}
        )
        if not created and profile.display_name != display_name and not user.has_usable_password():
            profile.display_name = display_name
            profile.save(update_fields=["display_name"])
            outcome = "updated" if outcome == "unchanged" else outcome
        self.report.count("authors", outcome)
        self.users_by_login[author.login] = user
        if author.wp_id:
            self.users_by_wp_id[author.wp_id] = user
            self.remember_term(LegacyTerm.Taxonomy.AUTHOR, author.wp_id, author.login, user.get_username())
        self.default_user = self.default_user or user
        return user

    def user_for(self, login: str):
        if login in self.users_by_login:
            return self.users_by_login[login]
        if login:
            return self.author(WxrAuthor(wp_id=0, login=login))
        if self.default_user is None:
            self.default_user = self.author(WxrAuthor(wp_id=0, login="wordpress", display_name="WordPress"))
        return self.default_user

    def flush_terms(self) -> None:
        """Create the declared categories, then link parents (a child may come first), then tags."""
        if self.terms_done:
            return
        self.terms_done = True
        categories = [t for t in self.terms if t.taxonomy == "category"]
        outcomes: dict[str, str] = {}
        for term in categories:
            slug = make_slug(term.slug, term.name, 120)
            if slug not in self.categories:
                self.category(term.slug, term.name, term.description, outcomes=outcomes)
            if term.wp_id and slug in self.categories:
                self.remember_term(LegacyTerm.Taxonomy.CATEGORY, term.wp_id, term.slug, slug)
        for term in categories:
            slug = make_slug(term.slug, term.name, 120)
            child = self.categories.get(slug)
            parent = self.categories.get(make_slug(term.parent_slug, "", 120)) if term.parent_slug else None
            if child is None or child.parent_id == (parent.pk if parent else None):
                continue
            if parent is not None and self._is_ancestor(child, parent):
                self.report.note(
                    f"category “{child.slug}”: parent “{parent.slug}” would make a cycle; ignored"
                )
                continue
            child.parent = parent
            child.save(update_fields=["parent"])
            if outcomes.get(slug) == "unchanged":
                outcomes[slug] = "updated"
        for outcome in outcomes.values():
            self.report.count("categories", outcome)
        for term in self.terms:
            if term.taxonomy == "post_tag" and (tag := self.tag(term.slug, term.name)) and term.wp_id:
                self.remember_term(LegacyTerm.Taxonomy.TAG, term.wp_id, term.slug, tag.slug)
        self.terms = []

    def remember_term(self, taxonomy: str, wp_id: int, old_slug: str, target: str) -> None:
        old_slug = slugify(unquote(old_slug))[:200] or str(wp_id)
        self.legacy_terms[(taxonomy, wp_id)] = LegacyTerm(
            site=self.site, taxonomy=taxonomy, wp_id=wp_id, old_slug=old_slug, target=target[:200]
        )

    def flush_legacy_terms(self) -> None:
        """Old category, tag and author ids and slugs, for ``?cat=``, ``?author=`` and old paths."""
        for term in self.legacy_terms.values():
            term.site = self.site
        LegacyTerm.objects.bulk_create(
            list(self.legacy_terms.values()),
            update_conflicts=True,
            unique_fields=["site", "taxonomy", "wp_id"],
            update_fields=["old_slug", "target"],
        )

    def _is_ancestor(self, node: Category, candidate: Category) -> bool:
        seen, current = set(), candidate
        while current is not None and current.pk not in seen:
            if current.pk == node.pk:
                return True
            seen.add(current.pk)
            current = current.parent
        return False

    def category(self, raw_slug: str, name: str, description: str = "", outcomes=None) -> Category | None:
        """The category for a slug, created or updated once per run; ``outcomes`` defers counting."""
        slug = make_slug(raw_slug, name, 120)
        if slug in self.categories:
            return self.categories[slug]
        if not slug:
            self.report.skip("categories", "no usable slug")
            return None
        name = (name or slug)[:100]
        category = Category.objects.filter(slug=slug).first()
        if category is None:
            category = Category.objects.create(slug=slug, name=name, description=description)
            outcome = "created"
        elif category.name != name or (description and category.description != description):
            category.name = name
            category.description = description or category.description
            category.save(update_fields=["name", "description"])
            outcome = "updated"
        else:
            outcome = "unchanged"
        if outcomes is None:
            self.report.count("categories", outcome)
        else:
            outcomes[slug] = outcome
        self.categories[slug] = category
        return category

    def tag(self, raw_slug: str, name: str) -> Tag | None:
        slug = make_slug(raw_slug, name, 120)
        if slug in self.tags:
            return self.tags[slug]
        if not slug:
            self.report.skip("tags", "no usable slug")
            return None
        name = (name or slug)[:100]
        tag = Tag.objects.filter(slug=slug).first() or Tag.objects.filter(name=name).first()
        if tag is None:
            tag = Tag.objects.create(slug=slug, name=name)
            self.report.count("tags", "created")
        else:
            self.report.count("tags", "unchanged")
        self.tags[slug] = tag
        return tag

    # -- items -----------------------------------------------------------------------------

    def item(self, item: WxrItem) -> None:
        self.ensure_site(item.line)
        self.flush_terms()
        kind = {"post": "posts", "page": "pages", "attachment": "attachments"}.get(item.post_type)
        item.wp_id, synthetic = item_id(
            item.wp_id, item.guid, item.link, item.post_type, item.slug, item.title, item.post_date
        )
        if item.post_type == "wp_block":
            self.reusable[item.wp_id] = item.content
        if kind is None:
            internal = item.post_type in INTERNAL_POST_TYPES
            failed = "" if internal else f"line {item.line}, “{item.title[:60]}”"
            self.report.skip("posts", f"post type {item.post_type}", failed=failed)
            self.skip_comments(item, "their post was skipped", failed=bool(failed))
            return
        if synthetic:
            self.report.note(f"line {item.line}: no wp:post_id; imported under the synthetic id {item.wp_id}")
        for comment in item.comments:
            if not comment.wp_id:  # hand-written exports: a stable id from what the comment says
                comment.wp_id, _ = item_id(
                    None, "", "", str(item.wp_id), comment.author, comment.date, comment.content
                )
        if item.wp_id in self.seen_items:
            self.report.skip(kind, "WordPress id twice in the file", failed=f"line {item.line}")
            self.skip_comments(item, "their post was skipped", failed=True)
            return
        self.seen_items.add(item.wp_id)
        legacy = None
        if not self.fresh_items:
            legacy = (
                LegacyItem.objects.filter(site=self.site, wp_id=item.wp_id)
                .select_related("post", "page")
                .first()
            )
        if legacy is not None and legacy.kind != item.post_type:
            self.report.skip(
                kind, f"WordPress id already imported as {legacy.kind}", failed=f"line {item.line}"
            )
            self.skip_comments(item, "their post was skipped", failed=True)
            return
        if item.post_type == "post":
            self.post(item, legacy)
        elif item.post_type == "page":
            self.page(item, legacy)
        else:
            self.attachment(item, legacy)
            self.skip_comments(item, "on an attachment", failed=True)

    def skip_comments(self, item: WxrItem, reason: str, *, failed: bool = False) -> None:
        for comment in item.comments:
            self.report.skip("comments", reason, failed=f"line {comment.line}" if failed else "")

    def convert(self, item: WxrItem) -> str:
        """The body as our HTML; bodies that use attachments are converted again at the end."""
        conversion = convert_content(
            item.content,
            library=self.library,
            post_wp_id=item.wp_id,
            footnotes=item.meta.get("footnotes", ""),
            reusable=self.reusable,
            meta=item.meta,
        )
        if not conversion.needs_whole_file:  # else the final conversion reports
            for note in dict.fromkeys(conversion.notes):
                self.report.note(f"{item.post_type} {item.wp_id}: {note}")
        self._needs_whole_file = conversion.needs_whole_file
        if "/wp-content/uploads/" in item.content and not self.media_dir:
            self.old_media_hosts.update(
                f"{m.group(1)}"
                for m in re.finditer(r"(https?://[^/\s\"'<>]+)/[^\s\"'<>]*wp-content/uploads/", item.content)
            )
        return conversion.html

    def _modified(self, item: WxrItem) -> datetime.datetime | None:
        return parse_wp_date(item.post_modified_gmt, item.post_modified, self.tz)

    def _date(self, item: WxrItem) -> datetime.datetime | None:
        return parse_wp_date(item.post_date_gmt, item.post_date, self.tz, item.pub_date)

    def _unique_slug(self, model, base: str, current: str, max_length: int) -> str:
        """``base``, or ``base-2``, ``base-3`` … when another post or page has it already."""
        taken = self.slugs.get(model)
        if taken is None:
            # One query per run instead of one per item; slugs are short, even 100,000 fit.
            taken = self.slugs[model] = set(model.objects.values_list("slug", flat=True))
        candidate, n = base, 1
        while candidate in taken and candidate != current:
            n += 1
            suffix = f"-{n}"
            candidate = base[: max_length - len(suffix)] + suffix
        taken.discard(current)
        taken.add(candidate)
        return candidate

    def post(self, item: WxrItem, legacy: LegacyItem | None) -> None:
        status, note = post_status(item.status, item.password)
        if status is None:
            self.report.skip("posts", note)
            self.skip_comments(item, "their post was skipped")
            return
        published_at = None
        if status == Post.Status.PUBLISHED or item.status == "private" or item.password:
            published_at = self._date(item)
        if status == Post.Status.PUBLISHED and published_at is None:
            status, note = Post.Status.DRAFT, "no usable date, imported as draft"
        if note:
            self.report.note(f"post {item.wp_id} “{item.title[:80]}”: {note}")
        modified = self._modified(item)
        values = {
            "title": (plain_title(item.title) or f"WordPress {item.wp_id}")[:250],
            "author": self.user_for(item.creator),
            "excerpt": autop(item.excerpt),
            "body": self.convert(item),
            "status": status,
            "published_at": published_at,
            # "Aktualisiert am …" when WordPress saw a change after the day of publication.
            "updated_at": modified
            if modified and published_at and modified - published_at > UPDATE_GRACE
            else None,
            "is_sticky": item.is_sticky,
            "comments_open": item.comment_status != "closed",
        }
        if self._needs_whole_file and legacy is not None:
            del values["body"]  # compared and saved at the end, with the whole file known
        category_ids, tag_ids = set(), set()
        for domain, nicename, name in item.terms:
            if domain == "category" and (category := self.category(nicename, name)):
                category_ids.add(category.pk)
            elif domain == "post_tag" and (tag := self.tag(nicename, name)):
                tag_ids.add(tag.pk)
        base_slug = make_slug(item.slug, plain_title(item.title), 250) or f"post-{item.wp_id}"

        if legacy is None:
            post = Post(**values, slug=self._unique_slug(Post, base_slug, "", 250))
            if post.slug != base_slug:
                self.report.note(f"post {item.wp_id}: slug “{base_slug}” was taken, now “{post.slug}”")
            post.save()
            # Collected and written in bulk with the next batch of comments.
            self.new_links[Post.categories.through].extend((post.pk, pk) for pk in category_ids)
            self.new_links[Post.tags.through].extend((post.pk, pk) for pk in tag_ids)
            legacy = LegacyItem(site=self.site, wp_id=item.wp_id, kind=LegacyItem.Kind.POST, post=post)
            outcome = "created"
        else:
            post = legacy.post
            changed = [name for name, value in values.items() if getattr(post, name) != value]
            if post.slug != base_slug and not re.fullmatch(rf"{re.escape(base_slug)}-\d+", post.slug):
                post.slug = self._unique_slug(Post, base_slug, post.slug, 250)
                changed.append("slug")
            old_categories = set(post.categories.values_list("pk", flat=True))
            old_tags = set(post.tags.values_list("pk", flat=True))
            if changed:
                for name in changed:
                    if name in values:
                        setattr(post, name, values[name])
                post.save()
            if old_categories != category_ids:
                post.categories.set(category_ids)
            if old_tags != tag_ids:
                post.tags.set(tag_ids)
            outcome = (
                "updated" if changed or old_categories != category_ids or old_tags != tag_ids else "unchanged"
            )
        self.report.count("posts", outcome)
        if self._needs_whole_file:
            self.deferred.append((Post, post.pk, item.content, item.wp_id, _conversion_meta(item)))
        modified = modified or published_at
        if modified and post.modified_at != modified:
            # The sitemap's lastmod and JSON-LD's dateModified: WordPress's time, not the import's.
            Post.objects.filter(pk=post.pk).update(modified_at=modified)
            post.modified_at = modified
        if outcome != "unchanged":
            self.touched_posts.add(post.pk)
        thumbnail = item.meta.get("_thumbnail_id", "").strip()
        self.save_legacy(
            legacy,
            item,
            thumbnail_wp_id=int(thumbnail) if thumbnail.isdigit() else None,
        )
        if item.comments:
            self.pending.append((post, item.comments))
            self.pending_count += len(item.comments)
        if (
            self.pending_count + len(self.new_links[Post.tags.through])
            >= wpimport_settings.COMMENT_BATCH_SIZE
        ):
            self.flush_comments()

    def save_legacy(self, legacy: LegacyItem, item: WxrItem, **extra) -> None:
        values = {
            "old_path": legacy_path(item.link),
            "url": (item.attachment_url or item.link)[:1000],
            "title": item.title[:250],
            "parent_wp_id": item.parent or None,
            **extra,
        }
        if legacy.pk and all(getattr(legacy, name) == value for name, value in values.items()):
            return
        for name, value in values.items():
            setattr(legacy, name, value)
        legacy.save()

    def page(self, item: WxrItem, legacy: LegacyItem | None) -> None:
        status, note = post_status(item.status, item.password)
        if status is None:
            self.report.skip("pages", note)
            return
        if note:
            self.report.note(f"page {item.wp_id} “{item.title[:80]}”: {note}")
        values = {
            "title": (plain_title(item.title) or f"WordPress {item.wp_id}")[:200],
            "body": self.convert(item),
            "is_published": status == Post.Status.PUBLISHED and item.status == "publish",
            "comments_open": item.comment_status == "open",
        }
        if self._needs_whole_file and legacy is not None:
            del values["body"]  # compared and saved at the end, with the whole file known
        base_slug = make_slug(item.slug, plain_title(item.title), 200) or f"page-{item.wp_id}"
        if base_slug in RESERVED_PAGE_SLUGS or base_slug.isdigit():
            base_slug = f"page-{base_slug}"
        if legacy is None:
            page = Page(
                **values,
                slug=self._unique_slug(Page, base_slug, "", 200),
                show_in_footer=item.parent == 0,
                footer_order=min(item.menu_order, 32767),
            )
            page.save()
            legacy = LegacyItem(site=self.site, wp_id=item.wp_id, kind=LegacyItem.Kind.PAGE, page=page)
            outcome = "created"
        else:
            page = legacy.page
            changed = [name for name, value in values.items() if getattr(page, name) != value]
            for name in changed:
                setattr(page, name, values[name])
            if changed:
                page.save()
            outcome = "updated" if changed else "unchanged"
        self.report.count("pages", outcome)
        self.touched_pages = self.touched_pages or outcome != "unchanged"
        if self._needs_whole_file:
            self.deferred.append((Page, page.pk, item.content, item.wp_id, _conversion_meta(item)))
        modified = self._modified(item) or self._date(item)
        if modified and page.modified_at != modified:
            Page.objects.filter(pk=page.pk).update(modified_at=modified)
        self.save_legacy(legacy, item)
        if item.comments:
            # Real comments, like a post's: they go through the same batched path.
            self.pending.append((page, item.comments))
            self.pending_count += len(item.comments)

    def attachment(self, item: WxrItem, legacy: LegacyItem | None) -> None:
        if not item.attachment_url:
            self.report.skip("attachments", "no attachment URL", failed=f"line {item.line}")
            return
        alt_text = item.meta.get("_wp_attachment_image_alt", "").strip()
        self.library.by_id[item.wp_id] = Attachment(
            wp_id=item.wp_id,
            url=item.attachment_url,
            title=plain_title(item.title),
            alt=alt_text,
            caption=plain_title(item.excerpt),
            parent=item.parent,
        )
        outcome = "created" if legacy is None else "unchanged"
        if legacy is None:
            legacy = LegacyItem(site=self.site, wp_id=item.wp_id, kind=LegacyItem.Kind.ATTACHMENT)
        elif legacy.url != item.attachment_url[:1000] or legacy.parent_wp_id != (item.parent or None):
            outcome = "updated"
        self.report.count("attachments", outcome)
        alt = item.meta.get("_wp_attachment_image_alt", "").strip()
        self.save_legacy(legacy, item, alt_text=(alt or item.title)[:250])

    # -- comments --------------------------------------------------------------------------

    def flush_comments(self) -> None:
        from comments.models import Comment, CommentEvent
        from comments.sanitize import clean_body_text, clean_name, is_safe_absolute_url, render_comment_body

        relinked: set[int] = set()
        for through, pairs in self.new_links.items():
            source, target = (f.attname for f in through._meta.fields if f.is_relation)
            through.objects.bulk_create([through(**{source: a, target: b}) for a, b in pairs])
            relinked.update(a for a, _b in pairs)  # post ids: bulk_create sends no m2m_changed
            pairs.clear()
        if relinked:
            from blog.search import index_posts

            index_posts(relinked)
        batch, self.pending, self.pending_count = self.pending, [], 0
        if not batch:
            return
        ids = [c.wp_id for _post, comments in batch for c in comments if c.wp_id]
        existing: dict[int, Comment] = {}
        for chunk in _chunks([] if self.fresh_comments else ids, 500):
            for legacy in LegacyComment.objects.filter(site=self.site, wp_id__in=chunk).select_related(
                "comment"
            ):
                existing[legacy.wp_id] = legacy.comment

        planned: list[tuple[int, int, int | None, Comment, bool]] = []  # depth, wp id, parent, obj, new
        for post, comments in batch:
            target = {"page_id": post.pk} if isinstance(post, Page) else {"post_id": post.pk}
            accepted = self.accept_comments(comments)
            threads = thread_depths({wp_id: c.parent for wp_id, c in accepted.items()})
            for wp_id, comment in accepted.items():
                parent_wp_id, depth = threads[wp_id]
                body = clean_body_text(comment.content)
                url = comment.url if is_safe_absolute_url(comment.url) and len(comment.url) <= 200 else ""
                values = {
                    **target,
                    "author_name": clean_name(comment.author)[:100] or "Anonymous",
                    "author_email": clean_email(comment.email),
                    "author_url": url,
                    "user_id": getattr(self.users_by_wp_id.get(comment.user_id), "pk", None),
                    "body": body,
                    "body_html": render_comment_body(body),
                    "status": comment_status(comment.approved),
                    "ip_address": clean_ip(comment.ip),
                    "created_at": parse_wp_date(comment.date_gmt, comment.date, self.tz)
                    or getattr(post, "published_at", None)
                    or self.now,
                    "depth": depth,
                }
                obj = existing.get(wp_id)
                if obj is None:
                    planned.append((depth, wp_id, parent_wp_id, Comment(**values), True))
                else:
                    dirty = [name for name, value in values.items() if getattr(obj, name) != value]
                    for name in dirty:
                        setattr(obj, name, values[name])
                    obj._wpimport_dirty = dirty
                    planned.append((depth, wp_id, parent_wp_id, obj, False))

        # Parents first, level by level, so every reply knows its parent's primary key.
        by_wp_id: dict[int, Comment] = {}
        planned.sort(key=lambda entry: entry[0])
        new_legacy, updates = [], []
        for depth in sorted({entry[0] for entry in planned}):
            level = [entry for entry in planned if entry[0] == depth]
            to_create = []
            for _depth, wp_id, parent_wp_id, obj, is_new in level:
                parent = by_wp_id.get(parent_wp_id) if parent_wp_id else None
                if is_new:
                    obj.parent = parent
                    to_create.append(obj)
                elif obj.parent_id != (parent.pk if parent else None):
                    obj.parent = parent
                    obj._wpimport_dirty.append("parent")
                by_wp_id[wp_id] = obj
            Comment.objects.bulk_create(to_create)
            for _depth, wp_id, _parent, obj, is_new in level:
                if is_new:
                    new_legacy.append(LegacyComment(site=self.site, wp_id=wp_id, comment=obj))
                    self._touch(obj)
                elif obj._wpimport_dirty:
                    updates.append(obj)
                    self._touch(obj)
        LegacyComment.objects.bulk_create(new_legacy)
        CommentEvent.objects.bulk_create(
            CommentEvent(
                comment=legacy.comment,
                action=CommentEvent.Action.IMPORTED,
                status=legacy.comment.status,
                note=f"WordPress comment {legacy.wp_id} from {self.site}",
                created_at=self.now,
            )
            for legacy in new_legacy
        )
        fields = sorted({name for obj in updates for name in obj._wpimport_dirty})
        if updates:
            Comment.objects.bulk_update(updates, fields)
        self.report.count("comments", "created", len(new_legacy))
        self.report.count("comments", "updated", len(updates))
        self.report.count("comments", "unchanged", len(planned) - len(new_legacy) - len(updates))

    def _touch(self, comment) -> None:
        if comment.post_id:
            self.touched_posts.add(comment.post_id)
        else:
            self.touched_pages = True

    def accept_comments(self, comments) -> dict[int, WxrComment]:
        """The comments of one post or page that can be imported, by WordPress id; the
        others are reported as skipped (failed where the file itself is wrong)."""
        accepted: dict[int, WxrComment] = {}
        for comment in comments:
            reason = comment_skip_reason(comment)
            if not reason and comment.wp_id in self.seen_comments:
                reason = "comment id twice in the file"
            if reason:
                failed = reason in ("no comment id", "comment id twice in the file")
                self.report.skip("comments", reason, failed=f"line {comment.line}" if failed else "")
                continue
            self.seen_comments.add(comment.wp_id)
            accepted[comment.wp_id] = comment
        return accepted

    # -- media -----------------------------------------------------------------------------

    def attach_media(self) -> None:
        """Files found under ``--media-dir`` become images; posts get theirs as featured image."""
        attachments = {
            legacy.wp_id: legacy
            for legacy in LegacyItem.objects.filter(site=self.site, kind=LegacyItem.Kind.ATTACHMENT)
            .select_related("image")
            .order_by("wp_id")
        }
        first_by_parent: dict[int, int] = {}
        for wp_id, legacy in attachments.items():
            if (
                legacy.parent_wp_id
                and PurePosixPath(urlsplit(legacy.url).path).suffix.lower() in IMAGE_SUFFIXES
            ):
                first_by_parent.setdefault(legacy.parent_wp_id, wp_id)
        posts = LegacyItem.objects.filter(site=self.site, kind=LegacyItem.Kind.POST, post__isnull=False)
        for legacy in posts.select_related("post").iterator(chunk_size=500):
            attachment = attachments.get(legacy.thumbnail_wp_id) or attachments.get(
                first_by_parent.get(legacy.wp_id)
            )
            if attachment is None:
                continue
            image = self.image_for(attachment)
            if image is not None and legacy.post.featured_image_id != image.pk:
                Post.objects.filter(pk=legacy.post_id).update(featured_image=image)
                self.touched_posts.add(legacy.post_id)
        self.attachments = attachments
        for wp_id, attachment in self.library.by_id.items():
            if wp_id in attachments and attachment.kind == "image":
                attachment.image = self.image_for(attachments[wp_id])

    def convert_deferred(self) -> None:
        """Bodies with galleries and playlists again, now that every attachment is known."""
        for model, pk, content, wp_id, meta in self.deferred:
            conversion = convert_content(
                content,
                library=self.library,
                post_wp_id=wp_id,
                footnotes=meta.get("footnotes", ""),
                reusable=self.reusable,
                meta=meta,
            )
            for note in dict.fromkeys(conversion.notes):
                self.report.note(f"{model._meta.model_name} {wp_id}: {note}")
            html = conversion.html
            obj = model.objects.get(pk=pk)
            if obj.body != html:
                modified_at = obj.modified_at
                obj.body = html
                obj.save()
                model.objects.filter(pk=pk).update(modified_at=modified_at)
                if model is Post:
                    self.touched_posts.add(pk)

    def rewrite_media_urls(self) -> None:
        """Every uploads file a body names and ``--media-dir`` holds becomes local: images (any
        WordPress size, ``-300x200``) as images with renditions and ``srcset``, audio, video and
        documents as copies in the media storage; the bodies point at them."""
        self.by_stem: dict[str, Image | None] = {}
        self.by_path: dict[Path, Image | None] = {}
        self.copied: dict[Path, str | None] = {}
        self.copied_missing: set[str] = set()
        for attachment in self.attachments.values():
            if attachment.image_id or attachment.parent_wp_id:
                image = self.image_for(attachment)
                if image is not None:
                    self.by_stem[_stem(attachment.url)] = image
        for model, kind in ((Post, LegacyItem.Kind.POST), (Page, LegacyItem.Kind.PAGE)):
            field = "post_id" if model is Post else "page_id"
            ids = LegacyItem.objects.filter(site=self.site, kind=kind, **{f"{field}__isnull": False})
            for chunk in _chunks(list(ids.values_list(field, flat=True)), 500):
                for obj in model.objects.filter(pk__in=chunk):
                    body = _IMG_TAG.sub(self._local_img, obj.body)
                    body = _UPLOAD_URL.sub(self._local_url, body)
                    if body != obj.body:
                        modified_at = obj.modified_at
                        obj.body = body
                        obj.save()
                        model.objects.filter(pk=obj.pk).update(modified_at=modified_at)
                        if model is Post:
                            self.touched_posts.add(obj.pk)
                        else:
                            self.touched_pages = True

    def local_image(self, url: str, alt: str = "") -> Image | None:
        """The imported image for an uploads URL: an attachment's, or one made from the file."""
        stem = _stem(url)
        if stem in self.by_stem:
            return self.by_stem[stem]
        path = find_media_file(self.media_dir, url) or find_media_file(self.media_dir, _full_size(url))
        image = None
        if path is not None and path.suffix.lower() in IMAGE_SUFFIXES:
            if path not in self.by_path:
                self.by_path[path] = self._image_from_file(path, alt, url)
            image = self.by_path[path]
        elif path is None and not self.dry_run:
            self.report.skip("images", "file not found in the media folder", failed=url[:200])
        self.by_stem[stem] = image
        return image

    def _image_from_file(self, path: Path, alt: str, url: str) -> Image | None:
        with path.open("rb") as handle:
            upload = File(handle, name=path.name)
            try:
                validate_image_file(upload)
            except ValidationError:
                self.report.skip("images", "not a readable image", failed=url[:200])
                return None
            self.report.count("images", "created")
            if self.dry_run:
                return None
            image = Image(file=upload, alt_text=(alt or path.stem)[:250])
            image.save()
        self.new_images.append(image)
        return image

    def _local_img(self, match: re.Match) -> str:
        attrs = tag_attrs(match.group(0))
        src = attrs.get("src", "")
        if "/wp-content/uploads/" not in src:
            return match.group(0)
        image = self.local_image(src, attrs.get("alt", ""))
        if image is None:
            return match.group(0)
        kept = "".join(f' {name}="{escape(attrs[name])}"' for name in ("class", "title") if attrs.get(name))
        return picture_img(src=image.fallback_url, alt=attrs.get("alt", ""), image=image,
                           sizes="(min-width: 992px) 720px, 100vw")[:-1] + f"{kept}>"  # fmt: skip

    def _local_url(self, match: re.Match) -> str:
        url = match.group(0)
        suffix = PurePosixPath(urlsplit(url).path).suffix.lower()
        if suffix in IMAGE_SUFFIXES:
            image = self.local_image(url)
            return image.fallback_url if image is not None else url
        path = find_media_file(self.media_dir, url)
        if path is None:
            if url not in self.copied_missing:
                self.copied_missing.add(url)
                self.report.skip("media files", "file not found in the media folder", failed=url[:200])
            return url
        if path not in self.copied:
            self.copied[path] = None
            if not self.dry_run:
                with path.open("rb") as handle:
                    relative = path.relative_to(self.media_dir.resolve()).as_posix()
                    name = default_storage.save(f"wordpress/{relative}", File(handle))
                self.new_files.append(name)
                self.copied[path] = default_storage.url(name)
            self.report.count("media files", "created")
        return self.copied[path] or url

    def image_for(self, attachment: LegacyItem) -> Image | None:
        if attachment.image is not None:
            return attachment.image
        if getattr(attachment, "_wpimport_tried", False):
            return None
        attachment._wpimport_tried = True
        if PurePosixPath(urlsplit(attachment.url).path).suffix.lower() not in IMAGE_SUFFIXES:
            self.report.skip("images", "not an image file")
            return None
        path = find_media_file(self.media_dir, attachment.url)
        if path is None:
            self.report.skip("images", "file not found in the media folder", failed=attachment.url[:200])
            return None
        with path.open("rb") as handle:
            upload = File(handle, name=path.name)
            try:
                validate_image_file(upload)
            except ValidationError:
                self.report.skip("images", "not a readable image", failed=attachment.url[:200])
                return None
            if self.dry_run:
                self.report.count("images", "created")
                return None
            image = Image(file=upload, alt_text=(attachment.alt_text or path.stem)[:250])
            image.save()
        self.new_images.append(image)
        attachment.image = image
        attachment.save(update_fields=["image", "imported_at"])
        self.report.count("images", "created")
        return image

    def discard_files(self) -> None:
        """Remove files written for images whose database rows were rolled back."""
        for name in self.new_files:
            default_storage.delete(name)
        for image in self.new_images:
            delete_renditions(image.renditions, image.file.storage)
            if image.file:
                image.file.storage.delete(image.file.name)
