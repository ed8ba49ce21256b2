"""Backups that restore: one dated tar archive holding the database (SQLite's online backup API
or ``pg_dump --format=custom``), the attachment files and the instance secret key, with a
manifest (``manifest.json``, the archive's last member) of what it holds: sizes and SHA-256 of
every file, the migration revision and the row count of every table.

Restoring goes into an empty database only (``force`` overrides): the archive is unpacked into a
staging folder and checked against its manifest before anything of the site is touched; then the
database, the files and the secret key are put in place, the schema is brought to this code's
migration head when the archive is older, the search index is rebuilt, and the restored counts
and files are checked against the manifest again.

Consistency: the database is copied first (one snapshot: SQLite's backup in one step,
PostgreSQL's exported snapshot shared by ``pg_dump`` and the counts), the files afterwards. A file
is written before its row commits (``attachments.storage``), so every row of the snapshot has its
file unless it was deleted in between (listed under ``missing_attachments``).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import io
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from flask import current_app
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import Connection, Engine

from attachments.models import Attachment
from audit.models import AuditEntry
from auth.models import User
from core.extensions import db
from forum.models import Post, Thread
from search import indexer, store

FORMAT = "kyoso-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database/kyoso.sqlite3"
PG_MEMBER = "database/kyoso.pgdump"
SECRET_MEMBER = "instance/secret_key"
ATTACHMENT_PREFIX = "attachments/"
#: the storage keys of ``attachments.storage`` (nothing else under ATTACHMENTS_DIR is a file of
#: the site; nothing else is archived or restored there)
_KEY = re.compile(r"[0-9a-f]{2}/[0-9a-f]{32}\.[a-z]{3,4}")
_MEMBER = re.compile(
    rf"{re.escape(SQLITE_MEMBER)}|{re.escape(PG_MEMBER)}|{re.escape(SECRET_MEMBER)}"
    rf"|{ATTACHMENT_PREFIX}{_KEY.pattern}"
)
_CHUNK = 1024 * 1024

#: the counts named in the manifest (and checked for emptiness before a restore): name → table
HEADLINE = {
    "users": User.__tablename__,
    "threads": Thread.__tablename__,
    "posts": Post.__tablename__,
    "attachments": Attachment.__tablename__,
    "audit_entries": AuditEntry.__tablename__,
}


class BackupError(Exception):
    """A backup, verification or restore that cannot go on; ``message`` says why (ja + en)."""

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.problems = problems or []

    def __str__(self) -> str:
        return "\n".join([self.message, *(f"  - {p}" for p in self.problems[:50])])


# --- progress -----------------------------------------------------------------------------------


class Progress:
    """Where long steps report how far they are. This one says nothing; the CLI's shows bars."""

    @contextmanager
    def step(self, label: str, total: int | None = None) -> Iterator[Callable[[int], None]]:
        """A step of ``total`` units (bytes); the caller calls the yielded function with each
        increment. ``total`` None: a step with no measure (a message)."""
        yield lambda _n: None

    def note(self, message: str) -> None:
        """A line for the operator (a warning, a figure)."""


# --- results ------------------------------------------------------------------------------------


@dataclass
class Created:
    path: Path
    manifest: dict


@dataclass
class Restored:
    manifest: dict
    counts: dict[str, int]
    attachments: int
    indexed_documents: int
    upgraded_from: str | None = None
    warnings: list[str] = field(default_factory=list)


# --- helpers ------------------------------------------------------------------------------------


def app_version() -> str:
    try:
        return importlib.metadata.version("kyoso")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def database_kind(engine: Engine | None = None) -> str:
    name = (engine or db.engine).url.get_backend_name()
    if name not in ("sqlite", "postgresql"):
        raise BackupError(f"このデータベースには対応していません (unsupported database: {name})")
    return name


def _quote(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote(name)


def count_tables(conn: Connection) -> dict[str, int]:
    """Rows in every table of the database (``alembic_version`` included)."""
    names = sorted(inspect(conn).get_table_names())
    return {
        name: int(conn.execute(text(f"SELECT COUNT(*) FROM {_quote(conn, name)}")).scalar_one())
        for name in names
    }


def _revision(conn: Connection) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def headline(tables: dict[str, int]) -> dict[str, int]:
    return {name: tables.get(table, 0) for name, table in HEADLINE.items()}


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _libpq(engine: Engine) -> tuple[str, dict[str, str]]:
    """The database as a libpq URI for pg_dump/pg_restore, and an environment holding the
    password (never on a command line other users can read)."""
    url = engine.url
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    uri = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return uri, env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} が見つかりません。サーバーと同じメジャーバージョンの PostgreSQL クライアントを"
            f"入れてください ({name} not found: install the PostgreSQL client tools of the "
            f"server's major version)"
        )
    return found


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip()[-2000:]
        raise BackupError(f"{what} に失敗しました ({what} failed, exit {result.returncode})",
                          [detail] if detail else [])  # fmt: skip


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _copy_atomic(source: Path, target: Path, mode: int) -> None:
    """``target`` becomes a copy of ``source``; a half-written copy is never visible."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    shutil.copyfile(source, partial)
    os.chmod(partial, mode)
    _fsync(partial)
    os.replace(partial, target)


def attachments_root() -> Path:
    return Path(current_app.config["ATTACHMENTS_DIR"])


def attachment_files(root: Path) -> list[str]:
    """The storage keys of the files under ``root`` (sorted)."""
    if not root.is_dir():
        return []
    keys = []
    for path in root.rglob("*"):
        key = path.relative_to(root).as_posix()
        if path.is_file() and _KEY.fullmatch(key):
            keys.append(key)
    return sorted(keys)


def secret_key_path() -> Path:
    return Path(current_app.instance_path) / "secret_key"


# --- create -------------------------------------------------------------------------------------


def _snapshot_sqlite(staging: Path, progress: Progress) -> tuple[Path, dict[str, int], str | None]:
    source_path = db.engine.url.database
    if not source_path or source_path == ":memory:":
        raise BackupError("メモリ上の SQLite はバックアップできません (an in-memory SQLite "
                          "database cannot be backed up)")  # fmt: skip
    if not Path(source_path).is_file():
        raise BackupError(f"データベースのファイルがありません (no database file at {source_path})")
    target = staging / "kyoso.sqlite3"
    source = sqlite3.connect(source_path, timeout=15)
    dest = sqlite3.connect(target)
    try:
        with progress.step("database (SQLite backup)", None):
            # one step: a copy in steps restarts whenever another process writes meanwhile (and
            # may never finish on a busy site); one step reads one snapshot and does not block
            # writers under WAL
            source.backup(dest)
        dest.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        dest.commit()
    finally:
        dest.close()
        source.close()
    engine = create_engine(f"sqlite:///{target}")
    try:
        with engine.connect() as conn:
            return target, count_tables(conn), _revision(conn)
    finally:
        engine.dispose()


def _snapshot_postgres(staging: Path, progress: Progress) -> tuple[Path, dict[str, int], str | None]:
    """``pg_dump`` of one exported snapshot, counted in that same snapshot."""
    pg_dump = _tool("pg_dump")
    target = staging / "kyoso.pgdump"
    uri, env = _libpq(db.engine)
    with db.engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            tables = count_tables(conn)
            revision = _revision(conn)
            with progress.step("database (pg_dump)", None):
                _run([pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={target}",
                      f"--dbname={uri}"], env, "pg_dump")  # fmt: skip
    return target, tables, revision


def _archive_name(output: Path, now: datetime) -> Path:
    stem = f"kyoso-backup-{now:%Y%m%d-%H%M%S}"
    path, n = output / f"{stem}.tar", 1
    while path.exists():  # a second backup within the same second
        n += 1
        path = output / f"{stem}-{n}.tar"
    return path


class _HashingReader:
    """Reads a file into the archive and hashes what it read in the same pass."""

    def __init__(self, handle: IO[bytes], advance: Callable[[int], None]):
        self.handle, self.advance = handle, advance
        self.digest = hashlib.sha256()
        self.size = 0

    def read(self, n: int = -1) -> bytes:
        data = self.handle.read(n)
        self.digest.update(data)
        self.size += len(data)
        self.advance(len(data))
        return data


def _add_file(tar: tarfile.TarFile, source: Path, name: str, advance) -> dict:
    with source.open("rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        info = tarfile.TarInfo(name)
        info.size, info.mode, info.mtime = size, 0o600, int(datetime.now(UTC).timestamp())
        reader = _HashingReader(handle, advance)
        tar.addfile(info, reader)  # type: ignore[arg-type]
    return {"path": name, "size": reader.size, "sha256": reader.digest.hexdigest()}


def create(output: Path, *, progress: Progress | None = None) -> Created:
    """Write ``kyoso-backup-YYYYmmdd-HHMMSS.tar`` (UTC) into ``output`` and return its path and
    manifest. The archive appears only when complete (written as ``.partial``, then renamed);
    running it again writes another archive and never overwrites one."""
    progress = progress or Progress()
    kind = database_kind()
    output.mkdir(parents=True, exist_ok=True, mode=0o700)
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory(prefix=".kyoso-backup-", dir=output) as tmp:
        staging = Path(tmp)
        if kind == "sqlite":
            dump, tables, revision = _snapshot_sqlite(staging, progress)
            dump_member = SQLITE_MEMBER
        else:
            dump, tables, revision = _snapshot_postgres(staging, progress)
            dump_member = PG_MEMBER
        db.session.rollback()

        root = attachments_root()
        keys = attachment_files(root)
        live = set(db.session.scalars(
            select(Attachment.storage_key).where(Attachment.deleted_at.is_(None))))  # fmt: skip
        db.session.rollback()
        missing = sorted(live - set(keys))
        secret = secret_key_path()
        key_file = secret.read_text().strip() if secret.is_file() else None
        # "settings": SECRET_KEY came from the environment (or the app's configuration), and is
        # not in the archive
        key_in_use = "file" if key_file == current_app.config.get("SECRET_KEY") else "settings"
        sources = [(dump, dump_member)]
        if secret.is_file():
            sources.append((secret, SECRET_MEMBER))
        sources += [(root / key, ATTACHMENT_PREFIX + key) for key in keys]
        total = sum(path.stat().st_size for path, _ in sources)

        final = _archive_name(output, now)
        partial = final.with_name(f".{final.name}.partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            files = []
            with os.fdopen(fd, "wb") as raw:
                with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar, \
                        progress.step("archive", total) as advance:  # fmt: skip
                    for path, name in sources:
                        try:
                            files.append(_add_file(tar, path, name, advance))
                        except FileNotFoundError:  # an attachment deleted meanwhile
                            if not name.startswith(ATTACHMENT_PREFIX):
                                raise
                    manifest = {
                        "format": FORMAT,
                        "format_version": FORMAT_VERSION,
                        "created_at": now.isoformat(timespec="seconds").replace("+00:00", "Z"),
                        "host": socket.gethostname(),
                        "app_version": app_version(),
                        "migration_revision": revision,
                        "database": {"kind": kind, "file": dump_member},
                        "counts": headline(tables),
                        "tables": tables,
                        "secret_key": {"archived": key_file is not None, "in_use": key_in_use},
                        "missing_attachments": missing,
                        "files": files,
                    }
                    body = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
                    info = tarfile.TarInfo(MANIFEST)
                    info.size, info.mode, info.mtime = len(body), 0o600, int(now.timestamp())
                    tar.addfile(info, io.BytesIO(body))
                raw.flush()
                os.fsync(raw.fileno())
            os.replace(partial, final)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    for key in missing:
        progress.note(f"warning: attachment file missing on disk: {key}")
    return Created(final, manifest)


# --- reading an archive -------------------------------------------------------------------------


def _members(tar: tarfile.TarFile) -> Iterator[tuple[tarfile.TarInfo, IO[bytes]]]:
    for info in tar:
        name = info.name
        if name != MANIFEST and not _MEMBER.fullmatch(name):
            raise BackupError(
                "アーカイブに想定外のファイルがあります (unexpected member in the archive)", [name]
            )
        if not info.isreg():
            raise BackupError("アーカイブに通常のファイル以外があります (a member of the archive is "
                              "not a regular file)", [name])  # fmt: skip
        handle = tar.extractfile(info)
        assert handle is not None
        yield info, handle


def _open(archive: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(archive, mode="r:*")
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"アーカイブを開けません (cannot open the archive {archive}): {exc}") from exc


def _check(manifest: dict | None, found: dict[str, dict]) -> dict:
    """Compare what was read with what the manifest lists; raise on any difference."""
    if manifest is None:
        raise BackupError("アーカイブに manifest.json がありません (the archive has no manifest)")
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            "Kyoso のバックアップではないか、対応していない版です (not a Kyoso backup, or a "
            f"format version this code cannot read: {manifest.get('format_version')!r})"
        )
    problems = []
    listed = {entry["path"]: entry for entry in manifest.get("files", [])}
    for name in sorted(set(listed) - set(found)):
        problems.append(f"missing from the archive: {name}")
    for name in sorted(set(found) - set(listed)):
        problems.append(f"not in the manifest: {name}")
    for name in sorted(set(listed) & set(found)):
        want, got = listed[name], found[name]
        if want.get("size") != got["size"]:
            problems.append(f"size differs: {name} ({got['size']} bytes, manifest {want.get('size')})")
        elif want.get("sha256") != got["sha256"]:
            problems.append(f"checksum differs: {name}")
    if manifest.get("database", {}).get("file") not in listed:
        problems.append("the manifest names no database file")
    if problems:
        raise BackupError(
            "アーカイブがマニフェストと一致しません。改ざんまたは破損の可能性があります (the archive "
            "does not match its manifest: tampered with or damaged)",
            problems,
        )
    return manifest


def _read(archive: Path, progress: Progress, staging: Path | None) -> dict:
    """Read every member (into ``staging`` when given), hash it and check the manifest."""
    found: dict[str, dict] = {}
    manifest = None
    size = archive.stat().st_size
    with _open(archive) as tar, progress.step("verify", size) as advance:
        try:
            for info, handle in _members(tar):
                if info.name in found or (info.name == MANIFEST and manifest is not None):
                    raise BackupError("アーカイブに同じ名前のファイルが2つあります (a member appears "
                                      "twice in the archive)", [info.name])  # fmt: skip
                if info.name == MANIFEST:
                    try:
                        manifest = json.loads(handle.read(16 * 1024 * 1024))
                    except ValueError as exc:
                        raise BackupError("manifest.json を読めません (the manifest is not valid "
                                          "JSON)") from exc  # fmt: skip
                    continue
                digest, count = hashlib.sha256(), 0
                out = None
                if staging is not None:
                    target = staging / info.name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    out = target.open("wb")
                try:
                    while chunk := handle.read(_CHUNK):
                        digest.update(chunk)
                        count += len(chunk)
                        if out is not None:
                            out.write(chunk)
                        advance(len(chunk))
                finally:
                    if out is not None:
                        out.close()
                found[info.name] = {"size": count, "sha256": digest.hexdigest()}
        except (OSError, tarfile.TarError, EOFError) as exc:
            raise BackupError(f"アーカイブが壊れています (the archive is damaged): {exc}") from exc
    return _check(manifest, found)


def verify(archive: Path, *, progress: Progress | None = None) -> dict:
    """Check every file of ``archive`` against its manifest (sizes and SHA-256); the manifest."""
    return _read(archive, progress or Progress(), None)


# --- restore ------------------------------------------------------------------------------------


def target_state() -> tuple[dict[str, int], int]:
    """What the site to restore into already holds: the headline counts of its database (of the
    tables that exist) and the number of attachment files."""
    with db.engine.connect() as conn:
        existing = set(inspect(conn).get_table_names())
        counts = {
            name: int(conn.execute(text(f"SELECT COUNT(*) FROM {_quote(conn, table)}")).scalar_one())
            for name, table in HEADLINE.items()
            if table in existing
        }
    return counts, len(attachment_files(attachments_root()))


def _refuse_unless_empty(force: bool) -> None:
    counts, files = target_state()
    held = {name: n for name, n in counts.items() if n}
    if (held or files) and not force:
        what = ", ".join([*(f"{name} {n}" for name, n in held.items()),
                          *([f"attachment files {files}"] if files else [])])  # fmt: skip
        raise BackupError(
            f"復元先は空ではありません ({what})。空のデータベースと空の添付ファイル用フォルダーに復元"
            f"するか、上書きしてよい場合は --force を付けてください (the target is not empty: {what}; "
            f"restore into an empty database and attachment folder, or pass --force to overwrite)"
        )


def _migration_scripts():
    from alembic.script import ScriptDirectory

    config = current_app.extensions["migrate"].migrate.get_config()
    return ScriptDirectory.from_config(config)


def _check_revision(revision: str | None) -> bool:
    """Whether the archive's schema needs upgrading to this code's head; refuse an archive made by
    newer code (its revision unknown here)."""
    scripts = _migration_scripts()
    heads = set(scripts.get_heads())
    if revision in heads:
        return False
    try:
        known = revision is not None and scripts.get_revision(revision) is not None
    except Exception:  # alembic raises several kinds for an unknown revision
        known = False
    if not known:
        raise BackupError(
            f"このバックアップのスキーマ (リビジョン {revision}) はこのコードにありません。作成した版の "
            f"Kyoso で復元してください (the archive's schema revision {revision!r} is unknown to this "
            f"code: restore it with the Kyoso version that made it)"
        )
    return True


def _restore_sqlite(staged: Path) -> None:
    target = db.engine.url.database
    if not target or target == ":memory:":
        raise BackupError("メモリ上の SQLite には復元できません (cannot restore into an in-memory "
                          "SQLite database)")  # fmt: skip
    target_path = Path(target)
    db.session.remove()
    db.engine.dispose()
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{target_path}{suffix}").unlink(missing_ok=True)
    _copy_atomic(staged, target_path, 0o600)


def _restore_postgres(staged: Path) -> None:
    pg_restore = _tool("pg_restore")
    uri, env = _libpq(db.engine)
    db.session.remove()
    db.engine.dispose()
    # one transaction: a failure leaves the database as it was; --clean --if-exists drops what
    # the archive holds first (the tables of a migrated but empty database)
    _run([pg_restore, "--clean", "--if-exists", "--no-owner", "--no-privileges",
          "--single-transaction", "--exit-on-error", f"--dbname={uri}", str(staged)],
         env, "pg_restore")  # fmt: skip


def _compare_counts(manifest: dict) -> dict[str, int]:
    with db.engine.connect() as conn:
        tables = count_tables(conn)
    expected = manifest.get("tables", {})
    problems = [f"{name}: {tables.get(name)} rows restored, manifest {n}"
                for name, n in sorted(expected.items()) if tables.get(name) != n]  # fmt: skip
    if problems:
        raise BackupError("復元した件数がマニフェストと一致しません (restored row counts differ "
                          "from the manifest)", problems)  # fmt: skip
    return tables


def _check_attachments(manifest: dict) -> list[str]:
    """Every live attachment row has its file with the recorded checksum (those missing when the
    backup was made are reported, not refused)."""
    root = attachments_root()
    tolerated = set(manifest.get("missing_attachments", []))
    problems, warnings = [], []
    rows = db.session.execute(
        select(Attachment.storage_key, Attachment.sha256).where(Attachment.deleted_at.is_(None))
    ).all()
    db.session.rollback()
    for key, sha in rows:
        path = root / key
        if not path.is_file():
            (warnings if key in tolerated else problems).append(f"attachment file missing: {key}")
        elif _sha256_file(path) != sha:
            problems.append(f"attachment file differs from its row: {key}")
    if problems:
        raise BackupError("復元した添付ファイルがデータベースと一致しません (restored attachment "
                          "files do not match the database)", problems)  # fmt: skip
    return warnings


def restore(archive: Path, *, force: bool = False, progress: Progress | None = None) -> Restored:
    """Restore ``archive`` into this site's database, attachment folder and instance folder; see
    the module's docstring for the order. Raises :class:`BackupError` before touching anything
    when the target is not empty (without ``force``) or the archive does not match its manifest;
    after restoring, when the counts or files do not match it."""
    progress = progress or Progress()
    kind = database_kind()
    _refuse_unless_empty(force)
    db.session.rollback()
    instance = Path(current_app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".kyoso-restore-", dir=instance) as tmp:
        staging = Path(tmp)
        manifest = _read(archive, progress, staging)
        archived_kind = manifest["database"]["kind"]
        if archived_kind != kind:
            raise BackupError(
                f"{archived_kind} のバックアップは {kind} に復元できません (a {archived_kind} backup "
                f"cannot be restored into {kind}; restore it into the same kind of database)"
            )
        revision = manifest.get("migration_revision")
        upgrade = _check_revision(revision)
        warnings: list[str] = []

        # nothing of the site has been touched up to here
        with progress.step(f"database ({'pg_restore' if kind == 'postgresql' else 'copy'})", None):
            staged = staging / manifest["database"]["file"]
            (_restore_postgres if kind == "postgresql" else _restore_sqlite)(staged)
        tables = _compare_counts(manifest)

        keys = [e["path"][len(ATTACHMENT_PREFIX):] for e in manifest["files"]
                if e["path"].startswith(ATTACHMENT_PREFIX)]  # fmt: skip
        root = attachments_root()
        total = sum(e["size"] for e in manifest["files"] if e["path"].startswith(ATTACHMENT_PREFIX))
        with progress.step("attachments", total) as advance:
            for key in keys:
                source = staging / ATTACHMENT_PREFIX / key
                _copy_atomic(source, root / key, 0o640)
                advance(source.stat().st_size)

        staged_secret = staging / SECRET_MEMBER
        if staged_secret.is_file():
            _copy_atomic(staged_secret, secret_key_path(), 0o600)
        if manifest.get("secret_key", {}).get("in_use") == "settings":
            warnings.append("the backed-up site took SECRET_KEY from its settings (environment), "
                            "which are not in the archive: set the same SECRET_KEY here")  # fmt: skip
        elif staged_secret.is_file() and os.environ.get("SECRET_KEY"):
            warnings.append("SECRET_KEY is set in the environment: it is used, not the restored "
                            "instance/secret_key")  # fmt: skip

    if upgrade:
        from flask_migrate import upgrade as migrate_upgrade

        with progress.step(f"schema upgrade from {revision}", None):
            migrate_upgrade()
        db.session.remove()

    with progress.step("search index rebuild", None):
        path = indexer.rebuild(indexer.index_root())
    ix = store.open_index(path)
    try:
        documents = ix.doc_count()
    finally:
        ix.close()
    warnings += _check_attachments(manifest)
    for warning in warnings:
        progress.note(f"warning: {warning}")
    return Restored(manifest=manifest, counts=headline(tables), attachments=len(keys),
                    indexed_documents=documents, upgraded_from=revision if upgrade else None,
                    warnings=warnings)  # fmt: skip


def describe(manifest: dict) -> list[str]:
    """The manifest in a few lines for the operator."""
    counts = ", ".join(f"{name} {n}" for name, n in manifest.get("counts", {}).items())
    size = sum(e.get("size", 0) for e in manifest.get("files", []))
    return [
        f"created_at: {manifest.get('created_at')} (host {manifest.get('host')}, "
        f"Kyoso {manifest.get('app_version')})",
        f"database: {manifest.get('database', {}).get('kind')}, "
        f"migration revision {manifest.get('migration_revision')}",
        f"counts: {counts}",
        f"files: {len(manifest.get('files', []))} ({size} bytes)",
    ]
