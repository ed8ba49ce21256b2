"""Site pages managed by admins (issue #14 item 2): 運営者情報, 利用規約, アクセシビリティ方針 and
はじめての方へ render their Markdown through the forum's sanitiser; admins edit them with a
preview, every save is a revision and an audit entry; nobody else may; the footer links all of
them and /privacy, and names the operator; registration links 利用規約 and プライバシーポリシー."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from audit.models import AuditEntry
from core.extensions import db
from pages.models import SitePage, SitePageRevision

VERSION_RE = re.compile(r'name="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="version"')


def _page(slug: str) -> SitePage:
    return db.session.scalar(select(SitePage).where(SitePage.slug == slug))


@pytest.mark.parametrize("path,title,text", [
    ("/about", "運営者情報", "生活支援共創プラットフォーム運営事務局"),
    ("/terms", "利用規約", "してはいけないこと"),
    ("/accessibility", "アクセシビリティ方針", "JIS X 8341-3:2016"),
    ("/guide", "はじめての方へ", "認証の申請"),
])  # fmt: skip
def test_site_pages_render_their_default_text(client, path, title, text):
    response = client.get(path)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'<h1 id="page-h">{title}</h1>' in html and text in html
    assert "最終更新" in html


def test_accessibility_statement_names_the_standard_the_date_and_the_automated_checks(client):
    html = client.get("/accessibility").get_data(as_text=True)
    for words in ("JIS X 8341-3:2016", "適合レベル AA", "試験の日", "axe-core", "WCAG 2.1",
                  "ページ状態", "2026年12月6日", "違反は 0 件"):  # fmt: skip
        assert words in html, words


def test_footer_links_every_site_page_and_names_the_operator(client, app):
    html = client.get("/login").get_data(as_text=True)
    footer = html[html.index("<footer") :]
    for href, label in (("/about", "運営者情報"), ("/terms", "利用規約"), ("/privacy", "プライバシーポリシー"),
                        ("/accessibility", "アクセシビリティ方針"), ("/contact", "お問い合わせ")):  # fmt: skip
        assert f'<a href="{href}">{label}</a>' in footer
    assert "運営：生活支援共創プラットフォーム運営事務局" in footer
    app.config["SITE_OPERATOR"] = "長野県 生活支援共創プラットフォーム事務局"
    assert "運営：長野県 生活支援共創プラットフォーム事務局" in client.get("/terms").get_data(
        as_text=True
    )


def test_registration_links_the_terms_and_the_privacy_policy(client):
    html = client.get("/register").get_data(as_text=True)
    assert "利用規約とプライバシーポリシー" in html
    assert (
        '<a href="/terms">利用規約</a>' in html
        and '<a href="/privacy">プライバシーポリシー</a>' in html
    )


def test_admin_edits_a_page_with_a_revision_and_an_audit_entry(client, login, admin):
    login(admin)
    assert "/admin/pages/terms/edit" in client.get("/admin/pages").get_data(as_text=True)
    form = client.get("/admin/pages/terms/edit").get_data(as_text=True)
    version = int(next(g for g in VERSION_RE.search(form).groups() if g))
    # the editor says how a material revision asks members to agree again
    assert "TERMS_VERSION" in form and f"いまは {app_terms_version(client)} 版" in form
    body = "## 1. 目的\n本サイトは**交流**の場です。\n\n<script>alert(1)</script>"
    preview = client.post_form("/admin/pages/terms/edit", {
        "title": "利用規約", "body": body, "version": version, "preview": "1"})  # fmt: skip
    assert preview.status_code == 200 and "<strong>交流</strong>" in preview.get_data(as_text=True)
    assert _page("terms").version == version  # a preview saves nothing
    response = client.post_form("/admin/pages/terms/edit", {
        "title": "利用規約", "body": body, "version": version, "note": "目的を短くしました"})  # fmt: skip
    assert response.status_code == 302 and response.headers["Location"] == "/terms"
    page = _page("terms")
    assert page.version == version + 1 and page.updated_by_id == admin.id
    assert "<h2>1. 目的</h2>" in page.body_html and "<script>" not in page.body_html
    html = client.get("/terms").get_data(as_text=True)
    assert "<strong>交流</strong>" in html and "<script>alert" not in html
    revisions = db.session.scalars(select(SitePageRevision).where(SitePageRevision.page_id == page.id)
                                   .order_by(SitePageRevision.version)).all()  # fmt: skip
    assert [(r.version, r.author_id) for r in revisions] == [(1, None), (2, admin.id)]
    assert revisions[1].body_source == body and revisions[1].note == "目的を短くしました"
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "site_page.edit")
    ).one()
    assert (entry.actor_id, entry.target_kind, entry.target_id) == (admin.id, "site_page", page.id)
    assert entry.reason == "目的を短くしました" and entry.after["version"] == 2
    history = client.get("/admin/pages/terms/revisions").get_data(as_text=True)
    assert "版 2" in history and "目的を短くしました" in history and "初期の文面" in history


def test_admin_edit_against_an_old_version_is_refused_and_keeps_the_text(client, login, admin,
                                                                          user_factory):  # fmt: skip
    login(admin)
    client.post_form("/admin/pages/about/edit", {"title": "運営者情報", "body": "先に保存した文面",
                                                 "version": "1"})  # fmt: skip
    response = client.post_form("/admin/pages/about/edit", {
        "title": "運営者情報", "body": "古い版から書いた文面", "version": "1"})  # fmt: skip
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "古い版から書いた文面" in html and "先に保存した文面" in html
    assert _page("about").body_source == "先に保存した文面"
    version = int(next(g for g in VERSION_RE.search(html).groups() if g))
    assert version == 2  # saving again from this form knowingly replaces the newer text


def test_admin_edit_bad_input_keeps_what_was_typed(client, login, admin):
    login(admin)
    response = client.post_form("/admin/pages/guide/edit", {"title": "", "body": "書きかけの本文",
                                                            "version": "1"})  # fmt: skip
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "書きかけの本文" in html and "エラー：" in html


@pytest.mark.parametrize("role,expected", [(None, 302), ("member", 403), ("moderator", 403),
                                           ("municipal_staff", 403), ("admin", 200)])  # fmt: skip
def test_only_site_admins_edit_pages(client, login, user_factory, role, expected):
    if role:
        login(user_factory(role=role))
    for path in ("/admin/pages", "/admin/pages/terms/edit", "/admin/pages/terms/revisions"):
        response = client.get(path)
        assert response.status_code == expected, path
        if expected == 302:
            assert response.headers["Location"].startswith("/login")
    response = client.post_form("/admin/pages/terms/edit", {"title": "乗っ取り", "body": "x",
                                                            "version": "1"})  # fmt: skip
    assert response.status_code == (302 if role in (None, "admin") else 403)
    assert _page("terms").title == ("乗っ取り" if role == "admin" else "利用規約")


def test_unknown_pages_are_404(client, login, admin):
    login(admin)
    assert client.get("/admin/pages/nothing/edit").status_code == 404
    assert client.get("/admin/pages/nothing/revisions").status_code == 404


def test_site_pages_are_served_from_the_anonymous_page_cache(client, count_queries):
    client.get("/terms")
    with count_queries() as log:
        assert client.get("/terms").status_code == 200
    assert log.count == 0


def app_terms_version(client) -> str:
    return client.application.config["TERMS_VERSION"]
