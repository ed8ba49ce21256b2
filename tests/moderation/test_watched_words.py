import pytest

from core.extensions import db
from forum.models import Post
from moderation.holds import word_spans
from moderation.models import ModerationItem, WatchedWord


@pytest.mark.parametrize(
    "word,is_regex,text,found",
    [
        ("カジノ", False, "ｶｼﾞﾉで稼ぐ", ["ｶｼﾞﾉ"]),  # half-width katakana
        ("LINE", False, "ＬＩＮＥで連絡", ["ＬＩＮＥ"]),  # full-width and case
        ("line", False, "Line で", ["Line"]),
        (
            r"0\d0-?\d{4}-?\d{4}",
            True,
            "電話０９０－１２３４－５６７８まで",
            ["０９０－１２３４－５６７８"],
        ),
        ("儲かる", False, "必ず儲かる話、儲かる", ["儲かる", "儲かる"]),
        ("カジノ", False, "地域のサロン", []),
        ("[", True, "壊れた正規表現", []),
    ],
)
def test_watched_words_match_variants_with_original_offsets(word, is_regex, text, found):
    spans = word_spans(WatchedWord(word=word, action="block", is_regex=is_regex), text)
    assert [text[a:b] for a, b in spans] == found


def test_watched_words_censor_replaces_before_publishing(client, login, user, thread):
    db.session.add(WatchedWord(word="ばか", action="censor"))
    db.session.commit()
    login(user)
    assert (
        client.post_form(
            f"/t/{thread.id}/reply", {"body": "そんなのバカげている、ばかだ"}
        ).status_code
        == 302
    )
    post = db.session.scalars(db.select(Post).where(Post.number == 2)).one()
    assert post.body_source == "そんなのバカげている、■■だ"


def test_watched_words_flag_publishes_and_queues(client, login, user, thread):
    db.session.add(WatchedWord(word=r"https?://bit\.ly/\S+", action="flag", is_regex=True))
    db.session.commit()
    login(user)
    client.post_form(f"/t/{thread.id}/reply", {"body": "資料は https://bit.ly/abc にあります"})
    post = db.session.scalars(db.select(Post).where(Post.number == 2)).one()
    assert not post.is_hidden
    item = db.session.scalars(db.select(ModerationItem)).one()
    assert (item.kind, item.post_id, item.reasons) == ("flagged_post", post.id, ["watched_word"])


def test_watched_words_admin_page_validates_regex(client, login, admin):
    login(admin)
    bad = client.post_form(
        "/moderation/watched-words", {"word": "(", "action": "block", "is_regex": "y"}
    )
    assert bad.status_code == 422 and "正規表現が正しくありません。" in bad.get_data(as_text=True)
    ok = client.post_form("/moderation/watched-words", {"word": "ｶｼﾞﾉ", "action": "censor"})
    assert ok.status_code == 302
    assert db.session.scalar(db.select(WatchedWord.action)) == "censor"
