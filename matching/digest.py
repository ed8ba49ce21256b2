"""The weekly digest for organisations: once a week (Asia/Tokyo ISO week), each member of an
organisation who chose to hear about it (notification setting 「団体に合いそうな新しい地域課題」,
off by default) gets one notification listing the count of open local problems posted in the
last seven days that fit their organisation, linking to the organisation page's list. The e-mail
goes out through the notification machinery (``notifications.mailing``) as the member chose: in
the weekly digest (週1回まとめて) or on its own.

Once per member and week whatever the number of runs: the collapse key names the organisation and
the week, and ``notifications.fanout.deliver`` counts one source once. Each member's list is
worked out with their own audience (members with the same reader facts share one computation).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from auth.models import User
from core.extensions import db
from core.types import TOKYO, utcnow
from directory.models import Organization
from forum import audience
from forum.models import Thread
from matching import service
from notifications import kinds
from notifications.fanout import Source, deliver
from notifications.models import NotificationSettings
from notifications.watching import email_mode

WINDOW = timedelta(days=7)


def week_key(now: datetime) -> tuple[str, int]:
    """(「2026-W49」, 202649): the Tokyo ISO week, as text and as a source id."""
    year, week, _day = now.astimezone(TOKYO).isocalendar()
    return f"{year}-W{week:02d}", year * 100 + week


def opted_in_members() -> dict[int, list[User]]:
    """Organisation id → its members who turned the weekly list on (one statement)."""
    members: dict[int, list[User]] = {}
    rows = db.session.execute(
        select(User, NotificationSettings)
        .join(NotificationSettings, NotificationSettings.user_id == User.id)
        .where(User.organization_id.is_not(None), User.erased_at.is_(None))
    )
    for user, settings in rows:
        if email_mode(settings, kinds.MATCHING) != kinds.NEVER and user.is_active:
            members.setdefault(user.organization_id, []).append(user)
    return members


def queue_weekly(*, now: datetime | None = None) -> int:
    """Write this week's notifications (the caller commits); returns how many were written."""
    now = now or utcnow()
    week, source_id = week_key(now)
    written = 0
    for org_id, users in opted_in_members().items():
        org = db.session.get(Organization, org_id)
        if org is None:
            continue
        by_audience: dict[object, list[User]] = {}
        for user in users:
            by_audience.setdefault(audience.viewer_key(user), []).append(user)
        for group in by_audience.values():
            found = service.for_organization(org, viewer=group[0], limit=20, since=now - WINDOW)
            if not found:
                continue
            source = Source(
                collapse_key=f"matching:{org.id}:{week}", source_id=source_id,
                thread=db.session.get(Thread, found[0].id),
                data={"org": org.slug, "n": len(found), "week": week},
            )  # fmt: skip
            written += len(deliver(kinds.MATCHING, [u.id for u in group], source))
    return written


def run() -> int:
    """The worker's housekeeping step: queue and commit."""
    written = queue_weekly()
    db.session.commit()
    return written
