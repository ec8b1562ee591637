"""What `pip install .` / `pipx install flaskmod` ships: every package of the source tree.

`[tool.setuptools] packages` is an explicit list (the codemods map from the top-level
`codemods/`), so a new subpackage of `src/flaskmod` must be added there; an editable install
hides the omission, a wheel does not (`flaskmod.selfcheck` was once missing from it).
"""

from __future__ import annotations

import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]


def test_every_subpackage_is_shipped() -> None:
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    source = ROOT / "src"
    found = {
        ".".join(init.parent.relative_to(source).parts) for init in source.rglob("__init__.py")
    }
    assert found <= set(settings["packages"])


def test_the_license_is_declared_and_shipped() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] in ({"text": "MIT"}, "MIT")  # table form, or an SPDX expression
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
