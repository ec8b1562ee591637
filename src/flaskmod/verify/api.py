"""`verify` as a function: load both apps, compare them and, if asked, both test runs."""

from __future__ import annotations

from flaskmod.errors import FlaskmodError, Location
from flaskmod.project import scan
from flaskmod.verify.checkout import original_tree
from flaskmod.verify.compare import compare
from flaskmod.verify.model import Settings
from flaskmod.verify.report import Report
from flaskmod.verify.runner import choose_interpreter, environment, probe_both, target
from flaskmod.verify.suite import compare_tests, suite_command


def verify(settings: Settings) -> Report:
    """Load both apps, compare them and, if asked, both test runs."""
    path = settings.path
    if not path.is_dir():
        reason = "not a directory" if path.exists() else "no such directory"
        raise FlaskmodError(reason, Location(str(path)))
    interpreter = choose_interpreter(path, settings.python)
    env = environment(interpreter)
    with original_tree(path, settings.base, settings.original) as (root, where):
        sides = (
            target("original", root, where, settings.config),
            target("migrated", path, str(path.absolute()), settings.config),
        )
        old, new = probe_both(sides, interpreter, env, settings.timeout)
        rows = compare(old, new)
        tests = None
        if settings.run_tests:
            command = suite_command(path, scan(path), interpreter.path)
            tests, row = compare_tests(command, sides, env, settings.timeout)
            rows.append(row)
    return Report(interpreter, sides[0], sides[1], tuple(rows), tests)
