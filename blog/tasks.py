"""The blog's background jobs (see ``core/tasks.py`` for how tasks retry and are scheduled)."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import PurePosixPath

from django.core.files.storage import default_storage
from django.utils import timezone
from django_tasks import task

from core.tasks import periodic

logger = logging.getLogger(__name__)

RENDITIONS_ROOT = "images"
RENDITIONS_DIR = "renditions"


def _rendition_files(storage, folder: str):
    """Every file inside a ``renditions`` folder below ``folder`` (any storage, S3 too)."""
    try:
        subfolders, files = storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    if PurePosixPath(folder).name == RENDITIONS_DIR:
        for name in files:
            yield f"{folder}/{name}"
    for sub in subfolders:
        yield from _rendition_files(storage, f"{folder}/{sub}")


@periodic(every=timedelta(days=1))
@task()
def renditions_sweep(*, grace_hours: int = 6) -> int:
    """Delete renditions no image refers to any more (left behind when a file was replaced).

    Files younger than ``grace_hours`` stay: an upload writes its renditions before it
    records them.
    """
    from blog.models import Image

    storage = default_storage
    used = set()
    for renditions in Image.objects.values_list("renditions", flat=True).iterator(chunk_size=2000):
        for kind in ("webp", "fallback"):
            used.update(name for _width, name in (renditions or {}).get(kind, []))
    cutoff = timezone.now() - timedelta(hours=grace_hours)
    deleted = 0
    for name in _rendition_files(storage, RENDITIONS_ROOT):
        if name in used:
            continue
        try:
            if storage.get_modified_time(name) > cutoff:
                continue
        except (FileNotFoundError, NotImplementedError):
            continue
        storage.delete(name)
        deleted += 1
    if deleted:
        logger.info("Deleted %d rendition(s) that no image uses.", deleted)
    return deleted


@periodic(every=timedelta(days=1))
@task()
def autosaves_purge(*, keep_days: int = 30) -> int:
    """Delete autosaves nobody touched for ``keep_days`` (saving a post deletes its own)."""
    from blog.models import PostAutosave

    cutoff = timezone.now() - timedelta(days=keep_days)
    return PostAutosave.objects.filter(saved_at__lt=cutoff).delete()[0]
