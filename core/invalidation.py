"""The one way any code says what changed, so cached pages and fragments showing it go stale.

Call these after a write; the versions are bumped when the surrounding transaction commits
(at once in autocommit), each key once per transaction however often it was named. Bumping
after the commit is what keeps a page rendered meanwhile from being stored as fresh: it read
the old version before it read the data, so its copy is stale the moment the bump lands.
"""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from core.versions import SITE, bump, read_versions, version_key


def post_changed(*pks) -> None:
    """Posts were created, edited, (un)published or deleted: their pages and every listing."""
    _schedule([version_key("post", pk) for pk in pks] + [version_key(*SITE)])


def post_page_changed(post_pk) -> None:
    """What only the post's own page shows changed (its comments, its share count)."""
    _schedule([version_key("post", post_pk)])


def static_page_changed(page_pk) -> None:
    """What only a static page's own view shows changed (its comments)."""
    _schedule([version_key("page", page_pk)])


def poll_changed(pk) -> None:
    """A poll's question, choices, state or votes changed: every page that embeds it."""
    _schedule([version_key("poll", pk)])


def site_changed() -> None:
    """Something every page may show changed (menus, footer, sidebar, settings)."""
    _schedule([version_key(*SITE)])


def fragment_key(name: str, *, post=None, poll=None, site: bool = False) -> str:
    """A cache key for a fragment that goes stale with what it shows (one cache round trip)."""
    deps = []
    if site:
        deps.append(version_key(*SITE))
    if post is not None:
        deps.append(version_key("post", post))
    if poll is not None:
        deps.append(version_key("poll", poll))
    versions = read_versions(deps)
    return ":".join([f"frag:{name}", *(str(versions[key]) for key in deps)])


def _schedule(keys: list[str], using: str = DEFAULT_DB_ALIAS) -> None:
    connection = connections[using]
    # Atomic blocks a test case wraps around a test are not the code's own transaction: there,
    # behave as in autocommit (Django marks them for its durable-block check the same way).
    if not any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks):
        bump(*dict.fromkeys(keys))
        return
    pending = getattr(connection, "_core_pending_bumps", None)
    if (
        pending is None
        or pending.flushed
        or not any(func == pending.flush for _sids, func, _robust in connection.run_on_commit)
    ):
        pending = _Pending()
        connection._core_pending_bumps = pending
        transaction.on_commit(pending.flush, using=using, robust=True)
    pending.keys.update(dict.fromkeys(keys))


class _Pending:
    """The keys one transaction changed, bumped once when it commits."""

    def __init__(self):
        self.keys: dict[str, None] = {}
        self.flushed = False

    def flush(self) -> None:
        self.flushed = True
        bump(*self.keys)
