"""What every rule of the self-check reads: the project before and after, and who changed what."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from flaskmod.analysis import AppModel
from flaskmod.errors import Finding, Location, Severity
from flaskmod.project import Project


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

    def tests(self) -> frozenset[str]:
        from flaskmod.testmodules import find_test_modules

        return find_test_modules(self.final)
