"""Helpers shared by the test suite: tiny projects on disk, run through chosen codemods."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from pathlib import Path

import pytest

from flaskmod.changeset import compute
from flaskmod.pipeline import Options, Run, discover, run, select
from flaskmod.project import scan
from flaskmod.versions import CURRENT, FlaskVersion

CURRENT_FLASK = FlaskVersion(CURRENT, "tests")
ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def migrate(
    root: Path, only: Iterable[str] = (), skip: Iterable[str] = (), options: Options | None = None
) -> tuple[dict[str, str], Run]:
    """Run the pipeline in memory; return {path: text} of the result, and the run."""
    project = scan(root)
    # Pinned, so a test does not depend on which Flask happens to be installed.
    outcome = run(project, select(discover(), only, skip), options or Options(flask=CURRENT_FLASK))
    return {path: outcome.final.text(path) for path in outcome.final.files}, outcome


def changed_paths(root: Path, only: Iterable[str] = ()) -> list[str]:
    project = scan(root)
    outcome = run(project, select(discover(), only))
    return [change.path for change in compute(project, outcome.final)]


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


@pytest.fixture
def project(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Write files (dedented) into a fresh project folder and return its path."""

    def make(files: dict[str, str]) -> Path:
        return write_tree(tmp_path / "proj", files)

    return make
