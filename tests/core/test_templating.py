"""Template filters: 令和/平成 fiscal years, fiscal year of a date, Tokyo times."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask import render_template_string

from core.templating import datetime_ja, fiscal_year_of, reiwa_fiscal_year


@pytest.mark.parametrize(
    ("year", "label"),
    [
        (2019, "令和元年度"),
        (2020, "令和2年度"),
        (2026, "令和8年度"),
        (2018, "平成30年度"),
        (1990, "平成2年度"),
        (1989, "平成元年度"),
        (1988, "1988年度"),
    ],
)
def test_reiwa_fiscal_year(app, year, label):
    with app.test_request_context():
        assert reiwa_fiscal_year(year) == label


def test_reiwa_fiscal_year_in_english(app):
    with app.test_request_context(headers={"Cookie": "lang=en"}):
        assert reiwa_fiscal_year(2026) == "Reiwa 8 fiscal year"
        assert reiwa_fiscal_year(2019) == "Reiwa 1 fiscal year"
        assert reiwa_fiscal_year(2018) == "Heisei 30 fiscal year"


def test_fiscal_year_filter_in_a_template(app):
    with app.test_request_context():
        assert render_template_string("{{ 2026|fiscal_year }}") == "令和8年度"


@pytest.mark.parametrize(
    ("day", "fiscal_year"),
    [
        (date(2027, 3, 31), 2026),
        (date(2026, 4, 1), 2026),
        (date(2026, 3, 31), 2025),
        (date(2026, 12, 31), 2026),
        (date(2027, 1, 1), 2026),
    ],
)
def test_fiscal_year_of(day, fiscal_year):
    assert fiscal_year_of(day) == fiscal_year


def test_datetime_filter_shows_tokyo_time(app):
    moment = datetime(2026, 11, 26, 15, 30, tzinfo=UTC)
    with app.test_request_context():
        assert datetime_ja(moment) == "2026年11月27日 0:30"
        assert datetime_ja(moment, "date") == "2026年11月27日"
        assert render_template_string("{{ t|datetime }}", t=moment) == "2026年11月27日 0:30"


def test_datetime_filter_treats_naive_values_as_utc(app):
    with app.test_request_context():
        assert datetime_ja(datetime(2026, 11, 26, 15, 30)) == "2026年11月27日 0:30"


def test_datetime_filter_in_english(app):
    moment = datetime(2026, 11, 26, 15, 30, tzinfo=UTC)
    with app.test_request_context(headers={"Cookie": "lang=en"}):
        assert render_template_string("{{ t|datetime }}", t=moment) == "2026-11-27 00:30"
        assert render_template_string("{{ t|datetime('date') }}", t=moment) == "2026-11-27"


def test_datetime_filter_of_none_is_empty(app):
    with app.test_request_context():
        assert datetime_ja(None) == ""


def test_templating_field_macro_writes_no_none_attributes(client):
    """WTForms renders an attribute whose value is None as the text "None"; aria-invalid="None"
    would make screen readers announce every field as invalid."""
    html = client.get("/login").get_data(as_text=True)
    assert 'id="email"' in html
    assert '="None"' not in html
