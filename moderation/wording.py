"""How the review queue speaks: the outcomes offered for each kind of item, what a decision is
called afterwards, who is told the reason, the priority in words, and the result message that
says what was done to whom. One place, so that the page, its messages and the tests agree.

Every string goes through Flask-Babel; the functions are called while a request is handled.
"""

from __future__ import annotations

from flask_babel import gettext as _

from moderation.models import ModerationItem
from moderation.queue import PAGE_ACTIONS


def kind_label(kind: str) -> str:
    return {
        "flagged_post": _("通報された投稿"),
        "held_post": _("公開前の確認"),
        "account": _("新しいアカウント"),
        "role_request": _("認証の申請"),
        "space_join": _("プラットフォームへの参加申請"),
        "contact": _("お問い合わせ"),
        "flagged_message": _("通報された個別メッセージ"),
    }.get(kind, kind)


def choices(item: ModerationItem) -> list[tuple[str, str]]:
    """The outcomes the page offers for ``item``: (action, label), in order. 「再表示」 is said
    only when the flagged post is actually hidden."""
    return [(a, action_label(item, a)) for a in PAGE_ACTIONS.get(item.kind, ())]


def action_label(item: ModerationItem, action: str) -> str:
    """What the moderator chooses, in words that fit the kind of item."""
    if item.kind == "flagged_post":
        hidden = item.post is not None and item.post.is_hidden
        return {
            "disagree": _("問題なし（再表示する）") if hidden else _("問題なし（そのまま）"),
            "agree_hide": _("非表示にする"),
            "agree_delete": _("削除する"),
            "delete": _("削除する"),
            "ignore": _("対応せずに閉じる") + (_("（再表示する）") if hidden else ""),
            "agree_suspend": _("非表示にして投稿者を利用停止にする"),
        }.get(action, action)
    return {
        "held_post": {"approve": _("公開する"), "reject": _("公開しない"),
                      "delete": _("公開しない")},
        "role_request": {"approve": _("承認する"), "reject": _("承認しない")},
        "account": {"approve": _("アカウントを承認する"),
                    "reject": _("承認しない（利用停止にする）")},
        "space_join": {"approve": _("参加を認める"), "reject": _("参加を認めない")},
        "contact": {"resolve": _("対応済みにする"),
                    "ignore": _("対応せずに閉じる（迷惑なものなど）")},
        "flagged_message": {"disagree": _("問題なし（そのまま）"), "agree_hide": _("非表示にする"),
                            "ignore": _("対応せずに閉じる")},
    }.get(item.kind, {}).get(action, action)  # fmt: skip


def done_label(item: ModerationItem) -> str:
    """What was decided, for the list of decided items."""
    action = item.decision or ""
    if item.kind == "flagged_post":
        return {
            "disagree": _("問題なしとした"),
            "ignore": _("対応せずに閉じた"),
            "agree_hide": _("非表示にした"),
            "agree_delete": _("削除した"),
            "delete": _("削除した"),
            "agree_suspend": _("非表示にして投稿者を利用停止にした"),
        }.get(action, action)
    return {
        "held_post": {"approve": _("公開した"), "reject": _("公開しなかった"),
                      "delete": _("公開しなかった")},
        "role_request": {"approve": _("承認した"), "reject": _("承認しなかった")},
        "account": {"approve": _("承認した"), "reject": _("承認しなかった（利用停止）")},
        "space_join": {"approve": _("参加を認めた"), "reject": _("参加を認めなかった")},
        "contact": {"resolve": _("対応済み"), "ignore": _("対応せずに閉じた")},
        "flagged_message": {"disagree": _("問題なしとした"), "agree_hide": _("非表示にした"),
                            "ignore": _("対応せずに閉じた")},
    }.get(item.kind, {}).get(action, action)  # fmt: skip


def reason_hint(kind: str) -> str:
    """Who reads the reason a moderator writes — what is actually shown or sent (checked
    against notifications.presenting, moderation.history, auth.views and mine.html)."""
    return {
        "flagged_post": _(
            "「非表示にする」を選んだ場合、理由は投稿者とモデレーターにだけ、その投稿の上に"
            "表示されます。ほかの対応では、理由は記録に残るだけで、通知には含まれません"
            "（投稿者と通報した人には結果だけが通知されます）。"
        ),
        "held_post": _(
            "理由は投稿者の「確認待ちの投稿と通報」のページに表示されます"
            "（投稿者には結果が通知されます）。"
        ),
        "role_request": _(
            "申請した人には「承認された」または「承認されなかった」という結果だけが通知されます。"
            "理由は通知されず、記録に残るだけです。"
        ),
        "account": _(
            "承認しない場合、理由は本人がログインしようとしたときに表示されます。"
            "承認する場合、理由は記録に残るだけです。"
        ),
        "space_join": _("理由は記録に残るだけで、申請した人には通知されません。"),
        "contact": _(
            "理由は記録に残るだけで、送った人には通知されません（返事はメールで送ってください）。"
        ),
        "flagged_message": _("理由は記録に残るだけで、会話の参加者には通知されません。"),
    }.get(kind, "")


def priority_label(level: str) -> str:
    return {"high": _("高"), "medium": _("中"), "low": _("低")}.get(level, level)


def post_reference(item: ModerationItem) -> str:
    """「見守り活動の連絡方法」の #2 — a post by its thread and number, as members see it."""
    post = item.post
    if post is None:
        return ""
    return _("「%(title)s」の #%(n)s", title=post.thread.title, n=post.number)


def _held_reference(item: ModerationItem) -> str:
    held = item.held_post
    if held is None:
        return ""
    if held.title:
        return _("「%(title)s」", title=held.title)
    if held.thread is not None:
        return _("「%(title)s」への返信", title=held.thread.title)
    return ""


def result_message(item: ModerationItem, action: str, *, was_hidden: bool) -> str:
    """What was done to whom, after a decision: 「山田 花子さんの投稿（「…」の #2）を非表示に
    しました。」 ``was_hidden``: the flagged post was hidden before the decision."""
    name = item.subject_user.display_name if item.subject_user is not None else _("退会した人")
    if item.kind == "flagged_post":
        post = post_reference(item)
        texts = {
            "disagree": _("%(name)sさんの投稿（%(post)s）を問題なしとして、再表示しました。",
                          name=name, post=post) if was_hidden else
                        _("%(name)sさんの投稿（%(post)s）を問題なしとしました。投稿はそのまま"
                          "表示されます。", name=name, post=post),
            "ignore": _("%(name)sさんの投稿（%(post)s）への通報を、対応せずに閉じました。",
                        name=name, post=post),
            "agree_hide": _("%(name)sさんの投稿（%(post)s）を非表示にしました。",
                            name=name, post=post),
            "agree_delete": _("%(name)sさんの投稿（%(post)s）を削除しました。",
                              name=name, post=post),
            "agree_suspend": _("%(name)sさんの投稿（%(post)s）を非表示にし、%(name)sさんを"
                               "利用停止にしました。", name=name, post=post),
        }  # fmt: skip
        texts["delete"] = texts["agree_delete"]
        return texts.get(action, "")
    if item.kind == "held_post":
        held = _held_reference(item)
        if action == "approve":
            return _("%(name)sさんの投稿%(held)sを公開しました。", name=name, held=held)
        return _("%(name)sさんの投稿%(held)sを公開しないことにしました。", name=name, held=held)
    if item.kind == "role_request":
        role = item.role_request.role.name if item.role_request is not None else ""
        if action == "approve":
            return _("%(name)sさんを「%(role)s」として認証しました。", name=name, role=role)
        return _("%(name)sさんの「%(role)s」の申請を承認しませんでした。", name=name, role=role)
    if item.kind == "account":
        if action == "approve":
            return _(
                "%(name)sさんのアカウントを承認しました。投稿できるようになります。", name=name
            )
        return _("%(name)sさんのアカウントを承認せず、利用停止にしました。", name=name)
    if item.kind == "space_join":
        space = item.space.name if item.space is not None else ""
        if action == "approve":
            return _("%(name)sさんの「%(space)s」への参加を認めました。", name=name, space=space)
        return _("%(name)sさんの「%(space)s」への参加を認めませんでした。", name=name, space=space)
    if item.kind == "flagged_message":
        return {
            "agree_hide": _("%(name)sさんのメッセージを非表示にしました。", name=name),
            "disagree": _("%(name)sさんのメッセージを問題なしとしました。", name=name),
            "ignore": _("%(name)sさんのメッセージへの通報を、対応せずに閉じました。", name=name),
        }.get(action, "")
    if item.kind == "contact":
        if action == "resolve":
            return _("お問い合わせ（#%(id)s）を対応済みにしました。", id=item.id)
        return _("お問い合わせ（#%(id)s）を対応せずに閉じました。", id=item.id)
    return _("対応を記録しました。")


def sanction_message(user, kind: str, days: int | None) -> str:
    """After a sanction: 「山田 花子さんを投稿停止にしました（7日間）。」"""
    name = user.display_name
    period = _("%(n)s日間", n=days) if days else _("無期限")
    if kind == "suspend":
        return _("%(name)sさんを利用停止にしました（%(period)s）。", name=name, period=period)
    if kind == "silence":
        return _("%(name)sさんを投稿停止にしました（%(period)s）。", name=name, period=period)
    return _("%(name)sさんへの措置を解除しました。", name=name)
