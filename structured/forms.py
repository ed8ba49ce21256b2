"""WTForms classes for each structured kind, built from ``structured.schema``.

The web form and the API validate with the same class: the API feeds its JSON in as form data
(``details_form(kind, json=…)``), so both give the same Japanese messages, keyed by field name.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import (
    DateField,
    DecimalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    InputRequired,
    Length,
    NumberRange,
    StopValidation,
    ValidationError,
)

from core.urls import is_web_url
from structured.schema import TOKYO, OptionalStop, Spec, TokyoDateTimeField, specs_for
from taxonomy import municipalities
from taxonomy import queries as taxonomy


class _InputRequired(InputRequired):
    """InputRequired that also counts blank (whitespace-only) text as missing."""

    def __call__(self, form, field) -> None:
        if field.raw_data and not str(field.raw_data[0]).strip():
            field.errors[:] = []
            raise StopValidation(self.message)
        super().__call__(form, field)


def _required():
    return _InputRequired(message=_l("入力してください。"))


def _no_control_characters(form, field) -> None:
    if isinstance(field.data, str) and any(
        ord(ch) < 32 and ch not in "\n\r\t" for ch in field.data
    ):
        raise ValidationError(_l("使えない制御文字が含まれています。"))


def _web_url(form, field) -> None:
    value = (field.data or "").strip()
    if not is_web_url(value):
        raise ValidationError(_l("「https://」で始まるURLを入力してください。"))
    field.data = value


def _length(spec: Spec):
    return Length(
        max=spec.max_length,
        message=_l("%(max)s文字以内で入力してください。", max=f"{spec.max_length:,}"),
    )


def _range(spec: Spec):
    if spec.minimum is not None and spec.maximum is not None:
        message = _l(
            "%(min)s〜%(max)sの数字にしてください。",
            min=f"{spec.minimum:,}",
            max=f"{spec.maximum:,}",
        )
    else:
        message = _l("数字の範囲が正しくありません。")
    return NumberRange(min=spec.minimum, max=spec.maximum, message=message)


def _parsed(message):
    """Input that did not parse gets one clear message (ours, not the library's) and no more
    checks: a range message about a value that is not a number would only confuse."""

    def check(form, field) -> None:
        if field.process_errors:
            field.errors[:] = [message]
            raise StopValidation()

    return check


def _field_for(spec: Spec):
    first = _required() if spec.required else OptionalStop()
    kw = {"description": spec.help or ""}
    if spec.type == "text":
        return StringField(spec.label, [first, _length(spec), _no_control_characters], **kw)
    if spec.type == "markdown":
        kw["description"] = spec.help or _l(
            "書式（Markdown記法）が使えます：行頭に「- 」で箇条書き、「**語句**」で太字。"
        )
        return TextAreaField(spec.label, [first, _length(spec), _no_control_characters], **kw)
    if spec.type == "url":
        return StringField(spec.label, [first, _length(spec), _web_url], **kw)
    if spec.type in ("int", "fiscal_year"):
        number = _parsed(_l("半角の数字で入力してください。"))
        return IntegerField(spec.label, [first, number, _range(spec)], **kw)
    if spec.type == "decimal":
        number = _parsed(_l("半角の数字で入力してください（小数は1桁まで）。"))
        return DecimalField(spec.label, [first, number, _range(spec)], places=1, **kw)
    if spec.type == "date":
        return DateField(
            spec.label, [first, _parsed(_l("日付は「2026-12-01」の形で入力してください。"))], **kw
        )
    if spec.type == "datetime":
        return TokyoDateTimeField(spec.label, [first], **kw)
    if spec.type == "choice":
        choices = [SelectChoice("", _l("選んでください"))] if not spec.required else []
        choices += [SelectChoice(value, label) for value, label in spec.choices.items()]
        return SelectField(spec.label, [first], choices=choices, **kw)
    raise ValueError(f"unknown field type {spec.type!r}")


class _DetailsForm(FlaskForm):
    """The fields every structured kind has; subclasses add the kind's own."""

    kind = ""

    # required except for an online-only event (national scope): checked in validate()
    prefecture = SelectField(_l("都道府県"), [OptionalStop()])
    # the API's way to name the municipality; the web form names it by municipality_name
    municipality_code = StringField(
        _l("市区町村コード（6桁）"),
        [OptionalStop()],
        description=_l("全国地方公共団体コード。例：豊岡市は282090"),
    )
    municipality_name = StringField(
        _l("市区町村"),
        [OptionalStop(), Length(max=50, message=_l("50文字以内で入力してください。"))],
        description=_l("市区町村名（例：長野市）を入力して候補から選んでください。全国地方公共団体コード（6桁）でも入力できます。"),
    )
    player_fields = SelectMultipleField(
        _l("分野"), invalid_choice_message=_l("分野が正しくありません。")
    )
    life_domains = SelectMultipleField(
        _l("生活支援の領域"), invalid_choice_message=_l("生活支援の領域が正しくありません。")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.kind == "event":
            self.prefecture.description = _l(
                "オンラインだけで全国を対象に開催するときは空けてください（「全国（オンライン）」と表示されます）。"
            )
        self.prefecture.choices = [SelectChoice("", _l("選んでください"))] + [
            SelectChoice(p.code, p.name) for p in taxonomy.list_prefectures()
        ]
        self.player_fields.choices = [
            SelectChoice(f.slug, f.name) for f in taxonomy.list_player_fields()
        ]
        self.life_domains.choices = [
            SelectChoice(d.slug, d.name) for d in taxonomy.list_life_domains()
        ]

    def validate_life_domains(self, field) -> None:
        if self.kind == "challenge" and not field.data:
            raise ValidationError(_l("生活支援の領域を1つ以上選んでください。"))

    # cross-field rules
    def validate_end_at(self, field) -> None:
        start = getattr(self, "start_at", None)
        if field.data and start is not None and start.data and field.data < start.data:
            raise ValidationError(_l("終了日時は開始日時より後にしてください。"))

    def validate_application_end(self, field) -> None:
        start = getattr(self, "application_start", None)
        if field.data and start is not None and start.data and field.data < start.data:
            raise ValidationError(_l("終了日は開始日より後にしてください。"))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        valid = self._check_municipality() and valid
        valid = self._check_prefecture() and valid
        # not a validate_venue_name: an empty venue_name stops at OptionalStop before it runs
        mode = getattr(self, "attendance_mode", None)
        if (
            mode is not None
            and mode.data in ("venue", "hybrid")
            and not (self.venue_name.data or "").strip()
            and not (self.address.data or "").strip()
        ):
            self.venue_name.errors.append(
                _l("会場で開催するときは会場名か住所を入力してください。")
            )
            valid = False
        # online: where to join, or how to apply for the link (often sent after applying)
        if (
            mode is not None
            and mode.data in ("online", "hybrid")
            and not any((getattr(self, n).data or "").strip()
                        for n in ("online_url", "apply_url", "apply_method"))
        ):  # fmt: skip
            self.online_url.errors.append(_l(
                "オンラインで参加できるときは、参加用のURLか申込方法（URLの案内のしかた）を入力してください。"
            ))  # fmt: skip
            valid = False
        deadline, start = getattr(self, "apply_deadline", None), getattr(self, "start_at", None)
        if (
            deadline is not None and start is not None and deadline.data and start.data
            and deadline.data > start.data.astimezone(TOKYO).date()
        ):  # fmt: skip
            self.apply_deadline.errors.append(
                _l("申込締切は開催日（開始日）までの日付にしてください。")
            )
            valid = False
        return valid

    def national_online(self) -> bool:
        """An online-only event may leave the prefecture out: it is for the whole country
        (shown as 「全国（オンライン）」). A venue or hybrid event happens somewhere."""
        mode = getattr(self, "attendance_mode", None)
        return self.kind == "event" and mode is not None and mode.data == "online"

    def _check_prefecture(self) -> bool:
        if self.prefecture.data or self.prefecture.errors:
            return True
        if self.national_online():
            self.prefecture.data = None
            return True
        if self.kind == "event":
            self.prefecture.errors.append(_l(
                "都道府県を選んでください（オンラインだけで開催するイベントは空けると「全国（オンライン）」になります）。"
            ))  # fmt: skip
        else:
            self.prefecture.errors.append(_l("都道府県を選んでください。"))
        return False

    def _check_municipality(self) -> bool:
        """The municipality, by name or code (either field), must be in the master list
        (taxonomy/municipalities.py) and in the chosen prefecture; both fields then hold the
        list's code and name. With no prefecture chosen, the municipality's is taken.

        Messages that carry what was typed are plain ``gettext`` strings: a lazy string counts as
        markup in templates (``__html__``), so it would not be escaped."""
        code_field, name_field = self.municipality_code, self.municipality_name
        if code_field.errors or name_field.errors:
            return False
        code, name = (code_field.data or "").strip(), (name_field.data or "").strip()
        if not code and not name:
            code_field.data = name_field.data = None
            return True
        # a prefecture that is not one is reported on its own: nothing to compare with
        prefecture = None if self.prefecture.errors else (self.prefecture.data or None)
        chosen = None
        if code:
            if not (len(code) == 6 and code.isascii() and code.isdigit()):
                code_field.errors.append(_l("市区町村コードは半角数字6桁で入力してください。"))
                return False
            chosen = municipalities.by_code(code)
            if chosen is None or chosen.code != code:
                code_field.errors.append(_(
                    "市区町村コード「%(code)s」は全国地方公共団体コードの一覧にありません。（例：長野市は202011）",
                    code=code,
                ))  # fmt: skip
                return False
        if name:
            try:
                named = municipalities.resolve(
                    name, prefecture=prefecture or (chosen.prefecture_code if chosen else None)
                )
            except municipalities.Ambiguous as exc:
                name_field.errors.append(_(
                    "「%(name)s」は複数の都道府県にあります（%(places)s）。都道府県を選んでください。",
                    name=name, places="、".join(c.full_name for c in exc.candidates),
                ))  # fmt: skip
                return False
            except municipalities.NotFound:
                name_field.errors.append(_(
                    "「%(name)s」は市区町村の一覧にありません。「長野市」のように市区町村名を正確に入力して候補から選ぶか、全国地方公共団体コード（6桁）を入力してください。",
                    name=name,
                ))  # fmt: skip
                return False
            if chosen is not None and named != chosen:
                code_field.errors.append(_(
                    "市区町村コード「%(code)s」は%(other)sのコードです。市区町村名（%(name)s）と合わせてください。",
                    code=code, other=chosen.full_name, name=named.full_name,
                ))  # fmt: skip
                return False
            chosen = named
        if prefecture and chosen.prefecture_code != prefecture:
            target = name_field if name else code_field
            target.errors.append(_(
                "%(name)sは%(prefecture)sの市区町村です。都道府県と合わせてください。",
                name=chosen.name, prefecture=chosen.prefecture,
            ))  # fmt: skip
            return False
        if not prefecture and not self.prefecture.errors:
            self.prefecture.data = chosen.prefecture_code
        code_field.data, name_field.data = chosen.code, chosen.name
        return True

    def values(self) -> dict:
        """The validated values by API name, JSON types (None for empty)."""
        out = {}
        for name in self.field_names():
            value = getattr(self, name).data
            if isinstance(value, str):
                value = value.strip() or None
            if isinstance(value, Decimal):
                value = float(value)
            out[name] = value
        return out

    @classmethod
    def field_names(cls) -> list[str]:
        common = ["prefecture", "municipality_code", "municipality_name"]
        return common + ["player_fields", "life_domains"] + [s.name for s in specs_for(cls.kind)]


@cache
def details_form_class(kind: str) -> type[_DetailsForm]:
    attrs = {spec.name: _field_for(spec) for spec in specs_for(kind)}
    attrs["kind"] = kind
    return type(f"{kind.title()}DetailsForm", (_DetailsForm,), attrs)


def details_form(kind: str, *, json: dict | None = None, obj_data: dict | None = None, **kw):
    """The form for ``kind``: from the request's form data (web), from a JSON object (API,
    no CSRF), or pre-filled with ``obj_data`` (editing)."""
    cls = details_form_class(kind)
    if json is not None:
        # a new event is 開催予定 and a new problem 募集中 unless the client says otherwise
        defaults = {s.name: s.default for s in specs_for(kind) if s.default is not None}
        given = {k: v for k, v in json.items() if v is not None and v != ""}
        return cls(formdata=json_to_formdata({**defaults, **given}), meta={"csrf": False})
    if obj_data is not None:
        return cls(data=obj_data, meta={"csrf": False}, **kw)
    return cls(meta={"csrf": False}, **kw)


def json_to_formdata(payload: dict) -> MultiDict:
    pairs = []
    for key, value in payload.items():
        if value is None:
            continue
        if isinstance(value, list):
            pairs += [(key, str(v)) for v in value]
        elif isinstance(value, bool):
            pairs.append((key, "1" if value else ""))
        else:
            pairs.append((key, str(value)))
    return MultiDict(pairs)
