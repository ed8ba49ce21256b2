"""Leaving a prefectural platform: the membership goes, the member's posts stay, and the audit
log says who left which platform (as it says who joined)."""

from __future__ import annotations

from sqlalchemy import select

from audit.models import AuditEntry
from auth.spaces import membership
from core.extensions import db
from spaces import service


def test_leaving_a_platform_is_recorded(client, login, user_factory):
    made = service.create_space(actor=service.SYSTEM, slug="nagano", name="長野県テスト",
                                prefecture_code="20")  # fmt: skip
    db.session.commit()
    member = user_factory()
    login(member)
    client.post_form("/pf/nagano/join")
    assert membership(member, made.space) is not None
    response = client.post_form("/pf/nagano/leave", follow_redirects=True)
    assert "退出しました" in response.get_data(as_text=True)
    db.session.expire_all()
    assert membership(member, made.space) is None
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.actor_id == member.id).order_by(AuditEntry.id)
    ).all()
    assert actions == ["space.join_joined", "space.leave"]
