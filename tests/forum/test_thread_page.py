from forum.models import Post


def test_thread_page_shows_posts_in_order_with_numbers(client, thread_factory):
    thread = thread_factory(replies=3)
    html = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert html.index('id="p1"') < html.index('id="p2"') < html.index('id="p4"')
    assert "<strong>巡回ルート</strong>" in html
    assert "返信その3" in html
