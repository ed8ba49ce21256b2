from audit.models import AuditEntry
from core.extensions import db
from tests.fixtures.app import PASSWORD


def test_sanctions_silence_blocks_posting_but_not_reading(client, login, moderator, user, thread):
    login(moderator)
    response = client.post_form(f"/moderation/users/{user.handle}/sanction",
                                {"kind": "silence", "days": "7", "reason": "連投のため"})  # fmt: skip
    assert response.status_code == 302
    client.post_form("/logout")
    login(user)
    html = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert "投稿が停止されています" in html and "連投のため" in html
    assert client.post_form(f"/t/{thread.id}/reply", {"body": "書けない"}).status_code == 403


def test_sanctions_suspend_refuses_login_with_reason_then_lift(client, login, moderator, user):
    login(moderator)
    client.post_form(f"/moderation/users/{user.handle}/sanction",
                     {"kind": "suspend", "days": "", "reason": "規約違反"})  # fmt: skip
    client.post_form("/logout")
    html = client.post_form("/login", {"email": user.email, "password": PASSWORD}).get_data(
        as_text=True
    )
    assert "利用停止中" in html and "規約違反" in html
    login(moderator)
    client.post_form(
        f"/moderation/users/{user.handle}/sanction", {"kind": "lift", "reason": "解除"}
    )
    client.post_form("/logout")
    assert (
        client.post_form("/login", {"email": user.email, "password": PASSWORD}).status_code == 302
    )
    actions = [e.action for e in db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id))]
    assert actions == ["user.suspend", "user.lift"]


def test_sanctions_members_cannot_sanction(client, login, user_factory, user):
    login(user_factory())
    assert client.get(f"/moderation/users/{user.handle}/sanction").status_code == 403


def test_audit_log_page_and_csv(client, login, admin, moderator, user):
    login(moderator)
    client.post_form(f"/moderation/users/{user.handle}/sanction",
                     {"kind": "silence", "days": "1", "reason": "テスト理由"})  # fmt: skip
    assert client.get("/moderation/audit").status_code == 403  # moderators have no audit.view
    client.post_form("/logout")
    login(admin)
    assert "テスト理由" in client.get("/moderation/audit").get_data(as_text=True)
    csv = client.get("/moderation/audit?format=csv")
    assert csv.headers["Content-Type"].startswith("text/csv")
    text = csv.get_data(as_text=True)
    assert (
        text.startswith("\ufeffid,created_at") and "user.silence" in text and "テスト理由" in text
    )


def test_audit_records_moderator_edits_deletes_and_locks(client, login, moderator, thread_factory):
    from forum.models import Post

    thread = thread_factory(replies=2)
    second, third = db.session.scalars(
        db.select(Post).where(Post.number > 1).order_by(Post.number)
    ).all()
    login(moderator)
    client.post_form(f"/p/{second.id}/edit", {"body": "モデレーターが修正"})
    client.post_form(f"/p/{third.id}/delete")
    client.post_form(f"/t/{thread.id}/moderate", {"action": "lock"})
    entries = db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [e.action for e in entries] == ["post.edit", "post.delete", "thread.lock"]
    assert (
        entries[0].before["body"] == "返信その1"
        and entries[0].after["body"] == "モデレーターが修正"
    )
    assert all(e.actor_id == moderator.id for e in entries)
