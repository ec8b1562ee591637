"""The production check: the migrated app, loaded as a WSGI server would, takes its settings
from the environment and refuses to start without its secrets.

With every variable of the migrated `.env.example` set to a fresh random value and the config
selector (the variable whose example value is `development`, else `FLASK_CONFIG`) set to
`production`, `wsgi:application` (else `wsgi:app`) must load, `DEBUG` must be falsy, and each
variable that names a config key, or that a config key reads (`SQLALCHEMY_DATABASE_URI =
os.environ.get("DATABASE_URL")` in `config.py`), must arrive in `app.config` unchanged. With the
secret variables unset, loading must fail. Values are compared inside the probe; only masked
values are ever shown.
"""

from __future__ import annotations

import ast
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flaskmod.probe import SECRET  # the probe's secret-name rule, not a copy of it
from flaskmod.secrets import mask
from flaskmod.verify.checkout import NOT_COPIED
from flaskmod.verify.model import ABSENT, Interpreter, LoadError, Row, Status
from flaskmod.verify.runner import invoke

CHECK = "production"
DEFAULT_SELECTOR = "FLASK_CONFIG"
WSGI = "wsgi:application,app"
DATABASE = re.compile(r"DATABASE|SQLALCHEMY|_DB_|^DB_")
ENV_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$")


@dataclass(frozen=True)
class Variable:
    name: str
    example: str
    #: the random value this run sets; never shown but masked
    value: str

    @property
    def secret(self) -> bool:
        return bool(SECRET.search(self.name)) or not self.example


def applies(root: Path) -> bool:
    """On by default where there is a WSGI entry point to load."""
    return (root / "wsgi.py").is_file()


def read_env_example(path: Path) -> list[tuple[str, str]]:
    """(name, example value) of each `NAME=value` line, quotes removed, comments skipped."""
    if not path.is_file():
        return []
    out = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        match = ENV_LINE.match(line)
        if match and not line.lstrip().startswith("#"):
            out.append((match.group(1), match.group(2).strip("'\"")))
    return out


def selector(variables: Sequence[tuple[str, str]]) -> str:
    """The variable that picks the config class: the one whose example is `development`."""
    return next((n for n, v in variables if v == "development"), DEFAULT_SELECTOR)


def random_value(name: str, example: str, scratch: Path) -> str:
    """Fresh and unguessable, but of a shape the app can start with: a database URL is a new
    SQLite file (an engine is created at start-up), another URL keeps its example's scheme."""
    token = secrets.token_hex(12)
    if DATABASE.search(name) and (name.endswith(("_URL", "_URI")) or "://" in example):
        return f"sqlite:///{(scratch / f'{token}.db').as_posix()}"
    if "://" in example or name.endswith(("_URL", "_URI")):
        scheme = example.partition("://")[0] if "://" in example else "http"
        return f"{scheme}://{token}.invalid/{token}"
    return token


def environ_readers(config: Path) -> dict[str, set[str]]:
    """Variable → the config keys (upper-case class attributes of `config.py`) that read it."""
    try:
        tree = ast.parse(config.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return {}
    readers: dict[str, set[str]] = {}
    for body in (node.body for node in ast.walk(tree) if isinstance(node, ast.ClassDef)):
        for statement in body:
            for key, value in _assignments(statement):
                for name in _variables_read(value):
                    readers.setdefault(name, set()).add(key)
    return readers


def _assignments(statement: ast.stmt) -> list[tuple[str, ast.expr]]:
    if isinstance(statement, ast.Assign):
        targets, value = statement.targets, statement.value
    elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
        targets, value = [statement.target], statement.value
    else:
        return []
    return [(t.id, value) for t in targets if isinstance(t, ast.Name) and t.id.isupper()]


def _variables_read(value: ast.expr) -> set[str]:
    """`os.environ.get("X")`, `os.getenv("X")`, `environ["X"]`: the names read."""
    found = set()
    for node in ast.walk(value):
        if isinstance(node, ast.Call) and isinstance(node.func, (ast.Attribute, ast.Name)):
            function = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
            if function in {"get", "getenv"} and node.args:
                found.add(_literal(node.args[0]))
        elif isinstance(node, ast.Subscript) and _names_environ(node.value):
            found.add(_literal(node.slice))
    return {name for name in found if name}


def _names_environ(node: ast.expr) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "environ") or (
        isinstance(node, ast.Name) and node.id == "environ"
    )


def _literal(node: ast.expr) -> str:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else ""


def production_rows(
    interpreter: Interpreter, root: Path, base: Mapping[str, str], timeout: float, where: str
) -> list[Row]:
    """Load the migrated app as production would, with and without its secrets."""
    examples = read_env_example(root / ".env.example")
    chosen = selector(examples)
    variables = [
        Variable(name, example, random_value(name, example, root))
        for name, example in examples
        if name != chosen
    ]
    env = _environment(base, chosen, [n for n, _ in examples], variables)
    label = (f"the migrated app ({WSGI.replace(',', ' or ')}, {chosen}=production)", where)
    names = ",".join(v.name for v in variables)
    try:
        report = invoke(interpreter, root, [WSGI, "--environ", names], env, timeout, label)
    except LoadError as error:
        message = f"{CHECK}: does not load with every variable set: {_last(error)}"
        return [Row(CHECK, "loads", "", "no", Status.DIFFERENT, message)]
    rows = [_debug_row(report), *_variable_rows(report, variables, _readers(root))]
    secret = [v for v in variables if v.secret]
    unset = {k: v for k, v in env.items() if k not in {s.name for s in secret}}
    return [*rows, _refusal_row(interpreter, root, unset, timeout, label, secret)]


def _environment(
    base: Mapping[str, str], chosen: str, listed: Sequence[str], variables: Sequence[Variable]
) -> dict[str, str]:
    """The shell's environment without FLASK_* (a prefixed-env loader would read them) and
    without anything `.env.example` names; then the selector and the random values."""
    env = {k: v for k, v in base.items() if not k.startswith("FLASK_") and k not in listed}
    env[chosen] = "production"
    env.update((v.name, v.value) for v in variables)
    return env


def _readers(root: Path) -> dict[str, set[str]]:
    """`environ_readers` of every module of the project: config classes live in `config.py`
    after a flaskmod migration, anywhere in a hand-made factory."""
    readers: dict[str, set[str]] = {}
    for module in sorted(root.rglob("*.py")):
        if NOT_COPIED & set(module.relative_to(root).parts):
            continue
        for name, keys in environ_readers(module).items():
            readers.setdefault(name, set()).update(keys)
    return readers


def _debug_row(report: Mapping[str, Any]) -> Row:
    if report.get("debug"):
        return Row(CHECK, "DEBUG", "off", "on", Status.DIFFERENT, f"{CHECK}: DEBUG is on")
    return Row(CHECK, "DEBUG", "off", "off")


def _variable_rows(
    report: Mapping[str, Any], variables: Sequence[Variable], readers: Mapping[str, set[str]]
) -> list[Row]:
    keys = set(report.get("config_keys") or ())
    holding = report.get("environ") or {}
    rows = []
    for variable in variables:
        expected = {variable.name} if variable.name in keys else readers.get(variable.name, set())
        shown = mask(variable.value)
        if not expected:
            message = f"{CHECK}: {variable.name} is no config key and no config key reads it"
            rows.append(
                Row(CHECK, variable.name, f"${variable.name}", ABSENT, Status.INFO, message)
            )
        elif expected & set(holding.get(variable.name) or ()):
            found = ", ".join(sorted(expected & set(holding[variable.name])))
            rows.append(Row(CHECK, variable.name, f"${variable.name}", f"config {found}"))
        else:
            target = ", ".join(sorted(expected))
            message = (
                f"{CHECK}: {variable.name} does not reach app.config[{target}] (set to {shown!r})"
            )
            rows.append(
                Row(CHECK, variable.name, f"${variable.name}", ABSENT, Status.DIFFERENT, message)
            )
    return rows


def _refusal_row(
    interpreter: Interpreter,
    root: Path,
    env: Mapping[str, str],
    timeout: float,
    label: tuple[str, str],
    secret: Sequence[Variable],
) -> Row:
    item = "without " + (", ".join(v.name for v in secret) or "secrets")
    if not secret:
        return Row(CHECK, item, "refuses", ABSENT, Status.INFO, f"{CHECK}: no secret variables")
    try:
        invoke(interpreter, root, [WSGI, "--environ", ""], env, timeout, label)
    except LoadError as error:
        return Row(CHECK, item, "refuses", f"refuses: {_last(error)}")
    message = f"{CHECK}: the app starts {item} (it must refuse to)"
    return Row(CHECK, item, "refuses", "starts", Status.DIFFERENT, message)


def _last(error: LoadError) -> str:
    """The exception line, without the traceback."""
    line = error.traceback[-1] if error.traceback else error.message.splitlines()[0]
    return line.strip()[:200]
