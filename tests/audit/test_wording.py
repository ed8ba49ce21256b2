"""Every action the code writes into the audit log has a Japanese name on the 操作の記録 page
(the codes are found in the source, so a new action without a name fails here), and the page
shows names, targets as links, and what a filter is."""

from __future__ import annotations

import re
from pathlib import Path

from audit.wording import action_label, target_label
from cocreation.service import ANSWERS
from forum.actions import THREAD_STATES
from moderation.queue import ACTIONS as QUEUE_ACTIONS

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = [p for p in ROOT.iterdir() if p.is_dir() and (p / "__init__.py").exists()
            and p.name not in {"tests", "bench", "migrations"}]  # fmt: skip
LITERAL = re.compile(r"record_action\(\s*[^,]+,\s*\"([a-z_]+(?:\.[a-z_]+)+)\"\s*,\s*\"([a-z_-]+)\"")


def _recorded() -> tuple[set[str], set[str]]:
    actions: set[str] = set()
    targets: set[str] = set()
    for package in PACKAGES:
        for path in package.rglob("*.py"):
            for action, target in LITERAL.findall(path.read_text(encoding="utf-8")):
                actions.add(action)
                targets.add(target)
    return actions, targets


def test_every_recorded_action_and_target_has_a_name(app) -> None:
    actions, targets = _recorded()
    assert len(actions) > 30  # the scan finds the literal codes
    actions |= {f"thread.{state}" for state in THREAD_STATES}
    actions |= {f"queue.{verb}" for verbs in QUEUE_ACTIONS.values() for verb in verbs}
    actions |= {code for _valid, _status, code in ANSWERS.values()}
    actions |= {"space.join_joined", "space.join_pending", "post_revision.redact",
                "detail_revision.redact", "player-fields.save", "life-domains.save"}  # fmt: skip
    targets |= {"moderation_item", "post_revision", "detail_revision", "player-fields",
                "life-domains"}  # fmt: skip
    unnamed = sorted(a for a in actions if action_label(a) == a)
    assert unnamed == []
    assert sorted(t for t in targets if target_label(t) == t) == []
    assert action_label("board.create") == "掲示板の作成"  # named by its parts
    assert action_label("nonsense.code") == "nonsense.code"


def test_audit_page_names_actions_and_links_targets(client, login, admin, moderator, user,
                                                    thread_factory) -> None:  # fmt: skip
    thread = thread_factory()
    login(moderator)
    client.post_form(f"/moderation/users/{user.handle}/sanction",
                     {"kind": "silence", "days": "1", "reason": "テスト理由"})  # fmt: skip
    client.post_form(f"/t/{thread.id}/moderate", {"action": "lock"})
    client.post_form("/logout")
    login(admin)
    html = client.get("/moderation/audit").get_data(as_text=True)
    assert "投稿を制限した" in html and "利用者" in html and "テスト理由" in html
    assert "スレッドを締め切った" in html and f'href="/t/{thread.id}"' in html
    filtered = client.get("/moderation/audit?action=user.silence").get_data(as_text=True)
    assert "「投稿を制限した」の記録だけを表示しています。" in filtered
    assert "スレッドを締め切った" not in filtered
