"""The ordered codemods, and running them over a snapshot.

A codemod is a module in `flaskmod.codemods` (the repository's top-level `codemods/`) whose name
is the codemod's name: it defines `ORDER`, `SUMMARY` and `transform(project, model, options)`.
There is no second registry to keep in sync, as in django-upgrade's fixers.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from types import ModuleType
from typing import Protocol

from flaskmod.analysis import AppModel, Layout, analyze
from flaskmod.errors import BlockedError, Finding, FlaskmodError
from flaskmod.project import Project
from flaskmod.versions import FlaskVersion, detect


@dataclass(frozen=True)
class Options:
    """Settings a user may give on the command line or in `[tool.flaskmod]`."""

    blueprint: str = "main"
    #: the project's Flask; detected from its dependency files when not given (`--flask-version`)
    flask: FlaskVersion | None = None
    #: "single": one `main` blueprint; "prefix": one blueprint per shared first URL segment
    group_by: str = "single"
    config_env_var: str = "FLASK_CONFIG"
    #: migrate even when the analysis found uses of the app that need a human (`--force`)
    force: bool = False


@dataclass(frozen=True)
class Outcome:
    project: Project
    findings: tuple[Finding, ...] = ()
    #: literal secret values the codemod saw, so previews and reports can mask them
    secrets: frozenset[str] = frozenset()


class Transform(Protocol):
    def __call__(self, project: Project, model: AppModel, options: Options) -> Outcome: ...


@dataclass(frozen=True)
class Codemod:
    name: str
    summary: str
    order: int
    transform: Transform

    @classmethod
    def from_module(cls, module: ModuleType) -> Codemod:
        short = module.__name__.rsplit(".", 1)[-1]
        return cls(
            name=short.replace("_", "-"),
            summary=module.SUMMARY,
            order=module.ORDER,
            transform=module.transform,
        )


def discover() -> list[Codemod]:
    """Every codemod module, in default order. Private modules (`_name`) are helpers."""
    # Imported by name: the package is the repository's top-level `codemods/`, mapped into the
    # distribution as `flaskmod.codemods` by pyproject.toml.
    package = importlib.import_module("flaskmod.codemods")
    found = [
        Codemod.from_module(importlib.import_module(f"{package.__name__}.{info.name}"))
        for info in pkgutil.iter_modules(package.__path__)
        if not info.name.startswith("_")
    ]
    return sorted(found, key=lambda codemod: codemod.order)


def select(
    codemods: Sequence[Codemod], only: Iterable[str] = (), skip: Iterable[str] = ()
) -> list[Codemod]:
    only, skip = list(only), list(skip)
    known = {codemod.name for codemod in codemods}
    for name in [*only, *skip]:
        if name not in known:
            raise FlaskmodError(
                f"unknown codemod {name!r}; known: {', '.join(c.name for c in codemods)}"
            )
    return [c for c in codemods if (not only or c.name in only) and c.name not in skip]


@dataclass(frozen=True)
class Step:
    codemod: Codemod
    before: Project
    after: Project
    findings: tuple[Finding, ...]
    secrets: frozenset[str] = frozenset()

    @property
    def changed(self) -> bool:
        return self.before.files != self.after.files


@dataclass(frozen=True)
class Run:
    original: Project
    model: AppModel
    steps: tuple[Step, ...] = field(default_factory=tuple)
    options: Options = field(default_factory=lambda: Options())

    @property
    def final(self) -> Project:
        return self.steps[-1].after if self.steps else self.original

    @property
    def findings(self) -> list[Finding]:
        seen: list[Finding] = list(self.model.findings)
        for step in self.steps:
            seen += [f for f in step.findings if f not in seen]
        return seen

    @property
    def secrets(self) -> frozenset[str]:
        return frozenset().union(*(step.secrets for step in self.steps))

    @property
    def nothing_to_do(self) -> bool:
        return not any(step.changed for step in self.steps)

    @property
    def already_factory(self) -> bool:
        return self.model.layout is Layout.FACTORY and not self.model.factory_in_progress


ProgressHook = Callable[[Codemod], None]

#: Codemods run in passes until one changes nothing: a codemod that declined (a name clash) may
#: apply once a later one moved the clashing code away, and a second run must find nothing to do.
MAX_PASSES = 3


def refuse_blocking(model: AppModel, options: Options) -> None:
    """Raise unless the app's uses are all ones flaskmod can carry, or the user said --force."""
    if model.blocking and not options.force:
        raise BlockedError(model.blocking)


def run(
    project: Project,
    codemods: Sequence[Codemod],
    options: Options | None = None,
    on_step: ProgressHook | None = None,
) -> Run:
    """Apply each codemod to the previous one's output; re-analyse only after a change."""
    options = options or Options()
    if options.flask is None:
        files = {path: project.text(path) for path in project.files}
        options = replace(options, flask=detect(files, project.root))
    first = analyze(project)
    if first.layout is Layout.FACTORY and not first.factory_in_progress:
        return Run(original=project, model=first, options=options)
    refuse_blocking(first, options)
    steps: list[Step] = []
    current, model = project, first
    for number in range(MAX_PASSES):
        progressed = False
        for codemod in codemods:
            if on_step:
                on_step(codemod)
            outcome = codemod.transform(current, model, options)
            findings = tuple(
                f if f.codemod else Finding(f.location, f.message, f.severity, codemod.name)
                for f in outcome.findings
            )
            step = Step(codemod, current, outcome.project, findings, outcome.secrets)
            if number and step.changed:
                # A later pass did what an earlier one declined: its refusal no longer holds.
                steps = [s for s in steps if s.codemod != codemod or s.changed]
            if step.changed or not number:
                steps.append(step)
            if step.changed:
                progressed = True
                current = outcome.project
                model = analyze(current, detailed=False)
        if not progressed:
            break
    return Run(original=project, model=first, steps=tuple(steps), options=options)
