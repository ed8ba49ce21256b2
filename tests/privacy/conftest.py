"""A member with data in every table of the inventory, and another member whose private data
must never appear in the first one's export."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from attachments import attaching
from auth import accounts
from auth.models import BoardModerator, User, UserSession
from auth.spaces import Space, SpaceMember
from cocreation.models import Offer
from core.extensions import db
from core.types import utcnow
from directory.models import Organization
from forum import posting
from forum.models import Board, Post, Thread
from moderation import flags
from moderation.actions import silence_user
from moderation.models import HeldPost, ModerationItem, RoleRequest
from notifications import watching
from notifications.models import EventRsvp, Notification, ReadPosition
from tests.fixtures.factories import established
from tests.search.conftest import find, index_root, sync_index  # noqa: F401  (search fixtures)

OTHER_SECRETS = ("other-secret@example.jp", "OTHER_BIO_SECRET", "OTHER_FLAG_SECRET",
                 "other-token-name", "OtherBrowser/9.9", "他人の勤務先", "other-work@example.jp")  # fmt: skip


@pytest.fixture
def app_config() -> dict:
    return {"EDIT_GRACE_SECONDS": 0}  # every edit keeps a revision


@dataclass
class World:
    member: User
    other: User
    moderator: User
    own_thread: Thread
    other_thread: Thread
    structured: Thread
    reply: Post
    other_reply: Post


@pytest.fixture
def world(app, user_factory, thread_factory, structured_factory, moderator) -> World:
    member = user_factory(handle="hanako", email="hanako@example.jp", bio="見守り活動をしています",
                          affiliation="緑町社協", **established())  # fmt: skip
    other = user_factory(handle="taro", email=OTHER_SECRETS[0], bio=OTHER_SECRETS[1],
                         **established())  # fmt: skip
    own_thread = thread_factory(author=member, title="移動販売の相談", body="巡回ルートの決め方")
    other_thread = thread_factory(author=other, title="買い物支援", body="他の会員の本文")
    other_reply = posting.create_reply(thread=own_thread, author=other, body="返信：ルートは曜日で")
    reply = posting.create_reply(thread=other_thread, author=member, body="私の返信ＡＢＣ")
    db.session.commit()
    posting.edit_post(post=reply, editor=member, body="私の返信ＡＢＣ（訂正）")
    structured = structured_factory("event", title="見守り研修会", author=member)
    pdf = io.BytesIO()
    Image.new("RGB", (120, 160), "white").save(pdf, "PDF")
    attaching.add_attachment(thread=structured, uploader=member, filename="チラシ.pdf",
                             data=pdf.getvalue())  # fmt: skip
    db.session.commit()
    # flags both ways; a sanction with its audit entry
    flags.flag_post(other_reply, user=member, reason="off_topic", message="関係のない話です")
    flags.flag_post(reply, user=other, reason="spam", message=OTHER_SECRETS[2])
    silence_user(member, actor=moderator, until=utcnow() + timedelta(days=3), reason="連投のため")
    # verification requests of both
    role = accounts.get_role("municipal_staff")
    db.session.add_all([
        RoleRequest(user=member, role=role, organisation="緑町役場", municipality="緑町",
                    work_email="hanako@town.example.jp", status="in_review"),
        RoleRequest(user=other, role=role, organisation=OTHER_SECRETS[5], municipality="",
                    work_email=OTHER_SECRETS[6], status="in_review"),
    ])  # fmt: skip
    # notifications, watches, RSVPs, read positions, mutes
    watching.set_level(member, "thread", other_thread.id, "watching")
    watching.mute_user(member, other)
    db.session.add_all([
        EventRsvp(thread_id=structured.id, user_id=member.id, status="going"),
        ReadPosition(user_id=member.id, thread_id=other_thread.id, last_read_number=2),
        Notification(user_id=member.id, kind="reply", thread_id=own_thread.id,
                     post_id=other_reply.id, actor_id=other.id, count=1, data={},
                     last_source_id=other_reply.id, collapse_key=f"t{own_thread.id}"),
        Notification(user_id=other.id, kind="reply", thread_id=other_thread.id,
                     post_id=reply.id, actor_id=member.id, count=1, data={},
                     last_source_id=reply.id, collapse_key=f"t{other_thread.id}"),
    ])  # fmt: skip
    # tokens, spaces, board moderation
    accounts.create_api_token(member, name="my-laptop")
    accounts.create_api_token(other, name=OTHER_SECRETS[3])
    db.session.add(UserSession(user_id=other.id, nonce_hash="0" * 64, user_agent=OTHER_SECRETS[4]))
    db.session.add(UserSession(user_id=member.id, nonce_hash="1" * 64, user_agent="MyBrowser/1.0"))
    space = Space(slug="hyogo", name="兵庫県プラットフォーム", kind="prefecture",
                  prefecture_code="28", description="", join_policy="open")  # fmt: skip
    db.session.add(space)
    db.session.flush()
    db.session.add(SpaceMember(space_id=space.id, user_id=member.id))
    zentai = db.session.scalar(select(Board).where(Board.slug == "zentai"))
    db.session.add(BoardModerator(user_id=member.id, board_id=zentai.id))
    db.session.commit()
    # an offer the member sent for an organisation on someone else's local problem
    problem = structured_factory("challenge", title="買い物の足がない", author=other)
    organization = Organization(slug="midori-npo", name="緑町ささえあいの会", kind="npo")
    db.session.add(organization)
    db.session.flush()
    db.session.add(Offer(thread_id=problem.id, organization_id=organization.id,
                         author_id=member.id, message_source="送迎を手伝えます",
                         message_html="<p>送迎を手伝えます</p>"))  # fmt: skip
    db.session.commit()
    held_post_of(member, zentai, other_thread)
    return World(member, other, moderator, own_thread, other_thread, structured, reply, other_reply)


def held_post_of(user: User, board: Board, thread: Thread, body: str = "確認待ちの本文") -> HeldPost:
    held = HeldPost(kind="reply", board_id=board.id, thread_id=thread.id, author_id=user.id,
                    body_source=body, body_html=f"<p>{body}</p>")  # fmt: skip
    db.session.add(held)
    db.session.flush()
    db.session.add(ModerationItem(kind="held_post", held_post_id=held.id,
                                  subject_user_id=user.id, board_id=board.id, reasons=[]))  # fmt: skip
    db.session.commit()
    return held
