"""Co-creation fixtures: organisations with verified members, a local problem and its author."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest

from core.extensions import db
from directory.models import Organization

_seq = itertools.count(1)


@pytest.fixture
def org_factory(app):
    def make(name: str | None = None, kind: str = "company") -> Organization:
        n = next(_seq)
        org = Organization(slug=f"org-{n}", name=name or f"テスト団体{n}", kind=kind)
        db.session.add(org)
        db.session.commit()
        return org

    return make


@pytest.fixture
def offerer_factory(user_factory, org_factory):
    """A verified member (団体担当者) who speaks for an organisation."""

    def make(org: Organization | None = None, role: str = "org_staff", **profile):
        org = org or org_factory()
        return user_factory(role=role, organization_id=org.id, **profile)

    return make


@dataclass
class World:
    problem: object
    author: object
    author_org: Organization
    colleague: object  # a member of the author's organisation
    offerer: object
    other_offerer: object


@pytest.fixture
def world(structured_factory, user_factory, org_factory, offerer_factory) -> World:
    author_org = org_factory("横手市 健康福祉部", kind="municipality")
    author = user_factory(role="municipal_staff", organization_id=author_org.id)
    colleague = user_factory(role="municipal_staff", organization_id=author_org.id)
    problem = structured_factory("challenge", title="冬の買い物支援の連携先を探しています",
                                 author=author)  # fmt: skip
    return World(problem, author, author_org, colleague, offerer_factory(), offerer_factory())


MESSAGE = "移動販売車を週2回走らせることができます。燃料費のご相談をさせてください。"
