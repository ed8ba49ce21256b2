"""Japanese labels of the organisation kinds (the kinds themselves are data in
``directory.models.ORGANIZATION_KINDS``; these are their names in the UI, in the same order)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

KIND_LABELS = {
    "npo": _l("NPO法人"),
    "company": _l("企業"),
    "association": _l("団体・協議会"),
    "cooperative": _l("協同組合"),
    "ministry": _l("省庁"),
    "prefecture": _l("都道府県"),
    "municipality": _l("市区町村"),
    "other": _l("その他"),
}


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))
