"""Whole installations driven through manage.py in their own processes (tests/blog/conftest.py
makes them)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]

# What a site holds, to compare two sites: row counts of every model, the content itself,
# and every media file's checksum.
FINGERPRINT = """
import hashlib, json
from django.apps import apps
from django.core.files.storage import default_storage
from blog.backup import _storage_files
from blog.models import Image, Post
from comments.models import Comment
from polls.models import Poll
from polls.results import poll_results
print(json.dumps({
    "counts": {m._meta.label: m._default_manager.count() for m in apps.get_models()},
    "posts": sorted(Post.objects.values_list("slug", "title", "body_html", "author__username")),
    "comments": sorted(Comment.objects.values_list("pk", "parent_id", "body", "status", "post__slug")),
    "polls": {p.slug: [(c.text, c.votes) for c in poll_results(p).choices] for p in Poll.objects.all()},
    "images": sorted(Image.objects.values_list("file", flat=True)),
    "files": {n: hashlib.sha256(default_storage.open(n).read()).hexdigest() for n in _storage_files(default_storage)},
}, default=str))
"""


class Site:
    """One installation: a database and a media folder, driven through manage.py."""

    def __init__(self, database_url: str, folder: Path):
        self.folder = folder
        self.env = {
            **{k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}},
            "DATABASE_URL": database_url,
            "MEDIA_ROOT": str(folder / "media"),
            "CACHE_DIR": str(folder / "cache"),
            "DEBUG": "true",
        }

    def run(self, *args: str, check: bool = True, env: dict | None = None) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=300,
        )
        if check:
            assert done.returncode == 0, done.stdout + done.stderr
        return done

    def fingerprint(self) -> dict:
        return json.loads(self.run("shell", "--no-imports", "-v0", "-c", FINGERPRINT).stdout)


def pg_url(name: str) -> str:
    db = connection.settings_dict
    user = quote(db.get("USER") or "postgres")
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{name}"
