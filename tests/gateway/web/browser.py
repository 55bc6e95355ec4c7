"""Browser tests of the web app: Debian's chromium driven by Playwright, axe-core scans.

`make test` installs /usr/bin/chromium (apt-get) and axe-core (npm ci); Playwright never
downloads a browser here. Every browser test leaves a screenshot in test-artifacts/.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import Page, Request

ROOT = Path(__file__).parents[3]
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# What a scan refuses; minor and moderate findings are reported, not failed on.
BLOCKING_IMPACTS = frozenset({"serious", "critical"})


@dataclass
class RequestLog:
    """Every request the browser made, to show that none went to another host."""

    urls: list[str] = field(default_factory=list)

    def record(self, request: Request) -> None:
        self.urls.append(request.url)

    def foreign(self, own: str) -> list[str]:
        """The requests that did not go to `own` (scheme://host:port)."""
        origin = urlsplit(own)
        return [
            url
            for url in self.urls
            if (urlsplit(url).scheme, urlsplit(url).netloc) != (origin.scheme, origin.netloc)
        ]


async def assert_accessible(page: Page, label: str = "") -> None:
    """Scan the current page with axe-core (WCAG 2.0/2.1 A and AA rules); fail on any
    serious or critical violation, naming the rule and the elements."""
    results: dict[str, Any] = await page.evaluate(
        """() => axe.run(document, {
            runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                                            "best-practice"]},
            resultTypes: ["violations"],
        })"""
    )
    blocking = [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(node["target"]) for node in v["nodes"][:5])
        for v in results["violations"]
        if v.get("impact") in BLOCKING_IMPACTS
    ]
    assert not blocking, f"axe on {label or page.url}:\n" + "\n".join(blocking)


def artifact_name(nodeid: str) -> str:
    """A file name for a test's screenshot, from its pytest id."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid).strip("_")[:180] + ".png"
