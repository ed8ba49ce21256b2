"""Class 10 of the security review: concurrent writes lose nothing.

Two edits of one post, an author's save right after a moderator's, a held edit approved over a
newer correction, a held reply approved into a deleted thread, a queue item acted on by the
moderator of the board its thread has left: each reproduced, each now refused or recorded.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from audit.models import AuditEntry
from auth.models import BoardModerator
from core.extensions import db
from forum import posting
from forum.models import Board, Post, PostRevision
from moderation import queue
from moderation.models import ModerationItem

VERSION_RE = re.compile(r'name="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="version"')
PII = "田中花子さん（82歳）は認知症で、電話は090-1234-5678です。"


def _first(thread) -> Post:
    return db.session.scalar(select(Post).where(Post.thread_id == thread.id, Post.number == 1))


def _version_in(html: str) -> int:
    match = VERSION_RE.search(html)
    assert match, "no version field in the edit form"
    return int(match.group(1) or match.group(2))


def _edit_form(client, post) -> int:
    page = client.get(f"/p/{post.id}/edit")
    assert page.status_code == 200
    return _version_in(page.get_data(as_text=True))


def test_lost_edits_second_web_save_against_old_version_is_refused(client, login, user_factory,
                                                                    moderator):  # fmt: skip
    author = user_factory()
    thread = _thread(author)
    post = posting.create_reply(thread=thread, author=author, body="最初の本文")
    db.session.commit()
    login(author)
    seen = _edit_form(client, post)
    # meanwhile a moderator saves their correction
    posting.edit_post(post=post, editor=moderator, body="モデレーターの修正", base_version=seen)
    db.session.commit()
    response = client.post_form(f"/p/{post.id}/edit", {"body": "作者の修正", "version": seen})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "モデレーターの修正" in html  # the other text is shown
    assert "作者の修正" in html  # and what the author typed is kept in the form
    db.session.expire_all()
    assert post.body_source == "モデレーターの修正"
    # saving again from the conflict page (it carries the new version) goes through
    again = client.post_form(
        f"/p/{post.id}/edit", {"body": "作者の修正", "version": _version_in(html)}
    )
    assert again.status_code == 302
    db.session.expire_all()
    assert post.body_source == "作者の修正"


def test_lost_edits_api_patch_with_old_version_gets_409_with_current_text(client, bearer,
                                                                          user_factory, moderator):  # fmt: skip
    author = user_factory()
    thread = _thread(author)
    post = _first(thread)
    seen = client.get(f"/api/v1/posts/{post.id}").get_json()["version"]
    first = client.patch(f"/api/v1/posts/{post.id}", headers=bearer(moderator),
                         json={"body": "モデレーターの修正", "version": seen})  # fmt: skip
    assert first.status_code == 200 and first.get_json()["version"] == seen + 1
    stale = client.patch(f"/api/v1/posts/{post.id}", headers=bearer(author),
                         json={"body": "作者の修正", "version": seen})  # fmt: skip
    assert stale.status_code == 409
    error = stale.get_json()["error"]
    assert error["code"] == "conflict"
    assert "モデレーターの修正" in error["current"]["html"]
    assert error["current"]["version"] == seen + 1
    db.session.expire_all()
    assert post.body_source == "モデレーターの修正"


@pytest.mark.parametrize("version", ["1", 1.5, True, -1, 2**40, [1]])
def test_lost_edits_api_rejects_malformed_versions(client, bearer, user, version):
    post = _first(_thread(user))
    response = client.patch(f"/api/v1/posts/{post.id}", headers=bearer(user),
                            json={"body": "直しました", "version": version})  # fmt: skip
    assert response.status_code == 422
    assert "version" in response.get_json()["error"]["fields"]


def test_lost_edits_author_save_after_someone_elses_keeps_their_revision(
    user_factory, moderator, app
):
    assert app.config["EDIT_GRACE_SECONDS"] >= 60
    author = user_factory()
    thread = _thread(author)
    post = _first(thread)
    posting.edit_post(post=post, editor=author, body="作者の一回目")  # within grace: no revision
    db.session.commit()
    posting.edit_post(post=post, editor=moderator, body="モデレーターの修正")
    db.session.commit()
    posting.edit_post(post=post, editor=author, body="作者の二回目")  # seconds later
    db.session.commit()
    kept = [r.body_source for r in db.session.scalars(
        select(PostRevision).where(PostRevision.post_id == post.id).order_by(PostRevision.id))]  # fmt: skip
    assert kept == ["作者の一回目", "モデレーターの修正"]


def test_lost_edits_held_edit_cannot_overwrite_a_newer_correction(client, login, user_factory,
                                                                   moderator):  # fmt: skip
    author = user_factory()
    thread = _thread(author)
    post = _first(thread)
    login(author)
    held = client.post_form(f"/p/{post.id}/edit", {"title": thread.title, "body": PII,
                                                   "confirm": "y", "version": post.version})  # fmt: skip
    assert held.status_code == 302
    (item,) = db.session.scalars(select(ModerationItem).where(ModerationItem.kind == "held_post"))
    # the author thinks better of it and corrects the post (published at once: no PII)
    corrected = client.post_form(f"/p/{post.id}/edit", {"title": thread.title,
                                                        "body": "連絡は事務局までお願いします。",
                                                        "version": post.version})  # fmt: skip
    assert corrected.status_code == 302
    with pytest.raises(queue.Outdated):
        queue.decide(item, moderator=moderator, action="approve", version=item.version)
    db.session.rollback()
    db.session.expire_all()
    assert post.body_source == "連絡は事務局までお願いします。"
    assert db.session.get(ModerationItem, item.id).status == "pending"
    # through the web queue the moderator is told why, and nothing changes
    client.post_form("/logout")
    login(moderator)
    response = client.post_form(f"/moderation/items/{item.id}/decide",
                                {"action": "approve", "version": item.version}, follow_redirects=True)  # fmt: skip
    assert "元の投稿が更新されています" in response.get_data(as_text=True)
    db.session.expire_all()
    assert post.body_source == "連絡は事務局までお願いします。"
    # rejecting it still works
    queue.decide(item, moderator=moderator, action="reject", version=item.version)
    db.session.commit()


def test_lost_edits_held_reply_is_not_published_into_a_deleted_thread(client, bearer, login,
                                                                       user_factory, moderator):  # fmt: skip
    author = user_factory()
    thread = _thread(author)
    replier = user_factory()
    login(replier)
    assert (
        client.post_form(f"/t/{thread.id}/reply", {"body": PII, "confirm": "y"}).status_code == 302
    )
    (item,) = db.session.scalars(select(ModerationItem).where(ModerationItem.kind == "held_post"))
    posting.delete_post(post=_first(thread), actor=author)
    db.session.commit()
    response = client.post(f"/api/v1/moderation/items/{item.id}/decision", headers=bearer(moderator),
                           json={"action": "approve", "version": item.version})  # fmt: skip
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "outdated"
    db.session.expire_all()
    assert (
        db.session.scalar(select(Post).where(Post.thread_id == thread.id, Post.number == 2)) is None
    )


def test_lost_edits_queue_item_follows_its_thread_to_the_new_board(client, login, user_factory,
                                                                    moderator, app):  # fmt: skip
    boards = db.session.scalars(select(Board).order_by(Board.position, Board.id)).all()
    old, new = boards[0], boards[1]
    old_mod, new_mod = user_factory(), user_factory()
    db.session.add_all([BoardModerator(user_id=old_mod.id, board_id=old.id),
                        BoardModerator(user_id=new_mod.id, board_id=new.id)])  # fmt: skip
    db.session.commit()
    author = user_factory()
    thread = _thread(author, board=old)
    reply = posting.create_reply(thread=thread, author=author, body="通報される返信")
    db.session.commit()
    login(user_factory())
    client.post_form(f"/p/{reply.id}/flag", {"reason": "spam"})
    client.post_form("/logout")
    (item,) = db.session.scalars(
        select(ModerationItem).where(ModerationItem.kind == "flagged_post")
    )
    assert item.board_id == old.id
    login(moderator)
    moved = client.post_form(f"/t/{thread.id}/move", {"board": new.slug})
    assert moved.status_code == 302
    client.post_form("/logout")
    db.session.expire_all()
    assert db.session.get(ModerationItem, item.id).board_id == new.id
    for stranger in (old_mod,):
        db.session.expire(stranger, ["board_moderations"])
        with pytest.raises(queue.Forbidden):
            queue.decide(db.session.get(ModerationItem, item.id), moderator=stranger,
                         action="disagree", version=item.version)  # fmt: skip
        db.session.rollback()
    db.session.expire(new_mod, ["board_moderations"])
    queue.decide(db.session.get(ModerationItem, item.id), moderator=new_mod, action="disagree",
                 version=db.session.get(ModerationItem, item.id).version)  # fmt: skip
    db.session.commit()


def test_lost_edits_moderator_api_edit_and_delete_are_audited(
    client, bearer, user_factory, moderator
):
    author = user_factory()
    thread = _thread(author)
    reply = posting.create_reply(thread=thread, author=author, body="元の返信")
    db.session.commit()
    headers = bearer(moderator)
    assert client.patch(f"/api/v1/posts/{reply.id}", headers=headers,
                        json={"body": "モデレーターが修正"}).status_code == 200  # fmt: skip
    assert client.delete(f"/api/v1/posts/{reply.id}", headers=headers).status_code == 204
    actions = [(e.action, e.actor_id, e.target_id) for e in db.session.scalars(
        select(AuditEntry).order_by(AuditEntry.id))]  # fmt: skip
    assert ("post.edit", moderator.id, reply.id) in actions
    assert ("post.delete", moderator.id, reply.id) in actions


def _thread(author, board=None):
    board = board or db.session.scalars(select(Board).order_by(Board.position, Board.id)).first()
    thread = posting.create_thread(board=board, author=author, title="買い物支援の相談",
                                   body="移動販売について教えてください。")  # fmt: skip
    db.session.commit()
    return thread
