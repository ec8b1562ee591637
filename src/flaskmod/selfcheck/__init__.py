"""The self-check: a static proof, before anything is shown or written, that the migrated project
links and keeps production safe.

Each codemod is careful, but real projects combine idioms nobody foresaw; rather than trust every
combination, the result is checked as a whole, without importing any of it:

* `links` — every module the migration wrote compiles, every name a changed module reads is
  bound (pyflakes' "undefined name"), every import of a project module finds the name it imports,
  and no module-level name that other code imports became local to `create_app`;
* `registrations` — every module that registers views, handlers or commands on a blueprint is
  imported on the factory's import chain, not only by an entry script;
* `production` — nothing after the config classes load puts a literal secret, `DEBUG`, `TESTING` or
  `ENV` back; no secret literal is left where production loads it except as config.py's
  development default; and the factory validates the settings the app really got;
* `proxies` — `current_app` is never handed on as a value and `current_app.app_context()` never
  written: a proxy outlives nothing.

A violation names `file:line` and the codemod that produced it. Only what the migration changed is
judged: a name the original project already left undefined is not the migration's doing.
"""

from __future__ import annotations

from flaskmod.selfcheck.base import Violation, Workspace
from flaskmod.selfcheck.links import (
    broken_imports,
    new_locals,
    shadowed_modules,
    syntax_errors,
    undefined_names,
)
from flaskmod.selfcheck.production import (
    late_literals,
    leftover_secrets,
    unloaded_secrets,
    unvalidated,
)
from flaskmod.selfcheck.proxies import proxies_handed_on
from flaskmod.selfcheck.registrations import unreachable_registrations

__all__ = ["RULES", "Violation", "Workspace", "check", "check_workspace"]

RULES = (
    syntax_errors,
    undefined_names,
    broken_imports,
    shadowed_modules,
    new_locals,
    unreachable_registrations,
    late_literals,
    unloaded_secrets,
    leftover_secrets,
    unvalidated,
    proxies_handed_on,
)


def check(run: object) -> list[Violation]:
    """Every violation of every rule in a run's result, deduplicated, in file order."""
    return check_workspace(Workspace.of(run))


def check_workspace(workspace: Workspace) -> list[Violation]:
    found: dict[tuple[str, int | None, str], Violation] = {}
    for rule in RULES:
        for violation in rule(workspace):
            key = (violation.location.path, violation.location.line, violation.rule)
            found.setdefault(key, violation)
    return sorted(found.values(), key=lambda v: (v.location.path, v.location.line or 0))
