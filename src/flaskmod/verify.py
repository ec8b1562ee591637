"""`flaskmod verify`: prove the migrated app registers what the original registered.

Reading code cannot show that a migration kept every route, handler and setting; asking Flask
can. The original app (from a git revision checked out in a temporary worktree, or from a saved
copy) and the migrated app (PATH's working tree) are each imported by `probe.py` in a subprocess
of the project's interpreter, never in flaskmod's process, and their descriptions are compared.

Exit codes: 0 equivalent, 1 differences (listed), 2 bad input or an app that does not load.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from enum import Enum
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from flaskmod.analysis import Layout, analyze
from flaskmod.errors import FlaskmodError, Location
from flaskmod.project import Project, scan

if TYPE_CHECKING:
    import git

PROBE = Path(__file__).with_name("probe.py")
EXIT_OK, EXIT_DIFFERENT, EXIT_ERROR = 0, 1, 2
TRACEBACK_LINES = 5
ABSENT = "—"

Description = Mapping[str, Any]


class Status(str, Enum):
    SAME = "same"
    DIFFERENT = "different"
    #: expected change (a new blueprint, a CLI command the `if __name__` block became)
    INFO = "info"


@dataclass(frozen=True)
class Row:
    """One line of the comparison; `message` is what a difference list prints."""

    check: str
    item: str
    original: str = ""
    migrated: str = ""
    status: Status = Status.SAME
    message: str = ""


@dataclass(frozen=True)
class Interpreter:
    path: str
    source: str


@dataclass(frozen=True)
class Target:
    """How one side is loaded: `spec` is `module:attribute`, called with `config` if given."""

    label: str
    root: Path
    where: str
    spec: str
    config: str | None
    layout: Layout

    @property
    def call(self) -> str:
        return self.spec if self.config is None else f"{self.spec}({self.config!r})"

    def to_json(self) -> dict[str, Any]:
        return {
            "where": self.where,
            "spec": self.spec,
            "config": self.config,
            "layout": self.layout.name.lower(),
        }


@dataclass(frozen=True)
class SuiteCounts:
    passed: int
    failed: int
    returncode: int

    def __str__(self) -> str:
        return f"{self.passed} passed, {self.failed} failed"


@dataclass(frozen=True)
class SuiteComparison:
    command: list[str]
    original: SuiteCounts
    migrated: SuiteCounts


@dataclass(frozen=True)
class Settings:
    """The command line, as one value the steps can share."""

    path: Path
    base: str | None = None
    original: Path | None = None
    config: str = "development"
    python: Path | None = None
    timeout: float = 60.0
    run_tests: bool = False


@dataclass(frozen=True)
class Report:
    interpreter: Interpreter
    original: Target
    migrated: Target
    rows: tuple[Row, ...]
    tests: SuiteComparison | None = None

    @property
    def differences(self) -> list[str]:
        return [row.message for row in self.rows if row.status is Status.DIFFERENT]

    @property
    def information(self) -> list[str]:
        return [row.message for row in self.rows if row.status is Status.INFO]

    @property
    def equivalent(self) -> bool:
        return not self.differences

    def to_json(self) -> dict[str, Any]:
        return {
            "equivalent": self.equivalent,
            "python": asdict(self.interpreter),
            "original": self.original.to_json(),
            "migrated": self.migrated.to_json(),
            "checks": [{**asdict(row), "status": row.status.value} for row in self.rows],
            "differences": self.differences,
            "information": self.information,
            "tests": None if self.tests is None else asdict(self.tests),
        }


# ------------------------------------------------------------------------------ the original
@contextmanager
def original_tree(settings: Settings) -> Iterator[tuple[Path, str]]:
    """The directory holding the original project and how to name it; temporary for git."""
    if settings.original is not None:
        if settings.base is not None:
            raise FlaskmodError("give --base or --original, not both")
        if not settings.original.is_dir():
            raise FlaskmodError("no such directory", Location(str(settings.original)))
        yield settings.original, str(settings.original)
        return
    with _git_checkout(settings.path, settings.base or "HEAD") as found:
        yield found


def _repo(path: Path) -> git.Repo:
    import git  # GitPython refuses to import when git is missing: only needed here

    try:
        repo = git.Repo(path, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise FlaskmodError(
            "not in a git repository; pass --original DIR with a copy of the original project",
            Location(str(path)),
        ) from None
    if repo.working_tree_dir is None:
        raise FlaskmodError("a bare repository has no working tree", Location(str(path)))
    return repo


def _commit(repo: git.Repo, rev: str) -> str:
    import git

    try:
        return repo.commit(rev).hexsha
    except (git.BadName, git.BadObject, git.GitCommandError, ValueError):
        where = Location(str(repo.working_tree_dir))
        raise FlaskmodError(f"unknown revision {rev!r}", where) from None


@contextmanager
def _git_checkout(path: Path, rev: str) -> Iterator[tuple[Path, str]]:
    """Check `rev` out in a detached worktree outside the repository, and always remove it."""
    with _repo(path) as repo:  # closing it stops GitPython's `git cat-file` helpers
        sha = _commit(repo, rev)
        relative = path.resolve().relative_to(Path(str(repo.working_tree_dir)).resolve())
        scratch = Path(tempfile.mkdtemp(prefix="flaskmod-verify-"))
        tree = scratch / "original"
        try:
            repo.git.worktree("add", "--detach", str(tree), sha)
            root = tree / relative
            if not root.is_dir():
                message = f"does not exist at {rev}; pass --base REV or --original DIR"
                raise FlaskmodError(message, Location(str(path)))
            yield root, f"{rev} ({sha[:7]})"
        finally:
            _remove_worktree(repo, tree)
            shutil.rmtree(scratch, ignore_errors=True)


def _remove_worktree(repo: git.Repo, tree: Path) -> None:
    import git

    try:
        repo.git.worktree("remove", "--force", str(tree))
    except git.GitCommandError:
        shutil.rmtree(tree, ignore_errors=True)
        repo.git.worktree("prune")


# ------------------------------------------------------------------------------ running apps
def choose_interpreter(project: Path, explicit: Path | None) -> Interpreter:
    """The project's own Python where there is one: flaskmod's may lack the app's packages."""
    if explicit is not None:
        found = shutil.which(str(explicit))
        if found is None:
            raise FlaskmodError("no such Python interpreter", Location(str(explicit)))
        return Interpreter(os.path.abspath(found), "--python")
    binary = Path("Scripts", "python.exe") if os.name == "nt" else Path("bin", "python")
    for folder in (".venv", "venv"):
        candidate = project / folder / binary
        if candidate.is_file():
            # absolute, not resolved: a venv's python finds its packages through its own path
            return Interpreter(str(candidate.absolute()), f"the project's {folder}/")
    return Interpreter(
        sys.executable, "flaskmod's own interpreter: no --python, no .venv/ or venv/ in PATH"
    )


def environment(interpreter: Interpreter) -> dict[str, str]:
    """One environment for both sides; the interpreter's folder first so `pytest` is its own."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    env["PATH"] = os.pathsep.join([os.path.dirname(interpreter.path), env.get("PATH", "")])
    return env


def run(
    command: Sequence[str], cwd: Path, env: Mapping[str, str], timeout: float
) -> subprocess.CompletedProcess[str]:
    """Run with a deadline; on expiry kill the whole process group (a reloader's child too)."""
    with subprocess.Popen(
        list(command),
        cwd=cwd,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
        start_new_session=os.name == "posix",
    ) as process:
        try:
            out, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill(process)
            process.communicate()
            raise
        return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def _kill(process: subprocess.Popen[str]) -> None:
    if os.name == "posix":
        try:
            os.killpg(process.pid, signal.SIGKILL)
            return
        except ProcessLookupError:
            pass
    process.kill()


def target(label: str, root: Path, where: str, config: str) -> Target:
    """A factory is called with the config name; a global app is imported as it is."""
    try:
        model = analyze(scan(root))
    except FlaskmodError as error:
        raise FlaskmodError(f"no {label} app: {error}", Location(where)) from error
    if model.layout is Layout.FACTORY:
        return Target(label, root, where, f"{model.import_name}:create_app", config, model.layout)
    return Target(label, root, where, f"{model.import_name}:{model.app_name}", None, model.layout)


def probe(
    target: Target, interpreter: Interpreter, env: Mapping[str, str], timeout: float, salt: str
) -> Any:
    """The app's description from `probe.py`, or an error with the traceback's last lines."""
    command = [interpreter.path, str(PROBE), target.spec, "--salt", salt]
    if target.config is not None:
        command += ["--config", target.config]
    failure = f"the {target.label} app ({target.call})"
    try:
        done = run(command, target.root, env, timeout)
    except subprocess.TimeoutExpired:
        raise FlaskmodError(
            f"{failure} did not load within {timeout:g} s; does it start a server at import?",
            Location(target.where),
        ) from None
    except OSError as error:
        raise FlaskmodError(f"cannot run {interpreter.path}: {error}") from error
    if done.returncode != 0:
        raise FlaskmodError(
            f"{failure} failed to import:\n{_tail(done.stderr)}", Location(target.where)
        )
    try:
        description = json.loads(done.stdout)
    except ValueError:
        message = f"{failure}: the probe printed no description"
        raise FlaskmodError(message, Location(target.where)) from None
    description["config"] = normalise_config(description["config"], target.root)
    return description


def _tail(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    return "\n".join(f"  {line}" for line in lines[-TRACEBACK_LINES:]) or "  (no output)"


def normalise_config(config: Mapping[str, str], root: Path) -> dict[str, str]:
    """Paths under each project's own folder and object addresses are not differences."""
    variants = {str(root.absolute()), str(root.resolve())}
    variants |= {v.replace("\\", "\\\\") for v in variants}  # repr() doubles Windows separators
    out: dict[str, str] = {}
    for key, value in config.items():
        for variant in sorted(variants, key=len, reverse=True):
            value = value.replace(variant, "<project>")
        out[key] = re.sub(r" at 0x[0-9a-fA-F]+", " at 0x…", value)
    return out


def probe_both(
    targets: tuple[Target, Target], interpreter: Interpreter, env: Mapping[str, str], timeout: float
) -> tuple[Any, Any]:
    """Both at once (each is a fresh interpreter); the original's failure is reported first.

    One random salt for both: masked secrets compare equal only when the secrets are equal, and
    the digests mean nothing after the run.
    """
    salt = secrets.token_hex(16)
    with ThreadPoolExecutor(max_workers=2) as pool:
        old, new = (pool.submit(probe, t, interpreter, env, timeout, salt) for t in targets)
        return old.result(), new.result()


# ------------------------------------------------------------------------------ comparing
def endpoint_matches(old: str, new: str) -> bool:
    """The blueprint codemod prefixes endpoints: `index` becomes `main.index`."""
    return new == old or new.endswith(f".{old}")


def compare(old: Description, new: Description) -> list[Row]:
    pairs, added = match_rules(old["rules"], new["rules"])
    rows = [_rule_row(rule, match) for rule, match in pairs]
    rows += [_added_rule_row(rule) for rule in added]
    rows += endpoint_rows(pairs)
    rows += handler_rows(old["error_handlers"], new["error_handlers"])
    for key, check in HOOKS:
        rows += scoped_rows(check, _scoped(old.get(key)), _scoped(new.get(key)))
    for key, check in REGISTRIES:
        rows += named_rows(check, old[key], new[key])
    rows += config_rows(old["config"], new["config"])
    rows += blueprint_rows(old["blueprints"], new["blueprints"])
    return rows


Rule = Mapping[str, Any]


def match_rules(
    old_rules: Sequence[Rule], new_rules: Sequence[Rule]
) -> tuple[list[tuple[Rule, Rule | None]], list[Rule]]:
    """Pair rules by path, first where the endpoints match, then whatever is left on the path."""
    pending = list(new_rules)
    found: dict[int, Rule] = {}
    for strict in (True, False):
        for index, rule in enumerate(old_rules):
            if index in found:
                continue
            match = _same_path(rule, pending, strict)
            if match is not None:
                found[index] = match
                pending.remove(match)
    return [(rule, found.get(i)) for i, rule in enumerate(old_rules)], pending


def _same_path(rule: Rule, candidates: Iterable[Rule], strict: bool) -> Rule | None:
    same = [
        c
        for c in candidates
        if c["rule"] == rule["rule"]
        and (not strict or endpoint_matches(rule["endpoint"], c["endpoint"]))
    ]
    same.sort(key=lambda c: c["methods"] != rule["methods"])
    return same[0] if same else None


#: methods Flask adds by itself; shown only when they are what differs
AUTOMATIC = frozenset({"HEAD", "OPTIONS"})


def _methods(rule: Rule, full: bool = False) -> str:
    return ", ".join(m for m in rule["methods"] if full or m not in AUTOMATIC)


def _rule_row(old: Rule, new: Rule | None) -> Row:
    path, before = old["rule"], _methods(old)
    if new is None:
        message = f"route dropped: {path} [{before}] (endpoint {old['endpoint']})"
        return Row("route", path, before, ABSENT, Status.DIFFERENT, message)
    after = _methods(new)
    if before == after and old["methods"] != new["methods"]:
        before, after = _methods(old, full=True), _methods(new, full=True)
    problems = [
        f"{what} changed: {path}: {was} → {now}"
        for what, was, now in (
            ("methods", before, after),
            ("defaults", old["defaults"], new["defaults"]),
            ("strict_slashes", old["strict_slashes"], new["strict_slashes"]),
        )
        if was != now
    ]
    status = Status.DIFFERENT if problems else Status.SAME
    return Row("route", path, before, after, status, "; ".join(problems))


def _added_rule_row(new: Rule) -> Row:
    path, after = new["rule"], _methods(new)
    message = f"route added: {path} [{after}] (endpoint {new['endpoint']})"
    return Row("route", path, ABSENT, after, Status.DIFFERENT, message)


def endpoint_rows(pairs: Iterable[tuple[Rule, Rule | None]]) -> list[Row]:
    """Each old endpoint must become exactly one new one, or `url_for` calls break."""
    mapping: dict[str, set[str]] = {}
    for old, new in pairs:
        if new is not None:
            mapping.setdefault(old["endpoint"], set()).add(new["endpoint"])
    sources: dict[str, list[str]] = {}
    for old_endpoint, news in mapping.items():
        for new_endpoint in news:
            sources.setdefault(new_endpoint, []).append(old_endpoint)
    return [_endpoint_row(old, sorted(news), sources) for old, news in sorted(mapping.items())]


def _endpoint_row(old: str, news: list[str], sources: Mapping[str, list[str]]) -> Row:
    shown = ", ".join(news)
    if len(news) > 1:
        message = f"endpoint split: {old} → {shown}"
    elif not endpoint_matches(old, news[0]):
        message = f"endpoint changed: {old} → {shown}"
    elif len(sources[news[0]]) > 1:
        message = f"endpoints merged: {', '.join(sorted(sources[news[0]]))} → {shown}"
    else:
        return Row("endpoint", old, old, shown)
    return Row("endpoint", old, old, shown, Status.DIFFERENT, message)


def _split_scope(key: str) -> tuple[str, str]:
    scope, colon, code = key.rpartition(":")
    return (scope if colon else "None"), code


def _canonical(scope: str, known: Iterable[str]) -> str:
    """A blueprint nested by the migration (`main.admin`) is still the old `admin`."""
    return next((k for k in known if k != "None" and endpoint_matches(k, scope)), scope)


def _where(scope: str) -> str:
    return "app-wide" if scope == "None" else f"blueprint {scope}"


def handler_rows(old: Mapping[str, str], new: Mapping[str, str]) -> list[Row]:
    """Error handlers by code or exception and scope, compared by handler function name."""
    before = {_split_scope(key): handler for key, handler in old.items()}
    known = {scope for scope, _ in before}
    after: dict[tuple[str, str], str] = {}
    for key, handler in new.items():
        scope, code = _split_scope(key)
        after[_canonical(scope, known), code] = handler
    return [_handler_row(k, before.get(k), after.get(k)) for k in sorted(before.keys() | after)]


def _handler_row(key: tuple[str, str], old: str | None, new: str | None) -> Row:
    scope, code = key
    item = code if scope == "None" else f"{code} ({_where(scope)})"
    shown = (old or ABSENT, new or ABSENT)
    if old == new:
        return Row("error handler", item, *shown)
    if new is None:
        message = f"error handler lost: {item} ({old})"
    elif old is None:
        message = f"error handler added: {item} ({new})"
    else:
        message = f"error handler changed: {item}: {old} → {new}"
    return Row("error handler", item, *shown, Status.DIFFERENT, message)


#: probe key → check name; each is {scope: [function names]} or an app-wide list.
HOOKS = (
    ("before_request", "before_request hook"),
    ("after_request", "after_request hook"),
    ("teardown_request", "teardown_request hook"),
    ("teardown_appcontext", "teardown_appcontext hook"),
    ("before_first_request", "before_first_request hook"),
    ("context_processors", "context processor"),
)
#: Flask registers this one itself, once more for every blueprint: not the app's doing.
FLASK_OWN = frozenset({"_default_template_ctx_processor"})


def _scoped(value: Any) -> dict[str, list[str]]:
    if value is None:
        return {}
    if isinstance(value, list):
        return {"None": value}
    return dict(value)


def scoped_rows(
    check: str, old: Mapping[str, list[str]], new: Mapping[str, list[str]]
) -> list[Row]:
    """Hooks by function name: same names, and each still runs where it ran (app-wide or not)."""
    before = _scopes_by_name(old, old.keys())
    after = _scopes_by_name(new, old.keys())
    names = sorted(before.keys() | after.keys())
    return [_scoped_row(check, n, before.get(n, []), after.get(n, [])) for n in names]


def _scopes_by_name(
    registry: Mapping[str, list[str]], known: Iterable[str]
) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for scope, names in registry.items():
        for name in names:
            if name not in FLASK_OWN:
                out.setdefault(name, []).append(_where(_canonical(scope, known)))
    return {name: sorted(scopes) for name, scopes in out.items()}


def _scoped_row(check: str, name: str, old: list[str], new: list[str]) -> Row:
    shown = (", ".join(old) or ABSENT, ", ".join(new) or ABSENT)
    if old == new:
        return Row(check, name, *shown)
    if not new:
        message = f"{check} lost: {name} ({shown[0]})"
    elif not old:
        message = f"{check} added: {name} ({shown[1]})"
    else:
        message = f"{check} moved: {name}: {shown[0]} → {shown[1]}"
    return Row(check, name, *shown, Status.DIFFERENT, message)


#: registries where a missing name breaks templates or scripts, and an extra one is harmless
REGISTRIES = (
    ("template_filters", "template filter"),
    ("template_globals", "template global"),
    ("template_tests", "template test"),
    ("cli_commands", "CLI command"),
)


def named_rows(check: str, old: Iterable[str], new: Iterable[str]) -> list[Row]:
    before, after = set(old), set(new)
    rows = [Row(check, f"{len(before & after)} in both")] if before & after else []
    rows += [
        Row(check, name, name, ABSENT, Status.DIFFERENT, f"{check} lost: {name}")
        for name in sorted(before - after)
    ]
    rows += [
        Row(check, name, ABSENT, name, Status.INFO, f"{check} only in the migrated app: {name}")
        for name in sorted(after - before)
    ]
    return rows


def config_rows(old: Mapping[str, str], new: Mapping[str, str]) -> list[Row]:
    """Every key the original has must keep its value; a factory may add keys of its own."""
    same = sum(1 for key, value in old.items() if new.get(key) == value)
    rows = [Row("config", f"{same} keys equal")] if same else []
    for key in sorted(old):
        if key not in new:
            message = f"config key lost: {key} (was {old[key]})"
            rows.append(Row("config", key, old[key], ABSENT, Status.DIFFERENT, message))
        elif new[key] != old[key]:
            message = f"config value changed: {key}: {old[key]} → {new[key]}"
            rows.append(Row("config", key, old[key], new[key], Status.DIFFERENT, message))
    for key in sorted(new.keys() - old.keys()):
        message = f"config key only in the migrated app: {key} = {new[key]}"
        rows.append(Row("config", key, ABSENT, new[key], Status.INFO, message))
    return rows


def blueprint_rows(old: Sequence[str], new: Sequence[str]) -> list[Row]:
    if not old and not new:
        return []
    shown = (", ".join(old) or ABSENT, ", ".join(new) or ABSENT)
    message = f"blueprints registered: {shown[0]} → {shown[1]}"
    return [Row("blueprints", "registered", *shown, Status.INFO, message)]


# ------------------------------------------------------------------------------ own tests
PYTEST_CONFIG = {
    "pytest.ini": "",
    "pyproject.toml": "[tool.pytest",
    "setup.cfg": "[tool:pytest]",
    "tox.ini": "[pytest]",
}
PYTEST_SUMMARY = re.compile(r"^=*\s*((?:\d+ \w+(?:, )?)+|no tests ran) in \d", re.MULTILINE)
UNITTEST_RAN = re.compile(r"^Ran (\d+) tests? in", re.MULTILINE)
UNITTEST_VERDICT = re.compile(r"^(?:OK|FAILED)(?: \((.*)\))?\s*$", re.MULTILINE)


def suite_command(root: Path, project: Project, python: str) -> list[str]:
    """`[tool.flaskmod] test-command`, else pytest where the project uses it, else unittest."""
    configured = _configured_test_command(root)
    if configured is not None:
        return configured
    if _uses_pytest(root, project):
        return [python, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    return [python, "-m", "unittest", "discover"]


def _configured_test_command(root: Path) -> list[str] | None:
    path = root / "pyproject.toml"
    if not path.is_file():
        return None
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10: the setting is not read
        return None
    try:
        value = tomllib.loads(path.read_text(encoding="utf-8")).get("tool", {})
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise FlaskmodError(f"cannot read: {error}", Location(str(path))) from error
    command = value.get("flaskmod", {}).get("test-command")
    if command is None:
        return None
    if isinstance(command, str):
        return shlex.split(command)
    if isinstance(command, list) and command and all(isinstance(p, str) for p in command):
        return command
    raise FlaskmodError(
        "[tool.flaskmod] test-command must be a string or a list of strings", Location(str(path))
    )


def _uses_pytest(root: Path, project: Project) -> bool:
    for name, marker in PYTEST_CONFIG.items():
        config = root / name
        if config.is_file() and marker in config.read_text(encoding="utf-8", errors="replace"):
            return True
    names = (PurePosixPath(p).name for p in project.python_paths())
    return any(n == "conftest.py" or n.startswith("test_") for n in names)


def parse_counts(output: str, returncode: int) -> SuiteCounts | None:
    """Passed and failed from pytest's summary line or unittest's `Ran N tests` and verdict."""
    summaries = PYTEST_SUMMARY.findall(output)
    if summaries:
        counts = {kind: int(n) for n, kind in re.findall(r"(\d+) (\w+)", summaries[-1])}
        failed = counts.get("failed", 0) + counts.get("error", 0) + counts.get("errors", 0)
        return SuiteCounts(counts.get("passed", 0), failed, returncode)
    ran, verdict = UNITTEST_RAN.findall(output), UNITTEST_VERDICT.findall(output)
    if not ran or not verdict:
        return None
    counts = {
        k.strip(): int(v) for k, _, v in (p.partition("=") for p in verdict[-1].split(",") if p)
    }
    failed = counts.get("failures", 0) + counts.get("errors", 0)
    return SuiteCounts(int(ran[-1]) - failed - counts.get("skipped", 0), failed, returncode)


def run_tests(
    command: list[str], side: Target, env: Mapping[str, str], timeout: float
) -> SuiteCounts:
    shown = shlex.join(command)
    try:
        done = run(command, side.root, env, timeout)
    except subprocess.TimeoutExpired:
        raise FlaskmodError(
            f"`{shown}` did not finish within {timeout:g} s", Location(side.where)
        ) from None
    except OSError as error:
        raise FlaskmodError(f"cannot run `{shown}`: {error}", Location(side.where)) from error
    output = f"{done.stdout}\n{done.stderr}"
    counts = parse_counts(output, done.returncode)
    if counts is None:
        message = f"`{shown}` printed no test summary (exit {done.returncode}):\n{_tail(output)}"
        raise FlaskmodError(message, Location(side.where))
    return counts


def compare_tests(
    command: list[str], sides: tuple[Target, Target], env: Mapping[str, str], timeout: float
) -> tuple[SuiteComparison, Row]:
    """Sequentially: a suite may bind ports or write shared files."""
    before, after = (run_tests(command, side, env, timeout) for side in sides)
    cells = (shlex.join(command), str(before), str(after))
    if (before.passed, before.failed) == (after.passed, after.failed):
        row = Row("tests", *cells)
    else:
        row = Row("tests", *cells, Status.DIFFERENT, f"test results changed: {before} → {after}")
    return SuiteComparison(command, before, after), row


# ------------------------------------------------------------------------------ the command
def verify(settings: Settings) -> Report:
    """Load both apps, compare them and, if asked, both test runs."""
    path = settings.path
    if not path.is_dir():
        reason = "not a directory" if path.exists() else "no such directory"
        raise FlaskmodError(reason, Location(str(path)))
    interpreter = choose_interpreter(path, settings.python)
    env = environment(interpreter)
    with original_tree(settings) as (root, where):
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


STYLES = {Status.SAME: "green", Status.DIFFERENT: "bold red", Status.INFO: "cyan"}


def print_report(console: Console, report: Report) -> None:
    for label, side in (("Original", report.original), ("Migrated", report.migrated)):
        console.print(f"{label}: {side.where}  →  {side.call}", markup=False, soft_wrap=True)
    python = report.interpreter
    console.print(f"Python:   {python.path}  ({python.source})", markup=False, soft_wrap=True)
    table = Table("Check", "Item", "Original", "Migrated", "Result", highlight=False)
    for row in report.rows:
        cells = (row.check, row.item, row.original, row.migrated)
        table.add_row(*map(Text, cells), Text(row.status.value, style=STYLES[row.status]))
    console.print(table)
    if report.equivalent:
        console.print(Text("Equivalent: no differences.", style="green"))
        return
    console.print(Text(f"{len(report.differences)} difference(s):", style="bold red"))
    for message in report.differences:
        console.print(Text(f"  - {message}"), soft_wrap=True)


def _error(message: str) -> None:
    """Printed as text, never as Rich markup: tracebacks are full of brackets."""
    console = Console(stderr=True, highlight=False)
    console.print(Text.assemble(("error: ", "bold red"), message), soft_wrap=True)


@click.command("verify")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--base", metavar="REV", help="Git revision of the original app.  [default: HEAD]")
@click.option(
    "--original",
    metavar="DIR",
    type=click.Path(path_type=Path),
    help="A saved copy of the original project, when PATH is not in a git repository.",
)
@click.option(
    "--config",
    "config_name",
    default="development",
    show_default=True,
    help="Config name a `create_app` factory is called with.",
)
@click.option(
    "--python",
    type=click.Path(path_type=Path),
    help="Interpreter for both apps.  [default: PATH's .venv/ or venv/, else flaskmod's]",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=60.0,
    show_default=True,
    help="Seconds each app load (or test run) may take.",
)
@click.option("--run-tests", is_flag=True, help="Run the project's tests on both; compare counts.")
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable report.")
@click.pass_context
def verify_command(
    ctx: click.Context,
    path: Path,
    base: str | None,
    original: Path | None,
    config_name: str,
    python: Path | None,
    timeout: float,
    run_tests: bool,
    as_json: bool,
) -> None:
    """Check that the migrated app at PATH registers what the original did.

    Compares URL rules and methods, endpoints, error handlers, request hooks, template filters,
    globals and tests, context processors, CLI commands and config. Exit 0 when equivalent,
    1 with the list of differences, 2 on bad input or an app that fails to load.
    """
    settings = Settings(path, base, original, config_name, python, timeout, run_tests)
    try:
        report = verify(settings)
    except FlaskmodError as error:
        _error(str(error))
        ctx.exit(EXIT_ERROR)
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2))
    else:
        print_report(Console(highlight=False), report)
    ctx.exit(EXIT_OK if report.equivalent else EXIT_DIFFERENT)
