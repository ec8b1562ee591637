"""The contract between the engine and a codemod.

A codemod is a module of the codemod library (`flaskmod.codemods`) that declares itself with
`Codemod.declare(__name__, ...)`: its order, the project shape it needs, the first Flask it
supports and its options. It then registers two functions, in the spirit of LibCST's codemod
commands:

* `@codemod.plan` — pure: reads the `Context` and returns what would move where (a small frozen
  dataclass of the codemod's own), or None when there is nothing to do;
* `@codemod.edit` — applies that plan with LibCST and returns the new `Project`.

Everything a codemod wants to tell the user goes through one channel on the context, as LibCST's
`CodemodContext.warnings` and `SkipFile` do: `note` (something changed the user should know),
`warn` (a manual step: something left alone), and `decline` (nothing done, with the reason; the
driver offers the codemod again once a later step changes what it declined on).

Names that several codemods and the analysis share (`create_app`, `get_config`, the blueprint
variable) are defined here, once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any, NoReturn, TypeVar

from flaskmod.analysis import AppModel, Layout
from flaskmod.conventions import (
    BLUEPRINT_VARIABLE,
    CONFIG_BY_NAME,
    CONFIG_ENV_VAR,
    CONFIG_MODULE,
    EXTENSIONS_MODULE,
    FACTORY,
    GET_CONFIG,
)
from flaskmod.errors import Finding, Location, Severity
from flaskmod.knowledge import Version
from flaskmod.project import Project
from flaskmod.versions import FlaskVersion

__all__ = [
    "BLUEPRINT_VARIABLE",
    "CONFIG_BY_NAME",
    "CONFIG_ENV_VAR",
    "CONFIG_MODULE",
    "EXTENSIONS_MODULE",
    "FACTORY",
    "GET_CONFIG",
    "Codemod",
    "Context",
    "Declined",
    "Example",
    "Needs",
    "Option",
    "Outcome",
]


class Needs(str, Enum):
    """The project shape a codemod works on; on another shape it does nothing."""

    ANY = "any layout"
    #: a module-level app, in a single module or a package (not yet a factory)
    GLOBAL_APP = "a global app"
    #: `app = Flask(...)` in a plain module (`app.py`)
    MODULE = "the app in a single module"
    #: the global app in a package `__init__.py`: what `package` leaves
    PACKAGE = "the app in a package"
    #: `create_app` built by the factory codemod: what `wsgi` and `tests` build on
    FACTORY = "an application factory"


@dataclass(frozen=True)
class Option:
    """A setting of one codemod, filled from the command line or `[tool.flaskmod]`."""

    name: str
    default: str
    help: str
    choices: tuple[str, ...] = ()

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def key(self) -> str:
        """The key in `[tool.flaskmod]`: `group-by`."""
        return self.name.replace("_", "-")


@dataclass(frozen=True)
class Example:
    """A small before/after of one codemod, shown on its page (`docs/codemods/<name>.md`).

    Declared next to the code so the page cannot drift from it: `tests/test_docs.py` runs the
    codemod on `before` (`{path: source}`, dedented as in `tests/codemods/tools.py`) on `flask`
    with `settings` (codemod options by name) and checks that it writes exactly `after` (every
    file it adds or changes is shown there, or named in `elided`: written too, too long to
    show), that `moved` maps each file it removes to the path it moved to, and that what it
    reports is `reports`, in order.
    """

    before: Mapping[str, str]
    after: Mapping[str, str]
    flask: str = "3.1"
    note: str = ""
    settings: Mapping[str, str] = field(default_factory=dict)
    elided: tuple[str, ...] = ()
    moved: Mapping[str, str] = field(default_factory=dict)
    #: the message of every note and manual step the run reports
    reports: tuple[str, ...] = ()


class Declined(Exception):
    """Raised through `Context.decline`: the codemod did nothing, for this reason."""

    def __init__(self, finding: Finding, on: tuple[str, ...]) -> None:
        super().__init__(finding.message)
        self.finding = finding
        #: the paths whose change lifts the refusal (the app module unless said otherwise)
        self.on = on


@dataclass
class Context:
    """What a codemod reads (project, app model, Flask version, settings) and where it reports."""

    project: Project
    model: AppModel
    flask: FlaskVersion
    settings: Mapping[str, str]
    codemod: str = ""
    findings: list[Finding] = field(default_factory=list)
    secrets: set[str] = field(default_factory=set)

    # -- settings -------------------------------------------------------------------
    def option(self, name: str) -> str:
        return self.settings[name]

    def has(self, idiom: str) -> bool:
        """Whether the project's Flask has an idiom flaskmod may generate (`knowledge.GATES`)."""
        return self.flask.has(idiom)

    # -- the one channel for findings -----------------------------------------------
    def note(self, message: str, path: str, line: int | None = None) -> None:
        self.findings.append(self._finding(message, path, line, Severity.NOTE))

    def warn(self, message: str, path: str, line: int | None = None) -> None:
        """A manual step: something the codemod left for a human, with its place."""
        self.findings.append(self._finding(message, path, line, Severity.MANUAL))

    def decline(
        self, message: str, path: str, line: int | None = None, *, on: Iterable[str] = ()
    ) -> NoReturn:
        """Stop: nothing of this codemod is applied. `on`: what a later change must touch."""
        finding = self._finding(message, path, line, Severity.MANUAL)
        raise Declined(finding, tuple(on) or (self.model.app_path,))

    def secret(self, literal: str) -> None:
        """A literal secret the codemod saw: previews and reports mask it."""
        self.secrets.add(literal)

    def _finding(self, message: str, path: str, line: int | None, severity: Severity) -> Finding:
        return Finding(Location(path, line), message, severity, self.codemod)


@dataclass(frozen=True)
class Outcome:
    """What one codemod did: the new snapshot, what it reported, and whether it declined."""

    project: Project
    findings: tuple[Finding, ...] = ()
    secrets: frozenset[str] = frozenset()
    declined: Declined | None = None


P = TypeVar("P")
Planner = Callable[[Context], P | None]
Editor = Callable[[Context, P], Project]


class Codemod:
    """One codemod: its declaration, and its plan and edit functions once registered."""

    def __init__(
        self,
        name: str,
        *,
        order: int,
        summary: str,
        needs: Needs,
        min_flask: Version | None = None,
        options: tuple[Option, ...] = (),
        doc: str = "",
        example: Example | None = None,
    ) -> None:
        self.name = name
        self.order = order
        self.summary = summary
        self.needs = needs
        self.min_flask = min_flask
        self.options = options
        self.doc = doc
        #: shown on the codemod's page and checked by tests/test_docs.py
        self.example = example
        self._plan: Planner[Any] | None = None
        self._edit: Editor[Any] | None = None

    @classmethod
    def declare(cls, module: str, **declaration: Any) -> Codemod:
        """Declare the codemod of `module` (its name is the module's, with dashes)."""
        short = module.rsplit(".", 1)[-1].replace("_", "-")
        return cls(short, **declaration)

    def plan(self, function: Planner[P]) -> Planner[P]:
        self._plan = function
        return function

    def edit(self, function: Editor[P]) -> Editor[P]:
        self._edit = function
        return function

    def __repr__(self) -> str:
        return f"Codemod({self.name!r}, order={self.order})"

    # -- running --------------------------------------------------------------------
    def applies_to(self, model: AppModel) -> bool:
        return _SHAPES[self.needs](model)

    def run(self, context: Context) -> Outcome:
        """Plan, then edit; a decline or an unmet requirement leaves the project unchanged."""
        assert self._plan is not None and self._edit is not None, self.name
        context.codemod = self.name
        project = context.project
        declined: Declined | None = None
        if self._supported(context):
            try:
                plan = self._plan(context)
                if plan is not None:
                    project = self._edit(context, plan)
            except Declined as refusal:
                declined, project = refusal, context.project
                context.findings.append(refusal.finding)
        findings = tuple(
            f if f.codemod else replace(f, codemod=self.name) for f in context.findings
        )
        return Outcome(
            project,
            findings,
            frozenset(context.secrets),
            declined,
        )

    def _supported(self, context: Context) -> bool:
        model = context.model
        if self.needs is Needs.PACKAGE and model.layout is Layout.MODULE:
            message = f"{self.name} needs the app in a package: run the `package` codemod first"
            context.warn(message, model.app_path)
            return False
        if not self.applies_to(model):
            return False
        flask = context.flask
        if self.min_flask is not None and not flask.at_least(*self.min_flask):
            context.note(f"{self.name} needs Flask {self.min_flask}, not {flask}", model.app_path)
            return False
        return True


_SHAPES: dict[Needs, Callable[[AppModel], bool]] = {
    Needs.ANY: lambda model: True,
    Needs.GLOBAL_APP: lambda model: model.layout is not Layout.FACTORY,
    Needs.MODULE: lambda model: model.layout is Layout.MODULE,
    Needs.PACKAGE: lambda model: model.layout is Layout.PACKAGE,
    Needs.FACTORY: lambda model: model.layout is Layout.FACTORY and model.factory == FACTORY,
}
