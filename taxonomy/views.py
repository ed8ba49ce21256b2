"""Read-only JSON of the taxonomies, for API clients and later filter forms."""

from __future__ import annotations

from flask import Blueprint, jsonify

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
