"""Public directory pages: 団体・行政機関リスト, an organisation's page, 関連リンク."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import select

from core.extensions import db
from directory.kinds import KIND_LABELS
from directory.models import ORGANIZATION_KINDS
from forum.models import Thread

PAYLOAD_FILE = Path(__file__).parents[1] / "forum" / "xss_payloads.txt"


def _names(html: str) -> list[str]:
    return re.findall(r'<h2 id="org-\d+"><a href="/directory/[^"]+">([^<]+)</a>', html)


def _next_link(html: str) -> str | None:
    match = re.search(r'<a rel="next" href="([^"]+)"', html)
    return match.group(1).replace("&amp;", "&") if match else None


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _tags(html: str) -> list[tuple[str, dict]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


def test_directory_every_kind_has_a_japanese_label():
    assert list(KIND_LABELS) == list(ORGANIZATION_KINDS)


def test_directory_list_shows_kind_field_prefecture_and_description(client, org_factory):
    org_factory("NPO法人 ささえあい西宮", kind="npo", field="jumin-katsudo", prefecture_code="28",
                description="団地の空き店舗で居場所を運営しています。")  # fmt: skip
    response = client.get("/directory")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "NPO法人 ささえあい西宮" in html
    for text in ("NPO法人", "住民活動", "兵庫県", "団地の空き店舗で居場所を運営しています。"):
        assert text in html


def test_directory_website_is_linked_only_when_published(client, org_factory):
    org_factory("公開する団体", website_url="https://open.example.jp/", publish_website=True)
    org_factory("公開しない団体", website_url="https://secret.example.jp/", publish_website=False)
    for path in ("/directory", "/directory/" + _slug_of("公開しない団体")):
        html = client.get(path).get_data(as_text=True)
        assert "secret.example.jp" not in html
    html = client.get("/directory").get_data(as_text=True)
    links = [
        a for tag, a in _tags(html) if tag == "a" and a.get("href") == "https://open.example.jp/"
    ]
    assert len(links) == 1
    assert set(links[0]["rel"].split()) == {"noopener", "noreferrer", "nofollow"}
    assert "target" not in links[0]
    assert "（外部サイト）" in html  # told to screen readers, and marked with ↗
    page = client.get("/directory/" + _slug_of("公開する団体")).get_data(as_text=True)
    assert 'href="https://open.example.jp/" rel="noopener noreferrer nofollow"' in page


def _slug_of(name: str) -> str:
    from directory.models import Organization

    return db.session.scalar(select(Organization.slug).where(Organization.name == name))


def test_directory_published_website_must_be_http(client, org_factory):
    """A javascript: URL that got into the database some other way is never linked."""
    org_factory("危ない団体", website_url="javascript:alert(1)", publish_website=True)
    html = client.get("/directory").get_data(as_text=True)
    assert "javascript:" not in html


def test_directory_description_is_plain_text(client, org_factory):
    payloads = [
        line.replace("\\n", "\n").replace("\\t", "\t")
        for line in PAYLOAD_FILE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("# ")
    ]
    assert len(payloads) > 50
    for i in range(0, len(payloads), 10):
        org_factory(f"XSS{i:03d}", description="\n".join(payloads[i : i + 10]))
    with_all = client.get("/directory", query_string={}).get_data(as_text=True)
    pages = [with_all]
    next_url = _next_link(with_all)
    while next_url:
        pages.append(client.get(next_url).get_data(as_text=True))
        next_url = _next_link(pages[-1])
    for html in pages:
        for tag, attrs in _tags(html):
            if tag == "script":  # only the site's own scripts, from its static folder
                assert (attrs.get("src") or "").startswith("/static/js/"), attrs
                continue
            assert tag not in {"img", "svg", "iframe", "object", "embed", "style"}, tag
            assert not any(name.startswith("on") for name in attrs), (tag, attrs)
            for name in ("href", "src", "action", "formaction"):
                value = (attrs.get(name) or "").strip().lower()
                assert not value.startswith(("javascript:", "data:", "vbscript:")), attrs
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in "".join(pages)


def test_directory_hides_unlisted_organisations_from_everyone_but_managers(
    client, login, org_factory, user, admin
):
    org_factory("掲載中の団体")
    hidden = org_factory("準備中の団体", is_listed=False)
    assert "準備中の団体" not in client.get("/directory").get_data(as_text=True)
    assert client.get(f"/directory/{hidden.slug}").status_code == 404
    login(user)
    assert client.get(f"/directory/{hidden.slug}").status_code == 404
    client.post_form("/logout")
    login(admin)
    page = client.get(f"/directory/{hidden.slug}")
    assert page.status_code == 200
    assert "リストに掲載されていません" in page.get_data(as_text=True)


def test_directory_unknown_organisation_is_404(client):
    assert client.get("/directory/no-such-org").status_code == 404


def test_directory_filters_by_field_and_kind_and_combines_them(client, org_factory):
    org_factory("交通の会社", kind="company", field="chiiki-kotsu")
    org_factory("交通のNPO", kind="npo", field="chiiki-kotsu")
    org_factory("福祉のNPO", kind="npo", field="iryo-kaigo-fukushi")
    org_factory("分野なしのNPO", kind="npo", field=None)

    def names(**args):
        return sorted(_names(client.get("/directory", query_string=args).get_data(as_text=True)))

    assert names() == ["交通のNPO", "交通の会社", "分野なしのNPO", "福祉のNPO"]
    assert names(field="chiiki-kotsu") == ["交通のNPO", "交通の会社"]
    assert names(kind="npo") == ["交通のNPO", "分野なしのNPO", "福祉のNPO"]
    assert names(field="chiiki-kotsu", kind="npo") == ["交通のNPO"]
    assert names(field="gyosei-kikan", kind="ministry") == []
    html = client.get("/directory?field=chiiki-kotsu&kind=npo").get_data(as_text=True)
    assert '<option value="chiiki-kotsu" selected>' in html  # the filters stay in the form
    assert '<option value="npo" selected>' in html
    assert "条件に合う団体・行政機関はありません。" in client.get(
        "/directory?kind=ministry").get_data(as_text=True)  # fmt: skip


@pytest.mark.parametrize("args", [{"kind": "government"}, {"field": "no-such-field"},
                                  {"cursor": "not-a-cursor"}, {"cursor": "WzEsMl0"}])  # fmt: skip
def test_directory_bad_filters_are_400(client, args):
    assert client.get("/directory", query_string=args).status_code == 400


@pytest.mark.parametrize("app_config", [{"DIRECTORY_PER_PAGE": 2}], indirect=True)
def test_directory_paginates_by_name_with_a_cursor_that_keeps_the_filters(client, org_factory):
    for name in ("き団体", "あ団体", "お団体", "う団体", "い団体"):
        org_factory(name, kind="npo")
    org_factory("同名団体", kind="npo")
    org_factory("同名団体", kind="npo")  # equal names: the id breaks the tie
    org_factory("え会社", kind="company")
    seen, url = [], "/directory?kind=npo"
    while url:
        html = client.get(url).get_data(as_text=True)
        names = _names(html)
        assert len(names) <= 2
        seen += names
        url = _next_link(html)
        if url:
            assert "kind=npo" in url and "cursor=" in url
            assert "最初のページへ" in client.get(url).get_data(as_text=True)
    assert seen == ["あ団体", "い団体", "う団体", "お団体", "き団体", "同名団体", "同名団体"]


def test_directory_organisation_page_lists_members_events_and_cases(
    client, org_factory, user_factory, structured_thread, thread_factory
):
    org = org_factory("NPO法人 ささえあい西宮")
    other = org_factory("ほかの団体")
    staff = user_factory(display_name="事務局長", organization_id=org.id)
    colleague = user_factory(display_name="コーディネーター", organization_id=org.id)
    outsider = user_factory(organization_id=other.id)
    starts = datetime(2026, 5, 16, 4, 0, tzinfo=UTC)  # 13:00 in Tokyo
    structured_thread("event", staff, "団地サロン 春のお茶会", starts_at=starts, age_hours=1)
    structured_thread("case", colleague, "空き店舗を使った居場所づくり", age_hours=3)
    structured_thread("event", staff, "中止になった講座", status="cancelled", age_hours=2)
    structured_thread("event", outsider, "ほかの団体のイベント")
    thread_factory(author=staff, title="ふつうの相談スレッド")
    deleted = structured_thread("case", staff, "削除された事例")
    hidden = structured_thread("case", staff, "非表示の事例")
    deleted.is_deleted, hidden.is_hidden = True, True
    db.session.commit()

    html = client.get(f"/directory/{org.slug}").get_data(as_text=True)
    titles = re.findall(r'<a class="thread-title" href="/t/\d+">([^<]+)</a>', html)
    assert titles == ["団地サロン 春のお茶会", "中止になった講座", "空き店舗を使った居場所づくり"]
    assert "2026年5月16日 13:00" in html  # the event's date, in Tokyo time
    assert "中止" in html and "取組事例" in html and "事務局長" in html


@pytest.mark.parametrize("app_config", [{"DIRECTORY_ACTIVITY": 3}], indirect=True)
def test_directory_organisation_page_limits_activity_to_the_newest(
    client, org_factory, user_factory, structured_thread
):
    org = org_factory()
    member = user_factory(organization_id=org.id)
    for hours in range(5):
        structured_thread("case", member, f"事例{hours}", age_hours=hours)
    html = client.get(f"/directory/{org.slug}").get_data(as_text=True)
    assert re.findall(r'class="thread-title" href="/t/\d+">([^<]+)<', html) == [
        "事例0", "事例1", "事例2"]  # fmt: skip


def test_directory_list_query_count_is_independent_of_size(
    client, org_factory, count_queries, login, user
):
    for _ in range(3):
        org_factory(website_url="https://a.example.jp/", publish_website=True)
    with count_queries() as few:
        assert client.get("/directory").status_code == 200
    for i in range(20):
        org_factory(field=("chiiki-kotsu", "gyosei-kikan", None)[i % 3],
                    prefecture_code=("01", "13", None)[i % 3])  # fmt: skip
    with count_queries() as many:
        assert client.get("/directory?kind=npo").status_code == 200
    assert many.count == few.count == 2, str(many)  # player fields, organisations (+ joins)
    login(user)
    client.get("/directory")  # the process reads the roles' permissions once (auth.role_cache)
    with count_queries() as member:
        assert client.get("/directory").status_code == 200
    # + the signed-in account and the header's unread-notification count
    assert member.count == few.count + 2, str(member)


def test_directory_organisation_page_query_count_is_independent_of_activity(
    client, org_factory, user_factory, structured_thread, count_queries
):
    org = org_factory()
    url = f"/directory/{org.slug}"
    people = [user_factory(organization_id=org.id) for _ in range(3)]
    structured_thread("event", people[0], "イベント", starts_at=datetime(2026, 6, 1, tzinfo=UTC))
    with count_queries() as few:
        assert client.get(url).status_code == 200
    for i in range(9):
        structured_thread(("event", "case")[i % 2], people[i % 3], f"投稿{i}")
    with count_queries() as many:
        html = client.get(url).get_data(as_text=True)
    assert html.count('class="thread-title"') == 10
    assert many.count == few.count == 2, str(many)  # the organisation, its members' threads


def test_directory_get_never_writes(client, org_factory, count_queries, link_factory):
    org = org_factory()
    link_factory("地域包括ケアシステム")
    with count_queries() as log:
        for path in ("/directory", f"/directory/{org.slug}", "/links"):
            assert client.get(path).status_code == 200
    assert not [s for s in log.statements if s.upper().startswith(("INSERT", "UPDATE", "DELETE"))]


def test_directory_related_links_grouped_by_category_in_order(client, link_factory, count_queries):
    link_factory("地域公共交通", category="関係府省の取組", position=40,
                 url="https://www.mlit.go.jp/sogoseisaku/transport/")  # fmt: skip
    link_factory("地域包括ケアシステム", position=10, description="仕組みの解説と資料")
    link_factory("総合事業", position=20)
    link_factory("見える化システム", category="調べる・相談する", position=30)
    with count_queries() as log:
        html = client.get("/links").get_data(as_text=True)
    assert log.count == 1
    headings = re.findall(r'<h2 id="links-\d+">([^<]+)</h2>', html)
    assert headings == ["厚生労働省の施策", "調べる・相談する", "関係府省の取組"]
    assert html.index("地域包括ケアシステム") < html.index("総合事業")
    assert "仕組みの解説と資料" in html
    assert ('href="https://www.mlit.go.jp/sogoseisaku/transport/" '
            'rel="noopener noreferrer nofollow"') in html  # fmt: skip


def test_directory_links_page_when_empty(client):
    assert "まだ関連リンクはありません。" in client.get("/links").get_data(as_text=True)


def test_directory_navigation_links_on_every_page(client):
    html = client.get("/").get_data(as_text=True)
    assert '<a href="/directory">団体・行政機関リスト</a>' in html
    assert '<a href="/links">関連リンク</a>' in html


def test_directory_pages_in_english(client, org_factory):
    org_factory("英語の団体", kind="municipality")
    client.set_cookie("lang", "en")
    html = client.get("/directory").get_data(as_text=True)
    assert "Municipality" in html and "団体・行政機関リスト" not in html


def test_directory_activity_ignores_threads_of_other_kinds(app, org_factory, user_factory,
                                                          structured_thread):  # fmt: skip
    from directory.queries import list_activity

    org = org_factory()
    member = user_factory(organization_id=org.id)
    structured_thread("policy", member, "施策")
    structured_thread("challenge", member, "地域課題")
    assert list_activity(org) == []
    assert db.session.scalar(select(db.func.count(Thread.id))) == 2
