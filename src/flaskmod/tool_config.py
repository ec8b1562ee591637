"""`[tool.flaskmod]`: every command option, kept with the project.

The table lives in the project's `pyproject.toml` (or in a file given with `--config`, either
top-level keys or its own `[tool.flaskmod]`), uses each option's long name without dashes
(`group-by = "prefix"`, `skip = ["tests"]`, `python = ".venv/bin/python"`), and gives defaults:
an option on the command line always wins. An unknown key is an error naming it, so a typo never
silently does nothing (as ruff and django-upgrade's configurations behave).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import click

SECTION = ("tool", "flaskmod")
#: options that are per run only, never configured (flags of one invocation), by parameter name:
#: `--config FILE` (where the settings come from), `--json`, `--help`, `--version`
NOT_CONFIGURABLE = frozenset({"path", "paths", "config_file", "help", "version", "as_json"})
#: keys read by code that is not a command option: `verify --run-tests` runs `test-command`
#: (see `flaskmod.verify.suite`)
EXTRA_KEYS = frozenset({"test-command"})


def key_of(param: click.Option) -> str:
    """The option's key: its long name without the dashes (`--group-by` → `group-by`,
    `--apply` → `apply`), never its Python name (`write`), so the key is what `--help` shows."""
    longs = [opt for opt in param.opts if opt.startswith("--")]
    return longs[0][2:] if longs else str(param.name).replace("_", "-")


def _configurable(param: click.Parameter) -> bool:
    return (
        isinstance(param, click.Option)
        and bool(param.name)
        and (param.name not in NOT_CONFIGURABLE)
    )


def read(path: Path | None, explicit: Path | None) -> tuple[dict[str, Any], str | None]:
    """The settings table and where it came from (None when the project has none)."""
    if explicit is not None:
        data = _load(explicit)
        table = _section(data) if "tool" in data else data
        return dict(table), str(explicit)
    folder = path if path is not None and path.is_dir() else None
    if folder is None or not (folder / "pyproject.toml").is_file():
        return {}, None
    pyproject = folder / "pyproject.toml"
    table = _section(_load(pyproject))
    return dict(table), str(pyproject) if table else None


def _refusal(message: str, source: str | None = None) -> Exception:
    """The error for bad settings, naming their file. The errors module is imported only here:
    a command without settings (`flaskmod list`) must start fast (issue 11)."""
    from flaskmod.errors import FlaskmodError, Location

    return FlaskmodError(message, Location(source) if source is not None else None)


def _load(path: Path) -> dict[str, Any]:
    # Imported here: `flaskmod list` and `--help` read no file and must start fast (issue 11).
    # Guarded as at module level, which is the only place vermin sees a guard.
    if sys.version_info >= (3, 11):
        import tomllib  # novermin
    else:  # pragma: no cover - exercised on Python 3.10
        import tomli as tomllib

    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _refusal("no such configuration file", str(path)) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise _refusal(f"not valid TOML: {error}", str(path)) from None


def _section(data: Mapping[str, Any]) -> Mapping[str, Any]:
    table: Any = data
    for key in SECTION:
        table = table.get(key, {}) if isinstance(table, Mapping) else {}
    if not isinstance(table, Mapping):
        raise _refusal("[tool.flaskmod] must be a table")
    return table


def defaults_for(command: click.Command, table: Mapping[str, Any], source: str) -> dict[str, Any]:
    """Click defaults for `command` from the table; unknown keys are refused, naming them."""
    params = {
        key_of(param): param
        for param in command.params
        if isinstance(param, click.Option) and _configurable(param)
    }
    known = _all_keys()
    for key in table:
        if key not in known:
            suggestion = _closest(key, known)
            raise _refusal(
                f"[tool.flaskmod]: unknown key `{key}`"
                + (f" (did you mean `{suggestion}`?)" if suggestion else ""),
                source,
            )
    return {
        str(params[key].name): _value(params[key], value, key, source)
        for key, value in table.items()
        if key in params
    }


def _value(param: click.Option, value: Any, key: str, source: str) -> Any:
    if param.multiple and isinstance(value, str):
        return [value]
    if param.multiple and not isinstance(value, list):
        raise _refusal(f"[tool.flaskmod]: `{key}` wants a list", source)
    return value


#: what gives the commands whose options are keys, registered by the CLI at import
SOURCES: list[Callable[[], Iterable[click.Command]]] = []


def register(commands: Callable[[], Iterable[click.Command]]) -> None:
    """Remember where the commands come from; they are asked for only when a table is checked,
    because some are imported on first use and the codemods' own options are added to `upgrade`
    and `plan` on first use (see `flaskmod.cli`)."""
    SOURCES.append(commands)


def _all_keys() -> set[str]:
    """Every configurable key of every registered command: the options' long names."""
    keys = {
        key_of(param)
        for commands in SOURCES
        for command in commands()
        for param in command.params
        if isinstance(param, click.Option) and _configurable(param)
    }
    return keys | EXTRA_KEYS


def _closest(key: str, known: set[str]) -> str | None:
    import difflib

    found = difflib.get_close_matches(key, sorted(known), n=1)
    return found[0] if found else None
