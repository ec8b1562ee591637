"""Which Flask the project runs on, so generated code uses only what that version has.

The apps that need this tool pin old stacks (Flask 0.12 to 1.1) they cannot upgrade in the same change.
The version is read from the project's own dependency files, most specific first; a range counts
as its lowest allowed version, because code must run on every version the project accepts.
"""

from __future__ import annotations

import importlib.metadata
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import tomllib

from flaskmod.errors import FlaskmodError
from flaskmod.knowledge import GATES

Version = tuple[int, int]

#: assumed when nothing says otherwise: the current release line
CURRENT: Version = (3, 1)

_SPECIFIER = re.compile(r"(===|==|~=|>=|\^|~|>|<=|<|!=)?\s*v?(\d+)(?:\.(\d+))?")
_REQUIREMENT = re.compile(r"^\s*flask\s*(?:\[[^\]]*\])?\s*(?P<spec>[^;#]*)", re.IGNORECASE)


@dataclass(frozen=True)
class FlaskVersion:
    version: Version
    source: str  # where it was found, for the report

    def at_least(self, major: int, minor: int = 0) -> bool:
        return self.version >= (major, minor)

    def has(self, idiom: str) -> bool:
        """Whether this Flask has an idiom flaskmod may generate (`knowledge.GATES`)."""
        return self.version >= GATES[idiom]

    def __str__(self) -> str:
        return f"Flask {self.version[0]}.{self.version[1]} ({self.source})"


def parse_version(text: str) -> Version:
    """`"2.0"` → (2, 0); a clear error for anything else (used for `--flask-version`)."""
    match = re.fullmatch(r"\s*(\d+)\.(\d+)(?:\.\d+)?\s*", text)
    if not match:
        raise FlaskmodError(f"--flask-version wants MAJOR.MINOR, like 1.1 or 2.3, not {text!r}")
    return int(match.group(1)), int(match.group(2))


def lowest_allowed(spec: str) -> Version | None:
    """The lowest version a specifier admits (`>=1.0,<2` → 1.0, `==1.1.2` → 1.1), if bounded below."""
    lows: list[Version] = []
    for clause in spec.split(","):
        match = _SPECIFIER.match(clause.strip())
        if not match or match.group(2) is None:
            continue
        operator = match.group(1) or "=="
        version = (int(match.group(2)), int(match.group(3) or 0))
        if operator in ("==", "===", "~=", ">=", "^", "~") or operator == ">":
            lows.append(version)
    return max(lows) if lows else None


def _from_requirement_lines(lines: Iterable[str]) -> Version | None:
    for line in lines:
        match = _REQUIREMENT.match(line)
        if match and not line.strip().lower().startswith(("flask-", "flask_")):
            return lowest_allowed(match.group("spec"))
    return None


def _requirement_files(files: dict[str, str]) -> list[str]:
    names = [
        path
        for path in files
        if path.endswith((".txt", ".in"))
        and (
            PurePosixPath(path).name.startswith("requirements")
            or "requirements" in PurePosixPath(path).parts[:-1]
        )
    ]
    # `requirements.txt` before `requirements-dev.txt`, the shallowest first
    return sorted(names, key=lambda p: (p.count("/"), "dev" in p or "test" in p, p))


def _requirements_txt(text: str) -> Version | None:
    return _from_requirement_lines(text.splitlines())


def _pipfile_lock(text: str) -> Version | None:
    data = json.loads(text)
    entry = data.get("default", {}).get("flask")
    return lowest_allowed(entry.get("version", "")) if isinstance(entry, dict) else None


def _poetry_lock(text: str) -> Version | None:
    data = tomllib.loads(text)
    for package in data.get("package", []):
        if str(package.get("name", "")).lower() == "flask":
            return lowest_allowed("==" + str(package.get("version", "")))
    return None


def _pipfile(text: str) -> Version | None:
    entry = tomllib.loads(text).get("packages", {}).get("flask") or tomllib.loads(text).get(
        "packages", {}
    ).get("Flask")
    if isinstance(entry, dict):
        entry = entry.get("version", "")
    return lowest_allowed(str(entry)) if entry and entry != "*" else None


def _pyproject(text: str) -> Version | None:
    data = tomllib.loads(text)
    found = _from_requirement_lines(data.get("project", {}).get("dependencies", []))
    if found:
        return found
    poetry = data.get("tool", {}).get("poetry", {}).get("dependencies", {})
    entry = poetry.get("flask") or poetry.get("Flask")
    if isinstance(entry, dict):
        entry = entry.get("version", "")
    return lowest_allowed(str(entry)) if entry else None


def _setup_py(text: str) -> Version | None:
    return _from_requirement_lines(re.findall(r"""['"]([Ff]lask\b[^'"]*)['"]""", text))


def _installed(root: Path) -> tuple[Version, str] | None:
    """Flask installed in the project's own environment (`.venv/`, `venv/`)."""
    for env in (".venv", "venv"):
        for dist in sorted((root / env).glob("lib/python*/site-packages/[Ff]lask-*.dist-info")):
            match = re.match(r"[Ff]lask-(\d+)\.(\d+)", dist.name)
            if match:
                return (int(match.group(1)), int(match.group(2))), f"installed in {env}/"
    return None


def detect(files: dict[str, str], root: Path | None = None) -> FlaskVersion:
    """The project's Flask version and where it came from; current Flask when nothing says."""
    readers = [
        *((path, _requirements_txt) for path in _requirement_files(files)),
        ("Pipfile.lock", _pipfile_lock),
        ("poetry.lock", _poetry_lock),
        ("Pipfile", _pipfile),
        ("pyproject.toml", _pyproject),
        ("setup.py", _setup_py),
    ]
    for path, reader in readers:
        if path not in files:
            continue
        try:
            version = reader(files[path])
        except (ValueError, tomllib.TOMLDecodeError, AttributeError):
            continue
        if version is not None:
            return FlaskVersion(version, path)
    if root is not None and (installed := _installed(root)):
        return FlaskVersion(*installed)
    try:
        found = re.match(r"(\d+)\.(\d+)", importlib.metadata.version("flask"))
    except importlib.metadata.PackageNotFoundError:
        found = None
    if found:
        return FlaskVersion((int(found.group(1)), int(found.group(2))), "installed with flaskmod")
    return FlaskVersion(CURRENT, "nothing pins Flask: assumed current")


def flask_command(flask: FlaskVersion | None, app: str, command: str, debug: bool = False) -> str:
    """How to run a `flask` command on this version: `--app`/`--debug` exist from Flask 2.2."""
    if flask is None or flask.at_least(2, 2):
        return f"flask --app {app}{' --debug' if debug else ''} {command}"
    env = f"FLASK_APP={app}" + (" FLASK_DEBUG=1" if debug else "")
    return f"{env} flask {command}"
