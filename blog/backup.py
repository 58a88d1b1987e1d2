"""One archive with the database and the media files, and the way back into an empty site.

The archive is a tar file (gzip-compressed when its name ends in ``.gz`` or ``.tgz``):

    manifest.json           format, engine, time, Blogwerk/Django versions, applied migrations
    database.sqlite3        SQLite: a consistent copy made with SQLite's online backup API
    database.pgdump         PostgreSQL: pg_dump's custom format (no owners, no privileges)
    media/<name>            every file of the default storage (uploads and their renditions)

A restore goes into the same kind of database only, and only into an empty installation:
no user accounts and no media files. Afterwards ``manage.py migrate`` brings an older
backup's schema up to the installed code.
"""

from __future__ import annotations

import io
import json
import os
import posixpath
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import django
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.db.utils import OperationalError, ProgrammingError

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA = "media/"
DUMP_NAMES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


class BackupError(Exception):
    """The backup or restore cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    engine: str
    media_files: int
    size: int


@dataclass(frozen=True)
class RestoreResult:
    engine: str
    media_files: int
    created: str


# --- writing --------------------------------------------------------------------------------
def backup_create(*, path: Path, using: str = DEFAULT_DB_ALIAS) -> BackupResult:
    """Write the database and every media file into one archive at ``path``.

    The archive is written next to ``path`` under a temporary name and renamed when complete,
    so a failed or interrupted backup never leaves a file that looks like a good one.
    """
    path = Path(path)
    connection = connections[using]
    engine = _engine(connection)
    partial = path.with_name(f".{path.name}.partial")
    with tempfile.TemporaryDirectory(prefix="blogwerk-backup-") as workdir:
        dump = Path(workdir) / DUMP_NAMES[engine]
        if engine == "sqlite":
            _sqlite_dump(connection, dump)
        else:
            _pg_dump(connection, dump)
        manifest = {
            "format": FORMAT,
            "engine": engine,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "blogwerk": _version("blogwerk"),
            "django": django.get_version(),
            "migrations": sorted(f"{app}.{name}" for app, name in _applied_migrations(connection)),
        }
        media_files = 0
        try:
            with tarfile.open(partial, _write_mode(path)) as archive:
                _add_bytes(archive, MANIFEST, json.dumps(manifest, indent=2).encode())
                archive.add(dump, arcname=dump.name, filter=_anonymous)
                for name in _storage_files(default_storage):
                    _add_storage_file(archive, default_storage, name)
                    media_files += 1
            partial.replace(path)
        finally:
            partial.unlink(missing_ok=True)
    return BackupResult(path=path, engine=engine, media_files=media_files, size=path.stat().st_size)


def _sqlite_dump(connection, target: Path) -> None:
    """A consistent copy while the site keeps running (SQLite's online backup API)."""
    connection.ensure_connection()
    with sqlite3.connect(target) as copy:
        connection.connection.backup(copy)
    copy.close()


def _pg_dump(connection, target: Path) -> None:
    args, env = _pg_command("pg_dump", connection.settings_dict)
    _run_pg([*args, "--format=custom", "--no-owner", "--no-privileges", f"--file={target}",
             connection.settings_dict["NAME"]], env)  # fmt: skip


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(datetime.now(UTC).timestamp())
    info.mode = 0o644
    archive.addfile(info, io.BytesIO(data))


def _add_storage_file(archive: tarfile.TarFile, storage, name: str) -> None:
    info = tarfile.TarInfo(MEDIA + name)
    info.size = storage.size(name)
    info.mode = 0o644
    try:
        info.mtime = int(storage.get_modified_time(name).timestamp())
    except (NotImplementedError, OSError):
        info.mtime = int(datetime.now(UTC).timestamp())
    with storage.open(name, "rb") as handle:
        archive.addfile(info, handle)


def _anonymous(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = 0o600  # the database holds e-mail addresses and password hashes
    return info


def _storage_files(storage, folder: str = ""):
    """Every file name in the storage, depth first, in a stable order."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield posixpath.join(folder, name) if folder else name
    for sub in sorted(folders):
        yield from _storage_files(storage, posixpath.join(folder, sub) if folder else sub)


# --- restoring ------------------------------------------------------------------------------
def backup_restore(*, path: Path, using: str = DEFAULT_DB_ALIAS) -> RestoreResult:
    """Bring an archive written by backup_create() back into an empty installation.

    Media files are written first and removed again if anything fails before the database
    is in place, so a failed restore leaves the installation empty and can be run again.
    """
    path = Path(path)
    connection = connections[using]
    engine = _engine(connection)
    try:
        archive = tarfile.open(path, "r:*")  # noqa: SIM115 - closed below
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"{path} is not a Blogwerk backup archive: {exc}") from exc
    with archive:
        try:
            members = archive.getmembers()
        except (OSError, EOFError, tarfile.TarError) as exc:
            raise BackupError(f"{path} is damaged or incomplete: {exc}") from exc
        manifest = _read_manifest(archive, members, path)
        if manifest["engine"] != engine:
            raise BackupError(
                f"This backup holds a {manifest['engine']} database, but this installation uses "
                f"{engine}. Restore it into a {manifest['engine']} database (DATABASE_URL)."
            )
        _check_migrations_known(manifest)
        dump_name = DUMP_NAMES[engine]
        dump_member = next((m for m in members if m.name == dump_name and m.isfile()), None)
        if dump_member is None:
            raise BackupError(f"{path} has no {dump_name}: it is not a complete Blogwerk backup.")
        media = [_media_member(member, path) for member in members if member.name.startswith(MEDIA)]
        _check_empty(connection)

        written: list[str] = []
        try:
            for member, name in media:
                with archive.extractfile(member) as handle:
                    saved = default_storage.save(name, handle)
                written.append(saved)
                if saved != name:
                    raise BackupError(f"The media file {name} could not be written under its own name.")
            with tempfile.TemporaryDirectory(prefix="blogwerk-restore-") as workdir:
                dump = Path(workdir) / dump_name
                with archive.extractfile(dump_member) as source, open(dump, "wb") as target:
                    shutil.copyfileobj(source, target)
                if engine == "sqlite":
                    _sqlite_restore(connection, dump)
                else:
                    _pg_restore(connection, dump, manifest)
        except BaseException:
            for name in written:
                default_storage.delete(name)
            raise
    connection.close()
    _forget_cached_pages(using)
    return RestoreResult(engine=engine, media_files=len(media), created=manifest.get("created", "?"))


def _read_manifest(archive, members, path) -> dict:
    member = next((m for m in members if m.name == MANIFEST and m.isfile()), None)
    if member is None:
        raise BackupError(f"{path} has no {MANIFEST}: it is not a Blogwerk backup archive.")
    try:
        manifest = json.loads(archive.extractfile(member).read())
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f"The {MANIFEST} in {path} cannot be read: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("engine") not in DUMP_NAMES:
        raise BackupError(f"The {MANIFEST} in {path} does not describe a Blogwerk backup.")
    if manifest.get("format") != FORMAT:
        raise BackupError(
            f"{path} has backup format {manifest.get('format')!r}; this Blogwerk reads format {FORMAT}."
        )
    return manifest


def _media_member(member: tarfile.TarInfo, path) -> tuple[tarfile.TarInfo, str]:
    """The storage name of a media file in the archive; nothing may land outside the media root."""
    name = member.name[len(MEDIA) :]
    normal = posixpath.normpath(name)
    if (
        not member.isfile()
        or not name
        or name.startswith("/")
        or normal != name
        or normal.split("/")[0] == ".."
        or "\\" in name
    ):
        raise BackupError(f"{path} holds an unsafe entry {member.name!r}; nothing was restored.")
    return member, name


def _check_migrations_known(manifest: dict) -> None:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = {f"{app}.{name}" for app, name in loader.disk_migrations}
    for squashed in loader.replacements.values():  # a squashed migration stands for its parts
        known |= {f"{app}.{name}" for app, name in squashed.replaces}
    unknown = sorted(set(manifest.get("migrations", [])) - known)
    if unknown:
        raise BackupError(
            f"This backup comes from a newer Blogwerk (blogwerk {manifest.get('blogwerk', '?')}): "
            f"the migrations {', '.join(unknown[:5])} are unknown here. Install that version or a "
            "newer one, then restore."
        )


def _check_empty(connection) -> None:
    """Refuse to overwrite a site in use: it has user accounts or media files."""
    try:
        users = get_user_model()._default_manager.using(connection.alias).count()
    except (OperationalError, ProgrammingError):
        users = 0  # no tables yet: the emptiest installation there is
    if users:
        raise BackupError(
            f"This installation is in use ({users} user accounts): a restore only goes into an "
            "empty one. Point DATABASE_URL at a new, empty database."
        )
    if next(_storage_files(default_storage), None) is not None:
        raise BackupError(
            "The media storage already holds files: a restore only goes into an empty one. "
            "Point MEDIA_ROOT (or S3_BUCKET/S3_LOCATION) at an empty place."
        )


def _sqlite_restore(connection, dump: Path) -> None:
    """Replace the whole database file's content with the backup's, in one step."""
    connection.close()
    connection.ensure_connection()
    with sqlite3.connect(dump) as source:
        source.backup(connection.connection)
    source.close()
    connection.close()


def _pg_restore(connection, dump: Path, manifest: dict) -> None:
    """Restore into a new database, or over the empty tables a bare ``migrate`` left.

    In the second case pg_restore drops and recreates each object the backup holds; that is
    complete only when every migration applied here is in the backup too.
    """
    clean = []
    if connection.introspection.table_names():
        newer = {f"{app}.{name}" for app, name in _applied_migrations(connection)}
        newer -= set(manifest.get("migrations", []))
        if newer:
            raise BackupError(
                "This database was migrated further than the backup "
                f"({', '.join(sorted(newer)[:5])}). Restore into a new, empty database "
                "(createdb), then run migrate."
            )
        clean = ["--clean", "--if-exists"]
    connection.close()
    args, env = _pg_command("pg_restore", connection.settings_dict)
    _run_pg([*args, *clean, "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error",
             f"--dbname={connection.settings_dict['NAME']}", str(dump)], env)  # fmt: skip


def _forget_cached_pages(using: str) -> None:
    """Pages cached while the installation was empty must not outlive the restore."""
    from blog.models import Post
    from core.invalidation import post_changed, site_changed

    site_changed()
    post_changed(*Post.objects.using(using).values_list("pk", flat=True))


# --- helpers --------------------------------------------------------------------------------
def _engine(connection) -> str:
    if connection.vendor not in DUMP_NAMES:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {connection.vendor}.")
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        raise BackupError("The database lives in memory only; there is nothing on disk to back up.")
    return connection.vendor


def _write_mode(path: Path) -> str:
    return "w:gz" if path.name.endswith((".gz", ".tgz")) else "w"


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "unknown"


def _applied_migrations(connection):
    try:
        return MigrationRecorder(connection).applied_migrations()
    except DatabaseError:
        return {}


def _pg_command(program: str, settings_dict: dict) -> tuple[list[str], dict]:
    """Connection arguments for a PostgreSQL client program; the password goes by environment."""
    from django.db.backends.postgresql.client import DatabaseClient

    if shutil.which(program) is None:
        raise BackupError(
            f"{program} is not installed. Install the PostgreSQL client programs of the server's "
            "major version or newer (Debian: apt-get install postgresql-client)."
        )
    args, env = DatabaseClient.settings_to_cmd_args_env({**settings_dict, "NAME": ""}, [])
    args = [program, *args[1:]]
    if args[-1] == "postgres":  # the client's default database name; we name ours ourselves
        args.pop()
    timeout = settings_dict.get("OPTIONS", {}).get("connect_timeout")
    extra = {"PGCONNECT_TIMEOUT": str(timeout)} if timeout else {}
    return args, {**os.environ, **(env or {}), **extra}


def _run_pg(args: list[str], env: dict) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode:
        raise BackupError(f"{args[0]} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
