"""A signed-in listing costs what it cost before spaces (issue #12): the viewer's login and the
header's unread count on top of the anonymous page, however many closed boards exist."""

from __future__ import annotations

import pytest

from auth.spaces import set_member
from core.extensions import db
from forum import boards as forum_boards
from spaces import service


@pytest.fixture
def app_config() -> dict:
    return {"ANON_PAGE_CACHE_SECONDS": 0}


@pytest.mark.parametrize("url", ["/cases", "/events", "/challenges"])
def test_signed_in_listing_adds_only_the_login_and_the_badge(
    client, login, user_factory, structured_factory, count_queries, url
):
    member = user_factory(role="municipal_staff")
    for slug, code in (("hyogo", "28"), ("nagano", "20")):
        space = service.create_space(actor=service.SYSTEM, slug=slug, name=f"{slug}テスト",
                                     prefecture_code=code).space  # fmt: skip
        for audience in ("members", "roles"):
            forum_boards.create_board(
                actor=service.SYSTEM, space=space, slug=f"{slug}-{audience}", name=audience,
                audience=forum_boards.Audience(audience, ("municipal_staff",) if audience == "roles" else ()),
            )  # fmt: skip
        set_member(space, member)
    db.session.commit()
    for kind in ("case", "event", "challenge"):
        structured_factory(kind)
    client.get(url)
    with count_queries() as anonymous:
        assert client.get(url).status_code == 200
    login(member)
    client.get(url)  # the process reads the roles' permissions once
    with count_queries() as signed_in:
        assert client.get(url).status_code == 200
    assert signed_in.count == anonymous.count + 2, str(signed_in)
