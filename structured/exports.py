"""Exports of structured threads: iCalendar (one event, a filtered list), CSV in the column order
of the Digital Agency's standard open-data set 「イベント一覧」, Atom feeds, schema.org JSON-LD.

Every export honours the listing filters (``structured.queries.parse_filters``)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import replace
from datetime import UTC, date, datetime

from flask import Response, abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from icalendar import Calendar, Event
from markupsafe import Markup
from sqlalchemy.orm.attributes import set_committed_value

from auth.models import User
from auth.permissions import can
from auth.spaces import NATIONAL_SPACE_ID, spaces_by_id
from core.csvsafe import csv_cell
from core.errors import abort_with_message
from core.extensions import db
from core.urls import absolute_url, site_host, site_url
from forum import queries as forum_queries
from forum.models import Post
from structured import display, queries
from structured.models import ThreadDetail
from structured.schema import ATTENDANCE_MODES, KIND_LABELS, SECTIONS, TOKYO
from structured.views import bp

#: 自治体標準オープンデータセット「イベント一覧」の項目（この順で書き出す）
EVENT_CSV_COLUMNS = (
    "都道府県コード又は市区町村コード", "NO", "都道府県名", "市区町村名", "イベント名",
    "イベント名_カナ", "イベント名_英語", "開始日", "終了日", "開始時間", "終了時間",
    "開始日時特記事項", "説明", "料金(基本)", "料金(詳細)", "連絡先名称", "連絡先電話番号",
    "連絡先内線番号", "主催者", "場所名称", "住所", "方書", "緯度", "経度", "アクセス方法",
    "駐車場情報", "定員", "参加申込終了日", "参加申込終了時間", "参加申込方法", "URL", "備考",
)  # fmt: skip
EXPORT_LIMIT = 1000
FEED_SECTIONS = {SECTIONS[kind]: kind for kind in ("case", "event", "policy")}


def _filters(kind: str) -> queries.Filters:
    """The listing's filters; a bad one is a 400 page saying what is wrong, as on the listing."""
    try:
        return queries.parse_filters(kind, request.args)
    except queries.BadFilter as exc:
        abort_with_message(400, exc.message)


def _first_posts(details: list[ThreadDetail]) -> dict[int, str]:
    """Plain-text descriptions: the first post of each thread, in one statement."""
    ids = [d.thread_id for d in details]
    if not ids:
        return {}
    rows = db.session.execute(
        db.select(Post.thread_id, Post.body_html).where(Post.thread_id.in_(ids), Post.number == 1)
    )
    return {tid: Markup(html).striptags() for tid, html in rows}


def _japanese_date(iso: str | None) -> str | None:
    try:
        day = date.fromisoformat(iso) if iso else None
    except ValueError:
        return iso
    return f"{day.year}年{day.month}月{day.day}日" if day else None


def _ical_event(detail: ThreadDetail, description: str) -> Event:
    data = detail.data or {}
    event = Event()
    host = site_host()
    event.add("uid", f"event-{detail.thread_id}@{host}")
    event.add("dtstamp", detail.updated_at.astimezone(UTC))
    event.add("last-modified", detail.updated_at.astimezone(UTC))
    event.add("summary", detail.thread.title)
    if detail.thread.board.space_id != NATIONAL_SPACE_ID:  # which platform announces it
        space = spaces_by_id()[detail.thread.board.space_id]
        event.add("categories", [space.prefecture.name if space.prefecture else space.name])
    event.add("dtstart", detail.starts_at.astimezone(TOKYO))
    if detail.ends_at is not None:
        event.add("dtend", detail.ends_at.astimezone(TOKYO))
    place = " ".join(x for x in (data.get("venue_name"), data.get("address")) if x)
    if detail.attendance_mode in ("online", "hybrid"):
        place = (
            f"{place} / {ATTENDANCE_MODES['online']}" if place else str(ATTENDANCE_MODES["online"])
        )
    if place:
        event.add("location", place)
    url = absolute_url("forum.thread", thread_id=detail.thread_id)
    event.add("url", url)
    # what a calendar entry must still say when it is all someone reads: who holds it, how and
    # until when to apply (an ORGANIZER property needs an address that reaches the organiser:
    # mail apps treat it as an invitation, so the organiser is named in the text instead)
    lines = [description]
    facts = [
        (_("主催"), data.get("organizer")),
        (_("申込締切"), _japanese_date(data.get("apply_deadline"))),
        (_("申込方法"), data.get("apply_method")),
        (_("申込先"), data.get("apply_url")),
        (_("オンライン参加のURL"), data.get("online_url")),
        (_("問い合わせ先"), data.get("contact")),
    ]
    lines.append("\n".join(f"{label}：{value}" for label, value in facts if value))
    lines.append(url)
    event.add("description", "\n\n".join(x for x in lines if x).strip())
    event.add("status", "CANCELLED" if detail.status == "cancelled" else
              ("TENTATIVE" if detail.status == "postponed" else "CONFIRMED"))  # fmt: skip
    return event


def _calendar(details: list[ThreadDetail], name: str) -> Response:
    # calendar apps poll: answer "not modified" before building anything when nothing changed
    version = hashlib.sha256(repr([(d.thread_id, d.updated_at.isoformat(), d.thread.title)
                                   for d in details]).encode()).hexdigest()[:32]  # fmt: skip
    if version in request.if_none_match:
        response = Response(status=304)
        response.set_etag(version)
        return response
    cal = Calendar()
    cal.add("prodid", "-//Kyoso//生活支援共創プラットフォーム//JA")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Asia/Tokyo")
    descriptions = _first_posts(details)
    for detail in details:
        cal.add_component(_ical_event(detail, descriptions.get(detail.thread_id, "")))
    cal.add_missing_timezones()
    response = Response(cal.to_ical(), mimetype="text/calendar")
    response.headers["Content-Disposition"] = "attachment; filename=events.ics"
    response.set_etag(version)
    return response


@bp.get("/t/<int:thread_id>/event.ics")
def event_ics(thread_id: int):
    thread = forum_queries.get_thread(thread_id)
    if thread is None or thread.kind != "event" or not can(current_user, "thread.view", thread):
        abort(404)
    detail = db.session.get(ThreadDetail, thread.id)
    if detail is None:
        abort(404)
    response = _calendar([detail], thread.title)
    response.headers["Content-Disposition"] = f"attachment; filename=event-{thread.id}.ics"
    return response


@bp.get("/events.ics")
def events_ics():
    details = queries.list_for_export(_filters("event"), limit=EXPORT_LIMIT)
    return _calendar(details, str(KIND_LABELS["event"]))


@bp.get("/events.csv")
def events_csv():
    details = queries.list_for_export(_filters("event"), limit=EXPORT_LIMIT)
    descriptions = _first_posts(details)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EVENT_CSV_COLUMNS)
    for d in details:
        writer.writerow(_csv_row(d, descriptions.get(d.thread_id, "")))
    # UTF-8 with BOM: Excel on Japanese Windows opens it without mojibake
    body = "\ufeff" + out.getvalue()
    response = Response(body.encode("utf-8"), mimetype="text/csv")
    response.headers["Content-Disposition"] = "attachment; filename=events.csv"
    return response


def _csv_row(d: ThreadDetail, description: str) -> list[str]:
    data = d.data or {}
    start = d.starts_at.astimezone(TOKYO)
    end = d.ends_at.astimezone(TOKYO) if d.ends_at else None
    deadline = data.get("apply_deadline") or ""
    notes = []
    if d.status == "cancelled":
        notes.append("中止")
    elif d.status == "postponed":
        notes.append("延期")
    notes.append(f"参加方法：{ATTENDANCE_MODES.get(d.attendance_mode, '')}")
    if data.get("online_url"):
        notes.append(f"オンライン：{data['online_url']}")
    if data.get("audience"):
        notes.append(f"対象：{data['audience']}")
    row = {
        # an online event of national scope has no code: its prefecture reads 「全国（オンライン）」
        "都道府県コード又は市区町村コード": d.municipality_code
        or (f"{d.prefecture_code}0000" if d.prefecture_code else ""),
        "NO": str(d.thread_id),
        "都道府県名": display.prefecture_name(d),
        "市区町村名": display.municipality_name(d),
        "イベント名": d.thread.title,
        "開始日": start.date().isoformat(),
        "終了日": (end or start).date().isoformat(),
        "開始時間": start.strftime("%H:%M"),
        "終了時間": end.strftime("%H:%M") if end else "",
        "説明": description,
        "料金(基本)": data.get("fee") or "",
        "連絡先名称": data.get("contact") or "",
        "主催者": data.get("organizer") or "",
        "場所名称": data.get("venue_name") or "",
        "住所": data.get("address") or "",
        "定員": str(data["capacity"]) if data.get("capacity") is not None else "",
        "参加申込終了日": deadline,
        "参加申込方法": " ".join(x for x in (data.get("apply_method"), data.get("apply_url")) if x),
        "URL": absolute_url("forum.thread", thread_id=d.thread_id),
        "備考": "／".join(notes),
    }
    return [csv_cell(row.get(column, "")) for column in EVENT_CSV_COLUMNS]


@bp.get("/feeds/<section>.atom")
def feed(section: str):
    kind = FEED_SECTIONS.get(section)
    if kind is None:
        abort(404)
    filters = _filters(kind)
    if kind == "event":  # a feed of new events: newest registrations first, past ones too
        filters = replace(filters, when="all")
    details = queries.newest(filters, limit=current_app.config.get("FEED_ENTRIES", 30))
    descriptions = _first_posts(details)
    # the entries' authors in one statement (the template reads thread.author)
    if author_ids := {d.thread.author_id for d in details}:
        authors = {
            u.id: u for u in db.session.scalars(db.select(User).where(User.id.in_(author_ids)))
        }
        for d in details:
            set_committed_value(d.thread, "author", authors.get(d.thread.author_id))
    updated = max((d.updated_at for d in details), default=datetime(2026, 1, 1, tzinfo=UTC))
    body = render_template(
        "structured/feed.xml", details=details, descriptions=descriptions, updated=updated,
        title=KIND_LABELS[kind], self_url=_self_url(), tz_utc=UTC,
        alternate=absolute_url("structured.listing", kind=kind, **filters.args()),
    )  # fmt: skip
    return Response(body, mimetype="application/atom+xml")


@bp.get("/feeds/<section>")
def feed_help(section: str):
    """What the listings' 「新着フィード」 link opens: a page for people, saying what a feed is
    and how to subscribe, with the feed's address to copy (feed readers find the address itself
    from the listing's ``<link rel="alternate">``)."""
    kind = FEED_SECTIONS.get(section)
    if kind is None:
        abort(404)
    filters = _filters(kind)
    return render_template(
        "structured/feed_help.html", kind=kind, kind_label=KIND_LABELS[kind],
        feed_url=absolute_url("structured.feed", section=section, **filters.args()),
        listing_url=url_for("structured.listing", kind=kind, **filters.args()),
    )  # fmt: skip


def _self_url() -> str:
    query = request.query_string.decode("latin-1")
    return site_url() + request.path + (f"?{query}" if query else "")


def event_jsonld(detail: ThreadDetail) -> Markup:
    """schema.org ``Event`` for an event page (search engines, calendar tools)."""
    data = detail.data or {}
    mode = {
        "venue": "https://schema.org/OfflineEventAttendanceMode",
        "online": "https://schema.org/OnlineEventAttendanceMode",
        "hybrid": "https://schema.org/MixedEventAttendanceMode",
    }[detail.attendance_mode or "venue"]
    status = {
        "scheduled": "https://schema.org/EventScheduled",
        "cancelled": "https://schema.org/EventCancelled",
        "postponed": "https://schema.org/EventPostponed",
    }.get(detail.status, "https://schema.org/EventScheduled")
    places = []
    if detail.attendance_mode in ("venue", "hybrid"):
        places.append({
            "@type": "Place", "name": data.get("venue_name") or data.get("address") or "",
            "address": {"@type": "PostalAddress", "addressRegion": display.prefecture_name(detail),
                        "streetAddress": data.get("address") or "", "addressCountry": "JP"},
        })  # fmt: skip
    if detail.attendance_mode in ("online", "hybrid"):
        places.append({"@type": "VirtualLocation", "url": data.get("online_url") or ""})
    doc = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": detail.thread.title,
        "startDate": detail.starts_at.astimezone(TOKYO).isoformat(),
        "eventAttendanceMode": mode,
        "eventStatus": status,
        "location": places[0] if len(places) == 1 else places,
        "url": absolute_url("forum.thread", thread_id=detail.thread_id),
    }
    if detail.ends_at is not None:
        doc["endDate"] = detail.ends_at.astimezone(TOKYO).isoformat()
    if data.get("organizer"):
        doc["organizer"] = {"@type": "Organization", "name": data["organizer"]}
    if data.get("capacity") is not None:
        doc["maximumAttendeeCapacity"] = data["capacity"]
    # "</" cannot close the script element: escape it (and other HTML-significant characters)
    text = json.dumps(doc, ensure_ascii=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(f'<script type="application/ld+json">{text}</script>')
