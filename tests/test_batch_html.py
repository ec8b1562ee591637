"""report.html in a real headless Chromium: it renders every repository, the chart, and its
filter and sort (set from the URL hash, as a shared link would) work without any network."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from flaskmod.batch.html import write_html
from flaskmod.batch.report import document
from tests.test_batch import chromium, dump_dom

NAMES = ["shop", "blog", "wiki", "api", "shop-admin", "legacy"]
OUTCOMES = ["migrated", "needs-manual-steps", "refused", "migrated", "timeout", "not-flask"]


def entry(number: int, name: str, outcome: str, folder: Path) -> dict[str, Any]:
    patch = folder / "patches" / f"{name}.patch"
    step = {"file": "app.py", "line": 3, "codemod": "factory", "kind": "manual", "message": "do"}
    return {
        "name": name,
        "path": f"/srv/{name}",
        "outcome": outcome,
        "reason": "a reason" if outcome in ("refused", "timeout") else None,
        "flask": "2.3",
        "files_changed": number,
        "manual_steps": [step] if outcome == "needs-manual-steps" else [],
        "patch": str(patch) if outcome == "migrated" else None,
        "seconds": float(10 - number),
    }


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("html")
    entries = [entry(i, n, o, folder) for i, (n, o) in enumerate(zip(NAMES, OUTCOMES, strict=True))]
    run = {"mode": "preview", "started": "s", "finished": "f", "seconds": 1.0}
    path = folder / "report" / "report.html"
    write_html(path, document(entries, run))
    return path


class Rows(HTMLParser):
    """The table's rows as the browser left them: name, outcome, hidden or not, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict[str, Any]] = []
        self.bars: dict[str, int] = {}
        self.links: list[str] = []
        self._cell: int | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "tr" and "data-outcome" in found:
            self.rows.append({"outcome": found["data-outcome"], "hidden": "hidden" in found})
            self._cell = 0
        elif tag == "td" and self._cell is not None:
            self._cell += 1
        elif tag == "g" and "data-outcome" in found:
            self.bars[str(found["data-outcome"])] = int(found["data-count"] or 0)
        elif tag == "a" and found.get("href"):
            self.links.append(str(found["href"]))

    def handle_data(self, data: str) -> None:
        if self._cell == 1 and data.strip() and "name" not in self.rows[-1]:
            self.rows[-1]["name"] = data.strip()


def rendered(page: Path, fragment: str = "") -> Rows:
    browser = chromium()
    if browser is None:
        pytest.skip("no Chromium on this machine (install the chromium package)")
    dom = dump_dom(browser, page.as_uri() + fragment)
    assert "<tbody>" in dom, dom[:500]
    parser = Rows()
    parser.feed(dom)
    return parser


def shown(dom: Rows) -> list[str]:
    return [row["name"] for row in dom.rows if not row["hidden"]]


def test_the_page_shows_every_repository_and_the_chart(page: Path) -> None:
    dom = rendered(page)
    assert [row["name"] for row in dom.rows] == NAMES and shown(dom) == NAMES
    assert dom.bars["migrated"] == 2 and dom.bars["timeout"] == 1 and dom.bars["error"] == 0
    assert "../patches/shop.patch" in dom.links and "../patches/api.patch" in dom.links
    assert not [link for link in dom.links if re.match(r"https?:", link)]


def test_the_outcome_filter_from_the_url(page: Path) -> None:
    assert shown(rendered(page, "#outcome=migrated")) == ["shop", "api"]
    assert shown(rendered(page, "#outcome=refused")) == ["wiki"]


def test_the_text_filter_and_the_sort_from_the_url(page: Path) -> None:
    assert shown(rendered(page, "#q=shop")) == ["shop", "shop-admin"]
    by_seconds = rendered(page, "#sort=seconds&dir=asc")
    assert [row["name"] for row in by_seconds.rows] == list(reversed(NAMES))
    by_name = rendered(page, "#sort=name&dir=desc")
    assert [row["name"] for row in by_name.rows] == sorted(NAMES, reverse=True)
