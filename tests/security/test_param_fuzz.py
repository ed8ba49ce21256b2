"""Issue #13 class 11: malformed input answers 4xx (JSON for the API), never 500.

Walks ``app.url_map``: every GET route, with its variables filled with valid and with weird
values, and every query parameter the route's code reads (recorded by a watching ``args``
dictionary on a first, plain request) plus the usual names, each set to weird values; then every
API write with weird JSON bodies (huge integers, wrong types, arrays 10,000 deep). Anonymous and
signed in (a moderator: the most routes). A 500 fails with the list of requests that caused it.
"""

from __future__ import annotations

import re
import time
from urllib.parse import quote, urlencode

import pytest
from sqlalchemy import select
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter

from auth.accounts import create_api_token
from core.extensions import db
from forum.models import Post

HUGE = "99999999999999999999999"
BIG = str(2**40)  # beyond PostgreSQL's 32-bit integer columns
#: each parameter a route reads gets each of these
WEIRD = [HUGE, "-" + HUGE, BIG, "-1", "abc", "1e400", "2026-13-45", "a\x00b", "\r\nX-Injected: 1",
         "x" * 5000]  # fmt: skip
#: a parameter already fuzzed on another route with the same parameters (the same parser, e.g.
#: the listing filters of /cases, /events, /events.ics, the feeds …) gets only these
FEW_WEIRD = [HUGE]
#: every parameter at once gets these too
MORE_WEIRD = WEIRD + ["0", "1.5", "2026-02-30T25:61", "%00", "１２", "[]", "'\"<>", "/\\evil"]
PARAMS = [
    "page", "cursor", "after", "before", "limit", "quote", "month", "year", "from", "to", "date",
    "next", "type", "q", "sort", "kind", "status", "reason", "older_than", "field", "board",
    "action", "unread", "include", "format", "download", "prefecture", "municipality", "when",
    "tag", "domain", "player_field", "life_domain", "mode", "lang", "ministry", "fiscal_year",
]  # fmt: skip
WEIRD_PATH_STRINGS = ["abc", "\x00", "%00", "x" * 3000, "..", "１２"]
#: variables of routes, filled with something that exists (so the code goes past the lookup)
#: a ceiling against the test growing unnoticed (about 40 s on an idle machine with SQLite)
TIME_BUDGET = 240.0

READ: set[str] = set()


class WatchingArgs(ImmutableMultiDict):
    """``request.args`` that remembers which names the code asked for ("*" for all)."""

    def get(self, key, default=None, type=None):  # noqa: A002 - werkzeug's signature
        READ.add(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):  # noqa: A002
        READ.add(key)
        return super().getlist(key, type)

    def __getitem__(self, key):
        READ.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        READ.add(key)
        return super().__contains__(key)

    def __iter__(self):
        READ.add("*")
        return super().__iter__()

    def items(self, multi=False):
        READ.add("*")
        return super().items(multi)

    def to_dict(self, flat=True):
        READ.add("*")
        return super().to_dict(flat)


@pytest.fixture
def world(app, thread_factory, structured_factory, moderator, user_factory):
    member = user_factory(handle="fuzz_member")
    thread = thread_factory(author=member, title="ファズ用の話題")
    structured_factory("event", title="ファズ用の研修会", author=member)
    token = create_api_token(moderator)
    db.session.commit()
    post = db.session.scalar(select(Post).where(Post.thread_id == thread.id, Post.number == 1))
    values = {
        "thread_id": str(thread.id), "post_id": str(post.id), "number": "1",
        "slug": "zentai", "handle": member.handle, "kind": "event", "section": "events",
        "target_kind": "thread", "key": str(thread.id), "board_id": "1", "code": "05",
        "term_id": "1", "user_id": str(member.id), "item_id": "1", "filename": "x.png",
    }  # fmt: skip
    request_class = type("WatchingRequest", (app.request_class,),
                         {"parameter_storage_class": WatchingArgs})  # fmt: skip
    app.request_class = request_class
    return {"values": values, "token": token, "moderator": moderator}


VARIABLE = re.compile(r"<(?:[^:<>]+:)?(\w+)>")


def _url(rule, values: dict[str, str]) -> str:
    return VARIABLE.sub(lambda m: quote(values.get(m.group(1), "1"), safe=""), rule.rule)


def _variables(rule) -> list[str]:
    return VARIABLE.findall(rule.rule)


def _fuzz_gets(app, client, failures: list[str], deadline: float, seen: set) -> int:
    count = 0

    def get(url: str, **query) -> None:
        nonlocal count
        count += 1
        target = url + ("?" + urlencode(query) if query else "")
        response = client.get(target)
        if response.status_code >= 500:
            failures.append(f"GET {target[:200]} -> {response.status_code}")

    values = app.extensions["fuzz_values"]
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.endpoint == "static" or "socket.io" in rule.rule:
            continue
        url = _url(rule, values)
        READ.clear()
        get(url)
        read = set(READ)
        names = PARAMS if "*" in read else sorted(read)
        for name in names:
            for value in FEW_WEIRD if (name, frozenset(names)) in seen else WEIRD:
                get(url, **{name: value})
            seen.add((name, frozenset(names)))
        for value in MORE_WEIRD:
            get(url, **dict.fromkeys(PARAMS, value))
        for name in _variables(rule):
            weird = [HUGE, BIG, "0"] if isinstance(rule._converters[name], IntegerConverter) \
                else WEIRD_PATH_STRINGS  # fmt: skip
            for value in weird:
                get(_url(rule, {**values, name: value}))
        assert time.monotonic() < deadline, f"fuzz took too long (at {rule.rule})"
    return count


JSON_KEYS = ["title", "body", "version", "reason", "action", "type", "message", "level",
             "number", "ids", "all", "confirm", "email", "muted_users", "kind", "fields"]  # fmt: skip
JSON_VALUES = [10**30, 2**40, -1, 1.5e308, "2026-13-45", "a\x00b", None, True, [[[1]]],
               {"a": {"b": 1}}, "x" * 30_000]  # fmt: skip
JSON_VALUES_EACH = [10**30, 2**40, "2026-13-45", [[[1]]], {"a": {"b": 1}}, None, [2**63], [2**40]]
FIELD_NAMES = ["start_at", "end_at", "capacity", "prefecture", "municipality_code", "fee",
               "apply_deadline", "population", "start_year", "fiscal_year", "amount_yen",
               "player_fields", "life_domains", "status", "attendance_mode"]  # fmt: skip


def _deep(depth: int = 10_000) -> str:
    return "[" * depth + "]" * depth


def _fuzz_api_writes(app, client, token: str, failures: list[str], deadline: float) -> int:
    headers = {"Authorization": f"Bearer {token}"}
    values = app.extensions["fuzz_values"]
    count = 0

    def send(method: str, url: str, **kwargs) -> None:
        nonlocal count
        count += 1
        response = client.open(url, method=method, headers=headers, **kwargs)
        if response.status_code >= 500:
            body = kwargs.get("data") or repr(kwargs.get("json"))[:120]
            failures.append(f"{method} {url} {str(body)[:120]} -> {response.status_code}")
        elif url.startswith("/api/") and response.status_code >= 400:
            assert response.is_json, f"{method} {url}: not JSON"

    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith("/api/"):
            continue
        for method in sorted(rule.methods & {"POST", "PATCH", "PUT"}):
            url = _url(rule, values)
            send(method, url, data=_deep(), content_type="application/json")
            send(method, url, data='{"a": ' + _deep(5000) + "}", content_type="application/json")
            send(method, url, data="[1, 2]", content_type="application/json")
            send(method, url, data="{not json", content_type="application/json")
            send(method, url, data='{"version": 1e999999}', content_type="application/json")
            for key in JSON_KEYS:
                for value in JSON_VALUES_EACH:
                    send(method, url, json={key: value})
            for value in JSON_VALUES:
                send(method, url, json=dict.fromkeys(JSON_KEYS, value))
                fields = dict.fromkeys(FIELD_NAMES, value)
                send(method, url, json={"title": "題名", "body": "本文", "type": "event",
                                        "fields": fields})  # fmt: skip
            for name in _variables(rule):
                send(method, _url(rule, {**values, name: HUGE}), json={"body": "x"})
        assert time.monotonic() < deadline, f"fuzz took too long (at {rule.rule})"
    return count


def test_param_fuzz_no_500_anywhere(app, client, login, world):
    app.extensions["fuzz_values"] = world["values"]
    app.logger.disabled = True  # 500s are collected below, not printed
    failures: list[str] = []
    deadline = time.monotonic() + TIME_BUDGET
    seen: set = set()
    anonymous = _fuzz_gets(app, client, failures, deadline, seen)
    login(world["moderator"])
    signed_in = _fuzz_gets(app, client, failures, deadline, seen)
    writes = _fuzz_api_writes(app, client, world["token"], failures, deadline)
    assert anonymous > 1000 and signed_in > 1000 and writes > 500  # the walk really ran
    assert failures == [], f"{len(failures)} of {anonymous + signed_in + writes}:\n" + "\n".join(
        dict.fromkeys(failures)
    )
