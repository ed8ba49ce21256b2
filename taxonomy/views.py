"""Read-only JSON of the taxonomies, for API clients and later filter forms."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from core.jsonapi import api_error
from taxonomy import municipalities
from taxonomy.queries import list_life_domains, list_player_fields, list_prefectures, list_regions

bp = Blueprint("taxonomy", __name__, url_prefix="/api/v1/taxonomies")


@bp.get("")
def taxonomies():
    blocks = [{"code": r.code, "name": r.name} for r in list_regions()]
    names = {b["code"]: b["name"] for b in blocks}
    return jsonify(
        blocks=blocks,
        regions=blocks,  # the same 8 blocks under their earlier key
        prefectures=[
            {
                "code": p.code,
                "name": p.name,
                "name_en": p.name_en,
                "block": names[p.region_code],
                "block_code": p.region_code,
                "region": p.region_code,
            }
            for p in list_prefectures()
        ],  # fmt: skip
        player_fields=[{"slug": f.slug, "name": f.name} for f in list_player_fields()],
        life_domains=[{"slug": d.slug, "name": d.name} for d in list_life_domains()],
    )


@bp.get("/municipalities")
def municipalities_list():
    """The master list of 市区町村 (taxonomy/data/municipalities.csv), of one prefecture with
    ``?prefecture=20``: the structured forms fill their suggestions from it."""
    prefecture = request.args.get("prefecture", "")
    if prefecture and not (len(prefecture) == 2 and prefecture.isascii() and prefecture.isdigit()
                           and "01" <= prefecture <= "47"):  # fmt: skip
        message = "都道府県コードは01〜47の2桁で指定してください。"
        return api_error(400, "validation", message, {"prefecture": [message]})
    rows = municipalities.for_prefecture(prefecture or None)
    response = jsonify(
        municipalities=[
            {"code": m.code, "name": m.name, "kana": m.kana, "kind": m.kind,
             "prefecture": m.prefecture_code, "prefecture_name": m.prefecture}
            for m in rows
        ]  # fmt: skip
    )
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response
