"""First look: a thread is found by a word inside a longer Japanese word."""


def test_search_finds_word_inside_compound(thread_factory, find):
    thread_factory(title="高齢者移動支援事業の報告", body="見守り活動とサロンを始めました。")
    page = find("移動支援")
    assert page.total == 1
    assert [h.title for h in page.hits] == ["高齢者移動支援事業の報告"]
    assert "<mark>" in page.hits[0].title_html
