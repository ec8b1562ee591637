"""The ordered codemods, and the one driver that runs them over a snapshot.

A codemod is a module of `flaskmod.codemods` (the repository's top-level `codemods/`) that declares
itself with `Codemod.declare(__name__, ...)` (see `flaskmod.codemod`); its name is the module's.
There is no second registry to keep in sync, as in django-upgrade's fixers.

`Driver.steps()` is the only place codemods run: the whole-project preview, `--step`, `--commit`
and `verify` all consume its steps. The project is analysed once; after a step the driver follows
the app module to its new path (a move is recorded in the snapshot) instead of re-analysing.
A codemod that declines is offered again only when a later step changed what it declined on.
"""

from __future__ import annotations

__all__ = ["Codemod", "Driver", "Options", "Outcome", "Run", "Step", "discover", "run", "select"]

import importlib
import pkgutil
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from flaskmod.analysis import AppModel, Layout, analyze, locate
from flaskmod.codemod import Codemod, Context, Declined, Needs
from flaskmod.codemod import Outcome as CodemodOutcome
from flaskmod.errors import BlockedError, Finding, FlaskmodError, Severity
from flaskmod.project import FileText, Project
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
    #: `--app PATH[:NAME]`: which app to migrate when the project creates several
    app: str | None = None

    def settings(self) -> dict[str, str]:
        return {
            "blueprint": self.blueprint,
            "group_by": self.group_by,
            "config_env_var": self.config_env_var,
        }


@dataclass(frozen=True)
class Outcome:
    """What a codemod written against the first contract (`transform`) returns."""

    project: Project
    findings: tuple[Finding, ...] = ()
    #: literal secret values the codemod saw, so previews and reports can mask them
    secrets: frozenset[str] = frozenset()


# ------------------------------------------------------------------------- discovery
def discover() -> list[Codemod]:
    """Every codemod module, in default order. Private modules (`_name`) are helpers."""
    # Imported by name: the package is the repository's top-level `codemods/`, mapped into the
    # distribution as `flaskmod.codemods` by pyproject.toml.
    package = importlib.import_module("flaskmod.codemods")
    found = [
        _codemod_of(importlib.import_module(f"{package.__name__}.{info.name}"))
        for info in pkgutil.iter_modules(package.__path__)
        if not info.name.startswith("_")
    ]
    return sorted(found, key=lambda codemod: codemod.order)


def _codemod_of(module: Any) -> Codemod:
    declared = getattr(module, "codemod", None)
    if isinstance(declared, Codemod):
        return declared
    return _legacy(module)


def _legacy(module: Any) -> Codemod:
    """A module with `ORDER`, `SUMMARY` and `transform(project, model, options)`."""
    codemod: Codemod = Codemod.declare(
        module.__name__, order=module.ORDER, summary=module.SUMMARY, needs=Needs.ANY
    )

    @codemod.plan
    def plan(context: Context) -> Outcome | None:
        options: Options = context.settings["__options__"]  # type: ignore[assignment]
        outcome: Outcome = module.transform(context.project, context.model, options)
        context.findings += [
            f if f.codemod else replace(f, codemod=codemod.name) for f in outcome.findings
        ]
        context.secrets |= outcome.secrets
        if outcome.project.files != context.project.files:
            return outcome
        manual = [f for f in context.findings if f.severity is Severity.MANUAL]
        if manual:  # left something for a human: may apply once a later step moved it
            context.findings.remove(manual[-1])
            raise Declined(manual[-1], (context.model.app_path,))
        return None

    @codemod.edit
    def edit(context: Context, outcome: Outcome) -> Project:
        return outcome.project

    return codemod


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


# --------------------------------------------------------------------------- steps
@dataclass(frozen=True)
class Step:
    codemod: Codemod
    before: Project
    after: Project
    findings: tuple[Finding, ...]
    secrets: frozenset[str] = frozenset()
    declined: bool = False

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


def refuse_blocking(model: AppModel, options: Options) -> None:
    """Raise unless the app's uses are all ones flaskmod can carry, or the user said --force."""
    if model.blocking and not options.force:
        raise BlockedError(model.blocking)


def resolve(project: Project, options: Options) -> Options:
    """The options with the project's Flask version filled in when the user did not give it."""
    if options.flask is not None:
        return options
    files = {path: project.text(path) for path in project.files}
    return replace(options, flask=detect(files, project.root))


@dataclass
class _Refusal:
    """A decline, and the content of what it depended on when it was made."""

    on: dict[str, FileText | None]

    def lifted(self, project: Project) -> bool:
        return any(project.files.get(path) != text for path, text in self.on.items())


class Driver:
    """Runs codemods in order over one analysed project, a step at a time.

    Construction analyses the project (and refuses blocking uses unless --force); `steps()`
    yields one `Step` per codemod run, lazily, so `--step` and `--commit` stop or commit between
    them without re-running anything.
    """

    def __init__(
        self,
        project: Project,
        codemods: Sequence[Codemod],
        options: Options | None = None,
        on_step: ProgressHook | None = None,
    ) -> None:
        self.original = project
        self.codemods = list(codemods)
        self.options = resolve(project, options or Options())
        self.on_step = on_step
        self.model = analyze(project, self.options.app)

    @property
    def already_factory(self) -> bool:
        return self.model.layout is Layout.FACTORY and not self.model.factory_in_progress

    def steps(self) -> Iterator[Step]:
        if self.already_factory:
            return
        refuse_blocking(self.model, self.options)
        current, model = self.original, self.model
        refusals: dict[str, _Refusal] = {}
        queue = list(self.codemods)
        while queue:
            codemod = queue.pop(0)
            step, declined = self._run(codemod, current, model)
            if declined is not None:
                refusals[codemod.name] = _Refusal(
                    {path: current.files.get(path) for path in declined.on}
                )
            else:
                refusals.pop(codemod.name, None)
            yield step
            if step.changed:
                model = self._follow(model, current, step.after)
                current = step.after
                queue += self._reoffered(refusals, current, queue)

    def _reoffered(
        self, refusals: dict[str, _Refusal], project: Project, queue: list[Codemod]
    ) -> list[Codemod]:
        """Declined codemods whose reason may be gone, in order, unless already queued."""
        waiting = {codemod.name for codemod in queue}
        lifted = {name for name, refusal in refusals.items() if refusal.lifted(project)}
        for name in lifted:
            del refusals[name]
        return [c for c in self.codemods if c.name in lifted and c.name not in waiting]

    def _run(
        self, codemod: Codemod, project: Project, model: AppModel
    ) -> tuple[Step, Declined | None]:
        if self.on_step:
            self.on_step(codemod)
        settings: Mapping[str, Any] = {**self.options.settings(), "__options__": self.options}
        assert self.options.flask is not None
        context = Context(project, model, self.options.flask, settings)
        outcome: CodemodOutcome = codemod.run(context)
        step = Step(
            codemod,
            project,
            outcome.project,
            outcome.findings,
            outcome.secrets,
            declined=outcome.declined is not None,
        )
        return step, outcome.declined

    def _follow(self, model: AppModel, before: Project, after: Project) -> AppModel:
        """Where the app is after a step: its module followed through moves, not re-analysed."""
        origin = before.source_of(model.app_path)
        hint = next((path for path in after.files if after.source_of(path) == origin), None)
        return replace(locate(after, hint), other_apps=model.other_apps)


def run(
    project: Project,
    codemods: Sequence[Codemod],
    options: Options | None = None,
    on_step: ProgressHook | None = None,
) -> Run:
    """Every step of the driver, collected (the whole-project preview and `--apply`)."""
    driver = Driver(project, codemods, options, on_step)
    steps: list[Step] = []
    for step in driver.steps():
        earlier = [s for s in steps if s.codemod is step.codemod]
        if earlier and not step.changed and not step.findings:
            continue  # offered again, nothing to say: its refusal still stands
        # Offered again, it replaces its refusal: by what it did, or by a refusal in the
        # current state (whose lines are the ones the user will see).
        steps = [s for s in steps if s.codemod is not step.codemod or s.changed]
        steps.append(step)
    return Run(original=project, model=driver.model, steps=tuple(steps), options=driver.options)
