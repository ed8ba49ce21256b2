"""Who may use each moderation page and API endpoint: every route × every role, with the exact
status code, derived from ``auth.permissions.can`` and the views.

Roles: anonymous, a member, the post's author, a moderator of the post's board (a member with a
``BoardModerator`` row), a moderator of another board, a global moderator, an admin, a suspended
member (logged in before the suspension, or holding an API token), a silenced member.

The web pages answer 302 to the login page when nobody (or a suspended account) is logged in;
the API answers 401. Refusals are 403; things the user may not see are 404. Each refused POST
must leave the database as it was, each allowed one must change it.

Rows marked "regression" were bugs when this table was written (see the comment next to them);
they were fixed in the application and stay here so that they do not come back.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from audit.models import AuditEntry
from auth.accounts import create_api_token
from auth.models import BoardModerator
from core.extensions import db
from core.types import utcnow
from forum import posting
from forum.models import Board, Post
from moderation import actions, flags, queue
from moderation.models import Flag, HeldPost, ModerationItem, ModerationNote, WatchedWord
from tests.fixtures.database import is_postgres

LOGIN = "login"  # a web page's answer to nobody logged in: 302 to /login?next=…

ROLES = (
    "anonymous",
    "member",
    "author",
    "board_mod",
    "other_board_mod",
    "global_mod",
    "admin",
    "suspended",
    "silenced",
)

SECRET_REPLY = "見守り対象の方の合鍵は郵便受けの裏にあります。"


# Regression: silenced members could still flag (auth/permissions.py _flag_post did not check
# _silenced). Silence stops every contribution, as on Discourse.
SILENCED_FLAGS = 403


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # {post}, {item}, {target} are filled in from the world
    data: dict | None = None
    api: bool = False
    expected: dict = field(default_factory=dict)  # role → status (or LOGIN)


def _row(*statuses) -> dict:
    assert len(statuses) == len(ROLES)
    return dict(zip(ROLES, statuses, strict=True))


#                 anonymous member author board  other  global admin  suspended silenced
#                                         _mod   _mod   _mod
ROUTES = {
    "flag form": Route("GET", "/p/{post}/flag", expected=_row(
        LOGIN, 200, 403, 200, 200, 200, 200, LOGIN, SILENCED_FLAGS)),
    "flag submit": Route("POST", "/p/{post}/flag", {"reason": "inappropriate"}, expected=_row(
        LOGIN, 302, 403, 302, 302, 302, 302, LOGIN, SILENCED_FLAGS)),
    "queue page": Route("GET", "/moderation/queue", expected=_row(
        LOGIN, 403, 403, 200, 200, 200, 200, LOGIN, 403)),
    "decide": Route("POST", "/moderation/items/{item}/decide",
                    {"action": "disagree", "version": "1", "reason": "問題なし"}, expected=_row(
        LOGIN, 403, 403, 302, 403, 302, 302, LOGIN, 403)),
    "claim": Route("POST", "/moderation/items/{item}/claim", {}, expected=_row(
        LOGIN, 403, 403, 302, 403, 302, 302, LOGIN, 403)),
    "note": Route("POST", "/moderation/items/{item}/notes", {"body": "確認中です"}, expected=_row(
        LOGIN, 403, 403, 302, 403, 302, 302, LOGIN, 403)),
    "sanction form": Route("GET", "/moderation/users/{target}/sanction", expected=_row(
        LOGIN, 403, 403, 403, 403, 200, 200, LOGIN, 403)),
    "sanction submit": Route("POST", "/moderation/users/{target}/sanction",
                             {"kind": "silence", "days": "1", "reason": "連投のため"}, expected=_row(
        LOGIN, 403, 403, 403, 403, 302, 302, LOGIN, 403)),
    "my moderation": Route("GET", "/settings/moderation", expected=_row(
        LOGIN, 200, 200, 200, 200, 200, 200, LOGIN, 200)),
    # a held post's 「確認待ち」 page: its author's only (moderators decide it in the queue)
    "my held post": Route("GET", "/settings/moderation/held/{held}", expected=_row(
        LOGIN, 404, 200, 404, 404, 404, 404, LOGIN, 404)),
    "watched words": Route("GET", "/moderation/watched-words", expected=_row(
        LOGIN, 403, 403, 403, 403, 403, 200, LOGIN, 403)),
    "watched word add": Route("POST", "/moderation/watched-words",
                              {"word": "テスト禁止語", "action": "block"}, expected=_row(
        LOGIN, 403, 403, 403, 403, 403, 302, LOGIN, 403)),
    "watched word edit form": Route("GET", "/moderation/watched-words/{word}/edit", expected=_row(
        LOGIN, 403, 403, 403, 403, 403, 200, LOGIN, 403)),
    "watched word edit": Route("POST", "/moderation/watched-words/{word}/edit",
                               {"word": "変更後の語", "action": "censor"}, expected=_row(
        LOGIN, 403, 403, 403, 403, 403, 302, LOGIN, 403)),
    "watched word delete": Route("POST", "/moderation/watched-words/{word}/delete", {},
                                 expected=_row(
        LOGIN, 403, 403, 403, 403, 403, 302, LOGIN, 403)),
    "audit page": Route("GET", "/moderation/audit", expected=_row(
        LOGIN, 403, 403, 403, 403, 403, 200, LOGIN, 403)),
    "audit csv": Route("GET", "/moderation/audit?format=csv", expected=_row(
        LOGIN, 403, 403, 403, 403, 403, 200, LOGIN, 403)),
    "api flag": Route("POST", "/api/v1/posts/{post}/flags", {"reason": "inappropriate"}, api=True,
                      expected=_row(
        401, 201, 403, 201, 201, 201, 201, 401, SILENCED_FLAGS)),
    "api queue": Route("GET", "/api/v1/moderation/queue", api=True, expected=_row(
        401, 403, 403, 200, 200, 200, 200, 401, 403)),
    "api decision": Route("POST", "/api/v1/moderation/items/{item}/decision",
                          {"action": "disagree", "version": 1, "reason": "OK"}, api=True,
                          expected=_row(
        401, 403, 403, 200, 403, 200, 200, 401, 403)),
    "api audit": Route("GET", "/api/v1/moderation/audit", api=True, expected=_row(
        401, 403, 403, 403, 403, 403, 200, 401, 403)),
    "api watched words": Route("GET", "/api/v1/moderation/watched-words", api=True, expected=_row(
        401, 403, 403, 403, 403, 403, 200, 401, 403)),
    "api watched word add": Route("POST", "/api/v1/moderation/watched-words",
                                  {"word": "API禁止語", "action": "block"}, api=True, expected=_row(
        401, 403, 403, 403, 403, 403, 201, 401, 403)),
    "api watched word edit": Route("PATCH", "/api/v1/moderation/watched-words/{word}",
                                   {"action": "censor"}, api=True, expected=_row(
        401, 403, 403, 403, 403, 403, 200, 401, 403)),
    "api watched word delete": Route("DELETE", "/api/v1/moderation/watched-words/{word}",
                                     api=True, expected=_row(
        401, 403, 403, 403, 403, 403, 204, 401, 403)),
}  # fmt: skip


# ------------------------------------------------------------------------------- the world


class Users(dict):
    """role → user, created on first use (most tests need one or two of them)."""

    def __init__(self, makers: dict) -> None:
        super().__init__()
        self._makers = makers

    def __missing__(self, role: str):
        user = self[role] = self._makers[role]()
        return user


@dataclass
class World:
    board: Board
    other_board: Board
    post: Post  # reply #2 by ``users["author"]``, flagged once (visible, one pending item)
    item: ModerationItem
    users: Users
    word: WatchedWord
    held: HeldPost  # by ``users["author"]``, already decided (not in the pending queue)


def _board(slug: str) -> Board:
    return db.session.scalar(select(Board).where(Board.slug == slug))


def _board_moderator(user_factory, board: Board):
    user = user_factory()
    db.session.add(BoardModerator(user_id=user.id, board_id=board.id))
    db.session.commit()
    db.session.expire(user, ["board_moderations"])
    return user


@pytest.fixture
def world(app, user_factory, thread_factory) -> World:
    board, other_board = _board("zentai"), _board("komarigoto")
    author = user_factory(handle="post_author", display_name="投稿者")
    thread = thread_factory(board=board, author=user_factory())
    post = posting.create_reply(thread=thread, author=author, body=SECRET_REPLY)
    db.session.commit()
    flags.flag_post(post, user=user_factory(), reason="spam")  # one flag: pending, not hidden
    db.session.commit()
    item = db.session.scalars(select(ModerationItem)).one()
    assert (item.status, item.version, post.is_hidden) == ("pending", 1, False)
    users = Users({
        "member": user_factory,
        "board_mod": lambda: _board_moderator(user_factory, board),
        "other_board_mod": lambda: _board_moderator(user_factory, other_board),
        "global_mod": lambda: user_factory(role="moderator"),
        "admin": lambda: user_factory(role="admin"),
        "suspended": user_factory,
        "silenced": lambda: user_factory(silenced_until=utcnow() + timedelta(days=7),
                                         sanction_reason="連投のため"),
    })  # fmt: skip
    users.update(anonymous=None, author=author)
    word = WatchedWord(word="既存の監視語", action="flag")
    db.session.add(word)
    held = HeldPost(kind="reply", board_id=board.id, thread_id=thread.id, author_id=author.id,
                    body_source="保留された返信", body_html="<p>保留された返信</p>")  # fmt: skip
    db.session.add(held)
    db.session.flush()
    db.session.add(ModerationItem(kind="held_post", held_post_id=held.id, status="rejected",
                                  board_id=board.id, subject_user_id=author.id))  # fmt: skip
    db.session.commit()
    return World(board, other_board, post, item, users, word, held)


def _suspend(user) -> None:
    user.is_suspended, user.suspended_until, user.sanction_reason = True, None, "規約違反"
    db.session.commit()


@pytest.fixture
def act_as(client, login):
    """``act_as(world, role, api=False)`` → request headers. Web: logs the client in through the
    form; API: a Bearer token. A suspended member is logged in (or given a token) first and
    suspended afterwards: the session or token they still hold must no longer work."""

    def _act(world: World, role: str, api: bool = False) -> dict:
        user = world.users[role]
        if user is None:
            return {}
        headers = {}
        if api:
            token = create_api_token(user, name="permissions test")
            db.session.commit()
            headers = {"Authorization": f"Bearer {token}"}
        else:
            login(user)
        if role == "suspended":
            _suspend(user)
        return headers

    return _act


def _url(path: str, world: World) -> str:
    return path.format(
        post=world.post.id, item=world.item.id, target="post_author", word=world.word.id,
        held=world.held.id,
    )  # fmt: skip


def _request(client, route: Route, url: str, headers: dict):
    if route.api:
        if route.method == "GET":
            return client.get(url, headers=headers)
        return client.open(url, method=route.method, json=route.data, headers=headers)
    if route.method == "GET":
        return client.get(url)
    return client.post_form(url, route.data)


def _snapshot(world: World) -> tuple:
    """Everything an allowed POST in the table changes."""
    db.session.expire_all()
    item = db.session.get(ModerationItem, world.item.id)
    return (
        db.session.scalar(select(func.count(Flag.id))),
        item.status,
        item.claimed_by_id,
        db.session.scalar(select(func.count(ModerationNote.id))),
        world.users["author"].silenced_until,
        db.session.execute(select(WatchedWord.word, WatchedWord.action)).all(),
    )


def _assert_status(response, expected) -> None:
    body = response.get_data(as_text=True)[:300]
    if expected == LOGIN:
        assert response.status_code == 302, (response.status_code, body)
        assert response.headers["Location"].startswith("/login"), response.headers["Location"]
    else:
        assert response.status_code == expected, (response.status_code, body)
        if expected == 302:  # an allowed form: redirected somewhere else than the login page
            assert not response.headers["Location"].startswith("/login")


def _cases():
    for name, route in ROUTES.items():
        for role in ROLES:
            yield pytest.param(name, role, route.expected[role], id=f"{name}-{role}")


@pytest.mark.parametrize("route_name,role,expected", list(_cases()))
def test_route_permissions(client, act_as, world, route_name, role, expected):
    route = ROUTES[route_name]
    headers = act_as(world, role, api=route.api)
    before = _snapshot(world)
    response = _request(client, route, _url(route.path, world), headers)
    _assert_status(response, expected)
    after = _snapshot(world)
    allowed = expected in (200, 201, 204, 302) and route.method != "GET"
    if allowed:
        assert after != before, "an allowed POST changed nothing"
    else:
        assert after == before, "a refused request (or a GET) changed the database"


def test_the_table_covers_every_moderation_route(app):
    """A new moderation route or API endpoint must be added to the table above."""
    covered = {(r.method, r.path.split("?")[0]) for r in ROUTES.values()}
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] not in ("moderation", "moderation_api"):
            continue
        path = (
            rule.rule.replace("<int:post_id>", "{post}").replace("<int:item_id>", "{item}")
            .replace("<handle>", "{target}").replace("<int:word_id>", "{word}")
                .replace("<int:held_id>", "{held}")
        )  # fmt: skip
        found |= {(m, path) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert found == covered


# ------------------------------------------------------------- what each role can see


def _hide(post) -> None:
    actions.hide_post(post, actor=None, reason="テスト")
    db.session.commit()


@pytest.mark.parametrize(
    "case,role,expected",
    [
        ("missing post form", "anonymous", LOGIN),
        ("missing post form", "member", 404),
        ("missing post api", "anonymous", 401),
        ("missing post api", "member", 404),
        # post #1 hidden: the whole thread is hidden (only its author and its moderators see it)
        ("hidden thread form", "member", 404),
        ("hidden thread form", "other_board_mod", 404),
        ("hidden thread form", "author", 403),  # sees it, but it is their own post
        ("hidden thread form", "board_mod", 200),
        ("hidden thread form", "global_mod", 200),
        ("hidden thread api", "member", 404),
        ("hidden thread api", "other_board_mod", 404),
        ("hidden thread api", "board_mod", 201),
        # a hidden reply in a visible thread. Regression: its flag page showed the hidden body
        # to any member, and the API let them flag it (only thread.view was checked)
        ("hidden reply form", "member", 404),
        ("hidden reply form", "other_board_mod", 404),
        ("hidden reply api", "member", 404),
        ("hidden reply form", "author", 403),
        ("hidden reply form", "board_mod", 200),
        ("hidden reply form", "global_mod", 200),
        # a deleted reply: its placeholder is public, flagging it is refused
        ("deleted reply form", "member", 403),
        ("deleted reply api", "member", 403),
        ("deleted reply form", "global_mod", 403),
        # unknown queue items and users
        ("missing item decide", "global_mod", 404),
        ("missing item decision api", "global_mod", 404),
        ("missing item decision api", "member", 403),
        # regression: the page answered 404 before checking the permission (probing item ids)
        ("missing item decide", "member", 403),
        ("missing user sanction", "global_mod", 404),
        ("missing user sanction", "member", 403),
    ],
)  # fmt: skip
def test_visibility_and_missing_things(client, act_as, world, user_factory, thread_factory,
                                       case, role, expected):  # fmt: skip
    api = " api" in case
    headers = act_as(world, role, api=api)
    post_id = world.post.id
    if case.startswith("hidden thread"):
        thread = thread_factory(board=world.board, author=world.users["author"])
        first = db.session.scalars(
            select(Post).where(Post.thread_id == thread.id, Post.number == 1)
        ).one()
        _hide(first)
        post_id = first.id
    elif case.startswith("hidden reply"):
        _hide(world.post)
    elif case.startswith("deleted reply"):
        posting.delete_post(post=world.post, actor=world.users["admin"])
        db.session.commit()
    elif case.startswith("missing post"):
        post_id = 999_999

    if case.startswith("missing item decide"):
        response = client.post_form("/moderation/items/999999/decide",
                                    {"action": "ignore", "version": "1"})  # fmt: skip
    elif case.startswith("missing item decision api"):
        response = client.post("/api/v1/moderation/items/999999/decision",
                               json={"action": "ignore", "version": 1}, headers=headers)  # fmt: skip
    elif case.startswith("missing user"):
        response = client.get("/moderation/users/nobody_here/sanction")
    elif api:
        response = client.post(f"/api/v1/posts/{post_id}/flags", json={"reason": "spam"},
                               headers=headers)  # fmt: skip
    else:
        response = client.get(f"/p/{post_id}/flag")
    _assert_status(response, expected)
    if case.startswith("hidden reply form") and expected != 200:
        assert SECRET_REPLY not in response.get_data(as_text=True)


@pytest.mark.parametrize("api", [False, True], ids=["page", "api"])
@pytest.mark.parametrize(
    "role,sees_item", [("board_mod", True), ("other_board_mod", False), ("global_mod", True)]
)
def test_board_moderators_see_only_their_boards_items(client, act_as, world, role, sees_item,
                                                      api):  # fmt: skip
    headers = act_as(world, role, api=api)
    if api:
        response = client.get("/api/v1/moderation/queue", headers=headers)
        assert response.status_code == 200
        ids = [i["id"] for i in response.get_json()["items"]]
        assert (world.item.id in ids) is sees_item
    else:
        response = client.get("/moderation/queue")
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert (f'id="item-{world.item.id}"' in html) is sees_item
        assert (SECRET_REPLY in html) is sees_item


@pytest.mark.parametrize("api", [False, True], ids=["page", "api"])
@pytest.mark.parametrize(
    "role,allowed",
    [
        ("member", False),
        ("board_mod", False),
        ("other_board_mod", False),
        ("global_mod", True),
    ],
)  # fmt: skip
def test_items_without_a_board_are_for_global_reviewers(client, act_as, world, role, allowed,
                                                        api):  # fmt: skip
    """A queue item with no board (kind "account": a new account to review).

    Regression: any board moderator could decide board-less items (accounts, role requests),
    because can(user, "moderation.review", None) means "moderates some board"."""
    item = ModerationItem(kind="account", subject_user_id=world.users["member"].id, board_id=None,
                          reasons=[], score=0)  # fmt: skip
    db.session.add(item)
    db.session.commit()
    headers = act_as(world, role, api=api)
    if api:
        response = client.post(f"/api/v1/moderation/items/{item.id}/decision",
                               json={"action": "approve", "version": 1}, headers=headers)  # fmt: skip
    else:
        response = client.post_form(f"/moderation/items/{item.id}/decide",
                                    {"action": "approve", "version": "1"})  # fmt: skip
    if allowed:  # past the permission check (the action itself may not exist yet for accounts)
        assert response.status_code != 403
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("api", [False, True], ids=["page", "api"])
def test_board_moderator_cannot_suspend_through_the_queue(client, act_as, world, api):
    """Regression: a board moderator (no user.sanction) could suspend the author site-wide with
    the queue's agree_suspend action."""
    headers = act_as(world, "board_mod", api=api)
    if api:
        response = client.post(f"/api/v1/moderation/items/{world.item.id}/decision",
                               json={"action": "agree_suspend", "version": 1, "reason": "x"},
                               headers=headers)  # fmt: skip
    else:
        response = client.post_form(f"/moderation/items/{world.item.id}/decide",
                                    {"action": "agree_suspend", "version": "1", "reason": "x"})  # fmt: skip
    db.session.expire_all()
    assert not world.users["author"].is_suspended
    assert response.status_code == 403
    assert db.session.get(ModerationItem, world.item.id).status == "pending"


@pytest.mark.parametrize(
    "role,shown",
    [
        ("board_mod", False),
        ("global_mod", True),
    ],
)  # fmt: skip
def test_queue_offers_suspension_only_to_those_who_may_sanction(client, act_as, world, role,
                                                                shown):  # fmt: skip
    act_as(world, role)
    html = client.get("/moderation/queue").get_data(as_text=True)
    assert f'id="item-{world.item.id}"' in html
    # the sanction is a separate step (a link), never an equal choice beside the outcomes
    assert 'value="agree_suspend"' not in html
    author = world.users["author"]
    assert (f"/moderation/users/{author.handle}/sanction?item={world.item.id}" in html) is shown


@pytest.mark.parametrize(
    "actor,target,expected",
    [
        ("global_mod", "admin", 403),
        ("global_mod", "other_global_mod", 403),
        ("global_mod", "board_mod", 403),
        ("global_mod", "global_mod", 403),  # themselves
        ("global_mod", "member", 302),
        ("admin", "global_mod", 302),
        ("admin", "board_mod", 302),
        ("admin", "admin", 403),  # themselves
    ],
)
def test_sanction_targets(client, act_as, world, user_factory, actor, target, expected):
    """Regression: a moderator could suspend an admin or another moderator (the sanction page
    checked only the actor's user.sanction, never the target)."""
    world.users["other_global_mod"] = user_factory(role="moderator")
    victim = world.users[target]
    act_as(world, actor)
    for method in ("GET", "POST"):
        url = f"/moderation/users/{victim.handle}/sanction"
        if method == "GET":
            response = client.get(url)
            assert response.status_code == (200 if expected == 302 else expected)
        else:
            response = client.post_form(url, {"kind": "suspend", "days": "", "reason": "乗っ取り"})
            assert response.status_code == expected
    db.session.expire_all()
    assert victim.is_suspended is (expected == 302)


# ------------------------------------------------------------------------- concurrency


@pytest.mark.skipif(
    not is_postgres(),
    reason="needs PostgreSQL (TEST_DATABASE_URL): SQLite serialises writers on the whole "
    "database file, so the two decisions never race on the row",
)
def test_concurrent_decisions_have_exactly_one_winner(app, world, user_factory):
    """Two moderators decide the same pending item at the same version at the same moment: the
    conditional UPDATE lets exactly one through; the other gets queue.Conflict."""
    mods = [user_factory(role="moderator").id for _ in range(2)]
    item_id = world.item.id
    actions_ = ["agree_hide", "disagree"]
    barrier = threading.Barrier(2, timeout=10)
    results: dict[int, str] = {}

    def decide(n: int) -> None:
        from auth.models import User

        with app.app_context():  # its own context: its own session and connection
            try:
                item = db.session.get(ModerationItem, item_id)
                moderator = db.session.get(User, mods[n])
                assert item.version == 1
                barrier.wait()
                queue.decide(item, moderator=moderator, action=actions_[n], version=1,
                             reason=f"moderator {n}")  # fmt: skip
                db.session.commit()
                results[n] = "won"
            except queue.Conflict:
                db.session.rollback()
                results[n] = "conflict"
            except Exception as exc:  # noqa: BLE001 - reported below
                db.session.rollback()
                results[n] = f"error: {exc!r}"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=decide, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not any(t.is_alive() for t in threads)
    assert sorted(results.values()) == ["conflict", "won"], results

    winner = next(n for n, r in results.items() if r == "won")
    db.session.expire_all()
    item = db.session.get(ModerationItem, item_id)
    assert (item.version, item.decision, item.decided_by_id) == (2, actions_[winner], mods[winner])
    assert item.status == ("approved" if actions_[winner] == "agree_hide" else "rejected")
    decisions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.action.like("queue.%"))
    ).all()
    assert decisions == [f"queue.{actions_[winner]}"]
    assert world.post.is_hidden is (actions_[winner] == "agree_hide")
