"""blogwerk_backup / blogwerk_restore: a real round trip through separate processes.

A site is migrated and seeded (posts, threaded comments, a poll with votes, images with
their renditions), backed up into one archive and restored into an empty installation;
everything the site holds must come back, files byte for byte. The round trip runs on the
suite's own database engine (SQLite in CI's first run, PostgreSQL in its second).
"""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest
from django.db import connection

from tests.blog.sites import Site


@pytest.fixture(scope="module")
def source(seeded_site):
    """The seeded site and its backup archive."""
    site = seeded_site
    archive = site.folder / "backup.tar.gz"
    done = site.run("blogwerk_backup", str(archive))
    assert "Backup written" in done.stdout
    return site, archive


@pytest.fixture(scope="module")
def source_fingerprint(source):
    return source[0].fingerprint()


def test_backup_holds_manifest_database_and_media(source, source_fingerprint):
    _site, archive = source
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert names[0] == "manifest.json"
    assert manifest["engine"] == connection.vendor
    assert any(name.startswith("database.") for name in names)
    media = {name.removeprefix("media/") for name in names if name.startswith("media/")}
    assert media == set(source_fingerprint["files"])
    assert any("/renditions/" in name for name in media)


@pytest.mark.parametrize("migrated_first", [False, True], ids=["new-database", "after-migrate"])
def test_restore_brings_everything_back(source, source_fingerprint, new_database, tmp_path, migrated_first):
    _site, archive = source
    target = Site(new_database("target"), tmp_path)
    if migrated_first:  # the operator ran migrate before restoring: still an empty installation
        target.run("migrate", "-v0")
    done = target.run("blogwerk_restore", str(archive))
    assert "Restored" in done.stdout
    target.run("migrate", "-v0")
    restored = target.fingerprint()
    assert restored == source_fingerprint
    counts = restored["counts"]
    assert counts["blog.Post"] and counts["comments.Comment"] and counts["polls.Vote"]
    assert counts["blog.Image"] and restored["files"]
    assert any(parent for _pk, parent, *_ in restored["comments"])  # threads, not just comments

    again = target.run("blogwerk_restore", str(archive), check=False)
    assert again.returncode != 0
    assert "in use" in again.stderr


def test_restore_refuses_media_left_in_the_target(source, new_database, tmp_path):
    _site, archive = source
    target = Site(new_database("media"), tmp_path)
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "stray.txt").write_text("left over")
    done = target.run("blogwerk_restore", str(archive), check=False)
    assert done.returncode != 0
    assert "media storage already holds files" in done.stderr


def _archive_with(tmp_path: Path, source_archive: Path, extra: dict[str, bytes], manifest=None) -> Path:
    crafted = tmp_path / "crafted.tar"
    with tarfile.open(source_archive) as src, tarfile.open(crafted, "w") as out:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name == "manifest.json" and manifest is not None:
                data = json.dumps({**json.loads(data), **manifest}).encode()
            member.size = len(data)
            out.addfile(member, io.BytesIO(data))
        for name, data in extra.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))
    return crafted


def test_restore_refuses_entries_outside_the_media_folder_and_writes_nothing(source, new_database, tmp_path):
    _site, archive = source
    crafted = _archive_with(tmp_path, archive, {"media/../../escaped.txt": b"x"})
    target = Site(new_database("unsafe"), tmp_path / "site")
    done = target.run("blogwerk_restore", str(crafted), check=False)
    assert done.returncode != 0
    assert "unsafe entry" in done.stderr
    assert not (tmp_path / "escaped.txt").exists()
    assert not (tmp_path / "site" / "media").exists()


def test_restore_refuses_a_backup_from_a_newer_version(source, new_database, tmp_path):
    _site, archive = source
    crafted = _archive_with(tmp_path, archive, {}, manifest={"migrations": ["blog.9999_from_the_future"]})
    done = Site(new_database("newer"), tmp_path / "site").run("blogwerk_restore", str(crafted), check=False)
    assert done.returncode != 0
    assert "newer Blogwerk" in done.stderr


def test_restore_explains_a_damaged_archive(source, new_database, tmp_path):
    _site, archive = source
    broken = tmp_path / "broken.tar.gz"
    broken.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    done = Site(new_database("broken"), tmp_path / "site").run("blogwerk_restore", str(broken), check=False)
    assert done.returncode != 0
    assert "damaged or incomplete" in done.stderr
    assert "Traceback" not in done.stderr


def test_backup_needs_an_existing_folder(source, tmp_path):
    site, _archive = source
    done = site.run("blogwerk_backup", str(tmp_path / "missing" / "b.tar"), check=False)
    assert done.returncode != 0
    assert "does not exist" in done.stderr
