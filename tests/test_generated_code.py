"""What flaskmod writes passes `ruff check --select F,I` (pyflakes and isort, ruff's defaults).

For every bundled fixture, the test sorts the original's imports first (`ruff check --select I
--fix` on a copy of `before/`), migrates that copy and lints every Python module the migration
created or changed. Sorting first is what makes the check honest about flaskmod alone: most
fixtures are legacy code with unsorted imports, and flaskmod deliberately keeps a module's own
order when the module was not sorted (it does not restyle code it was not asked to touch). So:

* a module flaskmod created must be clean: no `F` and no `I001` finding at all;
* a module it changed or moved must have no `I001` (its imports were sorted before) and no `F`
  finding the original did not have: an unused `import json` the app already had is the app's,
  one flaskmod adds is a failure. Findings are compared by rule and name, not by line.

ruff runs with `--isolated` from the project's folder, so its default `src` (`.`) makes the
project's own packages first-party, as they are for a user running ruff there.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from flaskmod.apply import apply
from flaskmod.changeset import Kind, compute
from flaskmod.pipeline import discover, run
from flaskmod.project import scan
from tests.e2e.test_fixtures import NAMES, copy

RUFF = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")


def ruff(root: Path, *args: str) -> list[dict[str, object]]:
    """ruff's findings (JSON) for `args` run from `root`, isolated from any configuration."""
    assert RUFF is not None, "ruff is in the test extras"
    done = subprocess.run(
        [RUFF, "check", "--isolated", "--no-cache", "--output-format", "json", *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def key(finding: dict[str, object]) -> tuple[str, str]:
    """A finding by rule and the name it is about (`F401`, `json`), not by place."""
    names = re.findall(r"`([^`]+)`", str(finding["message"]))
    return str(finding["code"]), names[0].rsplit(".", 1)[-1] if names else ""


def by_file(findings: list[dict[str, object]], root: Path) -> dict[str, Counter[tuple[str, str]]]:
    out: dict[str, Counter[tuple[str, str]]] = {}
    for finding in findings:
        path = Path(str(finding["filename"])).resolve().relative_to(root.resolve()).as_posix()
        out.setdefault(path, Counter())[key(finding)] += 1
    return out


@pytest.mark.skipif(RUFF is None, reason="ruff is not installed")
@pytest.mark.parametrize("name", NAMES)
def test_generated_and_changed_modules_pass_ruff_f_and_i(name: str, tmp_path: Path) -> None:
    root = copy(Path(__file__).parent.parent / "fixtures" / name / "before", tmp_path / name)
    ruff(root, "--select", "I", "--fix", ".")
    project = scan(root)
    original = by_file(ruff(root, "--select", "F", "."), root)
    changeset = compute(project, run(project, discover()).final)
    changes = [c for c in changeset if c.path.endswith(".py") and c.new is not None]
    apply(root, changeset)
    paths = [change.path for change in changes]
    found = by_file(ruff(root, "--select", "F,I", *paths), root) if paths else {}

    problems = []
    for change in changes:
        seen = found.get(change.path, Counter())
        before = (
            Counter()
            if change.kind is Kind.ADDED
            else original.get(change.old_path or "", Counter())
        )
        new = seen - before
        problems += [f"{change.path}: {code} {what}".rstrip() for (code, what) in sorted(new)]
    assert problems == [], f"{name}: flaskmod's output is not clean"
