"""Tiny in-memory cases for one codemod, in the style of django-upgrade's `tests/fixers/tools.py`.

`check_transformed(name, before, after)` runs one codemod (not the pipeline) on files given as
`{path: source}` (a bare string is the app module) and compares every file it writes; both
sides are dedented. `check_noop` asserts the codemod changes nothing. Both return the outcome, so
a test can also assert what the codemod reported.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import libcst as cst

from flaskmod.analysis import analyze
from flaskmod.codemod import Context, Outcome
from flaskmod.pipeline import Options, discover, settings_for
from flaskmod.project import FileText, Project
from flaskmod.versions import exactly

ROOT = Path("/flaskmod-test-project")  # never created: codemods must not need the disk
Files = dict[str, str] | str


def project_of(files: Files, app_module: str = "app.py") -> Project:
    if isinstance(files, str):
        files = {app_module: files}
    texts = {path: FileText(textwrap.dedent(text).lstrip("\n")) for path, text in files.items()}
    return Project(root=ROOT, files=texts)


def context_for(project: Project, flask: str = "3.1", **settings: str) -> Context:
    major, minor = (int(part) for part in flask.split("."))
    flask = exactly((major, minor), "test")
    values = settings_for(Options(flask=flask, settings=settings), discover())
    return Context(project, analyze(project), flask, values)


def run_one(name: str, project: Project, flask: str = "3.1", **settings: str) -> Outcome:
    codemod = next(c for c in discover() if c.name == name)
    return codemod.run(context_for(project, flask, **settings))


def check_transformed(
    name: str,
    before: Files,
    after: Files,
    app_module: str = "app.py",
    flask: str = "3.1",
    **settings: str,
) -> Outcome:
    project = project_of(before, app_module)
    outcome = run_one(name, project, flask, **settings)
    expected = project_of(after, app_module)
    changed = {
        path: outcome.project.text(path)
        for path in outcome.project.files
        if project.files.get(path) != outcome.project.files[path]
    }
    assert changed == {path: expected.text(path) for path in expected.files}
    for path, text in changed.items():
        if path.endswith(".py"):
            cst.parse_module(text)  # what a codemod writes must parse
    return outcome


def check_noop(
    name: str, before: Files, app_module: str = "app.py", flask: str = "3.1", **settings: str
) -> Outcome:
    project = project_of(before, app_module)
    outcome = run_one(name, project, flask, **settings)
    assert outcome.project.files == project.files
    return outcome
