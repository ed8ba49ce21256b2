"""Read helpers for taxonomies (used by forms and pages)."""

from __future__ import annotations

from sqlalchemy import select

from core.extensions import db
from taxonomy.models import LifeDomain, PlayerField, Prefecture, Region


def list_prefectures() -> list[Prefecture]:
    return list(db.session.scalars(select(Prefecture).order_by(Prefecture.code)))


def list_player_fields() -> list[PlayerField]:
    return list(db.session.scalars(select(PlayerField).order_by(PlayerField.position)))


def list_life_domains() -> list[LifeDomain]:
    return list(db.session.scalars(select(LifeDomain).order_by(LifeDomain.position)))


def list_regions() -> list[Region]:
    return list(db.session.scalars(select(Region).order_by(Region.position)))
