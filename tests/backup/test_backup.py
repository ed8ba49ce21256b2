"""The restore drill (on the suite's database, SQLite or PostgreSQL): back a site up, restore it
into an empty database with an empty attachment folder, and find the same site; a tampered
archive and a target that holds data are refused before anything is touched."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from auth.models import User
from backup import service
from core.extensions import db
from search import indexer, store
from tests.backup.conftest import snapshot


def _indexed_documents() -> int:
    ix = store.open_index(indexer.rebuild(indexer.index_root()))
    try:
        return ix.doc_count()
    finally:
        ix.close()


def _rewrite(archive: Path, target: Path, change) -> None:
    """Copy ``archive`` to ``target``, passing each member's bytes through ``change(name, data)``
    (None drops the member)."""
    with tarfile.open(archive) as source, tarfile.open(target, "w") as out:
        for info in source:
            data = change(info.name, source.extractfile(info).read())
            if data is None:
                continue
            copy = tarfile.TarInfo(info.name)
            copy.size = len(data)
            out.addfile(copy, io.BytesIO(data))


def _untouched(restored_app) -> None:
    with restored_app.app_context():
        counts, files = service.target_state()
        assert not any(counts.values()) and files == 0
        assert not (Path(restored_app.instance_path) / "secret_key").exists()


def test_backup_restore_drill(site, restored_app, tmp_path):
    original = snapshot(site)
    documents = _indexed_documents()
    created = service.create(tmp_path / "backups")

    manifest = created.manifest
    assert created.path.name.startswith("kyoso-backup-") and created.path.suffix == ".tar"
    assert created.path.stat().st_mode & 0o077 == 0  # it holds the secret key
    assert manifest["counts"] == {"users": len(original["users"]), "threads": 3,
                                  "posts": len(original["posts"]), "attachments": 2,
                                  "audit_entries": 2}  # fmt: skip
    assert manifest["database"]["kind"] == db.engine.url.get_backend_name()
    assert manifest["migration_revision"]
    names = {entry["path"] for entry in manifest["files"]}
    assert "instance/secret_key" in names
    assert {f"attachments/{key}" for key in original["files"]} <= names
    assert service.verify(created.path)["created_at"] == manifest["created_at"]

    with restored_app.app_context():
        restored = service.restore(created.path)
        assert restored.counts == manifest["counts"]
        assert restored.attachments == 2
        # the test app's SECRET_KEY is a setting (as from the environment), not the key file
        assert manifest["secret_key"] == {"archived": True, "in_use": "settings"}
        assert len(restored.warnings) == 1 and "set the same SECRET_KEY" in restored.warnings[0]
        assert restored.indexed_documents == documents > 0
        assert snapshot(restored_app) == original
        assert (Path(restored_app.instance_path) / "secret_key").read_text() == "s" * 64


@pytest.mark.parametrize("empty_database_url", ["new"], indirect=True)
def test_backup_restore_refuses_a_tampered_archive(site, restored_app, tmp_path):
    archive = service.create(tmp_path / "backups").path
    tampered = tmp_path / "tampered.tar"

    def flip_a_byte(name: str, data: bytes) -> bytes:
        if name.startswith("attachments/") and name.endswith(".pdf"):
            return data[:-10] + bytes([data[-10] ^ 1]) + data[-9:]
        return data

    _rewrite(archive, tampered, flip_a_byte)
    with pytest.raises(service.BackupError, match="checksum differs"):
        service.verify(tampered)
    with restored_app.app_context():
        with pytest.raises(service.BackupError, match="改ざん.*tampered") as caught:
            service.restore(tampered)
        assert any("checksum differs: attachments/" in p for p in caught.value.problems)
    _untouched(restored_app)

    # a member dropped, and a manifest edited to match a changed count, are refused as well
    dropped = tmp_path / "dropped.tar"
    _rewrite(archive, dropped, lambda name, data: None if name == "instance/secret_key" else data)
    with pytest.raises(service.BackupError) as caught:
        service.verify(dropped)
    assert caught.value.problems == ["missing from the archive: instance/secret_key"]

    def edit_manifest(edit):
        def change(name: str, data: bytes) -> bytes:
            if name != "manifest.json":
                return data
            manifest = json.loads(data)
            edit(manifest)
            return json.dumps(manifest).encode()

        return change

    # made by newer code (a schema revision unknown here): refused before anything is touched
    newer = tmp_path / "newer.tar"
    _rewrite(archive, newer, edit_manifest(lambda m: m.update(migration_revision="9999")))
    unknown = "'9999' is unknown to this code"
    with restored_app.app_context(), pytest.raises(service.BackupError, match=unknown):
        service.restore(newer)
    _untouched(restored_app)

    def one_more_user(manifest: dict) -> None:
        manifest["tables"]["users"] += 1

    edited = tmp_path / "edited.tar"
    _rewrite(archive, edited, edit_manifest(one_more_user))
    service.verify(edited)  # the files match; the counts are checked once restored
    with restored_app.app_context():
        with pytest.raises(service.BackupError, match="row counts differ") as caught:
            service.restore(edited)
        assert caught.value.problems[0].startswith("users: ")


def test_backup_restore_refuses_a_site_that_holds_data(site, tmp_path):
    archive = service.create(tmp_path / "backups").path
    users = db.session.scalar(select(func.count(User.id)))
    runner = site.test_cli_runner()

    result = runner.invoke(args=["backup", "restore", str(archive)])
    assert result.exit_code == 1
    assert "復元先は空ではありません" in result.output
    assert f"the target is not empty: users {users}" in result.output
    assert "--force" in result.output
    assert db.session.scalar(select(func.count(User.id))) == users


def test_backup_cli_create_twice_and_verify(site, tmp_path):
    runner = site.test_cli_runner()
    output = tmp_path / "backups"
    for _ in range(2):  # re-running writes another archive, never over one
        result = runner.invoke(args=["backup", "create", "--output", str(output)])
        assert result.exit_code == 0, result.output
        assert "backup written" in result.output
    archives = sorted(output.iterdir())
    assert len(archives) == 2 and all(p.suffix == ".tar" for p in archives)  # no leftovers

    result = runner.invoke(args=["backup", "verify", str(archives[0])])
    assert result.exit_code == 0, result.output
    assert "the archive matches its manifest" in result.output

    broken = tmp_path / "broken.tar"
    data = archives[0].read_bytes()
    broken.write_bytes(data[: len(data) // 2])  # cut off in the middle of the database
    result = runner.invoke(args=["backup", "verify", str(broken)])
    assert result.exit_code == 1
    assert "Error:" in result.output


@pytest.mark.parametrize("empty_database_url", ["new"], indirect=True)
def test_backup_restore_force_replaces_a_restored_site(site, restored_app, tmp_path):
    original = snapshot(site)
    archive = service.create(tmp_path / "backups").path
    with restored_app.app_context():
        service.restore(archive)
    runner = restored_app.test_cli_runner()
    result = runner.invoke(args=["backup", "restore", str(archive)])
    assert result.exit_code == 1 and "the target is not empty" in result.output

    result = runner.invoke(args=["backup", "restore", "--force", str(archive)])
    assert result.exit_code == 0, result.output
    assert "restored and checked against the manifest" in result.output
    assert "set the same SECRET_KEY" in result.output
    with restored_app.app_context():
        assert snapshot(restored_app) == original


@pytest.mark.parametrize("empty_database_url", ["new"], indirect=True)
def test_backup_restore_upgrades_an_older_schema(site, restored_app, tmp_path):
    """An archive from an older Kyoso is brought to this code's migration head after the counts
    are checked (here the archive's revision is made one older than the head: the upgrade path
    runs; the migrations themselves are tested by every test's migrated database)."""
    archive = service.create(tmp_path / "backups").path
    with restored_app.app_context():
        scripts = service._migration_scripts()
        (head,) = scripts.get_heads()
        previous = scripts.get_revision(head).down_revision
    older = tmp_path / "older.tar"

    def older_revision(name: str, data: bytes) -> bytes:
        if name != "manifest.json":
            return data
        return json.dumps({**json.loads(data), "migration_revision": previous}).encode()

    _rewrite(archive, older, older_revision)
    with restored_app.app_context():
        restored = service.restore(older)
        assert restored.upgraded_from == previous
        with db.engine.connect() as conn:
            assert service._revision(conn) == head
