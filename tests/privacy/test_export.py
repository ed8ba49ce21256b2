"""開示: a member with data in every table gets it all back, from the settings page and the API, as
one zip (JSON + their files); other members appear only as handles and their private data never
appears; no secret (password, token or session hash) is written."""

from __future__ import annotations

import io
import json
import zipfile

from auth.models import ApiToken
from core.extensions import db
from privacy import exporting
from privacy.inventory import INVENTORY
from tests.privacy.conftest import OTHER_SECRETS


def _open(data: bytes) -> tuple[dict, zipfile.ZipFile]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    return json.loads(archive.read(exporting.DATA_NAME)), archive


def _check_complete(doc: dict, archive: zipfile.ZipFile, world) -> None:
    for section in {e.export for e in INVENTORY if e.export}:
        assert doc[section], f"section {section} is empty"
    profile = doc["profile"]
    assert profile["email"] == "hanako@example.jp" and profile["affiliation"] == "緑町社協"
    assert profile["sanctions"]["reason"] == "連投のため"
    bodies = {p["body"] for p in doc["posts"]}
    assert "私の返信ＡＢＣ（訂正）" in bodies and "巡回ルートの決め方" in bodies
    (reply,) = [p for p in doc["posts"] if p["id"] == world.reply.id]
    assert [r["body"] for r in reply["revisions"]] == ["私の返信ＡＢＣ"]
    assert {t["title"] for t in doc["threads"]} >= {"移動販売の相談", "見守り研修会"}
    assert any(t["details"] for t in doc["threads"] if t["kind"] == "event")
    (attachment,) = doc["attachments"]
    assert archive.read(attachment["file"])[:4] == b"%PDF"
    assert doc["flags_made"] == [
        {**doc["flags_made"][0], "reason": "off_topic", "message": "関係のない話です"}
    ]
    assert any(e["action"] == "user.silence" and e["actor"] == "staff" and
               e["reason"] == "連投のため" for e in doc["audit_entries"])  # fmt: skip
    assert doc["verification_requests"][0]["organisation"] == "緑町役場"
    notes = doc["notifications"]
    assert notes["watches"] and notes["rsvps"] and notes["read_positions"]
    assert notes["notifications"][0]["actor"] == {"id": world.other.id, "handle": "taro"}
    assert notes["muted_users"][0]["user"]["handle"] == "taro"
    assert [t["name"] for t in doc["api_tokens"]] == ["my-laptop"]
    assert doc["space_memberships"][0]["space"] == "hyogo"
    assert doc["board_moderations"] == ["zentai"]
    (offer,) = doc["offers"]
    assert offer["message"] == "送迎を手伝えます" and offer["organization"] == "緑町ささえあいの会"
    assert offer["thread_title"] == "買い物の足がない" and offer["status"] == "open"


def _check_private(doc: dict, world) -> None:
    text = json.dumps(doc, ensure_ascii=False)
    for secret in OTHER_SECRETS:
        assert secret not in text, secret
    assert world.other.password_hash not in text
    assert world.member.password_hash not in text
    for token in db.session.query(ApiToken):
        assert token.token_hash not in text
    assert "nonce" not in text and "token_hash" not in text and "password_hash" not in text
    # the other member appears by handle only, never with a profile
    assert "other-secret" not in text and world.other.display_name not in text


def test_export_from_settings_has_everything_and_nothing_of_others(client, login, world):
    login(world.member)
    page = client.get("/settings/privacy")
    assert page.status_code == 200 and "データを書き出す" in page.get_data(as_text=True)
    response = client.get("/settings/privacy/export")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert "kyoso-data.zip" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    doc, archive = _open(response.data)
    assert "README.txt" in archive.namelist()
    _check_complete(doc, archive, world)
    _check_private(doc, world)
    assert doc["sessions"] and all("user_agent" in s for s in doc["sessions"])


def test_export_through_the_api(client, bearer, world):
    response = client.get("/api/v1/me/export", headers=bearer(world.member))
    assert response.status_code == 200 and response.mimetype == "application/zip"
    doc, archive = _open(response.data)
    assert doc["profile"]["handle"] == "hanako"
    _check_private(doc, world)


def test_export_needs_a_login(client):
    assert client.get("/api/v1/me/export").status_code == 401
    assert client.get("/settings/privacy/export").status_code == 302


def test_export_of_the_other_member_does_not_hold_the_first_ones_private_data(app, world):
    doc = exporting.export_for(world.other)
    text = json.dumps(doc, ensure_ascii=False)
    for private in ("hanako@example.jp", "緑町役場", "hanako@town.example.jp", "my-laptop",
                    "関係のない話です"):  # fmt: skip
        assert private not in text


def test_consent_is_recorded_at_registration_and_exported(app, client, register):
    page = client.get("/register").get_data(as_text=True)
    assert app.config["TERMS_VERSION"] in page and "/privacy" in page
    member = register({"email": "new@example.jp", "handle": "newbie", "display_name": "新人",
                       "password": "correct-horse-battery",
                       "password_confirm": "correct-horse-battery"})  # fmt: skip
    assert member.terms_version == app.config["TERMS_VERSION"]
    assert member.terms_accepted_at is not None
    consent = exporting.export_for(member)["profile"]["consent"]
    assert consent["terms_version"] == app.config["TERMS_VERSION"] and consent["accepted_at"]
    settings = client.get("/settings/privacy").get_data(as_text=True)
    assert "ほかの人に見えている情報" in settings and "@newbie" in settings
    assert "new@example.jp" not in settings.split("ほかの人に見えている情報")[1].split("</dl>")[0]
    assert (
        f"利用規約とプライバシーポリシー（{app.config['TERMS_VERSION']} 版）に同意しました"
        in settings
    )


def test_consent_to_a_revised_policy_is_asked_and_recorded(app, client, login, user_factory):
    """Issue #15 item 5: consent is recorded at registration and again when the policy changes."""
    from core.extensions import db

    member = user_factory()
    member.terms_version = app.config["TERMS_VERSION"]
    db.session.commit()
    login(member)
    assert "改定後の内容に同意する" not in client.get("/").get_data(as_text=True)
    app.config["TERMS_VERSION"] = "2027-04-01"
    page = client.get("/").get_data(as_text=True)
    assert "利用規約とプライバシーポリシーが改定されました（2027-04-01 版）" in page
    banner = page.split('class="flash flash-info terms-changed"')[1].split("</div>")[0]
    assert 'href="/terms"' in banner and 'href="/privacy"' in banner  # both, as registration says
    assert client.post_form("/settings/privacy/consent").status_code == 302
    db.session.expire_all()
    assert member.terms_version == "2027-04-01" and member.terms_accepted_at is not None
    assert "改定後の内容に同意する" not in client.get("/").get_data(as_text=True)


def test_members_who_joined_before_consent_was_recorded_are_asked(app, client, login, user_factory):
    from core.extensions import db

    member = user_factory()
    member.terms_version = None  # registered before the consent was recorded
    db.session.commit()
    login(member)
    page = client.get("/").get_data(as_text=True)
    assert "利用規約とプライバシーポリシー（" in page and "を確認して、同意してください。" in page
    assert client.post_form("/settings/privacy/consent").status_code == 302
    db.session.expire_all()
    assert member.terms_version == app.config["TERMS_VERSION"]
