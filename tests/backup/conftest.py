"""A site with content to back up, and an empty database to restore it into (a new SQLite file,
or a new PostgreSQL database with no tables at all)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from attachments import attaching
from attachments.models import Attachment
from audit.log import record_action
from audit.models import AuditEntry
from auth.models import User
from core.extensions import db
from forum.models import Post
from tests.attachments.conftest import make_image, make_pdf
from tests.fixtures.app import make_test_app
from tests.fixtures.database import own_database

_counter = itertools.count()


@pytest.fixture(params=["new", "migrated"])
def empty_database_url(request, template_database, tmp_path) -> Iterator[str]:
    """A database nobody has migrated (what an operator creates before restoring), or one
    migrated but holding no content yet (``db upgrade`` run by mistake first)."""
    template = template_database if request.param == "migrated" else None
    with own_database(tmp_path, template, f"r_{next(_counter)}") as url:
        yield url


@pytest.fixture
def restored_app(empty_database_url, tmp_path):
    """A second site (own instance folder, attachment folder and search index) on the empty
    database; use it inside ``with restored_app.app_context():``."""
    app = make_test_app(empty_database_url, tmp_path / "restored")
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def site(app, user_factory, thread_factory, moderator):
    """Members, threads with replies in Japanese, a case with two files, audit entries, and the
    instance secret key file."""
    author = user_factory(handle="hanako", display_name="山田花子")
    other = user_factory(handle="taro")
    thread_factory(author=author, title="移動販売の巡回ルート", replies=3)
    thread_factory(author=other, title="見守り活動の担い手不足", body="担い手の募集方法は？", replies=2)
    case = thread_factory(author=author, title="買い物支援の取組事例")
    case.kind = "case"
    db.session.commit()
    attaching.add_attachment(thread=case, uploader=author, filename="募集要項.pdf", data=make_pdf())
    attaching.add_attachment(thread=case, uploader=author, filename="地図.png",
                             data=make_image("PNG"))  # fmt: skip
    record_action(moderator, "post.hide", "post", 1, reason="個人情報を含むため",
                  before={"hidden": False}, after={"hidden": True})  # fmt: skip
    record_action(None, "user.suspend", "user", other.id, reason="スパム")
    db.session.commit()
    (Path(app.instance_path) / "secret_key").write_text("s" * 64)
    return app


def snapshot(app) -> dict:
    """What the comparison looks at, read in the current app context: users, posts, the audit log,
    the attachment rows and the bytes of their files."""
    root = Path(app.config["ATTACHMENTS_DIR"])
    users = [
        (u.id, u.email, u.handle, u.display_name, u.password_hash, u.created_at)
        for u in db.session.scalars(select(User).order_by(User.id))
    ]
    posts = [
        (p.id, p.thread_id, p.author_id, p.number, p.body_source, p.body_html, p.created_at)
        for p in db.session.scalars(select(Post).order_by(Post.id))
    ]
    audit = [
        (e.id, e.actor_id, e.action, e.target_kind, e.target_id, e.reason, e.before, e.after,
         e.created_at)
        for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))
    ]  # fmt: skip
    files = {
        a.storage_key: (a.filename, a.sha256, (root / a.storage_key).read_bytes())
        for a in db.session.scalars(select(Attachment).order_by(Attachment.id))
    }
    db.session.rollback()
    return {"users": users, "posts": posts, "audit": audit, "files": files}
