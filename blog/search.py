"""Full-text search in German on every database.

SQLite: an FTS5 table ``blog_post_fts`` (rowid = post id) holding the Snowball-German stems of
each post's title, tags and categories, author, excerpt and body; the query is stemmed the
same way, so "Richtlinien" finds "Richtlinie". PostgreSQL: the post's ``search_vector`` in the
``german`` configuration. Python keeps both in step with the posts (``index_posts``, called by
the hooks in ``blog.signals``), because only Python knows the stemmer and the tags. Both rank
title above tags above author and excerpt above body, and both return ids in rank order;
``SearchResults`` loads and highlights one page at a time.
"""

from __future__ import annotations

import contextvars
import difflib
import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import Stemmer
from django.core.cache import cache
from django.db import connection, connections
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from blog import rendering

# Must match the configuration in the trigger of migration blog.0004.
SEARCH_CONFIG = "german"
FTS_TABLE = "blog_post_fts"
# bm25 weights of the FTS5 columns, in their order (title, tags, author, excerpt, body).
FTS_WEIGHTS = (10.0, 6.0, 3.0, 2.0, 1.0)
MAX_RESULTS = 1000
MAX_WORDS = 10
# Shorter query words match whole words only; longer ones also the words they begin
# ("Kommentar" finds "Kommentarfunktion"), German compounds being what they are.
PREFIX_MIN_LENGTH = 4
SNIPPET_WORDS = 36

_WORD = re.compile(r"\w+")
_local = threading.local()


def _stemmer() -> Stemmer.Stemmer:
    # A PyStemmer object must not be shared between threads.
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = Stemmer.Stemmer("german")
    return stemmer


def stem_words(words: Iterable[str]) -> list[str]:
    """Snowball-German stems of ``words`` (lower-cased first; umlauts fold as in Snowball)."""
    return _stemmer().stemWords([w.lower() for w in words])


def stemmed_text(text: str) -> str:
    return " ".join(stem_words(_WORD.findall(text or "")))


# --- the index --------------------------------------------------------------------------


@dataclass(frozen=True)
class Document:
    """What search sees of a post."""

    pk: int
    title: str
    tags: str  # tag and category names
    author: str
    excerpt: str
    body: str  # plain text

    @classmethod
    def of(cls, post) -> Document:
        from blog.models import author_name

        names = [t.name for t in post.tags.all()] + [c.name for c in post.categories.all()]
        return cls(
            pk=post.pk,
            title=post.title,
            tags=" ".join(names),
            author=author_name(post.author),
            excerpt=post.excerpt,
            body=rendering.plain_text(post.body_html),
        )


def index_documents(documents: Iterable[Document], *, using: str = "default") -> None:
    """Write ``documents`` into the search index of database ``using``."""
    conn = connections[using]
    with conn.cursor() as cursor:
        for doc in documents:
            if conn.vendor == "sqlite":
                cursor.execute("DELETE FROM blog_post_fts WHERE rowid = %s", [doc.pk])
                cursor.execute(
                    "INSERT INTO blog_post_fts (rowid, title, tags, author, excerpt, body) "
                    "VALUES (%s, %s, %s, %s, %s, %s)",
                    [doc.pk, *map(stemmed_text, (doc.title, doc.tags, doc.author, doc.excerpt, doc.body))],
                )
            elif conn.vendor == "postgresql":
                # The trigger of migration 0004 fills title, excerpt and body on every write of
                # those columns; this adds tags, categories and the author, which it cannot see.
                cursor.execute(
                    "UPDATE blog_post SET search_vector = "
                    "setweight(to_tsvector(%s::regconfig, %s), 'A') || "
                    "setweight(to_tsvector(%s::regconfig, %s), 'B') || "
                    "setweight(to_tsvector(%s::regconfig, %s), 'C') || "
                    "setweight(to_tsvector(%s::regconfig, %s), 'D') WHERE id = %s",
                    [
                        SEARCH_CONFIG, doc.title,
                        SEARCH_CONFIG, doc.tags,
                        SEARCH_CONFIG, f"{doc.author} {doc.excerpt}",
                        SEARCH_CONFIG, doc.body,
                        doc.pk,
                    ],
                )  # fmt: skip


# Inside ``index_deferred()``: the posts to index when the block ends, instead of one by one.
_DEFERRED: contextvars.ContextVar[dict[int, None] | None] = contextvars.ContextVar(
    "index_deferred", default=None
)


@contextmanager
def index_deferred(*, using: str = "default") -> Iterator[None]:
    """Index every post saved or relinked inside the block once, when it ends without error.

    For bulk writers such as the WordPress import: one pass over 10,000 posts instead of one
    per save and per relinked tag. Use it inside the writer's transaction."""
    if _DEFERRED.get() is not None:  # nested: the outer block indexes
        yield
        return
    pending: dict[int, None] = {}
    token = _DEFERRED.set(pending)
    try:
        yield
    finally:
        _DEFERRED.reset(token)
    index_posts(pending, using=using)


def index_posts(pks: Iterable[int], *, using: str = "default") -> None:
    """Bring the index entries of the posts ``pks`` up to date (drop those that are gone)."""
    from blog.models import Post

    deferred = _DEFERRED.get()
    if deferred is not None:
        deferred.update(dict.fromkeys(pks))
        return
    pks = list(dict.fromkeys(pks))
    for start in range(0, len(pks), 500):
        chunk = pks[start : start + 500]
        posts = (
            Post.objects.using(using)
            .filter(pk__in=chunk)
            .select_related("author__author_profile")
            .prefetch_related("tags", "categories")
        )
        found = {post.pk: post for post in posts}
        index_documents((Document.of(p) for p in found.values()), using=using)
        gone = [pk for pk in chunk if pk not in found]
        if gone:
            unindex_posts(gone, using=using)


def unindex_posts(pks: Iterable[int], *, using: str = "default") -> None:
    conn = connections[using]
    if conn.vendor != "sqlite":
        return  # elsewhere the vector is a column of the post and goes with it
    with conn.cursor() as cursor:
        for pk in pks:
            cursor.execute("DELETE FROM blog_post_fts WHERE rowid = %s", [pk])


def index_rebuild(*, using: str = "default") -> int:
    """Index every post afresh (after a bulk import that bypassed the hooks)."""
    from blog.models import Post

    conn = connections[using]
    if conn.vendor == "sqlite":
        with conn.cursor() as cursor:
            cursor.execute("DELETE FROM blog_post_fts")
    pks = list(Post.objects.using(using).values_list("pk", flat=True))
    index_posts(pks, using=using)
    return len(pks)


# --- queries ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    word: str
    stem: str
    prefix: bool

    def matches(self, stem: str) -> bool:
        return stem.startswith(self.stem) if self.prefix else stem == self.stem


def parse_query(query: str) -> list[Term]:
    """The query's words (at most ``MAX_WORDS``), each with its stem; punctuation is ignored."""
    words = list(dict.fromkeys(w for w in _WORD.findall(query or "") if w.strip("_")))[:MAX_WORDS]
    return [
        Term(word=w, stem=s, prefix=len(w) >= PREFIX_MIN_LENGTH)
        for w, s in zip(words, stem_words(words), strict=True)
        if s.strip("_")
    ]


def ranked_ids(terms: list[Term]) -> list[int]:
    """Ids of the published posts that contain every term, best first."""
    from blog.models import Post

    if not terms:
        return []
    if connection.vendor == "sqlite":
        match = " ".join(f'"{t.stem}"' + ("*" if t.prefix else "") for t in terms)
        weights = ", ".join(str(w) for w in FTS_WEIGHTS)
        # One query: the visibility rule comes from the QuerySet method, compiled to SQL.
        visible_sql, visible_params = Post.objects.published().values("pk").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s "  # noqa: S608 - constants
                f"AND +rowid IN ({visible_sql}) "  # "+": let MATCH, not this, drive the scan
                f"ORDER BY bm25({FTS_TABLE}, {weights}) LIMIT {MAX_RESULTS}",
                [match, *visible_params],
            )
            return [row[0] for row in cursor.fetchall()]
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank
        from django.db.models import F, Value

        # Words are \w+ only, so this raw tsquery cannot be malformed; ":*" = word prefix.
        raw = " & ".join(re.sub(r"\W", "", t.word) + (":*" if t.prefix else "") for t in terms)
        search = SearchQuery(raw, config=SEARCH_CONFIG, search_type="raw")
        return list(
            Post.objects.published()
            .filter(search_vector=search)
            .annotate(rank=SearchRank(F("search_vector"), search, normalization=Value(1)))  # 1: by log length
            .order_by("-rank", "-published_at", "-pk")
            .values_list("pk", flat=True)[:MAX_RESULTS]
        )
    return _ranked_ids_by_words(terms)


def matching_q(query: str):
    """A condition for posts of any status whose indexed text holds every word of ``query``
    (the same stems and prefixes as the site's search), or ``None`` when it has no words.

    For the admin's post list: the index answers, where ``icontains`` over every body would
    read all of them, twice per request (the count and the page)."""
    from django.db.models import Q
    from django.db.models.expressions import RawSQL

    terms = parse_query(query)
    if not terms:
        return None
    if connection.vendor == "sqlite":
        match = " ".join(f'"{t.stem}"' + ("*" if t.prefix else "") for t in terms)
        sql = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"  # noqa: S608 - constants
        return Q(pk__in=RawSQL(sql, [match]))  # noqa: S611 - the words are a bound parameter
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery

        raw = " & ".join(re.sub(r"\W", "", t.word) + (":*" if t.prefix else "") for t in terms)
        return Q(search_vector=SearchQuery(raw, config=SEARCH_CONFIG, search_type="raw"))
    condition = Q()
    for term in terms:
        condition &= (
            Q(title__icontains=term.word) | Q(excerpt__icontains=term.word) | Q(body__icontains=term.word)
        )
    return condition


def _ranked_ids_by_words(terms: list[Term]) -> list[int]:
    """Databases without full-text search: every word somewhere, newest first."""
    from django.db.models import Q

    from blog.models import Post

    condition = Q()
    for term in terms:
        condition &= (
            Q(title__icontains=term.word) | Q(excerpt__icontains=term.word) | Q(body__icontains=term.word)
        )
    return list(Post.objects.published().filter(condition).values_list("pk", flat=True)[:MAX_RESULTS])


class SearchResults(Sequence):
    """Ranked matches for a ``Paginator``: a page slice loads its posts and highlights them."""

    def __init__(self, ids: list[int], terms: list[Term]):
        self.ids, self.terms = ids, terms

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        from blog.models import Post

        ids = self.ids[index]
        posts = Post.objects.for_listing().in_bulk(ids)
        page = [posts[pk] for pk in ids if pk in posts]
        for post in page:
            post.search_title = highlight(post.title, self.terms)
            post.search_snippet = snippet(rendering.plain_text(post.body_html), self.terms)
        return page


def search_posts(query: str) -> SearchResults:
    """Published posts matching every word of ``query`` (German stems), most relevant first."""
    terms = parse_query(query)
    return SearchResults(ranked_ids(terms), terms)


# --- snippets ---------------------------------------------------------------------------

_TOKENS = re.compile(r"(\w+)")


def _marked(tokens: list[str], terms: list[Term]) -> list[str]:
    """Tokens (words at odd positions) escaped, the words matching a term in <mark>."""
    words = tokens[1::2]
    stems = stem_words(words)
    out = []
    for i, token in enumerate(tokens):
        if i % 2 and any(t.matches(stems[i // 2]) for t in terms):
            out.append(f"<mark>{escape(token)}</mark>")
        else:
            out.append(escape(token))
    return out


def highlight(text: str, terms: list[Term]) -> SafeString:
    """``text`` escaped, with the words that match the query in ``<mark>``."""
    return mark_safe("".join(_marked(_TOKENS.split(text or ""), terms)))


def snippet(text: str, terms: list[Term], size: int = SNIPPET_WORDS) -> SafeString:
    """About ``size`` words of ``text`` around the first match, escaped and highlighted."""
    tokens = _TOKENS.split(text or "")
    marked = _marked(tokens, terms)
    word_positions = range(1, len(tokens), 2)
    first = next((i for i in word_positions if marked[i].startswith("<mark>")), 1)
    start = max(1, first - 2 * 8)  # eight words of context before the first match
    end = min(len(tokens), start + 2 * size)
    if end == len(tokens):
        start = max(1, end - 2 * size)
    if start <= 1:
        start = 0
    html = "".join(marked[start:end]).strip()
    if not html:
        return mark_safe("")
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(tokens) - 1 else ""
    return mark_safe(prefix + html + suffix)


# --- "Did you mean …?" ------------------------------------------------------------------

VOCABULARY_POSTS = 2000


def vocabulary() -> dict[str, str]:
    """Lower-cased words of the newest published posts → their usual spelling (cached)."""
    from blog.models import Category, Post, Tag
    from core.invalidation import fragment_key

    key = fragment_key("search-vocabulary", site=True)
    words = cache.get(key)
    if words is None:
        counts: dict[str, dict[str, int]] = {}
        texts = list(Tag.objects.values_list("name", flat=True))
        texts += Category.objects.values_list("name", flat=True)
        for title, excerpt, body_html in Post.objects.published().values_list(
            "title", "excerpt", "body_html"
        )[:VOCABULARY_POSTS]:
            texts += [title, excerpt, rendering.plain_text(body_html)]
        for text in texts:
            for word in _WORD.findall(text):
                if len(word) >= 3 and word.isalpha():
                    spellings = counts.setdefault(word.lower(), {})
                    spellings[word] = spellings.get(word, 0) + 1
        words = {lower: max(spellings, key=spellings.get) for lower, spellings in counts.items()}
        cache.set(key, words, 60 * 60)
    return words


def suggest(query: str) -> str | None:
    """The query with each unknown word replaced by the closest known one, if that finds posts."""
    words = vocabulary()
    changed, parts = False, []
    for token in _TOKENS.split(query or ""):
        lower = token.lower()
        if token.isalpha() and len(token) >= 3 and lower not in words:
            nearby = [w for w in words if abs(len(w) - len(lower)) <= 2]
            match = difflib.get_close_matches(lower, nearby, n=1, cutoff=0.75)
            if match:
                token, changed = words[match[0]], True
        parts.append(token)
    if not changed:
        return None
    suggestion = re.sub(r"\s+", " ", "".join(parts)).strip()
    return suggestion if ranked_ids(parse_query(suggestion)) else None
