"""`flaskmod verify`: prove the migrated app registers and answers what the original did.

Reading code cannot show that a migration kept every route, handler and setting; asking Flask
can. The original app (from a git revision checked out in a temporary worktree, or from a saved
copy) and the migrated app (PATH's working tree) are each imported by `probe.py` in a subprocess
of the project's interpreter, never in flaskmod's process, and their descriptions are compared.

Exit codes: 0 equivalent, 1 differences (listed), 2 bad input or an app that does not load.

Modules, by concern: `checkout` (the original tree, run copies), `runner` (interpreter,
environment, subprocesses, the probe), `compare` (rules → rows), `responses` (GET responses →
rows), `production` (the production check), `suite` (the project's own tests), `report` (table
and JSON), `api` (`verify`, `compare_trees`), `command` (the click command).
"""

from __future__ import annotations

from flaskmod.verify.api import compare_trees, verify
from flaskmod.verify.command import verify_command
from flaskmod.verify.compare import compare, endpoint_mapping, match_rules, scoped_rows
from flaskmod.verify.model import LoadError, Row, Settings, Status
from flaskmod.verify.report import Report
from flaskmod.verify.runner import choose_interpreter, normalise_config
from flaskmod.verify.suite import parse_counts, suite_command

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
