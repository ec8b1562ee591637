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

__all__ = [
    "Codemod",
    "Driver",
    "Options",
    "Run",
    "Step",
    "declared_options",
    "discover",
    "run",
    "select",
]

import importlib
import pkgutil
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from flaskmod.analysis import AppModel, Layout, analyze, locate
from flaskmod.codemod import Codemod, Context, Declined, Option
from flaskmod.codemod import Outcome as CodemodOutcome
from flaskmod.errors import BlockedError, Finding, FlaskmodError, Location
from flaskmod.project import FileText, Project
from flaskmod.versions import FlaskVersion, detect


@dataclass(frozen=True)
class Options:
    """What a run is told: the Flask range, --force, --app, and the codemods' own options."""

    #: the project's Flask; detected from its dependency files when not given (`--flask-version`)
    flask: FlaskVersion | None = None
    #: migrate even when the analysis found uses of the app that need a human (`--force`)
    force: bool = False
    #: `--app PATH[:NAME]`: which app to migrate when the project creates several
    app: str | None = None
    #: the project's interpreter (`--python`), also asked which Flask it has
    python: Path | None = None
    #: values of the options codemods declare (`group_by`, `blueprint`, `config_env_var`)
    settings: Mapping[str, str] = field(default_factory=dict)


def declared_options(codemods: Iterable[Codemod]) -> dict[str, Option]:
    """Every option the codemods declare, by name (a name two codemods share is one option)."""
    found: dict[str, Option] = {}
    for codemod in codemods:
        for option in codemod.options:
            found.setdefault(option.name, option)
    return found


def settings_for(options: Options, codemods: Iterable[Codemod]) -> dict[str, str]:
    """The codemods' option values: what was given, else each option's declared default."""
    defaults = {name: option.default for name, option in declared_options(codemods).items()}
    unknown = set(options.settings) - set(defaults)
    if unknown:
        raise FlaskmodError(f"unknown codemod option(s): {', '.join(sorted(unknown))}")
    return {**defaults, **options.settings}


# ------------------------------------------------------------------------- discovery
def discover() -> list[Codemod]:
    """Every codemod module, in default order. Private modules (`_name`) are helpers."""
    return list(_discovered())


@cache
def _discovered() -> tuple[Codemod, ...]:
    """The codemods, found once per process (a command asks several times; each codemod is a
    module-level declaration, so the same objects would be found again)."""
    # Imported by name: the package is the repository's top-level `codemods/`, mapped into the
    # distribution as `flaskmod.codemods` by pyproject.toml.
    package = importlib.import_module("flaskmod.codemods")
    found = [
        _codemod_of(importlib.import_module(f"{package.__name__}.{info.name}"))
        for info in pkgutil.iter_modules(package.__path__)
        if not info.name.startswith("_")
    ]
    return tuple(sorted(found, key=lambda codemod: codemod.order))


def _codemod_of(module: Any) -> Codemod:
    declared = getattr(module, "codemod", None)
    if not isinstance(declared, Codemod):
        raise FlaskmodError(
            f"{module.__name__} declares no codemod (codemod = Codemod.declare(...))"
        )
    return declared


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
    #: where the app is after the last step (None: as in `model`)
    final_model: AppModel | None = None

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

    def incomplete(self) -> list[Finding]:
        """Why the migration stops short of a factory (empty when the factory is built): each
        codemod that declined, with its reason, or the app still global if none did."""
        final = self.final_model or self.model
        wants_factory = any(step.codemod.name == "factory" for step in self.steps)
        if not wants_factory or final.layout is Layout.FACTORY:
            return []
        reasons = [
            finding for step in self.steps if step.declined for finding in step.findings[-1:]
        ]
        return reasons or [
            Finding(
                Location(final.app_path, final.app_line),
                f"the app is still created at import time (`{final.app_name}`): no factory",
            )
        ]


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
    return replace(options, flask=detect(files, project.root, options.python))


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
        self.settings = settings_for(self.options, discover())
        self.on_step = on_step
        self.model = analyze(project, self.options.app)
        self.final_model: AppModel = self.model

    @property
    def already_factory(self) -> bool:
        return self.model.layout is Layout.FACTORY and not self.model.factory_in_progress

    def steps(self) -> Iterator[Step]:
        if self.already_factory:
            return
        refuse_blocking(self.model, self.options)
        current, model = self.original, self.model
        self.final_model = model
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
                self.final_model = model
                queue = self._in_order(queue + self._reoffered(refusals, current, queue))

    def run(self) -> Run:
        """All steps, each codemod shown once: offered again, it replaces its earlier refusal by
        what it did, or by a refusal in the final state (whose lines are the ones the user will
        see). A refusal repeated in a state that later steps changed again would name lines of
        neither the user's files nor the result: the first refusal stands."""
        offered = list(self.steps())
        final = offered[-1].after.files if offered else self.original.files
        steps: list[Step] = []
        for step in offered:
            earlier = [s for s in steps if s.codemod is step.codemod]
            if earlier and not step.changed and (not step.findings or step.after.files != final):
                continue  # offered again, nothing new to say: its refusal still stands
            steps = [s for s in steps if s.codemod is not step.codemod or s.changed]
            steps.append(step)
        return Run(self.original, self.model, tuple(steps), self.options, self.final_model)

    def _in_order(self, queue: list[Codemod]) -> list[Codemod]:
        """A re-offered codemod runs where it belongs, before the codemods that build on what it
        does (config-classes before the factory), not after all of them."""
        return sorted(queue, key=self.codemods.index)

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
        assert self.options.flask is not None
        context = Context(project, model, self.options.flask, self.settings)
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
    return Driver(project, codemods, options, on_step).run()
