"""Class 5 of the security review: one visibility rule for every read of a post's text.

Each test reproduces an attack of the review (a hidden post's body read through its revisions, a
quote or a fragment; typing relayed into a hidden thread; a resident's data left public in the
edit history after a moderator removed it) and shows that it no longer works.
"""

from __future__ import annotations

from sqlalchemy import select

from audit.models import AuditEntry
from core.extensions import db
from forum import posting
from forum.models import Post, PostRevision
from moderation import actions as moderation_actions

SECRET = "秘密の内容：緑町の佐藤さん宅の鍵は植木鉢の下"


def _reply(thread, author, body=SECRET) -> Post:
    post = posting.create_reply(thread=thread, author=author, body=body)
    db.session.commit()
    return post


def _hide(post, moderator) -> None:
    moderation_actions.hide_post(post, actor=moderator, reason="不適切")
    db.session.commit()


def _edited(post, editor, body) -> PostRevision:
    posting.edit_post(post=post, editor=editor, body=body)
    db.session.commit()
    return db.session.scalars(select(PostRevision).where(PostRevision.post_id == post.id)).all()[-1]


def test_visibility_hidden_post_revisions_are_not_public(
    client, login, user_factory, moderator, thread
):
    author = user_factory()
    post = _reply(thread, author)
    _edited(post, moderator, "書き直しました")  # the secret is now only in the history
    _hide(post, moderator)
    anonymous = client.get(f"/p/{post.id}/revisions")
    assert anonymous.status_code == 404
    assert SECRET not in anonymous.get_data(as_text=True)
    login(user_factory())
    other = client.get(f"/p/{post.id}/revisions")
    assert other.status_code == 404 and SECRET not in other.get_data(as_text=True)
    client.post_form("/logout")
    login(author)
    own = client.get(f"/p/{post.id}/revisions")
    assert own.status_code == 200 and SECRET in own.get_data(as_text=True)


def test_visibility_visible_post_revisions_stay_public(client, moderator, user, thread):
    post = _reply(thread, user, "最初の文章")
    _edited(post, moderator, "直した文章")
    page = client.get(f"/p/{post.id}/revisions")
    assert page.status_code == 200 and "最初の文章" in page.get_data(as_text=True)


def test_visibility_quote_of_hidden_post_is_not_prefilled(
    client, login, user_factory, moderator, thread
):
    post = _reply(thread, user_factory())
    _hide(post, moderator)
    login(user_factory())
    page = client.get(f"/t/{thread.id}/reply?quote={post.id}")
    assert page.status_code == 200
    assert SECRET not in page.get_data(as_text=True)


def test_visibility_quote_of_deleted_post_is_not_prefilled(client, login, user_factory, thread):
    author = user_factory()
    post = _reply(thread, author)
    posting.delete_post(post=post, actor=author)
    db.session.commit()
    login(user_factory())
    assert SECRET not in client.get(f"/t/{thread.id}/reply?quote={post.id}").get_data(as_text=True)


def test_visibility_quote_of_visible_post_is_prefilled(client, login, user_factory, thread):
    post = _reply(thread, user_factory(), "見守りの工夫を共有します")
    login(user_factory())
    html = client.get(f"/t/{thread.id}/reply?quote={post.id}").get_data(as_text=True)
    assert "&gt; 見守りの工夫を共有します" in html


def test_visibility_fragment_of_hidden_post_shows_no_text(
    client, login, user_factory, moderator, thread
):
    post = _reply(thread, user_factory())
    _hide(post, moderator)
    login(user_factory())
    for url in (f"/api/v1/posts/{post.id}?include=fragment",
                f"/api/v1/threads/{thread.id}/posts?after=0&include=fragment"):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 200
        assert SECRET not in response.get_data(as_text=True)


def test_visibility_typing_is_not_relayed_into_hidden_thread(socket_client, client, login,
                                                              user_factory, moderator, thread_factory):  # fmt: skip
    from tests.fixtures.realtime import events

    author = user_factory()
    hidden = thread_factory(author=author, replies=1)
    first = db.session.scalar(select(Post).where(Post.thread_id == hidden.id, Post.number == 1))
    _hide(first, moderator)
    visible = thread_factory(author=author)
    # the author may still read and reply to their hidden thread: they listen there
    login(author)
    listener = socket_client()
    assert listener.emit("join_thread", {"thread_id": hidden.id}, callback=True)["ok"]
    assert listener.emit("join_thread", {"thread_id": visible.id}, callback=True)["ok"]
    listener.get_received()
    # another member, who cannot see the hidden thread, types "into" it, then into a visible one
    from flask.testing import FlaskClient  # noqa: F401 - the second client shares the app

    other_client = client.application.test_client()
    other = user_factory()
    other_client.post("/login", data={"email": other.email, "password": "correct-horse-battery",
                                      "csrf_token": other_client_csrf(other_client)})  # fmt: skip
    typist = socket_client(flask_client=other_client)
    typist.emit("typing", {"thread_id": hidden.id})
    typist.emit("typing", {"thread_id": visible.id})
    received = [e["args"][0]["thread_id"] for e in events(listener, "typing")]
    assert received == [visible.id]


def other_client_csrf(flask_client) -> str:
    from tests.fixtures.app import CSRF_RE

    html = flask_client.get("/login").get_data(as_text=True)
    return CSRF_RE.search(html).group(1)


def test_visibility_moderator_redacts_a_revision_on_the_web(
    client, login, user_factory, moderator, thread
):
    author = user_factory()
    post = _reply(thread, author, "田中花子さん（82歳）は認知症です")
    revision = _edited(post, moderator, "（個人情報を削除しました）")
    assert "田中花子" in client.get(f"/p/{post.id}/revisions").get_data(as_text=True)
    login(moderator)
    response = client.post_form(f"/p/{post.id}/revisions/{revision.id}/redact",
                                {"reason": "住民の個人情報"})  # fmt: skip
    assert response.status_code == 302
    client.post_form("/logout")
    for viewer in (None, author):
        if viewer is not None:
            login(viewer)
        html = client.get(f"/p/{post.id}/revisions").get_data(as_text=True)
        assert "田中花子" not in html and "モデレーターが非表示にしました" in html
    db.session.expire_all()
    stored = db.session.get(PostRevision, revision.id)
    assert "田中花子" in stored.body_source  # kept for the audit trail
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "post_revision.redact"))
    assert entry.actor_id == moderator.id and entry.target_id == revision.id
    assert entry.reason == "住民の個人情報"


def test_visibility_members_cannot_redact(client, login, user_factory, moderator, thread):
    author = user_factory()
    post = _reply(thread, author, "古い文章")
    revision = _edited(post, moderator, "新しい文章")
    login(author)
    assert client.post_form(f"/p/{post.id}/revisions/{revision.id}/redact").status_code == 403
    db.session.expire_all()
    assert db.session.get(PostRevision, revision.id).redacted_at is None


def test_visibility_moderator_redacts_a_revision_through_the_api(client, bearer, user_factory,
                                                                 moderator, thread):  # fmt: skip
    post = _reply(thread, user_factory(), "山田太郎さんの電話は090-1111-2222")
    revision = _edited(post, moderator, "（削除）")
    url = f"/api/v1/posts/{post.id}/revisions/{revision.id}/redact"
    member = client.post(url, json={"reason": "x"}, headers=bearer(user_factory()))
    assert member.status_code == 403 and member.get_json()["error"]["code"] == "forbidden"
    ok = client.post(url, json={"reason": "住民の電話番号"}, headers=bearer(moderator))
    assert ok.status_code == 204
    assert "090-1111-2222" not in client.get(f"/p/{post.id}/revisions").get_data(as_text=True)
    assert db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "post_revision.redact",
                                 AuditEntry.target_id == revision.id))  # fmt: skip


def test_visibility_redacted_details_revision_shows_its_values_to_nobody(
    client, login, moderator, structured_factory
):
    from structured.details import save_details
    from structured.models import ThreadDetailRevision
    from tests.fixtures.structured import valid_fields

    thread = structured_factory("event", venue_name="山田花子様宅（緑町1-2-3）")
    save_details(thread=thread, kind="event", editor=moderator,
                 fields=valid_fields("event", venue_name="緑町公民館"))  # fmt: skip
    db.session.commit()
    revision = db.session.scalars(
        select(ThreadDetailRevision).where(ThreadDetailRevision.thread_id == thread.id)
        .order_by(ThreadDetailRevision.id.desc())
    ).first()  # fmt: skip
    url = f"/t/{thread.id}/details/revisions"
    assert "山田花子様宅" in client.get(url).get_data(as_text=True)
    login(moderator)
    done = client.post_form(f"{url}/{revision.id}/redact", {"reason": "住民の氏名と住所"})
    assert done.status_code == 302
    client.post_form("/logout")
    html = client.get(url).get_data(as_text=True)
    assert "山田花子様宅" not in html and "緑町公民館" in html
    assert "モデレーターが非表示にしました" in html
