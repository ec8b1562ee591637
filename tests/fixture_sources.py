"""Every Python file of the golden fixtures, for tests that check a walk or a shortcut against
LibCST's own answer on real-looking code."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

FIXTURES = Path(__file__).parent.parent / "fixtures"
SOURCES = sorted(FIXTURES.glob("*/*/**/*.py"))

#: `@each_source` runs a test once per fixture file, named by its path under fixtures/
each_source = pytest.mark.parametrize(
    "path", SOURCES, ids=lambda p: p.relative_to(FIXTURES).as_posix()
)


def parsed(path: Path) -> cst.Module | None:
    """The file's tree, or None for a fixture of bad input that does not parse."""
    try:
        return cst.parse_module(path.read_text(encoding="utf-8"))
    except cst.ParserSyntaxError:
        return None
