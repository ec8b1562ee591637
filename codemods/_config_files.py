"""The files around config.py: `.env.example`, `.gitignore`, `.env` loading, and settings files
that import the app.

A settings file loaded with `app.config.from_pyfile("settings.py")` (or `from_object("pkg.settings")`)
that does `from pkg import app` only to build a path from `app.root_path` cannot work once the
app is built by a factory: there is no `pkg.app` to import, and the factory waits for every
module of the package to stop importing it. The paths are static, so the file gets them written
out from its own `__file__` and stops importing the app.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

import libcst as cst
import libcst.matchers as m

from flaskmod.analysis import AppModel
from flaskmod.names import ModuleIndex
from flaskmod.project import Project

from ._config_paths import (
    AppFolders,
    StaticPaths,
    creation_call,
    folder_expression,
    module_folder,
    reads_app_only_for,
)
from ._config_reading import global_reads, string_key
from ._file_anchor import reanchor
from ._imports import add_import
from ._moving import prune_imports

Warn = Callable[[str, str, int | None], None]


# ------------------------------------------------------------------ settings files
@dataclass(frozen=True)
class SettingsFile:
    """A settings file that imports the app (as `aliases`) only for its folders."""

    path: str
    aliases: tuple[str, ...]
    #: `root_path`/`instance_path` → project-relative folder
    folders: tuple[tuple[str, str], ...]


def settings_files(
    project: Project, index: ModuleIndex, model: AppModel, folders: AppFolders, warn: Warn
) -> Iterator[SettingsFile]:
    """The settings files the app module loads that import the app for its paths."""
    for path in _loaded_files(project, index, model, folders):
        found = _settings_file(project, path, model, folders, warn)
        if found is not None:
            yield found


def _loaded_files(
    project: Project, index: ModuleIndex, model: AppModel, folders: AppFolders
) -> Iterator[str]:
    """Project files named by `from_pyfile("x.py")` or `from_object("pkg.settings")`."""
    app = model.app_name
    method = m.Attribute(
        value=m.Attribute(value=m.Name(app), attr=m.Name("config")),
        attr=m.Name("from_pyfile") | m.Name("from_object"),
    )
    pattern = m.SimpleStatementLine(
        body=[m.Expr(m.Call(func=method, args=[m.Arg(), m.ZeroOrMore()]))]
    )
    for position, statement in enumerate(index.body):
        if app not in index.facts(position).reads or not m.matches(statement, pattern):
            continue
        call = _expression_call(statement)
        name = string_key(call.args[0].value)
        if name is None:
            continue
        if cst.ensure_type(call.func, cst.Attribute).attr.value == "from_object":
            module = name.replace(".", "/")
            candidates = [f"{module}.py", f"{module}/__init__.py"]
        else:
            base = folders.instance_path if _instance_relative(index, model) else folders.root_path
            candidates = [] if base is None else [_joined(base, name)]
        yield from (path for path in candidates if path in project and path.endswith(".py"))


def _instance_relative(index: ModuleIndex, model: AppModel) -> bool:
    call = creation_call(index, model)
    return call is not None and any(
        arg.keyword is not None
        and arg.keyword.value == "instance_relative_config"
        and m.matches(arg.value, m.Name("True"))
        for arg in call.args
    )


def _joined(folder: str, name: str) -> str:
    return PurePosixPath(folder, name).as_posix() if folder else PurePosixPath(name).as_posix()


def _settings_file(
    project: Project, path: str, model: AppModel, folders: AppFolders, warn: Warn
) -> SettingsFile | None:
    index = project.index(path)
    aliases = tuple(
        name
        for name, imported in index.imports.items()
        if imported.module == model.import_name and imported.original == model.app_name
    )
    if not aliases:
        return None
    for alias in aliases:
        for position in sorted(index.readers.get(alias, ())):
            statement = index.body[position]
            if not reads_app_only_for(index, statement, alias, folders.known()):
                message = (
                    f"imports the app for more than its folders ({', '.join(folders.known()) or 'unknown'}); "
                    "a factory has no app to import: take what it needs from the settings instead"
                )
                warn(message, path, index.statement_line(position))
                return None
    known = tuple(
        (name, folder)
        for name in ("root_path", "instance_path")
        if (folder := getattr(folders, name)) is not None
    )
    return SettingsFile(path, aliases, known)


def rewrite_settings_file(project: Project, settings: SettingsFile) -> cst.Module:
    """The settings file with `app.root_path` written out and the import of the app gone."""
    index = project.index(settings.path)
    here = module_folder(settings.path)
    folders = {name: folder_expression(folder, here) for name, folder in settings.folders}
    body = list(index.body)
    for alias in settings.aliases:
        for position in sorted(index.readers.get(alias, ())):
            new = body[position].visit(StaticPaths(alias, folders))
            assert isinstance(new, cst.BaseStatement)  # the transformer removes nothing
            body[position] = new
    tree = prune_imports(index.tree.with_changes(body=body), set(settings.aliases))
    return add_import(tree, "os")


# ------------------------------------------------------------------ .env
#: files whose text says the project uses python-dotenv (or Flask's CLI `.flaskenv`)
_DOTENV_SIGNS = ("requirements", "pyproject.toml", "setup.py", "setup.cfg", "Pipfile")


def uses_dotenv(project: Project) -> bool:
    """The project loads `.env` files with python-dotenv, or keeps a `.flaskenv` for Flask's CLI."""
    for path in project.files:
        name = PurePosixPath(path).name
        if name == ".flaskenv":
            return True
        if (path.endswith(".py") or name.startswith(_DOTENV_SIGNS)) and "dotenv" in project.text(
            path
        ):
            return True
    return False


def dotenv_arguments(
    project: Project, index: ModuleIndex, app_dir: str, config_dir: str
) -> tuple[cst.Arg, ...] | None:
    """What config.py passes to `load_dotenv`, or None when the project does not use it: the
    app module's own arguments when they only need `os` and `__file__`, else none."""
    if not uses_dotenv(project):
        return None
    names = {
        n
        for n, imported in index.imports.items()
        if imported.qualified in ("dotenv", "dotenv.load_dotenv")
    }
    for position, statement in enumerate(index.body):
        if names.isdisjoint(index.facts(position).reads):
            continue
        call = m.SimpleStatementLine(
            body=[m.Expr(m.Call(func=m.Name() | m.Attribute(attr=m.Name("load_dotenv"))))]
        )
        if not m.matches(statement, call):
            continue
        node = _expression_call(statement)
        if all(global_reads(index, arg) <= {"os"} for arg in node.args):
            return tuple(reanchor(arg, app_dir, config_dir)[0] for arg in node.args)
    return ()


# ------------------------------------------------------------------ .env.example, .gitignore
def env_example(project: Project, variables: Sequence[str], env_var: str) -> str:
    """`.env.example` listing the config variable and every secret's, added to what is there."""
    existing = project.text(".env.example") if ".env.example" in project else ""
    names = [line.split("=", 1)[0] for line in existing.splitlines() if "=" in line]
    added = [name for name in dict.fromkeys([env_var, *variables]) if name not in names]
    if not added:
        return existing
    lines = [] if existing else ["# Copy to .env and fill in; never commit .env."]
    for name in added:
        lines.append(f"{name}=development" if name == env_var else f"{name}=")
    prefix = existing if not existing or existing.endswith("\n") else existing + "\n"
    return prefix + "\n".join(lines) + "\n"


def gitignore_with_env(project: Project) -> str | None:
    existing = project.text(".gitignore") if ".gitignore" in project else ""
    if any(line.strip() in (".env", "/.env", ".env*", "*.env") for line in existing.splitlines()):
        return None
    prefix = existing if not existing or existing.endswith("\n") else existing + "\n"
    return prefix + ".env\n"


def _expression_call(statement: cst.BaseStatement) -> cst.Call:
    """The call of a statement a matcher found to be one call (`app.config.from_object(...)`)."""
    line = cst.ensure_type(statement, cst.SimpleStatementLine)
    return cst.ensure_type(cst.ensure_type(line.body[0], cst.Expr).value, cst.Call)
