"""The leak matrix of issue #12: every read surface × board audience × kind of viewer.

A prefectural space 兵庫県 ("hyogo") has three boards, one per audience (public, members,
roles = 行政職員限定). Each board holds a thread whose title, first post and reply carry a marker
word of its audience, an event, a case, a policy and a challenge (prefecture 28) with the same
marker, and an attachment. For every surface the test asks: does the marker appear (or the page
answer 200) exactly for the viewers the rule lets read that board?

The expectation is NOT read from the application: it comes from :data:`READERS`, a small
restatement of the rule written here (who may read which audience), and every case is generated
from it. A failing case here is a leak (closed content shown to an outsider), a lock-out (content
refused to a reader) or a crash.

The world is built once for the module (a migrated database of its own, logged-in test clients
per viewer): the matrix is read-only. Tests that write (notifications, moderation) use their own
threads and markers, so they cannot change what the matrix sees.

Surfaces not exercised here, and why:
- profile pages (``/u/<handle>``) list no posts in this version (``templates/auth/profile.html``
  shows the profile only), so only the negative direction is checked (no marker for outsiders);
- ``/p/<id>/flag``, ``/t/<id>/rsvp``, ``PUT /api/v1/watches`` are writes; their read part (the
  404 for a thread one may not see) is the same ``_thread_or_404`` as the pages checked here;
- the e-mail notifications and digests are built from the same Notification rows that the
  notification tests below check (no row → no mail), so they are not read separately;
- event reminders (``notifications.reminders``) need an RSVP on an event starting tomorrow; they
  are delivered through the same ``fanout.deliver``/``may_see`` as the channels tested below;
- the review queue is checked with flagged posts; held posts are filed by board the same way
  (``ModerationItem.board_id``) and would need a premoderated board in the shared world;
- the admin board pages (``/admin/boards``) belong to site and space admins, not to readers.
"""

from __future__ import annotations

import io
import itertools
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import create_engine, inspect, select, text

from tests.fixtures.app import PASSWORD, Client, make_test_app
from tests.fixtures.factories import _FAST_HASH
from tests.fixtures.structured import valid_fields

# --- the rule, restated independently ------------------------------------------------------------

AUDIENCES = ("public", "members", "roles")
VIEWERS = (
    "anonymous",
    "other_space_member",  # active member of 長野県 (and a verified municipal official)
    "pending_member",  # asked to join 兵庫県, not approved yet (a verified municipal official)
    "member_no_role",  # active member of 兵庫県, an ordinary member
    "role_member",  # active member of 兵庫県 and a verified municipal official
    "other_space_moderator",  # moderator of 長野県
    "space_moderator",  # moderator of 兵庫県
    "space_admin",  # admin of 兵庫県
    "site_admin",  # the site's admin (reads everything)
)
#: who may read a board of 兵庫県 with each audience
READERS: dict[str, frozenset[str]] = {
    "public": frozenset(VIEWERS),
    "members": frozenset({"member_no_role", "role_member", "space_moderator", "space_admin",
                          "site_admin"}),  # fmt: skip
    "roles": frozenset({"role_member", "space_moderator", "space_admin", "site_admin"}),
}
#: the viewers' site roles and their place in the spaces: (role, space, space role, status)
PEOPLE = {
    "other_space_member": ("municipal_staff", "nagano", "member", "active"),
    "pending_member": ("municipal_staff", "hyogo", "member", "pending"),
    "member_no_role": ("member", "hyogo", "member", "active"),
    "role_member": ("municipal_staff", "hyogo", "member", "active"),
    "other_space_moderator": ("member", "nagano", "moderator", "active"),
    "space_moderator": ("member", "hyogo", "moderator", "active"),
    "space_admin": ("member", "hyogo", "admin", "active"),
    "site_admin": ("admin", None, None, None),
}
ROLES_AUDIENCE = ("municipal_staff", "prefectural_staff", "ministry_staff")  # 行政職員限定

COMMON = "zqxleak"  # in every matrix item: what the search looks for
MARK = {a: f"zqx{a}mk" for a in AUDIENCES}  # one marker per audience (none contains another)
BOARD_SLUG = {a: f"zqx-{a}" for a in AUDIENCES}
BOARD_NAME = {"public": "公開テスト板", "members": "会員限定テスト板", "roles": "行政限定テスト板"}
KINDS = ("event", "case", "policy", "challenge")
SECTION = {"event": "events", "case": "cases", "policy": "policies", "challenge": "challenges"}


def visible(audience: str, viewer: str) -> bool:
    return viewer in READERS[audience]


# --- the world ---------------------------------------------------------------------------------


@dataclass
class World:
    app: object
    users: dict[str, int] = field(default_factory=dict)  # name → user id
    handles: dict[str, str] = field(default_factory=dict)
    clients: dict[str, Client] = field(default_factory=dict)
    boards: dict[str, int] = field(default_factory=dict)  # audience → board id
    thread: dict[str, int] = field(default_factory=dict)  # audience → discussion thread id
    reply: dict[str, int] = field(default_factory=dict)  # audience → reply post id
    items: dict[tuple[str, str], int] = field(default_factory=dict)  # (audience, kind) → thread
    attachment: dict[str, tuple[int, str]] = field(default_factory=dict)  # audience → (id, name)
    search_totals: dict[str, int] = field(default_factory=dict)  # audience → hits of its marker
    event_month: str = ""
    org_slug: str = "zqx-org"
    spaces: dict[str, int] = field(default_factory=dict)
    # moderation: place → (thread id, flagged reply id, queue item id, marker)
    places: dict[str, SimpleNamespace] = field(default_factory=dict)
    control_thread: int = 0
    bearers: dict[str, dict] = field(default_factory=dict)  # viewer → API token headers


_seq = itertools.count(1)


def _make_user(handle: str, role: str):
    from auth import accounts
    from core.extensions import db

    user = accounts.register_user(
        email=f"{handle}@example.jp", handle=handle, display_name=f"検査{next(_seq)}",
        password=PASSWORD, password_hash=_FAST_HASH, role=role, email_confirmed=True,
    )  # fmt: skip
    db.session.commit()
    return user


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, "PNG")
    return out.getvalue()


def build_world(app) -> World:
    """Spaces, people, boards, threads, structured items, an organisation, an attachment, watches
    and flags: all through the real services."""
    from attachments.attaching import add_attachment
    from auth.models import User
    from auth.spaces import SpaceMember
    from core.extensions import db
    from directory.models import Organization
    from forum import boards as forum_boards
    from forum import posting
    from forum.models import Board
    from moderation import flags
    from moderation.models import ModerationItem
    from notifications import watching
    from spaces import service
    from structured.details import save_details
    from structured.schema import TOKYO

    w = World(app=app)
    hyogo = service.create_space(actor=service.SYSTEM, slug="hyogo", name="兵庫県テスト",
                                 prefecture_code="28").space  # fmt: skip
    nagano = service.create_space(actor=service.SYSTEM, slug="nagano", name="長野県テスト",
                                  prefecture_code="20", join="approval").space  # fmt: skip
    db.session.commit()
    by_slug = {"hyogo": hyogo, "nagano": nagano}
    w.spaces = {"hyogo": hyogo.id, "nagano": nagano.id}

    author = _make_user("zqxauthor", "municipal_staff")
    service.set_member_role(actor=service.SYSTEM, space=hyogo, user=author, role="member")
    flagger = _make_user("zqxflagger", "member")
    service.set_member_role(actor=service.SYSTEM, space=hyogo, user=flagger, role="member")
    service.set_member_role(actor=service.SYSTEM, space=nagano, user=flagger, role="member")
    w.users["author"], w.handles["author"] = author.id, author.handle
    for name, (role, space, space_role, status) in PEOPLE.items():
        user = _make_user(f"zqx_{name}", role)
        if space is not None and status == "active":
            service.set_member_role(actor=service.SYSTEM, space=by_slug[space], user=user,
                                    role=space_role)  # fmt: skip
        elif space is not None:
            db.session.add(SpaceMember(space_id=by_slug[space].id, user_id=user.id,
                                       role=space_role, status=status))  # fmt: skip
        w.users[name], w.handles[name] = user.id, user.handle
    db.session.commit()

    org = Organization(slug=w.org_slug, name="検査用団体", kind="npo", prefecture_code="28",
                       description="", player_field_id=None)  # fmt: skip
    db.session.add(org)
    db.session.flush()
    author.organization_id = org.id
    db.session.commit()

    png = _png()
    for audience in AUDIENCES:
        mark = MARK[audience]
        board = forum_boards.create_board(
            actor=service.SYSTEM, space=hyogo, slug=BOARD_SLUG[audience],
            name=BOARD_NAME[audience], description=f"説明 {BOARD_NAME[audience]}",
            audience=forum_boards.Audience(audience, ROLES_AUDIENCE if audience == "roles" else ()),
        )  # fmt: skip
        db.session.commit()
        w.boards[audience] = board.id
        thread = posting.create_thread(board=board, author=author, title=f"{COMMON} {mark} 相談",
                                       body=f"本文 {COMMON} {mark} です。")  # fmt: skip
        reply = posting.create_reply(thread=thread, author=author,
                                     body=f"返信 {COMMON} {mark} 初版")  # fmt: skip
        db.session.commit()
        # edited by someone else: the first version goes into the history
        posting.edit_post(post=reply, editor=db.session.get(User, w.users["site_admin"]),
                          body=f"返信 {COMMON} {mark} 改訂版")  # fmt: skip
        db.session.commit()
        w.thread[audience], w.reply[audience] = thread.id, reply.id
        for kind in KINDS:
            item = posting.create_thread(board=board, author=author, kind=kind,
                                         title=f"{COMMON} {mark} {kind}",
                                         body=f"{COMMON} {mark} の{kind}本文")  # fmt: skip
            overrides = {
                "event": {"venue_name": f"{mark}会館"},
                "case": {"implementer": f"{mark}協議会"},
                "policy": {"program_name": f"{mark}事業", "ministry": f"{mark}省"},
                "challenge": {"area": f"{mark}地区"},
            }[kind]
            fields = valid_fields(kind, **overrides)
            save_details(thread=item, kind=kind, fields=fields, editor=author)
            db.session.commit()
            w.items[(audience, kind)] = item.id
            if kind == "event":
                # a second version: the details' history then holds the marker too
                save_details(thread=item, kind=kind, editor=author,
                             fields={**fields, "venue_name": f"{mark}公民館"})  # fmt: skip
                attachment = add_attachment(thread=item, uploader=author,
                                            filename=f"{mark}.png", data=png)  # fmt: skip
                db.session.commit()
                w.attachment[audience] = (attachment.id, attachment.filename)
                start = datetime.fromisoformat(fields["start_at"]).astimezone(TOKYO)
                w.event_month = start.strftime("%Y-%m")

    # every signed-in viewer tracks every matrix thread (set before any loss of access)
    for name in PEOPLE:
        user = db.session.get(User, w.users[name])
        for audience in AUDIENCES:
            watching.set_level(user, "thread", str(w.thread[audience]), "tracking")
    db.session.commit()

    # moderation: a flagged reply in each hyogo board, in a nagano and in a national board
    flagger = db.session.get(User, flagger.id)
    nagano_board = db.session.scalar(select(Board).where(Board.slug == "nagano-zentai"))
    national_board = db.session.scalar(select(Board).where(Board.slug == "zentai"))
    places = {f"hyogo-{a}": db.session.get(Board, w.boards[a]) for a in AUDIENCES}
    places.update({"nagano": nagano_board, "national": national_board})
    for place, board in places.items():
        mark = f"zqxmod{place.replace('-', '')}mk"
        thread = posting.create_thread(board=board, author=author, title=f"通報 {mark}",
                                       body=f"通報対象 {mark}")  # fmt: skip
        post = posting.create_reply(thread=thread, author=author, body=f"通報された返信 {mark}")
        db.session.commit()
        flags.flag_post(post, user=flagger, reason="spam")
        db.session.commit()
        item = db.session.scalar(select(ModerationItem).where(ModerationItem.post_id == post.id))
        w.places[place] = SimpleNamespace(thread=thread.id, post=post.id, item=item.id, mark=mark,
                                          space=board.space_id, board=board.id)  # fmt: skip
    control = posting.create_thread(board=db.session.get(Board, w.boards["public"]),
                                    author=author, title="対照 zqxcontrol", body="対照")  # fmt: skip
    db.session.commit()
    w.control_thread = control.id
    return w


def _own_database(tmp: Path, template: str | None, name: str):
    from tests.fixtures.database import own_database

    return own_database(tmp, template, name)


@pytest.fixture(scope="module")
def world(template_database, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("leakmatrix")
    with _own_database(tmp, template_database, "leakworld") as url:
        yield from _world(url, tmp)


def _world(url: str, tmp: Path):
    import search
    from core import background
    from core.extensions import db
    from notifications import worker
    from search import runner

    app = make_test_app(url, tmp)
    app.test_client_class = Client
    with app.app_context():
        w = build_world(app)
        worker.run_once()  # the world's own notification jobs
        db.session.commit()
        runner.catch_up(Path(app.config["SEARCH_INDEX_DIR"]))
        w.search_totals = _search_totals(w)
        w.bearers = {name: _bearer(w, name) for name in PEOPLE}
        db.session.remove()
    for name in VIEWERS:
        client = app.test_client()
        if name != "anonymous":
            response = client.post_form(
                "/login", {"email": f"{w.handles[name]}@example.jp", "password": PASSWORD}
            )
            assert response.status_code == 302, name
        w.clients[name] = client
    yield w
    with app.app_context():
        background.stop_all()
        search.close(app)
        db.session.remove()
        db.engine.dispose()


def _search_totals(w: World) -> dict[str, int]:
    """How many hits each audience's marker has for the site admin (who reads every board)."""
    from werkzeug.datastructures import MultiDict

    from auth.models import User
    from core.extensions import db
    from search.extension import searcher
    from search.params import parse_args
    from search.service import search as run_search

    admin = db.session.get(User, w.users["site_admin"])
    totals = {}
    for audience in AUDIENCES:
        with searcher() as s:
            page = run_search(parse_args(MultiDict({"q": MARK[audience]})), user=admin, searcher=s)
        totals[audience] = page.total
        assert page.total > 0, audience  # the items are indexed
    return totals


@pytest.fixture
def ctx(world):
    """The world's application context, with a fresh session."""
    with world.app.app_context():
        yield world


def _user(w: World, name: str):
    from auth.models import User
    from core.extensions import db

    if name == "anonymous":
        return AnonymousUserMixin()
    return db.session.get(User, w.users[name])


# --- checks --------------------------------------------------------------------------------------


def _get(client: Client, url: str, **kwargs):
    """Status and text; JSON is re-serialised without ``\\u`` escapes, so that Japanese markers
    are found in it as in a page."""
    response = client.get(url, **kwargs)
    body = response.get_data(as_text=True)
    if response.is_json:
        body = json.dumps(response.get_json(), ensure_ascii=False)
    response.close()
    return response.status_code, body


def expect_page(client, url, mark, shown, *, ok=200):
    """A page of the closed thread/board: ``ok`` with the marker for readers, 404 (not 403, not
    the marker) for everyone else."""
    status, body = _get(client, url)
    if shown:
        assert status == ok, f"{url}: a reader got {status}"
        if ok == 200:
            assert mark in body, f"{url}: the marker is missing for a reader"
    else:
        assert status == 404, f"{url}: an outsider got {status} (expected 404)"
        assert mark not in body, f"{url}: LEAK, the marker is shown to an outsider"


def expect_listing(client, url, mark, shown):
    """A listing anyone may open: the marker appears exactly for readers."""
    status, body = _get(client, url)
    assert status == 200, f"{url}: {status}"
    if shown:
        assert mark in body, f"{url}: the marker is missing for a reader"
    else:
        assert mark not in body, f"{url}: LEAK, the marker is listed for an outsider"


def expect_login_page(client, viewer, url, mark, shown, *, ok=200):
    """A page that needs a signed-in member: anonymous viewers go to the login page."""
    if viewer == "anonymous":
        status, body = _get(client, url)
        assert status == 302 and mark not in body, f"{url}: {status}"
        return
    expect_page(client, url, mark, shown, ok=ok)


def s_board_page(w, c, a, v, shown):
    expect_page(c, f"/b/{BOARD_SLUG[a]}", MARK[a], shown)


def s_board_page_name(w, c, a, v, shown):
    status, body = _get(c, f"/b/{BOARD_SLUG[a]}")
    assert (BOARD_NAME[a] in body) == shown and (status == 200) == shown, status


def s_thread_page(w, c, a, v, shown):
    expect_page(c, f"/t/{w.thread[a]}", MARK[a], shown)


def s_thread_page_reply_text(w, c, a, v, shown):
    status, body = _get(c, f"/t/{w.thread[a]}")
    assert ("改訂版" in body) == shown, status


def s_post_number_redirect(w, c, a, v, shown):
    expect_page(c, f"/t/{w.thread[a]}/2", MARK[a], shown, ok=302)


def s_post_permalink(w, c, a, v, shown):
    expect_page(c, f"/p/{w.reply[a]}", MARK[a], shown, ok=302)


def s_revisions(w, c, a, v, shown):
    expect_page(c, f"/p/{w.reply[a]}/revisions", f"{MARK[a]} 初版", shown)


def s_details_revisions(w, c, a, v, shown):
    expect_page(c, f"/t/{w.items[(a, 'event')]}/details/revisions", f"{MARK[a]}会館", shown)


def s_quote(w, c, a, v, shown):
    """The reply form prefilled with a quote: readers who may also reply (members of the space)
    get the quote, readers who may not reply 403 without it, outsiders 404."""
    url = f"/t/{w.thread[a]}/reply?quote={w.reply[a]}"
    status, body = _get(c, url)
    if v == "anonymous":
        assert status == 302 and MARK[a] not in body
    elif shown:
        assert status in (200, 403), status
        assert (MARK[a] in body) == (status == 200)
    else:
        assert status == 404 and MARK[a] not in body, status


def s_new_thread_form(w, c, a, v, shown):
    """``/b/<slug>/new``: outsiders 404 (readers may get the form or 403 by posting rights)."""
    status, body = _get(c, f"/b/{BOARD_SLUG[a]}/new")
    if v == "anonymous":
        assert status == 302
    elif shown:
        assert status in (200, 403), status
    else:
        assert status == 404 and BOARD_NAME[a] not in body, status


def s_new_structured_form(w, c, a, v, shown):
    """``/b/<slug>/new/event``: outsiders 404 (readers who may not post get the page saying who
    may, anonymous visitors included: 403)."""
    status, body = _get(c, f"/b/{BOARD_SLUG[a]}/new/event")
    if v == "anonymous" and shown:
        assert status == 403, status
    elif v == "anonymous":
        assert status == 404 and BOARD_NAME[a] not in body, status
    elif shown:
        assert status in (200, 302, 403), status
    else:
        assert status == 404 and BOARD_NAME[a] not in body, status


def s_search_advanced(w, c, a, v, shown):
    """The advanced search form's board choices name a closed board only to its readers."""
    status, body = _get(c, "/search/advanced")
    assert status == 200
    assert (BOARD_NAME[a] in body) == shown, "board choice"


def s_read_position(w, c, a, v, shown):
    """Reporting a read position (``POST /api/v1/threads/<id>/read``): 404 for outsiders."""
    if v == "anonymous":
        response = c.post(f"/api/v1/threads/{w.thread[a]}/read", json={"number": 1})
        assert response.status_code == 401
        return
    response = c.post(f"/api/v1/threads/{w.thread[a]}/read", json={"number": 1},
                      headers=w.bearers[v])  # fmt: skip
    assert response.status_code == (200 if shown else 404), response.status_code


def s_api_post_fragment(w, c, a, v, shown):
    expect_page(c, f"/api/v1/posts/{w.reply[a]}?include=fragment", MARK[a], shown)


def s_api_thread_posts(w, c, a, v, shown):
    expect_page(c, f"/api/v1/threads/{w.thread[a]}/posts?after=0&include=fragment", MARK[a],
                shown)  # fmt: skip


def s_api_thread(w, c, a, v, shown):
    expect_page(c, f"/api/v1/threads/{w.thread[a]}", MARK[a], shown)


def s_api_structured_thread(w, c, a, v, shown):
    expect_page(c, f"/api/v1/threads/{w.items[(a, 'case')]}", f"{MARK[a]}協議会", shown)


def s_api_board_threads(w, c, a, v, shown):
    expect_page(c, f"/api/v1/boards/{BOARD_SLUG[a]}/threads", MARK[a], shown)


def _board_slugs(body: str) -> set[str]:
    return {b["slug"] for b in json.loads(body)["boards"]}


def s_api_boards(w, c, a, v, shown):
    status, body = _get(c, "/api/v1/boards")
    assert status == 200 and (BOARD_SLUG[a] in _board_slugs(body)) == shown


def s_api_boards_space(w, c, a, v, shown):
    status, body = _get(c, "/api/v1/boards?space=hyogo")
    assert status == 200 and (BOARD_SLUG[a] in _board_slugs(body)) == shown


def s_api_space(w, c, a, v, shown):
    status, body = _get(c, "/api/v1/spaces/hyogo")
    assert status == 200 and (BOARD_SLUG[a] in _board_slugs(body)) == shown


def s_space_home(w, c, a, v, shown):
    """``/pf/hyogo``: the board is listed, and its items shown, only to readers."""
    status, body = _get(c, "/pf/hyogo")
    assert status == 200
    assert (BOARD_NAME[a] in body) == shown, "board name"
    assert (MARK[a] in body) == shown, "items of the board"


def s_national_index(w, c, a, v, shown):
    """``/`` lists the national boards and the national platform's discussions: a hyogo board
    and its talk are never there. Its cases, events, policies and problems reach the front
    door's 知る / うまれる lists as they reach the national listings: only for their readers."""
    status, body = _get(c, "/")
    assert status == 200 and BOARD_NAME[a] not in body
    assert f"{COMMON} {MARK[a]} 相談" not in body, "a platform's discussion on the national home"
    if not shown:
        assert MARK[a] not in body, "LEAK: a closed item on the national home"


def _listing(kind, query="", suffix=""):
    def check(w, c, a, v, shown):
        expect_listing(c, f"/{SECTION[kind]}{query}", MARK[a], shown)

    check.__name__ = f"s_listing_{SECTION[kind]}{suffix}"
    return check


def s_prefecture_map(w, c, a, v, shown):
    """The map on each listing (issue #18) counts, for 兵庫県, exactly the matrix items the viewer
    may read: one per readable audience (every matrix item is in prefecture 28), in the SVG and in
    its table alike; filtered to the space, the same."""
    from tests.stats.helpers import map_counts, table_counts

    readable = sum(visible(x, v) for x in AUDIENCES)
    for kind in KINDS:
        for query in ("", "?space=hyogo&prefecture=28"):
            status, body = _get(c, f"/{SECTION[kind]}{query}")
            assert status == 200, f"/{SECTION[kind]}{query}: {status}"
            assert map_counts(body)["兵庫県"] == readable, f"/{SECTION[kind]}{query}: map count"
            assert table_counts(body)["兵庫県"] == readable, f"/{SECTION[kind]}{query}: table"
            assert (MARK[a] in body) == shown


def s_listing_keyword(w, c, a, v, shown):
    """The keyword box of each listing (issue #14) searches as the search page does: a closed
    item is neither listed nor counted, and its marker finds nothing, for outsiders; the API's
    ``q`` the same."""
    from structured.schema import KIND_LABELS

    readable = sum(visible(x, v) for x in AUDIENCES)
    for kind in KINDS:
        url = f"/{SECTION[kind]}?q={COMMON}"
        status, body = _get(c, url)
        assert status == 200, f"{url}: {status}"
        assert (MARK[a] in body) == shown, f"{url}: marker"
        assert f"「{COMMON}」に合う{KIND_LABELS[kind]}：{readable}件" in body, f"{url}: count"
        status, body = _get(c, f"/{SECTION[kind]}?q={MARK[a]}")
        assert status == 200
        assert f"「{MARK[a]}」に合う{KIND_LABELS[kind]}：{int(shown)}件" in body, "marker count"
        status, body = _get(c, f"/api/v1/{SECTION[kind]}?q={COMMON}")
        assert status == 200 and (MARK[a] in body) == shown, f"API {kind}"


def s_policies_ministry_filter(w, c, a, v, shown):
    """The 所管 filter of ``/policies`` offers the ministries of the policies one may read."""
    status, body = _get(c, "/policies")
    assert status == 200
    assert (f">{MARK[a]}省</option>" in body) == shown, "ministry choice"


def s_calendar(w, c, a, v, shown):
    expect_listing(c, f"/events/calendar?month={w.event_month}", MARK[a], shown)


def s_events_ics(w, c, a, v, shown):
    expect_listing(c, "/events.ics", MARK[a], shown)


def s_events_ics_hyogo(w, c, a, v, shown):
    expect_listing(c, "/events.ics?space=hyogo&prefecture=28", MARK[a], shown)


def s_events_csv(w, c, a, v, shown):
    status, body = _get(c, "/events.csv")
    assert status == 200 and (MARK[a] in body) == shown


def s_event_ics(w, c, a, v, shown):
    expect_page(c, f"/t/{w.items[(a, 'event')]}/event.ics", MARK[a], shown)


def _feed(section):
    def check(w, c, a, v, shown):
        expect_listing(c, f"/feeds/{section}.atom", MARK[a], shown)

    check.__name__ = f"s_feed_{section}"
    return check


def _workbook(kind):
    """The listing as an Excel workbook (issue #18): every cell's text, read with openpyxl."""

    def check(w, c, a, v, shown):
        import openpyxl

        response = c.get(f"/{SECTION[kind]}.xlsx")
        assert response.status_code == 200
        book = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True)
        text = " ".join(str(cell) for sheet in book.worksheets
                        for row in sheet.iter_rows(values_only=True) for cell in row if cell)  # fmt: skip
        book.close()
        assert (MARK[a] in text) == shown

    check.__name__ = f"s_workbook_{SECTION[kind]}"
    return check


def s_stats_api(w, c, a, v, shown):
    """The statistics count 兵庫県's cases of the audiences the viewer may read, and no other
    (issue #18: counts leak existence as surely as titles do)."""
    status, body = _get(c, "/api/v1/stats/cases-funding?period=all&space=hyogo")
    assert status == 200
    total = sum(row["cases"] for row in json.loads(body)["table"]["rows"])
    assert total == sum(visible(audience, v) for audience in AUDIENCES)
    # the same from the summary rows (stats/summary.py), built for the boards as they are now
    from stats import summary

    with w.app.app_context():
        summary.refresh_all()
        assert summary.usable() is not None
    status, body = _get(c, "/api/v1/stats/cases-funding?period=all&space=hyogo")
    kept = sum(row["cases"] for row in json.loads(body)["table"]["rows"])
    assert kept == total


def _facets_html(body: str) -> str:
    start = body.find('class="facets"')
    return body[start:] if start >= 0 else ""


def _expected_total(w, v) -> int:
    return sum(w.search_totals[a] for a in AUDIENCES if visible(a, v))


def s_search_page(w, c, a, v, shown):
    status, body = _get(c, f"/search?q={COMMON}")
    assert status == 200
    assert (MARK[a] in body) == shown, "result or snippet"
    assert f"{_expected_total(w, v)}件見つかりました" in body, "the total counts hidden hits"


def s_search_page_facets(w, c, a, v, shown):
    status, body = _get(c, f"/search?q={COMMON}")
    facets = _facets_html(body)
    assert status == 200 and facets
    assert (BOARD_NAME[a] in facets) == shown, "board facet"
    assert (BOARD_SLUG[a] in facets) == shown, "board facet link"


def s_search_page_board_filter(w, c, a, v, shown):
    """Filtering by the closed board's slug finds nothing and does not name it."""
    status, body = _get(c, f"/search?q={COMMON}&board={BOARD_SLUG[a]}")
    assert status in (200, 400)
    assert (MARK[a] in body) == shown
    if not shown:
        assert BOARD_NAME[a] not in body


def s_search_api(w, c, a, v, shown):
    status, body = _get(c, f"/api/v1/search?q={COMMON}")
    assert status == 200
    data = json.loads(body)
    assert (MARK[a] in body) == shown, "results"
    assert data["total"] == _expected_total(w, v), "total"
    assert (BOARD_SLUG[a] in data["facets"].get("board", {})) == shown, "board facet"
    counts = [n for values in data["facets"].values() for n in values.values()]
    assert all(n <= data["total"] for n in counts), "a facet value counts hidden hits"


def s_search_api_type_facets(w, c, a, v, shown):
    """Every facet count adds up only readable hits: the facets for the audience's marker."""
    status, body = _get(c, f"/api/v1/search?q={MARK[a]}")
    data = json.loads(body)
    assert status == 200
    assert data["total"] == (w.search_totals[a] if shown else 0)
    for name, values in data["facets"].items():
        assert (sum(values.values()) > 0) <= shown, f"facet {name} counts hidden hits: {values}"


def _api_listing(kind, query="", suffix=""):
    def check(w, c, a, v, shown):
        status, body = _get(c, f"/api/v1/{SECTION[kind]}{query}")
        assert status == 200 and (MARK[a] in body) == shown

    check.__name__ = f"s_api_{SECTION[kind]}{suffix}"
    return check


def s_profile(w, c, a, v, shown):
    status, body = _get(c, f"/u/{w.handles['author']}")
    assert status == 200
    if not shown:
        assert MARK[a] not in body


def s_directory_org(w, c, a, v, shown):
    expect_listing(c, f"/directory/{w.org_slug}", MARK[a], shown)


def s_tracking(w, c, a, v, shown):
    """追跡中のスレッド: every viewer tracks every matrix thread (set before access was lost)."""
    if v == "anonymous":
        assert _get(c, "/notifications/tracking")[0] == 302
        return
    expect_listing(c, "/notifications/tracking", MARK[a], shown)


def s_watch_api(w, c, a, v, shown):
    """The watch level of a thread: 404 for a thread one may not see."""
    status, body = _get(c, f"/api/v1/watches/thread/{w.thread[a]}")
    if v == "anonymous":
        assert status in (401, 404) and MARK[a] not in body
    else:
        assert (status == 200) == shown and (status == 404) != shown, status


def s_notification_export(w, c, a, v, shown):
    status, body = _get(c, "/api/v1/me/notifications/export")
    if v == "anonymous":
        assert status in (401, 302) and MARK[a] not in body
        return
    assert status == 200 and MARK[a] not in body  # ids only, never titles


def s_attachment_download(w, c, a, v, shown):
    attachment_id, name = w.attachment[a]
    from urllib.parse import quote

    response = c.get(f"/files/{attachment_id}/{quote(name)}")
    status, data = response.status_code, response.data
    response.close()
    if shown:
        assert status == 200 and data.startswith(b"\x89PNG"), status
    else:
        assert status == 404 and not data.startswith(b"\x89PNG"), status


def s_attachments_page(w, c, a, v, shown):
    """The files of an event (their names carry the marker): 404 for outsiders."""
    status, body = _get(c, f"/t/{w.items[(a, 'event')]}/attachments")
    if shown:
        assert status in (200, 302, 403), status
    else:
        assert status == 404 and MARK[a] not in body, status


def _socket(w, c):
    from tests.fixtures.realtime import IsolatedSocketClient

    return IsolatedSocketClient(w.app, w.app.extensions["kyoso.socketio"], flask_test_client=c)


def s_socket_join_thread(w, c, a, v, shown):
    sc = _socket(w, c)
    try:
        ack = sc.emit("join_thread", {"thread_id": w.thread[a]}, callback=True)
    finally:
        sc.disconnect()
    # outsiders learn nothing: the same answer as for a thread that does not exist
    assert ack == ({"ok": True, "last_number": ack.get("last_number")} if shown
                   else {"ok": False, "error": "not_found"}), ack


def s_socket_join_board(w, c, a, v, shown):
    sc = _socket(w, c)
    try:
        ack = sc.emit("join_board", {"slug": BOARD_SLUG[a]}, callback=True)
    finally:
        sc.disconnect()
    assert ack == ({"ok": True} if shown else {"ok": False, "error": "not_found"}), ack


def s_api_suggestions(w, c, a, v, shown):
    """``GET /api/v1/challenges/<id>/suggestions`` (issue #16): 404 for a problem one may not
    read, as every other read of it."""
    status, body = _get(c, f"/api/v1/challenges/{w.items[(a, 'challenge')]}/suggestions")
    assert status == (200 if shown else 404), status
    if not shown:
        assert MARK[a] not in body


def s_suggestions_never_point_at_closed_items(w, c, a, v, shown):
    """The public problem's suggestions (its page and the API) name the cases and problems of
    a board exactly when the viewer may read it."""
    for url in (f"/api/v1/challenges/{w.items[('public', 'challenge')]}/suggestions",
                f"/t/{w.items[('public', 'challenge')]}"):  # fmt: skip
        status, body = _get(c, url)
        assert status == 200, (url, status)
        # every item of the matrix shares its domains: a reader is suggested them all
        assert (MARK[a] in body) is shown, f"{url}: {'missing' if shown else 'LEAK'}"


def s_api_offers(w, c, a, v, shown):
    """``GET /api/v1/challenges/<id>/offers`` (issue #16): the count for readers, 404 for the
    rest."""
    status, body = _get(c, f"/api/v1/challenges/{w.items[(a, 'challenge')]}/offers")
    assert status == (200 if shown else 404), status
    if not shown:
        assert MARK[a] not in body


def s_rule_can(w, c, a, v, shown):
    """The rule itself, through ``can``: board, thread and post."""
    from auth.permissions import board_readable, can
    from core.extensions import db
    from forum.models import Board, Post, Thread

    with w.app.app_context():
        user = _user(w, v)
        board = db.session.get(Board, w.boards[a])
        assert board_readable(user, board) is shown
        assert can(user, "board.view", board) is shown
        assert can(user, "thread.view", db.session.get(Thread, w.thread[a])) is shown
        assert can(user, "post.read", db.session.get(Post, w.reply[a])) is shown


SURFACES = {
    f.__name__.removeprefix("s_"): f
    for f in (
        s_rule_can,
        s_board_page, s_board_page_name, s_thread_page, s_thread_page_reply_text,
        s_post_number_redirect, s_post_permalink, s_revisions, s_details_revisions, s_quote,
        s_new_thread_form, s_new_structured_form, s_read_position,
        s_api_post_fragment, s_api_thread_posts, s_api_thread, s_api_structured_thread,
        s_api_board_threads, s_api_boards, s_api_boards_space, s_api_space,
        s_space_home, s_national_index,
        *(_listing(k) for k in KINDS),
        _listing("event", "?space=hyogo", "_space"), _listing("case", "?prefecture=28", "_pref"),
        s_prefecture_map, s_listing_keyword, s_policies_ministry_filter, s_calendar, s_events_ics,
        s_events_ics_hyogo, s_events_csv, s_event_ics, *(_workbook(k) for k in KINDS), s_stats_api,
        *(_feed(s) for s in ("events", "cases", "policies")),
        s_search_page, s_search_page_facets, s_search_page_board_filter, s_search_api,
        s_search_api_type_facets, s_search_advanced,
        *(_api_listing(k) for k in KINDS), _api_listing("event", "?space=hyogo", "_space"),
        s_profile, s_directory_org, s_tracking, s_watch_api, s_notification_export,
        s_attachment_download, s_attachments_page,
        s_socket_join_thread, s_socket_join_board,
        s_api_suggestions, s_suggestions_never_point_at_closed_items, s_api_offers,
    )
}  # fmt: skip
assert len(SURFACES) == 68, len(SURFACES)  # no two surfaces share a name

MATRIX = [
    pytest.param(surface, audience, viewer, id=f"{surface}-{audience}-{viewer}")
    for surface in SURFACES
    for audience in AUDIENCES
    for viewer in VIEWERS
]


@pytest.mark.parametrize(("surface", "audience", "viewer"), MATRIX)
def test_leak_matrix(world, surface, audience, viewer):
    SURFACES[surface](world, world.clients[viewer], audience, viewer, visible(audience, viewer))


# --- the two forms of the rule agree -------------------------------------------------------------


@pytest.mark.parametrize("viewer", [*VIEWERS, "none"])
def test_leak_rule_forms_agree(ctx, viewer):
    """``board_readable`` per board == not in ``unreadable_board_ids`` == the SQL filter, for every
    board of every space."""
    from auth.permissions import board_readable
    from core.extensions import db
    from forum import audience
    from forum.models import Board

    user = None if viewer == "none" else _user(ctx, viewer)
    boards = db.session.scalars(select(Board)).all()
    assert {b.audience for b in boards} == set(AUDIENCES)
    hidden = audience.unreadable_board_ids(user)
    readable = {b.id for b in boards if board_readable(user, b)}
    assert readable == {b.id for b in boards if b.id not in hidden}
    sql = set(db.session.scalars(select(Board.id).where(audience.readable_filter(Board.id, user))))
    assert sql == readable


# --- notifications -------------------------------------------------------------------------------

CHANNELS = ("mention", "thread_watch", "board_watch", "prefecture_watch")
_note_seq = itertools.count(1)


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("audience", AUDIENCES)
@pytest.mark.parametrize("viewer", [v for v in VIEWERS if v != "anonymous"])
def test_leak_notifications(ctx, channel, audience, viewer):
    """A watcher (of the thread, the board or the prefecture) or a mentioned member outside the
    audience gets no notification of new activity in the closed board; a reader does."""
    from core.extensions import db
    from forum import posting
    from forum.models import Board, Thread
    from notifications import watching, worker
    from notifications.models import Notification
    from structured.details import save_details

    w = ctx
    user, author = _user(w, viewer), _user(w, "author")
    board = db.session.get(Board, w.boards[audience])
    mark = f"zqxnote{next(_note_seq)}mk"
    mention = f"@{user.handle} " if channel == "mention" else ""
    target = None
    if channel == "board_watch":
        target = ("board", str(board.id))
    elif channel == "prefecture_watch":
        target = ("prefecture", "28")
    if target:
        watching.set_level(user, *target, "watching")
        db.session.commit()
    try:
        if channel == "thread_watch":
            thread = posting.create_thread(board=board, author=author, title=f"通知 {mark}",
                                           body="本文")  # fmt: skip
            db.session.commit()
            worker.run_once()
            watching.set_level(user, "thread", str(thread.id), "watching")
            db.session.commit()
            posting.create_reply(thread=thread, author=author, body=f"新しい返信 {mark}")
        elif channel == "prefecture_watch":
            thread = posting.create_thread(board=board, author=author, kind="event",
                                           title=f"通知 {mark}", body="本文")  # fmt: skip
            save_details(thread=thread, kind="event", fields=valid_fields("event"), editor=author)
        else:
            thread = posting.create_thread(board=board, author=author, title=f"通知 {mark}",
                                           body=f"{mention}見てください {mark}")  # fmt: skip
        db.session.commit()
        worker.run_once()
        db.session.commit()
    finally:
        if target:
            watching.set_level(_user(w, viewer), *target, "normal")
            db.session.commit()
    got = db.session.scalars(
        select(Notification).where(Notification.user_id == w.users[viewer],
                                   Notification.thread_id == thread.id)
    ).all()  # fmt: skip
    shown = visible(audience, viewer)
    assert bool(got) == shown, [(n.kind, n.thread_id) for n in got]
    assert db.session.get(Thread, thread.id) is not None
    client = w.clients[viewer]
    page = client.get("/notifications").get_data(as_text=True)
    assert (mark in page) == shown, "the notification centre"
    api = client.get("/api/v1/notifications?limit=100").get_data(as_text=True)
    assert (mark in api) == shown, "the notifications API"


# --- the review queue and moderation, scoped to a space ------------------------------------------

#: who moderates which place (the site admin reviews everything; listed as the control)
MODERATORS = {
    "space_moderator": "hyogo",
    "space_admin": "hyogo",
    "other_space_moderator": "nagano",
    "site_admin": None,
}
PLACES = ("hyogo-public", "hyogo-members", "hyogo-roles", "nagano", "national")


def _reviews(w, moderator: str, place: str) -> bool:
    space = MODERATORS[moderator]
    if space is None:
        return True
    return w.places[place].space == w.spaces[space]


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("moderator", list(MODERATORS))
def test_leak_review_queue_is_scoped_to_the_space(world, moderator, place):
    w, client = world, world.clients[moderator]
    p = w.places[place]
    expected = _reviews(w, moderator, place)
    status, page = _get(client, "/moderation/queue")
    assert status == 200
    assert (p.mark in page) == expected, "the queue page"
    status, body = _get(client, "/api/v1/moderation/queue")
    assert status == 200
    ids = {item["id"] for item in json.loads(body)["items"]}
    assert (p.item in ids) == expected, "the queue API"
    if not expected:
        assert p.mark not in body, "the queue API's text"


def test_leak_review_queue_board_filter_names_no_closed_board(world):
    """The queue's board filter of a moderator of 長野県 lists no board of 兵庫県 closed to them."""
    status, page = _get(world.clients["other_space_moderator"], "/moderation/queue")
    assert status == 200
    for audience in ("members", "roles"):
        assert BOARD_NAME[audience] not in page and BOARD_SLUG[audience] not in page


@pytest.mark.parametrize("via", ["web", "api"])
@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("moderator", ["space_moderator", "other_space_moderator"])
def test_leak_review_queue_decisions_are_scoped(ctx, moderator, place, via):
    from core.extensions import db
    from moderation.models import ModerationItem
    from tests.fixtures.app import CSRF_RE

    w = ctx
    if _reviews(w, moderator, place):
        return _in_scope_control(w, moderator, place)
    p = w.places[place]
    item = db.session.get(ModerationItem, p.item)
    client = w.clients[moderator]
    if via == "web":
        html = client.get("/moderation/queue").get_data(as_text=True)
        token = CSRF_RE.search(html).group(1)
        response = client.post(f"/moderation/items/{p.item}/decide",
                               data={"csrf_token": token, "action": "agree_hide",
                                     "version": item.version, "reason": "x"})  # fmt: skip
        assert response.status_code in (403, 404), response.status_code
    else:
        response = client.post(f"/api/v1/moderation/items/{p.item}/decision",
                               json={"action": "agree_hide", "version": item.version},
                               headers=_bearer(w, moderator))  # fmt: skip
        assert response.status_code in (403, 404), response.status_code
    db.session.expire_all()
    assert db.session.get(ModerationItem, p.item).status == "pending"


def _in_scope_control(w, moderator, place):
    """In scope: the moderator may decide (checked without deciding, to keep the queue)."""
    from auth.permissions import can
    from core.extensions import db
    from moderation.models import ModerationItem

    item = db.session.get(ModerationItem, w.places[place].item)
    assert can(_user(w, moderator), "moderation.decide", item)


def _bearer(w, name):
    from auth.accounts import create_api_token
    from core.extensions import db

    token = create_api_token(_user(w, name))
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


MOD_ACTIONS = ("pin", "lock", "unpin", "unlock", "move", "move_in", "split", "edit", "delete",
               "redact")  # fmt: skip


def _csrf(client):
    return client.csrf_token("/")


def _snapshot(thread_id, post_id):
    from core.extensions import db
    from forum.models import Post, PostRevision, Thread

    db.session.expire_all()
    t = db.session.get(Thread, thread_id)
    p = db.session.get(Post, post_id)
    redacted = db.session.scalars(
        select(PostRevision.redacted_at).where(PostRevision.post_id == post_id)
    ).all()
    return (t.board_id, t.is_pinned, t.is_locked, t.is_deleted, t.reply_count, p.body_source,
            p.is_deleted, tuple(redacted))  # fmt: skip


@pytest.mark.parametrize("action", MOD_ACTIONS)
@pytest.mark.parametrize("place", ["nagano", "national"])
@pytest.mark.parametrize("moderator", ["space_moderator", "space_admin"])
def test_leak_space_moderators_cannot_act_outside_their_space(ctx, moderator, place, action):
    """A moderator (or admin) of 兵庫県 cannot pin, lock, move, split, edit, delete or redact in
    長野県 or the national space; ``move_in`` moves a thread of 兵庫県 into the other space."""
    from core.extensions import db
    from forum import posting
    from forum.models import Board, Post, PostRevision, Thread

    w = ctx
    p = w.places[place]
    client = w.clients[moderator]
    thread_id, post_id = p.thread, p.post
    if action == "move_in":
        thread_id = w.thread["public"]
        post_id = w.reply["public"]
    if action in ("unpin", "unlock"):  # something to undo, set by the site
        t = db.session.get(Thread, thread_id)
        flag = "is_pinned" if action == "unpin" else "is_locked"
        posting.set_thread_flags(thread=t, **{flag: True})
        db.session.commit()
    if action == "redact":
        posting.edit_post(post=db.session.get(Post, post_id), editor=_user(w, "author"),
                          body=f"編集 {p.mark} {next(_seq)}")
        db.session.commit()
    before = _snapshot(thread_id, post_id)
    token = _csrf(client)
    if action in ("pin", "lock", "unpin", "unlock"):
        r = client.post(f"/t/{thread_id}/moderate", data={"csrf_token": token, "action": action})
    elif action in ("move", "move_in"):
        target = (db.session.get(Board, w.boards["public"]).slug if action == "move"
                  else db.session.get(Board, p.board).slug)  # fmt: skip
        r = client.post(f"/t/{thread_id}/move", data={"csrf_token": token, "board": target})
    elif action == "split":
        r = client.post(f"/t/{thread_id}/split",
                        data={"csrf_token": token, "numbers": "2", "title": "分割したスレッド"})
    elif action == "edit":
        r = client.post(f"/p/{post_id}/edit", data={"csrf_token": token, "body": "書き換え",
                                                     "version": 1})  # fmt: skip
    elif action == "delete":
        r = client.post(f"/p/{post_id}/delete", data={"csrf_token": token})
    else:
        revision = db.session.scalars(
            select(PostRevision.id).where(PostRevision.post_id == post_id)
        ).first()
        r = client.post(f"/p/{post_id}/revisions/{revision}/redact",
                        data={"csrf_token": token, "reason": "x"})  # fmt: skip
    try:
        assert r.status_code in (403, 404, 422), r.status_code
        assert _snapshot(thread_id, post_id) == before, "the state changed"
    finally:
        if action in ("unpin", "unlock"):
            t = db.session.get(Thread, thread_id)
            posting.set_thread_flags(thread=t, is_pinned=False, is_locked=False)
            db.session.commit()


@pytest.mark.parametrize("moderator", ["space_moderator", "space_admin"])
def test_leak_space_moderators_act_in_their_space(ctx, moderator):
    """The control: the same request pins and unpins a thread of 兵庫県."""
    from core.extensions import db
    from forum.models import Thread

    w = ctx
    client = w.clients[moderator]
    for action, pinned in (("pin", True), ("unpin", False)):
        r = client.post(f"/t/{w.control_thread}/moderate",
                        data={"csrf_token": _csrf(client), "action": action})  # fmt: skip
        assert r.status_code == 302
        db.session.expire_all()
        assert db.session.get(Thread, w.control_thread).is_pinned is pinned


@pytest.mark.parametrize("moderator", ["space_moderator", "other_space_moderator"])
def test_leak_socket_moderators_room_is_for_site_staff(world, moderator):
    """Space moderators are not put in the site-wide moderators' room (where queue events of every
    space are sent)."""
    from realtime.broadcast import emit

    w = world
    sc = _socket(w, w.clients[moderator])
    try:
        sc.get_received()
        with w.app.app_context():
            from realtime import handlers

            room = getattr(handlers, "MODERATORS_ROOM", None)
            assert room is not None
            emit("zqx_probe", {"mark": "zqxroomprobe"}, room)
        received = [e for e in sc.get_received() if e["name"] == "zqx_probe"]
    finally:
        sc.disconnect()
    assert received == []


# --- migration: an existing database stays national and public ----------------------------------


def _fill(conn, table: str, values: dict) -> None:
    """Insert a row, giving every required column without a default a plain value."""
    columns = inspect(conn).get_columns(table)
    row = dict(values)
    for col in columns:
        name = col["name"]
        if name in row or col["nullable"] or col.get("default") is not None:
            continue
        if col.get("autoincrement") is True or name == "id":
            continue
        kind = str(col["type"]).upper()
        if "BOOL" in kind:
            row[name] = False
        elif "INT" in kind or "NUMERIC" in kind:
            row[name] = 0
        elif "DATE" in kind or "TIME" in kind:
            row[name] = "2025-04-01 00:00:00"
        elif "JSON" in kind:
            row[name] = "{}"
        else:
            row[name] = ""
    names = ", ".join(row)
    params = ", ".join(f":{k}" for k in row)
    conn.execute(text(f"INSERT INTO {table} ({names}) VALUES ({params})"), row)


def test_leak_migration_keeps_existing_boards_national_and_public(tmp_path):
    with _own_database(tmp_path, None, "leakmigration") as url:
        _migration_check(url, tmp_path)


def _old_member(conn) -> int:
    """A member written straight into the tables of an older revision (migration tests): their id."""
    role_id = conn.scalar(text("SELECT id FROM roles WHERE slug = 'member'"))
    _fill(conn, "users", {"handle": "old", "email": "old@example.jp", "display_name": "古参",
                          "password_hash": "x", "role_id": role_id})  # fmt: skip
    return conn.scalar(text("SELECT id FROM users WHERE handle = 'old'"))


def _migration_check(url: str, tmp_path: Path) -> None:
    from flask_migrate import upgrade

    from app import create_app
    from core.extensions import db

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "m", "INSTANCE_PATH": str(tmp_path)})
    with app.app_context():
        upgrade(revision="0013")
        engine = create_engine(url)
        with engine.begin() as conn:
            user_id = _old_member(conn)
            _fill(conn, "boards", {"slug": "old-board", "name": "古い掲示板", "description": "",
                                   "kind": "cross", "position": 99})  # fmt: skip
            board_id = conn.scalar(text("SELECT id FROM boards WHERE slug = 'old-board'"))
            _fill(conn, "threads", {"board_id": board_id, "author_id": user_id,
                                    "title": "古いスレッド", "kind": "discussion",
                                    "last_number": 1})  # fmt: skip
        upgrade()
        with engine.connect() as conn:
            boards = conn.execute(
                text("SELECT slug, space_id, audience, audience_roles FROM boards")
            ).all()
            spaces = conn.execute(text("SELECT id, kind FROM spaces")).all()
            thread_board = conn.scalar(
                text("SELECT board_id FROM threads WHERE title = '古いスレッド'")
            )
        engine.dispose()
        db.engine.dispose()
    assert (1, "national") in [tuple(s) for s in spaces]
    assert boards and all(b.space_id == 1 and b.audience == "public" for b in boards), boards
    assert all(not b.audience_roles for b in boards)
    assert ("old-board", 1, "public") in [(b.slug, b.space_id, b.audience) for b in boards]
    assert thread_board == board_id
