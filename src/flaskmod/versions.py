"""Which Flask (and which extension versions) the project runs on, so generated code uses only
what that version has.

The apps that need this tool pin old stacks they cannot upgrade in the same change. The version
is read, most specific first, from `--flask-version`, the project's dependency files (parsed with
`packaging`), the project's own environment (asked with `importlib.metadata` in its interpreter),
and idioms only old Flask accepts. A range is kept as a range: a feature is used only if every
allowed version has it, a removed idiom only if no allowed version lacks it. When nothing says,
the range is every Flask from 0.12 to today, and the summary says so. flaskmod's own environment
is never evidence: it is installed apart from the projects it migrates (pipx, `uv tool`).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion
from packaging.version import Version as Release

from flaskmod.errors import FlaskmodError
from flaskmod.knowledge import GATES, REMOVED

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10
    import tomli as tomllib

Version = tuple[int, int]

#: the newest release line flaskmod knows; the top of an open range
CURRENT: Version = (3, 1)
#: the oldest Flask flaskmod's generated code supports when nothing pins the version
OLDEST: Version = (0, 12)
#: candidate release lines a specifier is tested against (low and high ends of its range)
_LINES: tuple[Version, ...] = tuple(
    sorted(
        {(0, minor) for minor in range(10, 13)}
        | {(1, minor) for minor in range(2)}
        | {(2, minor) for minor in range(4)}
        | {(3, minor) for minor in range(CURRENT[1] + 1)}
    )
)


@dataclass(frozen=True)
class FlaskVersion:
    """The Flask versions the project may run on (`version` is the lowest) and the evidence."""

    version: Version
    source: str
    #: the highest release line allowed; None when open-ended (up to the current release)
    highest: Version | None = None

    @property
    def top(self) -> Version:
        return self.highest or CURRENT

    def at_least(self, major: int, minor: int = 0) -> bool:
        """Every allowed version is at least this one (a feature added there may be used)."""
        return self.version >= (major, minor)

    def before(self, major: int, minor: int = 0) -> bool:
        """Every allowed version is older (an idiom removed there may still be used)."""
        return self.top < (major, minor)

    def has(self, idiom: str) -> bool:
        """Whether every allowed Flask has an idiom flaskmod may generate (`knowledge.GATES`)."""
        return self.version >= GATES[idiom]

    def still_has(self, idiom: str) -> bool:
        """Whether no allowed Flask has removed a legacy idiom (`knowledge.REMOVED`)."""
        return self.top < REMOVED[idiom]

    def __str__(self) -> str:
        low = f"{self.version[0]}.{self.version[1]}"
        if self.highest == self.version:
            return f"Flask {low} ({self.source})"
        high = f"{self.top[0]}.{self.top[1]}"
        return f"Flask {low} to {high} ({self.source})"


def parse_version(text: str) -> Version:
    """`"2.0"` → (2, 0); a clear error for anything else (used for `--flask-version`)."""
    match = re.fullmatch(r"\s*(\d+)\.(\d+)(?:\.\d+)?\s*", text)
    if not match:
        raise FlaskmodError(f"--flask-version wants MAJOR.MINOR, like 1.1 or 2.3, not {text!r}")
    return int(match.group(1)), int(match.group(2))


def exactly(version: Version, source: str) -> FlaskVersion:
    return FlaskVersion(version, source, version)


# --------------------------------------------------------------------------- specifiers
#: release lines of any other package: 0.0 to 9.40
_ANY_LINES: tuple[Version, ...] = tuple(
    (major, minor) for major in range(10) for minor in range(41)
)


def version_range(
    specifier: str, lines: tuple[Version, ...] = _LINES
) -> tuple[Version, Version | None] | None:
    """The lowest and highest release lines a specifier admits (`>=1.0,<2` → 1.0 and 1.1)."""
    try:
        spec = SpecifierSet(specifier.strip().replace(" ", ""))
    except ValueError:
        return None
    allowed = [line for line in lines if _allows(spec, line)]
    if not allowed:
        return None
    open_ended = not any(s.operator in ("<", "<=", "==", "===", "~=") for s in spec)
    return allowed[0], None if open_ended else allowed[-1]


def _allows(spec: SpecifierSet, line: Version) -> bool:
    """Some release of this line (x.y.0 … x.y.99) satisfies the specifier."""
    return any(
        spec.contains(Release(f"{line[0]}.{line[1]}.{patch}"), prereleases=True)
        for patch in (0, 1, 2, 3, 4, 5, 10, 99)
    )


def lowest_allowed(specifier: str) -> Version | None:
    found = version_range(specifier)
    return found[0] if found else None


def from_requirements(lines: Iterable[str], package: str) -> tuple[Version, Version | None] | None:
    """The range of `package` in requirement lines (`pip` syntax; options and URLs skipped)."""
    wanted = canonicalize_name(package)
    candidates = _LINES if wanted == "flask" else _ANY_LINES
    for raw in lines:
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith(("#", "-")):
            continue
        try:
            requirement = Requirement(line)
        except InvalidRequirement:
            continue
        if canonicalize_name(requirement.name) == wanted:
            found = version_range(str(requirement.specifier), candidates)
            return found or (candidates[0] if wanted != "flask" else (0, 10), None)
    return None


# ------------------------------------------------------------------- dependency files
def _requirement_files(files: Mapping[str, str]) -> list[str]:
    names = [
        path
        for path in files
        if path.endswith((".txt", ".in"))
        and (
            PurePosixPath(path).name.startswith(("requirements", "constraints"))
            or "requirements" in PurePosixPath(path).parts[:-1]
        )
    ]
    # `requirements.txt` before `requirements-dev.txt`, the shallowest first
    return sorted(names, key=lambda p: (p.count("/"), "dev" in p or "test" in p, p))


def _pipfile_lock(text: str, package: str) -> Iterable[str]:
    data = json.loads(text)
    for section in ("default", "develop"):
        for name, entry in data.get(section, {}).items():
            if isinstance(entry, dict) and "version" in entry:
                yield f"{name}{entry['version']}"


def _poetry_lock(text: str, package: str) -> Iterable[str]:
    for entry in tomllib.loads(text).get("package", []):
        yield f"{entry.get('name', '')}=={entry.get('version', '')}"


def _pipfile(text: str, package: str) -> Iterable[str]:
    for name, entry in tomllib.loads(text).get("packages", {}).items():
        version = entry.get("version", "") if isinstance(entry, dict) else str(entry)
        yield name if version in ("", "*") else f"{name}{version}"


def _pyproject(text: str, package: str) -> Iterable[str]:
    data = tomllib.loads(text)
    yield from data.get("project", {}).get("dependencies", [])
    for name, entry in data.get("tool", {}).get("poetry", {}).get("dependencies", {}).items():
        version = entry.get("version", "") if isinstance(entry, dict) else str(entry)
        yield f"{name}{_poetry_specifier(version)}"


def _poetry_specifier(version: str) -> str:
    """Poetry's `^1.1` / `~1.1` / `1.1.*` → a PEP 440 specifier."""
    version = version.strip()
    if version in ("", "*"):
        return ""
    if version[0] in "^~" and version[1:2] != "=":
        parts = [int(p) for p in re.findall(r"\d+", version)[:2]] + [0]
        upper = (
            f"{parts[0] + 1}.0" if version[0] == "^" and parts[0] else f"{parts[0]}.{parts[1] + 1}"
        )
        return f">={version[1:]},<{upper}"
    return version if version[0] in "<>=!~" else f"=={version}"


def _setup_cfg(text: str, package: str) -> Iterable[str]:
    in_requires = False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("install_requires"):
            in_requires = True
            rest = stripped.split("=", 1)[1].strip()
            if rest:
                yield rest
        elif in_requires and line[:1] in (" ", "\t") and stripped:
            yield stripped
        elif stripped:
            in_requires = False


def _setup_py(text: str, package: str) -> Iterable[str]:
    return re.findall(r"""['"]([A-Za-z0-9_.\-\[\]]+\s*[^'"]*)['"]""", text)


def _environment_yml(text: str, package: str) -> Iterable[str]:
    for line in text.splitlines():
        match = re.match(r"^\s*-\s*([A-Za-z0-9_.\-]+)\s*([=<>!~].*)?$", line)
        if match:
            spec = (match.group(2) or "").strip()
            if spec.startswith("=") and not spec.startswith("=="):
                spec = "=" + spec  # conda's `flask=1.1` means `==1.1.*`-ish
            yield f"{match.group(1)}{spec}"


_READERS = (
    ("Pipfile.lock", _pipfile_lock),
    ("poetry.lock", _poetry_lock),
    ("Pipfile", _pipfile),
    ("pyproject.toml", _pyproject),
    ("setup.cfg", _setup_cfg),
    ("setup.py", _setup_py),
    ("environment.yml", _environment_yml),
    ("environment.yaml", _environment_yml),
)


def _declared(
    files: Mapping[str, str], package: str
) -> Iterator[tuple[str, tuple[Version, Version | None]]]:
    for path in _requirement_files(files):
        found = from_requirements(files[path].splitlines(), package)
        if found:
            yield path, found
    for path, reader in _READERS:
        if path not in files:
            continue
        try:
            found = from_requirements(reader(files[path], package), package)
        except (ValueError, tomllib.TOMLDecodeError, AttributeError, TypeError):
            continue
        if found:
            yield path, found


# ------------------------------------------------------------------------ environment
def project_pythons(root: Path, explicit: Path | None = None) -> list[Path]:
    """The interpreters that may be the project's: `--python`, its `.venv/` or `venv/`, and the
    active virtual environment."""
    found = [explicit] if explicit else []
    for env in (".venv", "venv"):
        for candidate in (root / env / "bin" / "python", root / env / "Scripts" / "python.exe"):
            if candidate.exists():
                found.append(candidate)
    active = os.environ.get("VIRTUAL_ENV")
    if active:
        found.append(Path(active) / "bin" / "python")
    return found


def installed_version(python: Path, package: str) -> Version | None:
    """`package`'s version in that interpreter, asked with importlib.metadata (5 s at most)."""
    code = "import importlib.metadata as m, sys; print(m.version(sys.argv[1]))"
    try:
        done = subprocess.run(
            [str(python), "-c", code, package], capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    try:
        release = Release(done.stdout.strip())
    except InvalidVersion:
        return None
    return (release.major, release.minor) if done.returncode == 0 else None


# ------------------------------------------------------------------------- code idioms
#: idioms only old Flask accepts → the last release line that accepts them
_OLD_IDIOMS = (
    (re.compile(r"^\s*(?:from|import)\s+flask\.ext\b", re.MULTILINE), (0, 12), "flask.ext"),
    (
        re.compile(r"^\s*from\s+werkzeug\s+import\s+[^\n]*\bsecure_filename", re.MULTILINE),
        (1, 1),
        "from werkzeug import secure_filename",
    ),
    (re.compile(r"\b_app_ctx_stack\b"), (2, 2), "_app_ctx_stack"),
)


def _idioms(files: Mapping[str, str]) -> tuple[Version, str] | None:
    """The tightest upper bound the code's old idioms put on Flask, and the idiom."""
    bound: tuple[Version, str] | None = None
    for path, text in files.items():
        if not path.endswith(".py"):
            continue
        for pattern, highest, idiom in _OLD_IDIOMS:
            if pattern.search(text) and (bound is None or highest < bound[0]):
                bound = (highest, f"{idiom} in {path}")
    return bound


# ----------------------------------------------------------------------------- detect
def detect(
    files: Mapping[str, str], root: Path | None = None, python: Path | None = None
) -> FlaskVersion:
    """The project's Flask range and where it came from (see the module docstring)."""
    for path, (low, high) in _declared(files, "flask"):
        return FlaskVersion(low, path, high)
    if root is not None:
        for interpreter in project_pythons(root, python):
            found = installed_version(interpreter, "flask")
            if found:
                return exactly(found, f"installed for {interpreter}")
    idiom = _idioms(files)
    if idiom is not None:
        highest, why = idiom
        return FlaskVersion((0, 10), why, highest)
    return FlaskVersion(OLDEST, "nothing pins Flask: code that runs on every Flask 0.12 to 3.x")


def dependency_range(
    files: Mapping[str, str], package: str
) -> tuple[Version, Version | None] | None:
    """The declared range of another package (an extension), if a dependency file names it."""
    return next((found for _, found in _declared(files, package)), None)


def flask_command(flask: FlaskVersion | None, app: str, command: str, debug: bool = False) -> str:
    """How to run a `flask` command on this version: `--app`/`--debug` exist from Flask 2.2."""
    if flask is None or flask.has("flask_app_option"):
        return f"flask --app {app}{' --debug' if debug else ''} {command}"
    env = f"FLASK_APP={app}" + (" FLASK_DEBUG=1" if debug else "")
    return f"{env} flask {command}"
