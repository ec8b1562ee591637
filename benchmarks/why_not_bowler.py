"""Why flaskmod is built on LibCST and not on Bowler: the measurements.

Bowler (facebookincubator/bowler) parses source with fissix, a fork of the
stdlib's lib2to3 that follows the Python 3.8-era grammar. Code that
flaskmod has to migrate is written for Python 3.10 and later. This script
records two facts we rely on:

1. Parser coverage. Each snippet below is parsed with fissix and with
   LibCST. For fissix we use the grammar Bowler itself uses:
   ``Query.execute()`` sets the ``print_function`` option, so
   ``BowlerTool`` parses with the ``print``-keyword-less grammar, i.e.
   ``fissix.pygram.python_grammar_no_print_statement``, via
   ``fissix.pgen2.driver.Driver``. For LibCST we use ``libcst.parse_module``.
   "ok" also means the tree prints back to exactly the input.
2. Failure reporting. Bowler is run, through its API and its ``bowler do``
   command, on a file holding a ``match`` statement and a ``print("x")``
   call. We record what it prints and its exit status, to see whether a
   file it cannot parse is reported or silently skipped.

This is not part of the test suite and flaskmod does not depend on Bowler.
Run it by hand from a throwaway virtual environment::

    python3 -m venv /tmp/bowler-venv
    /tmp/bowler-venv/bin/pip install bowler libcst
    /tmp/bowler-venv/bin/python benchmarks/why_not_bowler.py

It exits 0 whatever the results are: it documents behaviour and checks
nothing. fissix may cache its compiled grammar under ``~/.cache/fissix``.
"""

from __future__ import annotations

import functools
import importlib.metadata
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SUBPROCESS_TIMEOUT_SECONDS = 120


@dataclass(frozen=True)
class Snippet:
    """A piece of source code that needs a given Python version's grammar."""

    name: str
    since: str  # the first Python version that accepts the syntax
    source: str


SNIPPETS: tuple[Snippet, ...] = (
    Snippet(
        name="walrus (reference)",
        since="3.8",
        source="if (n := 10) > 5:\n    ...\n",
    ),
    Snippet(
        name="positional-only parameter",
        since="3.8",
        source="def f(a, /, b):\n    ...\n",
    ),
    Snippet(
        name="PEP 614 decorator",
        since="3.9",
        source="@buttons[0].clicked.connect\ndef on_click():\n    ...\n",
    ),
    Snippet(
        name="parenthesized with",
        since="3.10",
        source="with (open(a) as f, open(b) as g):\n    ...\n",
    ),
    Snippet(
        name="match statement",
        since="3.10",
        source=textwrap.dedent(
            """\
            match command:
                case "go":
                    move()
                case _:
                    pass
            """
        ),
    ),
    Snippet(
        name="f-string, nested same quotes",
        since="3.12",
        source='y = f"{x["k"]}"\n',
    ),
    Snippet(
        name="PEP 695 generic function",
        since="3.12",
        source="def first[T](xs: list[T]) -> T:\n    ...\n",
    ),
    Snippet(
        name="PEP 695 type alias",
        since="3.12",
        source="type Alias = list[int]\n",
    ),
)

# A file Bowler should either rewrite or complain about: the print() call is a
# valid rename target, but the match statement makes fissix reject the file.
BOWLER_PROBE_SOURCE = textwrap.dedent(
    """\
    def handle(command):
        match command:
            case "go":
                return 1
            case _:
                return 0


    print("x")
    """
)
BOWLER_PROBE_FILE = "legacy_app.py"

BOWLER_API_SCRIPT = textwrap.dedent(
    """\
    import sys
    import bowler

    query = bowler.Query(sys.argv[1]).select_function("print").rename("echo")
    query.execute(interactive=False, write=sys.argv[2] == "write", silent=False)
    print(f"Query.retcode={query.retcode!r} Query.exceptions={query.exceptions!r}")
    """
)


def one_line(exc: BaseException) -> str:
    """Describe an exception on a single line."""
    return " ".join(f"{type(exc).__name__}: {exc}".split())


def package_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


@functools.cache
def fissix_driver() -> Any:
    """Build the fissix driver with the grammar Bowler's ``Query.execute`` uses."""
    from fissix import pygram, pytree
    from fissix.pgen2 import driver

    return driver.Driver(pygram.python_grammar_no_print_statement, convert=pytree.convert)


def parse_with_fissix(source: str) -> str:
    try:
        parser = fissix_driver()
    except ImportError as exc:
        return f"not available ({one_line(exc)})"
    try:
        tree = parser.parse_string(source)
    except Exception as exc:  # ParseError, TokenError, IndentationError, ...
        return one_line(exc)
    return "ok" if str(tree) == source else "parsed, but does not round-trip"


def parse_with_libcst(source: str, python_version: str) -> str:
    try:
        import libcst
    except ImportError as exc:
        return f"not available ({one_line(exc)})"
    config = libcst.PartialParserConfig(python_version=python_version)
    try:
        module = libcst.parse_module(source, config=config)
    except Exception as exc:  # libcst.ParserSyntaxError, ...
        return one_line(exc)
    return "ok" if module.code == source else "parsed, but does not round-trip"


def print_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]

    def fmt(row: Sequence[str]) -> str:
        return " | ".join(
            cell.ljust(width) for cell, width in zip(row, widths, strict=True)
        ).rstrip()

    print(fmt(header))
    print("-+-".join("-" * width for width in widths))
    for row in rows:
        print(fmt(row))


def parser_section() -> None:
    print("== 1. Parser coverage ==")
    print(
        f"python {sys.version.split()[0]}, bowler {package_version('bowler')}, "
        f"fissix {package_version('fissix')}, libcst {package_version('libcst')}"
    )
    print("fissix grammar: fissix.pygram.python_grammar_no_print_statement (Bowler's choice)")
    print("libcst config: PartialParserConfig(python_version=<the snippet's 'since'>)")
    print()
    rows = [
        (
            snippet.name,
            snippet.since,
            parse_with_fissix(snippet.source),
            parse_with_libcst(snippet.source, snippet.since),
        )
        for snippet in SNIPPETS
    ]
    print_table(("snippet", "since", "fissix (Bowler)", "libcst"), rows)


def indented(text: str) -> str:
    if not text.strip():
        return "    | (nothing)"
    return textwrap.indent(text.rstrip("\n"), "    | ", predicate=lambda _line: True)


def run_bowler(label: str, command: Sequence[str], workdir: Path) -> None:
    probe = workdir / BOWLER_PROBE_FILE
    before = probe.read_text()
    try:
        result = subprocess.run(
            command,
            cwd=workdir,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=SUBPROCESS_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        print(f"-- {label}: timed out after {SUBPROCESS_TIMEOUT_SECONDS}s")
        return
    output = result.stdout + result.stderr
    reported = "Can't parse" in output or "ParseError" in output
    print(f"-- {label}")
    print(f"   exit status: {result.returncode}")
    print("   stdout:")
    print(indented(result.stdout))
    print("   stderr:")
    print(indented(result.stderr))
    print(f"   parse failure mentioned in output: {'yes' if reported else 'no'}")
    print(f"   file changed: {'yes' if probe.read_text() != before else 'no'}")
    print()


def bowler_section() -> None:
    print("== 2. Does Bowler report a file it cannot parse? ==")
    try:
        import bowler  # noqa: F401  (only checks that it imports)
    except ImportError as exc:
        print(f"skipped: cannot import bowler ({one_line(exc)})")
        return
    print(f"probe file {BOWLER_PROBE_FILE} (a match statement, then print('x')):")
    print(indented(BOWLER_PROBE_SOURCE))
    print("refactor: Query(path).select_function('print').rename('echo')")
    print()
    query = f"Query({BOWLER_PROBE_FILE!r}).select_function('print').rename('echo')"
    runs: tuple[tuple[str, list[str]], ...] = (
        (
            "API: execute(interactive=False, write=False, silent=False)",
            [sys.executable, "-c", BOWLER_API_SCRIPT, BOWLER_PROBE_FILE, "diff"],
        ),
        (
            "API: execute(interactive=False, write=True, silent=False)",
            [sys.executable, "-c", BOWLER_API_SCRIPT, BOWLER_PROBE_FILE, "write"],
        ),
        (
            f'CLI: bowler do "{query}"',
            [sys.executable, "-m", "bowler", "do", query],
        ),
    )
    with tempfile.TemporaryDirectory(prefix="why-not-bowler-") as tmp:
        workdir = Path(tmp)
        (workdir / BOWLER_PROBE_FILE).write_text(BOWLER_PROBE_SOURCE)
        for label, command in runs:
            run_bowler(label, command, workdir)


def main() -> int:
    parser_section()
    print()
    bowler_section()
    return 0


if __name__ == "__main__":
    sys.exit(main())
