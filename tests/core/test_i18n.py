"""Internationalisation: the English catalog is complete, and the language switch works.

Japanese is the default UI language (its msgids are the Japanese text itself); English comes
from ``translations/en/LC_MESSAGES/messages.po``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from sqlalchemy import select

from auth.models import User
from core.extensions import db

ROOT = Path(__file__).resolve().parents[2]
PO_FILE = ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}
IGNORED_DIRS = {".venv", "bench", "tests", "migrations", "node_modules"}
PLACEHOLDER_RE = re.compile(r"%\((\w+)\)[sdifr]")

UPDATE_HINT = """\
Update the catalog, translate the new entries in translations/en/LC_MESSAGES/messages.po
(no fuzzy entries, no empty msgstr), then run the tests again:

  .venv/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o translations/messages.pot \
--no-location --sort-output --ignore-dirs='.venv bench tests migrations' .
  .venv/bin/pybabel update -i translations/messages.pot -d translations -l en --no-fuzzy-matching
"""


def _directory_filter(dirpath: str) -> bool:
    name = Path(dirpath).name
    return not (name in IGNORED_DIRS or name.startswith((".", "_")))


def _source_msgids() -> dict[str, set[str]]:
    """Every msgid in the source, mapped to where it is used (same rules as babel.cfg)."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found: dict[str, set[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT),
        method_map,
        options_map,
        keywords=KEYWORDS,
        directory_filter=_directory_filter,
    ):
        for msgid in message if isinstance(message, tuple) else (message,):
            if msgid:
                found.setdefault(msgid, set()).add(f"{filename}:{lineno}")
    return found


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER_RE.findall(text))


def test_every_ui_string_has_an_english_translation():
    source = _source_msgids()
    assert "交流掲示板" in source, "extraction found no strings: is babel.cfg still right?"
    with open(PO_FILE, "rb") as handle:
        catalog = read_po(handle)

    problems: list[str] = []
    for msgid in sorted(source):
        where = ", ".join(sorted(source[msgid])[:3])
        message = catalog.get(msgid)
        if message is None:
            # a plural msgid is stored under its (singular, plural) pair
            message = next((m for m in catalog if isinstance(m.id, tuple) and msgid in m.id), None)
        if message is None:
            problems.append(f"missing:       {msgid!r}  ({where})")
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(s.strip() for s in strings):
            problems.append(f"untranslated:  {msgid!r}  ({where})")
        elif message.fuzzy:
            problems.append(f"fuzzy:         {msgid!r}  ({where})")
        else:
            expected = _placeholders(msgid)
            for translated in strings:
                if _placeholders(translated) != expected:
                    problems.append(
                        f"placeholders:  {msgid!r} -> {translated!r}  "
                        f"(expected {sorted(expected)}, got {sorted(_placeholders(translated))})"
                    )

    assert not problems, (
        f"{len(problems)} UI string(s) lack a usable English translation:\n  "
        + "\n  ".join(problems)
        + "\n\n"
        + UPDATE_HINT
    )


def test_catalog_has_no_fuzzy_or_empty_entries():
    with open(PO_FILE, "rb") as handle:
        catalog = read_po(handle)
    bad = [
        m.id
        for m in catalog
        if m.id and (m.fuzzy or not all(m.string if isinstance(m.string, tuple) else (m.string,)))
    ]
    assert not bad, f"fuzzy or empty entries in {PO_FILE.name}: {bad}\n\n{UPDATE_HINT}"


def test_pages_are_japanese_by_default(client):
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="ja">' in html
    assert "交流掲示板" in html
    assert "Exchange board" not in html


def test_unknown_language_is_ignored(client):
    response = client.post_form("/lang", {"lang": "fr", "next": "/"})
    assert response.status_code == 302
    assert client.get_cookie("lang") is None
    assert '<html lang="ja">' in client.get("/").get_data(as_text=True)


def test_switching_to_english_sets_a_cookie_and_translates_the_page(client, board):
    board.last_post_at = datetime(2026, 11, 26, 15, 30, tzinfo=UTC)
    db.session.commit()

    response = client.post_form("/lang", {"lang": "en", "next": "/"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get_cookie("lang").value == "en"

    html = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "<h1>Exchange board</h1>" in html
    assert "Cross-field exchange" in html
    assert "Log in" in html and "ログイン" not in html
    # times are shown in Asia/Tokyo (UTC+9), in the English date format
    assert "2026-11-27 00:30" in html
    assert "2026-11-26 15:30" not in html


def test_switching_back_to_japanese(client):
    client.post_form("/lang", {"lang": "en", "next": "/"})
    client.post_form("/lang", {"lang": "ja", "next": "/"})
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="ja">' in html
    assert "<h1>交流掲示板</h1>" in html


def test_language_switch_does_not_redirect_off_site(client):
    response = client.post_form("/lang", {"lang": "en", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


def test_logged_in_users_choice_is_remembered_on_the_account(client, login, user):
    login(user)
    assert user.locale in (None, "ja")

    client.post_form("/lang", {"lang": "en", "next": "/"})
    db.session.expire_all()
    assert db.session.scalar(select(User.locale).where(User.id == user.id)) == "en"

    # the account setting applies even without the cookie (e.g. another browser)
    client.delete_cookie("lang")
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "<h1>Exchange board</h1>" in html


def test_account_locale_wins_over_the_cookie(client, login, user_factory):
    user = user_factory(locale="en")
    client.set_cookie("lang", "ja")
    login(user)
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


def test_translations_kept_per_request_still_follow_force_locale(app):
    """core.i18n keeps the translations object per request; a mail rendered in another
    language inside a request (``force_locale``) and ``refresh`` still switch it, for Python's
    ``_`` and the templates' ``_`` alike."""
    from flask import g, render_template_string
    from flask_babel import force_locale, gettext, refresh

    def both():
        return gettext("編集"), render_template_string("{{ _('編集') }}")

    with app.test_request_context("/", headers={"Cookie": "lang=en"}):
        assert both() == ("Edit", "Edit")
        with force_locale("ja"):
            assert both() == ("編集", "編集")
            with force_locale("en"):
                assert both() == ("Edit", "Edit")
            assert both() == ("編集", "編集")
        assert both() == ("Edit", "Edit")
        g.locale = "ja"  # e.g. the language changed during the request
        refresh()
        assert both() == ("編集", "編集")
    with app.test_request_context("/"):
        assert both() == ("編集", "編集")
        with force_locale("en"):
            assert both() == ("Edit", "Edit")
        assert both() == ("編集", "編集")
    with app.app_context():  # no request: the default language
        assert gettext("編集") == "編集"
