"""The corpus manifest (`manifest.toml`): one `[[app]]` table per legacy Flask app.

Shared by `restore.py` and `run.py`. Only the standard library: the scripts run under
Python 3.11 (`tomllib`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import tomllib

CORPUS = Path(__file__).resolve().parent
MANIFEST = CORPUS / "manifest.toml"
APPS = CORPUS / "apps"
STACKS = CORPUS / "stacks"
SCENARIOS = CORPUS / "scenarios"
PYENV = Path("/root/.pyenv/versions")

_SHA = re.compile(r"^[0-9a-f]{40}$")
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_REQUIRED = ("name", "repo", "commit", "subpath", "app", "stack", "python")


class ManifestError(Exception):
    """The manifest is malformed; the message names the entry."""


@dataclass(frozen=True)
class App:
    name: str
    repo: str
    commit: str
    subpath: str
    app: str
    stack: str
    python: str
    layout: str = "single-file"
    tests: str | None = None
    tests_pass: int | None = None
    scenario: str | None = None
    env: dict[str, str] = field(default_factory=dict)
    include: list[str] = field(default_factory=list)
    #: `--app PATH` for a folder of several example apps: flaskmod refuses such a folder and
    #: names the option; the corpus then runs as the user who followed that hint
    choose: str | None = None
    notes: str = ""

    @property
    def check_kind(self) -> str:
        return "tests" if self.tests else "scenario"

    @property
    def source(self) -> Path:
        return APPS / self.name

    @property
    def stack_file(self) -> Path:
        return STACKS / f"{self.stack}.txt"

    @property
    def scenario_file(self) -> Path | None:
        return CORPUS / self.scenario if self.scenario else None


def interpreter(version: str) -> Path:
    """The pyenv interpreter for "3.8" (the newest 3.8.x installed)."""
    candidates = sorted(
        PYENV.glob(f"{version}.*/bin/python"),
        key=lambda p: [int(part) for part in p.parent.parent.name.split(".")],
    )
    if not candidates:
        raise ManifestError(f"no Python {version} under {PYENV}")
    return candidates[-1]


def _entry(raw: dict[str, object], index: int) -> App:
    label = f"manifest.toml app #{index + 1} ({raw.get('name', '?')})"
    missing = [key for key in _REQUIRED if key not in raw]
    if missing:
        raise ManifestError(f"{label}: missing {', '.join(missing)}")
    known = set(App.__dataclass_fields__)
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ManifestError(f"{label}: unknown keys {', '.join(unknown)}")
    app = App(**raw)  # type: ignore[arg-type]
    if not _NAME.match(app.name):
        raise ManifestError(f"{label}: name must be lower-case letters, digits, . _ -")
    if not _SHA.match(app.commit):
        raise ManifestError(f"{label}: commit must be 40 hex digits")
    if ":" not in app.app:
        raise ManifestError(f"{label}: app must be module:attribute")
    if bool(app.tests) == bool(app.scenario):
        raise ManifestError(f"{label}: give exactly one of tests or scenario")
    if app.tests and app.tests_pass is None:
        raise ManifestError(f"{label}: tests needs tests_pass")
    if not app.stack_file.is_file():
        raise ManifestError(f"{label}: no stack file {app.stack_file.relative_to(CORPUS)}")
    scenario = app.scenario_file
    if scenario is not None and not scenario.is_file():
        raise ManifestError(f"{label}: no scenario file {app.scenario}")
    return app


def load(path: Path = MANIFEST) -> list[App]:
    """Every app of the manifest, validated; one stack means one Python version."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    apps = [_entry(raw, index) for index, raw in enumerate(data.get("app", []))]
    names = [app.name for app in apps]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ManifestError(f"manifest.toml: duplicate names {', '.join(duplicates)}")
    pythons: dict[str, str] = {}
    for app in apps:
        if pythons.setdefault(app.stack, app.python) != app.python:
            raise ManifestError(
                f"manifest.toml: stack {app.stack} used with Python "
                f"{pythons[app.stack]} and {app.python} ({app.name})"
            )
    return apps


def select(apps: list[App], names: list[str]) -> list[App]:
    """The apps named (all when none); an unknown name is an error."""
    if not names:
        return apps
    by_name = {app.name: app for app in apps}
    unknown = [name for name in names if name not in by_name]
    if unknown:
        raise ManifestError(f"not in the manifest: {', '.join(unknown)}")
    return [by_name[name] for name in names]
