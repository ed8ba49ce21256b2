"""A discussion's tags (issue #14, item 5): a prefecture, life-support domains and player fields
set when the thread is started (web or API, one service), kept through a review hold, shown on
the board page and filtering it (web and API) — without a statement for untagged pages."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from core.extensions import db
from forum import actions
from forum.models import Board, Thread, ThreadTag
from moderation import queue
from moderation.models import ModerationItem
from tests.api.helpers import api_error

TAGS = {"prefecture": "20", "life_domains": ["kaimono", "ido"], "player_fields": []}


def _create(client, bearer, user, title, tags=None, board="zentai"):
    body = {"title": title, "body": "山間部の買い物支援について教えてください。"}
    if tags is not None:
        body["tags"] = tags
    return client.post(f"/api/v1/boards/{board}/threads", json=body, headers=bearer(user))


def test_tags_set_through_the_api_are_read_back_and_filter_the_board(client, user, bearer):
    tagged = _create(client, bearer, user, "長野県の移動販売", TAGS)
    assert tagged.status_code == 201, tagged.get_data(as_text=True)
    plain = _create(client, bearer, user, "タグのない話題")
    assert plain.status_code == 201
    thread = client.get(f"/api/v1/threads/{tagged.get_json()['id']}").get_json()["thread"]
    assert thread["tags"] == {"prefecture": "20", "life_domains": ["ido", "kaimono"],
                              "player_fields": []}  # fmt: skip
    listing = client.get("/api/v1/boards/zentai/threads?pref=20").get_json()
    assert [t["title"] for t in listing["threads"]] == ["長野県の移動販売"]
    both = client.get("/api/v1/boards/zentai/threads?pref=20&domain=ido").get_json()
    assert [t["title"] for t in both["threads"]] == ["長野県の移動販売"]
    assert client.get("/api/v1/boards/zentai/threads?pref=13").get_json()["threads"] == []
    everything = client.get("/api/v1/boards/zentai/threads").get_json()
    assert len(everything["threads"]) == 2
    rows = db.session.scalars(select(ThreadTag).order_by(ThreadTag.facet, ThreadTag.value)).all()
    assert [(r.facet, r.value) for r in rows] == [
        ("domain", "ido"), ("domain", "kaimono"), ("prefecture", "20"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("tags", "field", "message"),
    [
        ({"prefecture": "99"}, "prefecture", "選べない値です"),
        ({"life_domains": ["no-such-domain"]}, "life_domains", "選べない値です"),
        ({"life_domains": "kaimono"}, "life_domains", "形式が正しくありません"),
        ({"player_fields": ["a", "b", "c", "d", "e", "f"]}, "player_fields", "5個まで"),
        ({"colour": "red"}, "tags", "使えないタグの種類"),
        ("長野", "tags", "形式が正しくありません"),
    ],
)
def test_bad_tags_are_refused_in_japanese_and_nothing_is_created(
    client, user, bearer, tags, field, message
):
    response = _create(client, bearer, user, "タグを間違えた話題", tags)
    error = api_error(response, 422, "validation")
    assert message in " ".join(error["fields"][field])
    assert db.session.scalar(select(Thread).where(Thread.title == "タグを間違えた話題")) is None


def test_tags_wait_with_a_held_question_and_are_saved_on_approval(app, user_factory, moderator):
    app.config["MODERATION_HOLD_FIRST_POSTS"] = 2
    newcomer = user_factory(handle="newcomer")
    board = db.session.scalar(select(Board).where(Board.slug == "zentai"))
    outcome = actions.start_thread(
        actor=newcomer, board=board, title="はじめての質問です", body="よろしくお願いします。",
        details={"prefecture": "28", "player_fields": ["iryo-kaigo-fukushi"]},
    )  # fmt: skip
    db.session.commit()
    assert outcome.status == "held"
    assert db.session.scalar(select(ThreadTag)) is None
    item = db.session.scalar(select(ModerationItem))
    queue.decide(item, moderator=moderator, action="approve", version=item.version)
    db.session.commit()
    thread = db.session.scalar(select(Thread).where(Thread.title == "はじめての質問です"))
    assert thread.tag_words == "prefecture:28 field:iryo-kaigo-fukushi"
    assert {(t.facet, t.value) for t in thread.tags} == {
        ("prefecture", "28"), ("field", "iryo-kaigo-fukushi"),
    }  # fmt: skip


def test_board_page_shows_tags_and_filters_by_them(client, user, bearer):
    _create(client, bearer, user, "長野県の移動販売", TAGS)
    _create(client, bearer, user, "タグのない話題")
    html = client.get("/b/zentai").get_data(as_text=True)
    assert "長野県" in html and "買い物" in html  # the tags' names, not their codes
    assert 'href="/b/zentai?filter=1#tag-pref"' in html  # the filter is a link until asked for
    filtered = client.get("/b/zentai?pref=20&domain=kaimono").get_data(as_text=True)
    assert "長野県の移動販売" in filtered and "タグのない話題" not in filtered
    assert '<option value="20" selected>' in filtered
    empty = client.get("/b/zentai?pref=13").get_data(as_text=True)
    assert "この条件に合うスレッドはまだありません。" in empty
    # a value that cannot be a tag is ignored, never an error
    assert client.get("/b/zentai?pref=%27%20OR%201%3D1&domain=" + "x" * 500).status_code == 200


def test_untagged_board_page_costs_no_statement_and_a_tagged_one_one(
    client, user, bearer, thread_factory, count_queries
):
    thread_factory(author=user)
    client.get("/b/zentai")
    with count_queries() as plain:
        client.get("/b/zentai")
    _create(client, bearer, user, "長野県の移動販売", TAGS)
    client.get("/b/zentai")
    with count_queries() as tagged:
        client.get("/b/zentai")
    assert tagged.count == plain.count + 1, str(tagged)  # the tags' names, in one statement


@pytest.mark.parametrize("app_config", [{"THREADS_PER_PAGE": 1}], indirect=True)
def test_the_pager_keeps_the_tag_filter(client, user, bearer):
    _create(client, bearer, user, "長野県の移動販売", TAGS)
    _create(client, bearer, user, "長野県の見守り", {"prefecture": "20"})
    _create(client, bearer, user, "タグのない話題")
    html = client.get("/b/zentai?pref=20&domain=").get_data(as_text=True)
    nxt = re.search(r'rel="next" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert "pref=20" in nxt and "domain=" not in nxt
    second = client.get(nxt).get_data(as_text=True)
    assert "長野県の移動販売" in second and "タグのない話題" not in second


# --- editing a discussion's tags (its first post's edit: web and API, one service) ----------


def _first_post_id(client, thread_id: int) -> int:
    return client.get(f"/api/v1/threads/{thread_id}/posts").get_json()["posts"][0]["id"]


def test_the_author_changes_and_removes_tags_through_the_api(client, user, bearer):
    thread_id = _create(client, bearer, user, "長野県の移動販売", TAGS).get_json()["id"]
    post_id = _first_post_id(client, thread_id)
    body = "山間部の買い物支援について、県外の例も教えてください。"
    changed = client.patch(f"/api/v1/posts/{post_id}", headers=bearer(user),
                           json={"body": body, "tags": {"prefecture": "28",
                                                        "player_fields": ["jumin-katsudo"]}})  # fmt: skip
    assert changed.status_code == 200, changed.get_data(as_text=True)
    thread = client.get(f"/api/v1/threads/{thread_id}").get_json()["thread"]
    assert thread["tags"] == {"prefecture": "28", "life_domains": [],
                              "player_fields": ["jumin-katsudo"]}  # fmt: skip
    titles = [t["title"] for t in client.get("/api/v1/boards/zentai/threads?pref=28")
              .get_json()["threads"]]  # fmt: skip
    assert titles == ["長野県の移動販売"]
    assert client.get("/api/v1/boards/zentai/threads?pref=20").get_json()["threads"] == []
    # a body-only edit keeps them; an empty set removes them
    client.patch(f"/api/v1/posts/{post_id}", headers=bearer(user), json={"body": body + "。"})
    kept = client.get(f"/api/v1/threads/{thread_id}").get_json()["thread"]["tags"]
    assert kept["prefecture"] == "28"
    cleared = client.patch(f"/api/v1/posts/{post_id}", headers=bearer(user),
                           json={"body": body, "tags": {"prefecture": None, "life_domains": [],
                                                        "player_fields": []}})  # fmt: skip
    assert cleared.status_code == 200
    assert db.session.scalars(select(ThreadTag)).all() == []


def test_bad_tags_on_an_edit_are_refused_and_nothing_changes(client, user, bearer):
    thread_id = _create(client, bearer, user, "長野県の移動販売", TAGS).get_json()["id"]
    post_id = _first_post_id(client, thread_id)
    response = client.patch(f"/api/v1/posts/{post_id}", headers=bearer(user),
                            json={"body": "書き直した本文です。", "tags": {"prefecture": "99"}})  # fmt: skip
    error = api_error(response, 422, "validation")
    assert "選べない値です" in " ".join(error["fields"]["prefecture"])
    post = client.get(f"/api/v1/threads/{thread_id}/posts").get_json()["posts"][0]
    assert "書き直した" not in post["html"] and post["version"] == 1
    assert client.get(f"/api/v1/threads/{thread_id}").get_json()["thread"]["tags"]["prefecture"] \
        == "20"  # fmt: skip


def test_the_web_edit_form_shows_and_saves_tags(client, login, user, bearer):
    thread_id = _create(client, bearer, user, "長野県の移動販売", TAGS).get_json()["id"]
    post_id = _first_post_id(client, thread_id)
    login(user)
    page = client.get(f"/p/{post_id}/edit").get_data(as_text=True)
    assert "地域・領域・分野のタグ（任意）" in page
    assert re.search(r'<option (selected )?value="20"( selected)?>', page)
    assert re.search(r'<input[^>]*checked[^>]*value="kaimono"|value="kaimono"[^>]*checked', page)
    response = client.post_form(f"/p/{post_id}/edit", {
        "title": "長野県の移動販売", "body": "山間部の買い物支援について教えてください。",
        "prefecture": "20", "life_domains": ["kaimono", "ido", "mimamori"],
    })  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)
    thread = db.session.get(Thread, thread_id)
    db.session.refresh(thread)
    assert thread.tag_words == "prefecture:20 domain:ido domain:kaimono domain:mimamori"
    # a reply's edit has no tags
    reply = client.post(f"/api/v1/threads/{thread_id}/posts", headers=bearer(user),
                        json={"body": "追記です。"}).get_json()  # fmt: skip
    assert "地域・領域・分野のタグ" not in client.get(f"/p/{reply['id']}/edit").get_data(as_text=True)


def test_a_moderators_tag_edit_is_audited(client, user, bearer, moderator):
    from audit.models import AuditEntry

    thread_id = _create(client, bearer, user, "長野県の移動販売", TAGS).get_json()["id"]
    post_id = _first_post_id(client, thread_id)
    response = client.patch(f"/api/v1/posts/{post_id}", headers=bearer(moderator),
                            json={"body": "山間部の買い物支援について教えてください。",
                                  "tags": {"prefecture": "20", "life_domains": ["kaimono"]}})  # fmt: skip
    assert response.status_code == 200, response.get_data(as_text=True)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "thread.edit_details"))
    assert entry is not None and entry.target_id == thread_id
    assert entry.before["fields"]["life_domains"] == ["ido", "kaimono"]
    assert entry.after["fields"] == {"prefecture": "20", "life_domains": ["kaimono"]}
