"""Admin lists that ``bench/scale.py`` measures beside the public pages (issue 15).

Each entry is ``(name, url)``; ``url`` may also be a callable taking a ``Site`` facts dict
(see ``scale.discover``) and returning the URL, for lists that need an id from the data.
Extend the list here; the benchmark logs in as a superuser and measures every entry like a
public page (page cache off, median of N, queries, KB).
"""

from __future__ import annotations

ADMIN_URLS: list[tuple[str, object]] = [
    ("admin post list", "/admin/blog/post/"),
    ("admin poll list", "/admin/polls/poll/"),
    ("admin category list", "/admin/blog/category/"),
    ("admin tag list", "/admin/blog/tag/"),
]
