"""`flaskmod --help` and `flaskmod list` start fast (issue 11) because they import little.

Timings are for `benchmarks/bench_pipeline.py`; here, what each command imports, in a fresh
interpreter: never LibCST, GitPython, rich, the codemods or `verify`'s machinery. What they show
instead of importing (the lazy commands' short help, the codemods' manifest) is checked against
the real commands and declarations, so it cannot drift from them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from flaskmod import cli, manifest
from flaskmod.pipeline import discover

#: what a fast command must not import: module names, or prefixes ending in "."
HEAVY = (
    "libcst",
    "libcst.",
    "git",
    "git.",
    "rich",
    "rich.",
    "tomllib",
    "flaskmod.verify",
    "flaskmod.pipeline",
    "flaskmod.analysis",
    "flaskmod.report",
    # dataclasses, several built at import; needed only once something failed
    "flaskmod.errors",
    "traceback",
)

IMPORTED = """
import json, sys
from flaskmod.cli import main
try:
    main({args!r})
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def imported(*args: str) -> set[str]:
    """The modules a fresh interpreter has imported after running `flaskmod ARGS`."""
    code = IMPORTED.format(args=list(args))
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    return set(json.loads(done.stderr.splitlines()[-1]))


@pytest.mark.parametrize("args", [["--help"], ["list"], ["list", "--json"]], ids=" ".join)
def test_fast_commands_import_nothing_heavy(args: list[str]) -> None:
    modules = imported(*args)
    heavy = {m for m in modules if m in HEAVY or m.startswith(tuple(p for p in HEAVY if "." in p))}
    codemods = {m for m in modules if m.startswith("flaskmod.codemods.")}
    assert not heavy
    assert codemods <= {"flaskmod.codemods._manifest"}


def test_help_lists_lazy_commands_as_when_imported() -> None:
    """`--help` in a fresh interpreter (verify not imported) reads as it does once imported."""
    fresh = help_text("")
    assert "verify   Check that the migrated app" in fresh
    assert fresh == help_text("main.all_commands()")


def help_text(first: str) -> str:
    """`flaskmod --help` in a fresh interpreter, after running `first` there."""
    code = f"from flaskmod.cli import main\n{first}\nmain(['--help'], prog_name='flaskmod')"
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        env={**os.environ, "COLUMNS": "80"},
    )
    return done.stdout


@pytest.mark.parametrize("name", sorted(cli.LAZY_COMMANDS))
def test_lazy_short_help_is_the_commands_own(name: str) -> None:
    assert isinstance(cli.main, cli._Group)
    command = cli.main.get_command(click.Context(cli.main), name)
    assert command is not None and command.name == name
    stand_in = click.Command(name, help=cli.LAZY_COMMANDS[name][2])
    for limit in range(10, 120):  # every width `--help` may cut it to
        assert stand_in.get_short_help_str(limit) == command.get_short_help_str(limit)


def test_manifest_is_what_the_codemods_declare() -> None:
    """What `list` reads is the declarations; regenerate with `python -m flaskmod.docs`."""
    assert manifest.entries() == tuple(manifest.entry_of(codemod) for codemod in discover())


def test_list_shows_each_codemod_on_one_line_when_piped() -> None:
    out = CliRunner().invoke(cli.main, ["list"]).output
    header, *rows = out.splitlines()
    assert header.split() == ["#", "codemod", "what", "it", "does"]
    assert [row.split(maxsplit=2) for row in rows] == [
        [str(number), codemod.name, codemod.summary] for number, codemod in enumerate(discover(), 1)
    ]


def test_table_wraps_summaries_to_a_terminal_width() -> None:
    entries = (
        manifest.Entry("short", 5, "One two three four five six seven.", "any layout"),
        manifest.Entry("a-longer-name", 10, "Eight.", "any layout"),
    )
    assert manifest.table(entries, width=40) == [
        "#  codemod        what it does",
        "1  short          One two three four",
        "                  five six seven.",
        "2  a-longer-name  Eight.",
    ]
    assert len(manifest.table(entries)) == 3


def test_a_preview_outside_any_repository_does_not_load_gitpython(tmp_path) -> None:
    """GitPython (12 MiB, a tenth of a second) is loaded only where git could find a repository;
    inside one, the git workflow uses it (tests/test_gitops.py)."""
    (tmp_path / "app.py").write_text("from flask import Flask\napp = Flask(__name__)\n")
    env = {k: v for k, v in os.environ.items() if k != "GIT_DIR"}
    code = IMPORTED.format(args=["upgrade", str(tmp_path), "--no-color"])
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env
    )
    modules = set(json.loads(done.stderr.splitlines()[-1]))
    assert "Migration complete" in done.stderr
    assert not {name for name in modules if name == "git" or name.startswith("git.")}
