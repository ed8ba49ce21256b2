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


def luminance(colour: str) -> float:
    """WCAG 2's relative luminance of ``#rrggbb``."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """WCAG 2's contrast ratio of two ``#rrggbb`` colours (AA: 4.5 for text, 3 for graphics).
    For what axe-core does not judge, such as text drawn in SVG over a shape's fill."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)
