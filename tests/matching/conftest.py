"""The matching fixtures: a small directory, cases and local problems, one closed board."""

from __future__ import annotations

import pytest

from core.extensions import db
from directory.models import Organization
from forum import boards
from spaces import service as spaces
from taxonomy.models import PlayerField
from tests.search.conftest import find, index_root, sync_index  # noqa: F401


def add_org(slug: str, name: str, field: str | None, pref: str | None, text: str = "",
            listed: bool = True) -> Organization:  # fmt: skip
    field_id = db.session.query(PlayerField.id).filter_by(slug=field).scalar() if field else None
    org = Organization(slug=slug, name=name, kind="npo", player_field_id=field_id,
                       prefecture_code=pref, description=text, is_listed=listed)  # fmt: skip
    db.session.add(org)
    db.session.commit()
    return org


@pytest.fixture
def closed_board(app):
    board = boards.create_board(
        actor=spaces.SYSTEM, space=None, slug="kaiin-jirei", name="会員限定の事例",
        audience=boards.Audience("members"),
    )  # fmt: skip
    db.session.commit()
    return board


@pytest.fixture
def world(app, structured_factory, user_factory, closed_board, sync_index):  # noqa: F811
    """A problem of 豊岡市 (兵庫県) about shopping and getting around, asking for 物流・販売; an
    organisation that fits on every count, one that fits on none, an unlisted one; a similar case
    elsewhere, one only in a members-only board; another open problem like it and a closed one."""
    author = user_factory(role="municipal_staff")
    orgs = {
        "fit": add_org("coop-tajima", "生協たじま", "butsuryu-hanbai", "28",
                       "移動販売車で山間部の買い物を支えています。"),
        "block": add_org("kotsu-okayama", "おかやま乗合", "chiiki-kotsu", "33",
                         "予約制の乗合タクシーで移動と買い物を支えます。"),
        "none": add_org("bunka-tokyo", "東京文化の会", "gakushu", "13", "美術館の案内をしています。"),
        "unlisted": add_org("kakushi", "非掲載の販売会社", "butsuryu-hanbai", "28", "買い物", False),
    }  # fmt: skip
    problem = structured_factory(
        "challenge", title="山間部の買い物と移動販売の担い手を探しています", author=author,
        body="山間部では商店が閉まり、高齢者の買い物が難しくなっています。移動販売車の巡回を考えています。",
        player_fields=["butsuryu-hanbai"], life_domains=["kaimono", "ido"],
        municipality_code="282090", partner_sought="移動販売を担う販売事業者を探しています。",
    )  # fmt: skip
    case = structured_factory(
        "case", title="移動販売車で山間部の買い物を支える", author=author, prefecture="05",
        body="山間部の集落を移動販売車が毎週巡回し、買い物の場をつくっています。",
        municipality_name="横手市", life_domains=["kaimono"], population=85_000,
    )  # fmt: skip
    secret = structured_factory(
        "case", title="会員限定：移動販売車で山間部の買い物を支えた記録", author=author,
        board_slug=closed_board.slug, prefecture="05", municipality_name="横手市",
        body="山間部の集落を移動販売車が巡回した会員限定の記録です。", life_domains=["kaimono", "ido"],
    )  # fmt: skip
    other = structured_factory(
        "challenge", title="移動販売車の巡回ルートを一緒に考える事業者を募集", author=author,
        prefecture="20", municipality_name="長野市", life_domains=["kaimono"],
        body="山間部の買い物が難しい地区で、移動販売車の巡回を始めたいと考えています。",
    )  # fmt: skip
    closed = structured_factory(
        "challenge", title="移動販売車の運転手（募集終了）", author=author, prefecture="05",
        life_domains=["kaimono", "ido"], status="closed",
        body="山間部の移動販売車の運転手を探していました。",
    )  # fmt: skip
    sync_index()
    return {"author": author, "orgs": orgs, "problem": problem, "case": case, "secret": secret,
            "other": other, "closed": closed}  # fmt: skip
