import pytest

from core.extensions import db
from forum import posting, signals
from forum.models import Board, Post, PostRevision, Thread


def test_posting_new_thread_through_form(client, login, user, board):
    login(user)
    response = client.post_form(
        "/b/zentai/new",
        {"title": "移動支援の相談", "body": "**乗合タクシー**の事例を教えてください"},
    )
    assert response.status_code == 302
    thread = db.session.scalars(db.select(Thread).where(Thread.title == "移動支援の相談")).one()
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<strong>乗合タクシー</strong>" in html
    db.session.refresh(board)
    assert board.thread_count == 1 and board.post_count == 1
    assert thread.last_number == 1 and thread.reply_count == 0


def test_posting_preview_keeps_text_and_renders_with_same_pipeline(client, login, user):
    login(user)
    body = "## 見出し\n\n- 項目 <script>alert(1)</script>"
    response = client.post_form(
        "/b/zentai/new", {"title": "プレビュー確認", "body": body, "preview": "プレビュー"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h2>見出し</h2>" in html
    assert "<script>alert(1)</script>" not in html
    assert "プレビュー確認" in html  # title kept
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # body kept in the textarea
    assert db.session.scalar(db.select(db.func.count(Thread.id))) == 0


def test_posting_validation_errors_are_japanese_and_keep_input(client, login, user):
    login(user)
    response = client.post_form("/b/zentai/new", {"title": "あ", "body": "本文は残る"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "タイトルは2文字以上120文字以内にしてください。" in html
    assert "本文は残る" in html
    assert 'role="alert"' in html and 'aria-invalid="true"' in html


def test_posting_too_long_body_is_refused_with_count(client, login, user, app):
    app.config["MAX_POST_LENGTH"] = 100
    login(user)
    response = client.post_form("/b/zentai/new", {"title": "長文", "body": "あ" * 150})
    assert response.status_code == 422
    assert "本文は100文字以内にしてください（現在150文字）。" in response.get_data(as_text=True)


def test_posting_reply_gets_next_number_and_updates_counters(client, login, user, thread):
    login(user)
    response = client.post_form(f"/t/{thread.id}/reply", {"body": "返信します"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/t/{thread.id}#p2")
    db.session.expire_all()
    assert thread.last_number == 2 and thread.reply_count == 1
    assert thread.board.post_count == 2


def test_posting_quote_prefills_reply(client, login, user, thread_factory):
    thread = thread_factory(body="> 既存の引用\n\n元の本文です")
    login(user)
    first = db.session.scalars(db.select(Post).where(Post.thread_id == thread.id)).one()
    html = client.get(f"/t/{thread.id}/reply?quote={first.id}").get_data(as_text=True)
    assert f"&gt; **@{thread.author.handle}** [#1](/p/{first.id}):" in html
    assert "&gt; 元の本文です" in html


def test_posting_reply_to_locked_thread_is_forbidden(client, login, user, thread_factory):
    thread = thread_factory(is_locked=True)
    login(user)
    assert client.post_form(f"/t/{thread.id}/reply", {"body": "だめ"}).status_code == 403
    assert "返信できません" in client.get(f"/t/{thread.id}").get_data(as_text=True)


def test_posting_anonymous_is_sent_to_login(client, thread):
    response = client.post_form(f"/t/{thread.id}/reply", {"body": "匿名"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/b/zentai/new").status_code == 302


def test_posting_without_csrf_token_is_refused(client, login, user, thread):
    login(user)
    response = client.post(f"/t/{thread.id}/reply", data={"body": "CSRFなし"})
    assert response.status_code == 400
    assert "フォームの有効期限が切れたか" in response.get_data(as_text=True)
    db.session.expire_all()
    assert thread.last_number == 1


def test_posting_edit_inside_grace_period_keeps_no_revision(client, login, user, thread):
    login(user)
    post = db.session.scalars(db.select(Post).where(Post.thread_id == thread.id)).one()
    response = client.post_form(f"/p/{post.id}/edit", {"title": thread.title, "body": "直しました"})
    assert response.status_code == 302
    db.session.expire_all()
    assert post.body_source == "直しました" and post.edited_at is not None
    assert post.revision_count == 0


def test_posting_edit_after_grace_period_keeps_history(client, app, login, user, thread):
    app.config["EDIT_GRACE_SECONDS"] = 0
    login(user)
    post = db.session.scalars(db.select(Post).where(Post.thread_id == thread.id)).one()
    client.post_form(f"/p/{post.id}/edit", {"title": "新しいタイトル", "body": "二版目"})
    client.post_form(f"/p/{post.id}/edit", {"title": "新しいタイトル", "body": "三版目"})
    db.session.expire_all()
    assert post.revision_count == 2 and thread.title == "新しいタイトル"
    html = client.get(f"/p/{post.id}/revisions").get_data(as_text=True)
    assert "二版目" in html and "巡回ルート" in html and "三版目" in html
    assert html.index("三版目") < html.index("二版目")


def test_posting_edit_by_other_member_is_forbidden(client, login, user_factory, thread):
    login(user_factory())
    post = db.session.scalars(db.select(Post).where(Post.thread_id == thread.id)).one()
    assert client.get(f"/p/{post.id}/edit").status_code == 403
    assert client.post_form(f"/p/{post.id}/edit", {"body": "乗っ取り"}).status_code == 403


def test_posting_moderator_may_edit_and_delete_others(client, login, moderator, thread_factory):
    thread = thread_factory(replies=1)
    reply = db.session.scalars(db.select(Post).where(Post.number == 2)).one()
    login(moderator)
    assert (
        client.post_form(f"/p/{reply.id}/edit", {"body": "モデレーターが修正"}).status_code == 302
    )
    assert client.post_form(f"/p/{reply.id}/delete").status_code == 302
    db.session.expire_all()
    assert reply.is_deleted and reply.deleted_by_id == moderator.id
    assert thread.reply_count == 0


def test_posting_delete_own_reply_is_soft(client, login, user, thread_factory):
    thread = thread_factory(author=user, replies=2)
    reply = db.session.scalars(db.select(Post).where(Post.number == 3)).one()
    login(user)
    assert client.get(f"/p/{reply.id}/delete").status_code == 200
    client.post_form(f"/p/{reply.id}/delete")
    db.session.expire_all()
    assert reply.deleted_at is not None and reply.body_source == "返信その2"
    assert thread.reply_count == 1
    html = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert "返信その2" not in html and "この投稿は削除されました。" in html


def test_posting_delete_first_post_deletes_thread(client, login, user, thread, board):
    login(user)
    first = db.session.scalars(db.select(Post).where(Post.thread_id == thread.id)).one()
    response = client.post_form(f"/p/{first.id}/delete")
    assert response.headers["Location"].endswith("/b/zentai")
    assert client.get(f"/t/{thread.id}").status_code == 404
    db.session.expire_all()
    assert board.thread_count == 0 and board.post_count == 0


def test_posting_signals_are_sent_only_after_commit(app, user, board):
    received = []
    with signals.post_created.connected_to(lambda _s, **kw: received.append(kw)):
        thread = posting.create_thread(board=board, author=user, title="取り消される", body="本文")
        assert received == []
        db.session.rollback()
        assert received == []
        thread = posting.create_thread(board=board, author=user, title="確定する", body="本文")
        db.session.commit()
    assert received == [
        {
            "thread_id": thread.id,
            "post_id": received[0]["post_id"],
            "number": 1,
            "board_slug": "zentai",
        }
    ]


def test_posting_concurrent_numbers_are_unique(app, user, thread):
    for i in range(5):
        posting.create_reply(thread=thread, author=user, body=f"連投{i}")
    db.session.commit()
    numbers = db.session.scalars(
        db.select(Post.number).where(Post.thread_id == thread.id).order_by(Post.number)
    ).all()
    assert numbers == [1, 2, 3, 4, 5, 6]


@pytest.mark.parametrize(
    "action,field,value", [("pin", "is_pinned", True), ("lock", "is_locked", True)]
)
def test_posting_moderator_pins_and_locks(client, login, moderator, thread, action, field, value):
    login(moderator)
    assert client.post_form(f"/t/{thread.id}/moderate", {"action": action}).status_code == 302
    db.session.expire_all()
    assert getattr(thread, field) is value


def test_posting_member_cannot_pin(client, login, user, thread):
    login(user)
    assert client.post_form(f"/t/{thread.id}/moderate", {"action": "pin"}).status_code == 403


def test_posting_stores_source_html_and_renderer_version(app, user, board):
    from forum.rendering import RENDERER_VERSION

    thread = posting.create_thread(board=board, author=user, title="保存形式", body="*強調*")
    db.session.commit()
    post = db.session.scalars(db.select(Post).where(Post.thread_id == thread.id)).one()
    assert post.body_source == "*強調*"
    assert post.body_html == "<p><em>強調</em></p>"
    assert post.renderer_version == RENDERER_VERSION
    assert isinstance(db.session.get(Board, thread.board_id), Board)
    assert db.session.scalar(db.select(db.func.count(PostRevision.id))) == 0


def test_posting_refused_csrf_still_shows_what_was_typed(client, login, user, thread):
    login(user)
    response = client.post(f"/t/{thread.id}/reply", data={"body": "長い返信の下書き\n二行目"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "入力した内容は失われていません" in html
    assert "長い返信の下書き\n二行目</textarea>" in html
