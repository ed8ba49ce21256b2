"""The master list of 市区町村 (taxonomy/data/municipalities.csv): exactly the 1,741 counted by
総務省 since 2018-10-01, every code valid, and the look-ups the forms use."""

from collections import Counter

import pytest

from taxonomy import municipalities as m


def test_master_list_holds_the_1741_municipalities():
    rows = m.all_municipalities()
    assert len(rows) == 1741
    assert Counter(r.kind for r in rows) == {"市": 792, "特別区": 23, "町": 743, "村": 183}


def test_master_list_codes_are_unique_valid_and_in_their_prefecture():
    rows = m.all_municipalities()
    assert len({r.code for r in rows}) == 1741
    assert all(m.check_digit_ok(r.code) for r in rows)
    assert all(r.code[:2] == r.prefecture_code for r in rows)
    assert len({r.prefecture_code for r in rows}) == 47
    assert {r.prefecture_code for r in rows if r.kind == "特別区"} == {"13"}
    # the data is from 2018-10-01 on: 那珂川市 (a 町 until then); 北方領土's villages are left out
    assert m.by_code("402311").name == "那珂川市"
    assert m.by_code("016951") is None and m.by_code("017001") is None


def test_the_first_prefecture_is_its_own_order():
    assert m.for_prefecture("20")[0].name == "長野市"
    assert len(m.for_prefecture("13")) == 62  # 23 特別区, 26 市, 5 町, 8 村
    assert len(m.for_prefecture(None)) == 1741


@pytest.mark.parametrize("text", ["長野市", "長野県長野市", "202011", "20201", "２０２０１１", " 長野市 "])
def test_resolve_by_name_or_code(text):
    assert m.resolve(text).code == "202011"


def test_resolve_a_name_of_several_prefectures_needs_the_prefecture():
    with pytest.raises(m.Ambiguous) as exc:
        m.resolve("府中市")
    assert {c.prefecture for c in exc.value.candidates} == {"東京都", "広島県"}
    assert m.resolve("府中市", prefecture="13").code == "132063"
    assert m.resolve("東京都府中市").code == "132063"


@pytest.mark.parametrize("text", ["長野", "202012", "1234567", "札幌市中央区", "色丹村"])
def test_resolve_refuses_what_is_not_in_the_list(text):
    with pytest.raises(m.NotFound):
        m.resolve(text)
