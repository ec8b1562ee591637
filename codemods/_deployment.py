"""Where a project says how to run its app: Procfile, Dockerfile, compose files, `.flaskenv`,
gunicorn and uWSGI settings, `app.yaml`, Makefiles, shell scripts, CI workflows and the README.

Every one of them names the old global app (`gunicorn app:app`, `FLASK_APP=app.py`,
`module = app:app`), which no longer exists once the factory builds it. They are rewritten to the
entry point `wsgi.py` provides (`wsgi:application`, `FLASK_APP=wsgi`), each change listed; what
cannot be rewritten mechanically (`python app.py`, which no longer starts a server) is reported
with its line. These are not Python modules: the rewrite is a set of anchored patterns on the
app's own module name, never a search for the word `app`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import PurePosixPath

#: files that say how the app is run (matched on the file name, or its path for CI folders)
DEPLOYMENT_FILES = (
    "Procfile",
    "Dockerfile",
    "Dockerfile.*",
    "*.dockerfile",
    "Containerfile",
    "docker-compose*.yml",
    "docker-compose*.yaml",
    "compose.yml",
    "compose.yaml",
    ".flaskenv",
    ".env",
    ".env.*",
    "app.yaml",
    "Makefile",
    "makefile",
    "GNUmakefile",
    "*.sh",
    "*.ini",
    "gunicorn*.py",
    "*.conf",
    "README*",
    "readme*",
    ".travis.yml",
    ".gitlab-ci.yml",
    "tox.ini",
)
CI_FOLDERS = (".github/workflows/", ".circleci/")


@dataclass(frozen=True)
class Rewrite:
    path: str
    line: int
    old: str
    new: str


@dataclass(frozen=True)
class Leftover:
    """A reference that cannot be rewritten mechanically, for a manual step."""

    path: str
    line: int
    text: str


@dataclass(frozen=True)
class Target:
    """The old app as the deployment files name it: its module and the app's variable."""

    module: str  # `app`, `project.app`
    file: str  # `app.py`, `project/app.py`
    app: str  # `app`


def is_deployment_file(path: str) -> bool:
    name = PurePosixPath(path).name
    if path.startswith(CI_FOLDERS) and path.endswith((".yml", ".yaml")):
        return True
    return any(fnmatch(name, pattern) for pattern in DEPLOYMENT_FILES)


def _patterns(target: Target) -> list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]]:
    module, app = re.escape(target.module), re.escape(target.app)
    file = re.escape(target.file)
    name = rf"(?:{module}|{file})"
    return [
        # FLASK_APP=app, FLASK_APP=app.py, FLASK_APP="app:app", FLASK_APP: app.py (YAML)
        (
            re.compile(rf"(FLASK_APP\s*[=:]\s*)([\"']?){name}(?::{app})?\2(?![\w.])"),
            lambda m: f"{m.group(1)}{m.group(2)}wsgi{m.group(2)}",
        ),
        # flask --app app run
        (
            re.compile(rf"(--app[= ])([\"']?){name}(?::{app})?\2(?![\w.])"),
            lambda m: f"{m.group(1)}{m.group(2)}wsgi{m.group(2)}",
        ),
        # gunicorn / waitress / uwsgi --module / hypercorn targets: `app:app`
        (
            re.compile(rf"(?<![\w.:/-]){module}:{app}(?:\(\))?(?![\w.(])"),
            lambda m: "wsgi:application",
        ),
        # uWSGI: wsgi-file = app.py / callable = app
        (re.compile(rf"(wsgi-file\s*=\s*){file}(?![\w.])"), lambda m: f"{m.group(1)}wsgi.py"),
        (
            re.compile(rf"^(\s*callable\s*=\s*){app}[ \t]*$", re.MULTILINE),
            lambda m: f"{m.group(1)}application",
        ),
    ]


def _runs_the_script(target: Target) -> re.Pattern[str]:
    return re.compile(rf"\bpython[0-9.]*\s+(?:-u\s+)?{re.escape(target.file)}(?![\w.])")


def rewrite(path: str, text: str, target: Target) -> tuple[str, list[Rewrite], list[Leftover]]:
    """The file with every reference to the old app rewritten, the changes, and what is left."""
    rewrites: list[Rewrite] = []
    lines = text.splitlines(keepends=True)
    for number, line in enumerate(lines):
        new = line
        for pattern, replacement in _patterns(target):
            new = pattern.sub(replacement, new)
        if new != line:
            rewrites.append(Rewrite(path, number + 1, line.strip(), new.strip()))
            lines[number] = new
    script = _runs_the_script(target)
    leftovers = [
        Leftover(path, number + 1, line.strip())
        for number, line in enumerate(lines)
        if script.search(line)
    ]
    return "".join(lines), rewrites, leftovers
