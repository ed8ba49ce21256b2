"""Taxonomy models: thin rows, ordered by ``position``."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db


class Region(db.Model):
    """One of the usual 8 blocks (北海道, 東北, 関東, 中部, 近畿, 中国, 四国, 九州・沖縄)."""

    __tablename__ = "regions"
    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(default=0)


class Prefecture(db.Model):
    """A prefecture by its JIS X 0401 code ("01".."47")."""

    __tablename__ = "prefectures"
    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name: Mapped[str] = mapped_column(String(10))
    name_en: Mapped[str] = mapped_column(String(20))
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    region: Mapped[Region] = relationship(lazy="joined")


class PlayerField(db.Model):
    """One of the 13 player fields (分野)."""

    __tablename__ = "player_fields"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(default=0)


class LifeDomain(db.Model):
    """One of the 23 life-support domains (生活支援の領域)."""

    __tablename__ = "life_domains"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(default=0)
