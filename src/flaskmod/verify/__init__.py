"""`flaskmod verify`: prove the migrated app registers and answers what the original did.

Reading code cannot show that a migration kept every route, handler and setting; asking Flask
can. The original app (from a git revision checked out in a temporary worktree, or from a saved
copy) and the migrated app (PATH's working tree) are each imported by `probe.py` in a subprocess
of the project's interpreter, never in flaskmod's process, and their descriptions are compared.

Exit codes: 0 equivalent, 1 differences (listed), 2 bad input or an app that does not load.

Modules, by concern: `checkout` (the original tree, run copies), `runner` (interpreter,
environment, subprocesses, the probe), `compare` (rules → rows), `responses` (GET responses →
rows), `recheck` and `volatile` (bodies that differ, against a second start of the original),
`production` (the production check), `suite` (the project's own tests), `report` (table and
JSON), `api` (`verify`, `compare_trees`), `command` (the click command).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Light (no LibCST, no rich), and `compare` must be bound here: importing the submodule
# `flaskmod.verify.compare` would otherwise leave the package attribute `compare` the module.
from flaskmod.verify.compare import compare, endpoint_mapping, match_rules, scoped_rows
from flaskmod.verify.model import LoadError, Row, Settings, Status

if TYPE_CHECKING:
    from flaskmod.verify.api import compare_trees, verify
    from flaskmod.verify.command import verify_command
    from flaskmod.verify.report import Report
    from flaskmod.verify.runner import choose_interpreter, normalise_config
    from flaskmod.verify.suite import parse_counts, suite_command

#: where each public name lives: imported on first use (PEP 562), so the CLI can build the
#: `verify` command without loading the comparison, rich or LibCST (`flaskmod --help`)
_HOMES = {
    "compare_trees": "api",
    "verify": "api",
    "verify_command": "command",
    "Report": "report",
    "choose_interpreter": "runner",
    "normalise_config": "runner",
    "parse_counts": "suite",
    "suite_command": "suite",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)


__all__ = [
    "LoadError",
    "Report",
    "Row",
    "Settings",
    "Status",
    "choose_interpreter",
    "compare",
    "compare_trees",
    "endpoint_mapping",
    "match_rules",
    "normalise_config",
    "parse_counts",
    "scoped_rows",
    "suite_command",
    "verify",
    "verify_command",
]
