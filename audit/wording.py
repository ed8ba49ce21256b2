"""The audit log in words: what each action code and target kind means, for the 操作の記録 page.

The codes stay what the log stores, filters and exports (``post.hide``); the page shows their
Japanese names beside them. A code this table does not know is named by its parts (the target,
then the verb), and one whose parts are unknown too is shown as it is.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

#: whole action codes whose meaning is not just "target + verb"
ACTIONS = {
    "post.hide": _l("投稿を非表示にした"),
    "post.restore": _l("投稿を再表示した"),
    "post.delete": _l("投稿を削除した"),
    "post.edit": _l("投稿を編集した"),
    "post_revision.redact": _l("投稿の以前の版を隠した"),
    "detail_revision.redact": _l("項目の以前の版を隠した"),
    "thread.pin": _l("スレッドを固定した"),
    "thread.unpin": _l("スレッドの固定を外した"),
    "thread.lock": _l("スレッドを締め切った"),
    "thread.unlock": _l("スレッドの締め切りを解いた"),
    "thread.move": _l("スレッドを移動した"),
    "thread.split": _l("スレッドを分割した"),
    "thread.edit_details": _l("スレッドの項目を編集した"),
    "message.hide": _l("個別メッセージを非表示にした"),
    "message.restore": _l("個別メッセージを再表示した"),
    "conversation.open": _l("通報された会話を開いて確認した"),
    "user.suspend": _l("利用を停止した"),
    "user.silence": _l("投稿を制限した"),
    "user.lift": _l("制限を解除した"),
    "account.approve": _l("アカウントを承認した"),
    "account.reject": _l("アカウントを承認しなかった"),
    "account.erase": _l("アカウントを削除した（個人情報の消去）"),
    "role.grant": _l("認証（役割）を付与した"),
    "role.reject": _l("認証の申請を認めなかった"),
    "space.create": _l("プラットフォームを作成した"),
    "space.join_joined": _l("プラットフォームに参加した"),
    "space.join_pending": _l("プラットフォームへの参加を申請した"),
    "space.leave": _l("プラットフォームを退会した"),
    "space.member_role": _l("メンバーの役割を変えた"),
    "space.member_remove": _l("メンバーを外した"),
    "offer.accept": _l("連携の申し出を受けた"),
    "offer.decline": _l("連携の申し出を断った"),
    "offer.partner": _l("連携成立とした"),
    "offer.withdraw": _l("連携の申し出を取り下げた"),
    "challenge.status": _l("地域課題の状況を変えた"),
    "prefecture.region": _l("都道府県の地方区分を変えた"),
    "site_page.edit": _l("サイトのページを編集した"),
    "attachment.remove": _l("添付ファイルを外した"),
    "queue.approve": _l("確認待ちの項目を承認した"),
    "queue.reject": _l("確認待ちの項目を認めなかった"),
    "queue.delete": _l("確認待ちの投稿を削除した"),
    "queue.disagree": _l("通報を確認し、問題なしとした"),
    "queue.agree_hide": _l("通報を受けて非表示にした"),
    "queue.agree_delete": _l("通報を受けて削除した"),
    "queue.agree_suspend": _l("通報を受けて利用を停止した"),
    "queue.ignore": _l("通報・問い合わせを対応不要とした"),
    "queue.resolve": _l("お問い合わせを対応済みにした"),
}

TARGETS = {
    "post": _l("投稿"),
    "post_revision": _l("投稿の版"),
    "detail_revision": _l("項目の版"),
    "thread": _l("スレッド"),
    "board": _l("掲示板"),
    "user": _l("利用者"),
    "space": _l("プラットフォーム"),
    "conversation": _l("個別メッセージの会話"),
    "conversation_message": _l("個別メッセージ"),
    "moderation_item": _l("確認待ちの項目"),
    "offer": _l("連携の申し出"),
    "organization": _l("団体"),
    "prefecture": _l("都道府県"),
    "related_link": _l("関連リンク"),
    "attachment": _l("添付ファイル"),
    "site_page": _l("サイトのページ"),
    "watched_word": _l("監視語"),
    "player-fields": _l("分野"),
    "life-domains": _l("生活支援の領域"),
}

VERBS = {
    "create": _l("作成"),
    "edit": _l("編集"),
    "update": _l("変更"),
    "save": _l("保存"),
    "delete": _l("削除"),
    "add": _l("追加"),
    "move": _l("移動"),
    "assign": _l("割り当て"),
    "unassign": _l("割り当て解除"),
}


def target_label(kind: str) -> str:
    return str(TARGETS.get(kind, kind))


def action_label(code: str) -> str:
    """The Japanese name of ``code``: its own entry, else ``<target>の<verb>``, else the code."""
    if code in ACTIONS:
        return str(ACTIONS[code])
    kind, _dot, verb = code.rpartition(".")
    if kind in TARGETS and verb in VERBS:
        return _("%(target)sの%(verb)s", target=TARGETS[kind], verb=VERBS[verb])
    return code
