from core.extensions import db


def test_profile_edit_and_public_view(client, login, user):
    login(user)
    assert client.get("/settings/profile").status_code == 200
    response = client.post_form(
        "/settings/profile",
        {
            "display_name": "佐藤 美和",
            "affiliation": "横手市社会福祉協議会",
            "role_title": "第2層生活支援コーディネーター",
            "prefecture_code": "05",
            "municipality": "横手市",
            "player_fields": ["1", "8"],
            "bio": "買い物支援に取り組んでいます。",
        },
    )
    assert response.status_code == 302
    html = client.get(f"/u/{user.handle}").get_data(as_text=True)
    for text in (
        "佐藤 美和",
        "横手市社会福祉協議会",
        "秋田県 横手市",
        "医療・介護・福祉",
        "住民活動",
    ):
        assert text in html
    assert user.email not in html  # e-mail is never public


def test_profile_edit_validation_keeps_input(client, login, user):
    login(user)
    response = client.post_form(
        "/settings/profile",
        {"display_name": "", "affiliation": "残る所属", "prefecture_code": "99"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "入力してください。" in html and 'value="残る所属"' in html
    db.session.expire_all()
    assert user.affiliation == ""


def test_profile_settings_need_login(client):
    response = client.get("/settings/profile")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_profile_unknown_handle_is_404(client):
    assert client.get("/u/nobody").status_code == 404


def test_profile_visibility_hides_affiliation_region_and_fields_from_others(
    client, login, user, app
):
    """Issue #15 item 5: the member chooses what the public profile shows; they still see it."""
    login(user)
    form = {"display_name": "佐藤 美和", "affiliation": "横手市社会福祉協議会",
            "role_title": "第2層生活支援コーディネーター", "prefecture_code": "05",
            "municipality": "横手市", "player_fields": ["1"], "bio": "",
            "show_fields": "y"}  # affiliation and region unticked  # fmt: skip
    assert client.post_form("/settings/profile", form).status_code == 302
    db.session.expire_all()
    assert (user.show_affiliation, user.show_region, user.show_fields) == (False, False, True)
    own = client.get(f"/u/{user.handle}").get_data(as_text=True)
    assert "横手市社会福祉協議会" in own and "秋田県 横手市" in own and "非公開" in own
    settings = client.get("/settings/privacy").get_data(as_text=True)
    assert "非公開" in settings
    other = app.test_client()
    public = other.get(f"/u/{user.handle}").get_data(as_text=True)
    assert "横手市社会福祉協議会" not in public and "第2層生活支援コーディネーター" not in public
    assert "秋田県 横手市" not in public and "医療・介護・福祉" in public
