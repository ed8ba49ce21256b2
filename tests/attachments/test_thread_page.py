"""The compact file list on a thread page, and the query budget of the pages that show files."""

from __future__ import annotations

from urllib.parse import quote

from attachments import attaching, queries
from core.extensions import db
from tests.attachments.conftest import make_image, make_pdf


def _attach_files(thread, n: int) -> None:
    for i in range(n):
        data, name = (
            (make_pdf(), f"資料{i}.pdf") if i % 2 == 0 else (make_image("PNG"), f"写真{i}.png")
        )
        attaching.add_attachment(thread=thread, uploader=thread.author, filename=name, data=data)
    db.session.commit()


def test_thread_page_lists_files_after_the_first_post(client, login, case_thread):
    thread = case_thread(replies=2)
    _attach_files(thread, 2)
    html = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert 'aria-labelledby="attachments-heading"' in html
    first, list_at, second = (
        html.index('id="p1"'),
        html.index("attachments-heading"),
        html.index('id="p2"'),
    )
    assert first < list_at < second
    assert 'href="/files/' in html and quote("資料0.pdf") in html
    assert "（PDF・" in html and "（PNG・" in html
    assert "ファイルを追加・削除する" not in html  # anonymous
    login(thread.author)
    assert "ファイルを追加・削除する" in client.get(f"/t/{thread.id}").get_data(as_text=True)


def test_thread_page_removed_file_is_not_listed(client, case_thread):
    thread = case_thread()
    _attach_files(thread, 1)
    (attachment,) = queries.list_for_thread(thread.id)
    attaching.remove_attachment(attachment=attachment, actor=thread.author)
    db.session.commit()
    html = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert "資料0.pdf" not in html and "attachments-heading" not in html


def test_thread_page_discussion_has_no_file_section(client, login, thread):
    login(thread.author)
    assert "attachments-heading" not in client.get(f"/t/{thread.id}").get_data(as_text=True)


def test_thread_page_with_files_query_count(client, case_thread, count_queries):
    """Three statements more than a discussion (2 for anonymous): the typed fields (this thread
    has none, so no tag lists follow), the files, however many, and — a case — the local problem
    it was born from (issue #16)."""
    counts = []
    for n in (0, 5):
        thread = case_thread(replies=3)
        _attach_files(thread, n)
        url = f"/t/{thread.id}"
        with count_queries() as log:
            assert client.get(url).status_code == 200
        counts.append(log.count)
    assert counts == [5, 5], str(log)


def test_attachments_page_query_count(client, login, case_thread, count_queries):
    counts = []
    for n in (1, 6):
        thread = case_thread()
        _attach_files(thread, n)
        login(thread.author)
        url = f"/t/{thread.id}/attachments"
        client.get(url)  # warm up
        with count_queries() as log:
            assert client.get(url).status_code == 200
        counts.append(log.count)
        client.post_form("/logout")
    # thread with its board, current user (with role and permissions), attachments with
    # uploaders, the header's unread-notification count
    assert counts[0] == counts[1], counts
    assert counts[1] == 4, str(log)
