"""axe-core (via axe-playwright-python) on a page: WCAG 2.1 A and AA rules (JIS X 8341-3:2016
follows WCAG 2.0 AA; 2.1 adds reflow, contrast of controls and more)."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe

_AXE = Axe()
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def violations(page) -> list[str]:
    results = _AXE.run(page, options={"runOnly": {"type": "tag", "values": TAGS},
                                      "resultTypes": ["violations"]})  # fmt: skip
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(n["target"][0] for n in v["nodes"][:3])
        for v in results.response["violations"]
    ]


def assert_accessible(page, label: str = "") -> None:
    found = violations(page)
    assert found == [], f"axe-core on {label or page.url}:\n  " + "\n  ".join(found)
