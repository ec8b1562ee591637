"""What every rule of the self-check reads: the project before and after, and who changed what."""

from __future__ import annotations

import ast
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar, cast

import libcst as cst

from flaskmod.analysis import AppModel
from flaskmod.errors import Finding, Location, Severity
from flaskmod.names import Imported, code_nodes, imports_of, kind_test
from flaskmod.project import Project

T = TypeVar("T")

#: the nodes rules look at anywhere in a module (see `Workspace.sightings`)
SIGHTED = (
    cst.Attribute,
    cst.Call,
    cst.Return,
    cst.Assign,
    cst.Arg,
    cst.DictElement,
    cst.SimpleString,
    cst.ConcatenatedString,
)
_sighted = kind_test(SIGHTED)


@dataclass(frozen=True)
class Violation:
    """A rule the migrated project breaks, where, and the codemod whose step produced it."""

    rule: str
    location: Location
    message: str
    codemod: str = ""

    def finding(self) -> Finding:
        return Finding(
            self.location,
            f"{self.message} [self-check: {self.rule}]",
            Severity.MANUAL,
            self.codemod,
        )

    def __str__(self) -> str:
        by = f" ({self.codemod})" if self.codemod else ""
        return f"{self.location}: {self.message}{by}"


@dataclass
class Workspace:
    """The original and migrated snapshots, the steps between them, and shared lookups."""

    original: Project
    final: Project
    model: AppModel
    steps: tuple[Any, ...] = ()
    secrets: frozenset[str] = frozenset()
    _modules: dict[int, dict[str, str]] = field(default_factory=dict)
    _shared: dict[Hashable, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, run: Any) -> Workspace:
        return cls(run.original, run.final, run.model, tuple(run.steps), frozenset(run.secrets))

    # ------------------------------------------------------------------ what changed
    @cached_property
    def changed(self) -> frozenset[str]:
        """Python files of the result that the migration created or changed."""
        return frozenset(
            path
            for path in self.final.python_paths()
            if self.final.files[path] != self.original.files.get(self.final.source_of(path))
        )

    @cached_property
    def relocated(self) -> frozenset[str]:
        """Python files of the result at a new path, changed or not: their module name, and what
        their relative imports mean, may be new even where their text is not."""
        return frozenset(p for p in self.final.python_paths() if self.final.source_of(p) != p)

    def before(self, path: str) -> str | None:
        """The original text of a result file (None when the migration created it)."""
        source = self.final.source_of(path)
        return self.original.text(source) if source in self.original.files else None

    def author(self, path: str) -> str:
        """The codemod of the last step that changed `path` (after moves: its last name)."""
        name = ""
        for step in self.steps:
            after = step.after.files.get(path)
            if after is not None and after != step.before.files.get(path):
                name = step.codemod.name
        return name

    def violation(self, rule: str, path: str, line: int | None, message: str) -> Violation:
        return Violation(rule, Location(path, line), message, self.author(path))

    # ------------------------------------------------------------------ modules
    def modules(self, project: Project) -> dict[str, str]:
        """Dotted module name → path, for every Python file of `project`."""
        key = id(project)
        if key not in self._modules:
            self._modules[key] = {project.module_name(p): p for p in project.python_paths()}
        return self._modules[key]

    # ------------------------------------------------------------------ shared reading
    def shared(self, key: Hashable, compute: Callable[[], T]) -> T:
        """`compute()`, once per check: what several rules read is read once."""
        if key not in self._shared:
            self._shared[key] = compute()
        return cast(T, self._shared[key])

    def python_ast(self, path: str) -> ast.Module | SyntaxError:
        """Python's own parse of a module of the result, or why it fails: compiled, read by
        pyflakes and by text prefilters that need statement lines, parsed once."""

        def parse() -> ast.Module | SyntaxError:
            try:
                return ast.parse(self.final.text(path), path)
            except SyntaxError as error:
                return error

        return self.shared(("ast", path), parse)

    def imports(self, project: Project, path: str) -> dict[str, Imported]:
        """What a module's top-level imports bind: `project.index(path).imports`, without the
        name facts of every statement the index would compute (a large module's index costs
        more than all the rules that read only its imports)."""
        return self.shared(
            ("imports", id(project), path),
            lambda: imports_of(
                project.module(path).body, project.module_name(path), path.endswith("__init__.py")
            ),
        )

    def sightings(self, project: Project, path: str) -> list[tuple[int, cst.CSTNode]]:
        """The nodes of `SIGHTED` kinds in a module, in source order, each with the position of
        the top-level statement it is in: one walk per module for every rule that looks."""

        def walk() -> list[tuple[int, cst.CSTNode]]:
            body = project.module(path).body
            return [
                (position, node)
                for position, statement in enumerate(body)
                for node in code_nodes(statement, literals=True)
                if _sighted(node)
            ]

        return self.shared(("sightings", id(project), path), walk)

    def tests(self) -> frozenset[str]:
        from flaskmod.testmodules import find_test_modules

        return self.shared("tests", lambda: find_test_modules(self.final))
