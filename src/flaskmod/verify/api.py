"""`verify` as functions: `verify(settings)` for the command, `compare_trees` for callers that
already have both trees on disk (`upgrade --verify` materialises the migration in a temporary
folder and compares it with the project before writing anything)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

from flaskmod.errors import FlaskmodError, Location
from flaskmod.project import scan
from flaskmod.verify import production
from flaskmod.verify.checkout import original_tree, scratch_copies
from flaskmod.verify.compare import compare
from flaskmod.verify.model import (
    ABSENT,
    BodyCheck,
    Interpreter,
    Row,
    Settings,
    Status,
    Target,
)
from flaskmod.verify.recheck import recheck
from flaskmod.verify.report import Report
from flaskmod.verify.runner import (
    Sampling,
    choose_interpreter,
    environment,
    probe_again,
    probe_both,
    target,
)
from flaskmod.verify.suite import compare_tests, suite_command


@dataclass(frozen=True)
class Side:
    """One tree to load: where it is, and how to name it in messages."""

    root: Path
    where: str


def verify(settings: Settings) -> Report:
    """Load both apps, compare them and, if asked, both test runs."""
    path = settings.path
    _require_directory(path)
    with original_tree(path, settings.base, settings.original) as (root, where):
        return _compare(Side(root, where), Side(path, str(path.absolute())), settings)


def compare_trees(
    original: Path,
    migrated: Path,
    *,
    python: Path | None = None,
    run_tests: bool = False,
    timeout: float = 60.0,
    config: str = "development",
    responses: bool = True,
    production: bool | None = None,
    app: str | None = None,
) -> Report:
    """Compare an original project folder with a migrated copy, both already on disk.

    Neither folder is written to: the apps run on temporary copies. The interpreter is
    `python`, else a `.venv/` or `venv/` in `migrated`, then in `original`, else flaskmod's.
    Raises `FlaskmodError` (a `LoadError` with the traceback's tail when an app does not load).
    """
    _require_directory(original)
    _require_directory(migrated)
    settings = Settings(
        migrated,
        original=original,
        config=config,
        python=python,
        timeout=timeout,
        run_tests=run_tests,
        responses=responses,
        production=production,
        app=app,
    )
    return _compare(Side(original, str(original)), Side(migrated, str(migrated)), settings)


def _require_directory(path: Path) -> None:
    if not path.is_dir():
        reason = "not a directory" if path.exists() else "no such directory"
        raise FlaskmodError(reason, Location(str(path)))


def _compare(old: Side, new: Side, settings: Settings) -> Report:
    interpreter = choose_interpreter(new.root, settings.python, also=(old.root,))
    env = environment(interpreter)
    wants_production = (
        production.applies(new.root) if settings.production is None else settings.production
    )
    with _run_roots(old.root, new.root, settings.responses or wants_production) as roots:
        sides = (
            replace(
                target("original", old.root, old.where, settings.config, settings.app),
                root=roots[0],
            ),
            replace(
                target("migrated", new.root, new.where, settings.config, settings.app),
                root=roots[1],
            ),
        )
        (loaded_old, loaded_new), rows = _probe(sides, interpreter, env, settings)
        tests = None
        if settings.run_tests:
            command = suite_command(new.root, scan(new.root), interpreter.path)
            tests, row = compare_tests(command, sides, env, settings.timeout)
            rows.append(row)
        if wants_production:
            rows += _production(interpreter, roots[1], env, settings.timeout, new.where)
    return Report(interpreter, loaded_old, loaded_new, tuple(rows), tests)


def _probe(
    sides: tuple[Target, Target],
    interpreter: Interpreter,
    env: Mapping[str, str],
    settings: Settings,
) -> tuple[tuple[Target, Target], list[Row]]:
    """Both apps described and compared; bodies that differ are checked against a second
    start of the original (`recheck`), so a value fixed per process is not a difference."""
    with _bodies_folder(settings.responses) as bodies:
        responses = Sampling(bodies) if settings.responses else None
        (before, loaded_old), (after, loaded_new) = probe_both(
            sides, interpreter, env, settings.timeout, responses
        )
        checks: dict[str, BodyCheck] = {}
        notes: list[Row] = []
        if bodies is not None:
            again = partial(probe_again, sides[0], interpreter, env, settings.timeout, bodies)
            checks, notes = recheck(before, after, again, bodies)
    return (loaded_old, loaded_new), compare(before, after, checks) + notes


@contextmanager
def _bodies_folder(wanted: bool) -> Iterator[Path | None]:
    """Where the probes save whole bodies, for as long as the comparison runs."""
    if not wanted:
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="flaskmod-verify-bodies-") as folder:
        yield Path(folder)


@contextmanager
def _run_roots(original: Path, migrated: Path, copies: bool) -> Iterator[tuple[Path, Path]]:
    """Where the apps run: temporary copies sharing one set of data files when the checks
    send requests or load production settings, else the trees themselves."""
    with ExitStack() as stack:
        if copies:
            yield stack.enter_context(scratch_copies(original, migrated))
        else:
            yield original, migrated


def _production(
    interpreter: Interpreter, root: Path, env: Mapping[str, str], timeout: float, where: str
) -> list[Row]:
    """Last, on the migrated copy: without the developer's `.env`, which production lacks."""
    for name in (".env", ".flaskenv"):
        (root / name).unlink(missing_ok=True)
    if not production.applies(root):
        message = "production: no wsgi.py in the migrated project"
        return [Row("production", "wsgi.py", "", ABSENT, Status.DIFFERENT, message)]
    return production.production_rows(interpreter, root, env, timeout, where)
