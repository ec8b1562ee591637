"""The pages of `docs/codemods/`, rendered from the codemods themselves so they cannot drift.

    python -m flaskmod.docs            # from the root of a checkout: write docs/codemods/
    python -m flaskmod.docs --check    # write nothing; exit 1 naming each page that differs

Everything on a page comes from the code. From the declaration (`Codemod.declare`): the summary,
order, needs, minimum Flask, options and the example. From the module: its docstring (what it
matches, and why), and what `ast` finds in its source: the options it reads
(`context.option("...")`), the version gates it reads (`context.has("...")`,
`context.flask.still_has("...")`, `flask.at_least(...)`, `flask.before(...)`, in the module or in
a function it imports), each looked up in `knowledge.GATES`/`knowledge.REMOVED`, and the message
of every refusal and manual step it, or a private helper it imports (`codemods/_*.py`), can report
(see `Kind`), f-strings with their placeholders.
`tests/test_docs.py` checks that the pages on disk are what this renders now and that each
example is what the codemod really does.

The same run writes (and `--check` checks) `codemods/_manifest.py`, what `flaskmod list` reads of
the declarations without importing the codemods (see `flaskmod.manifest`).
"""

from __future__ import annotations

import argparse
import ast
import functools
import importlib
import importlib.util
import inspect
import sys
import textwrap
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path, PurePosixPath
from types import ModuleType

from flaskmod import manifest
from flaskmod.codemod import Codemod, Option
from flaskmod.knowledge import GATES, REMOVED, Version
from flaskmod.pipeline import discover

#: the package the codemod modules are imported from (the repository's `codemods/`)
PACKAGE = "flaskmod.codemods"
#: where the pages go, from the root of a checkout
FOLDER = PurePosixPath("docs/codemods")
#: how to regenerate them (the tests' failure message says it)
COMMAND = ".venv/bin/python -m flaskmod.docs"

#: what each version-gated idiom is, for the reader: one entry per key of `knowledge.GATES` and
#: `knowledge.REMOVED` (a page reading an idiom missing here cannot be rendered)
IDIOMS: Mapping[str, str] = {
    "root_path_argument": "`Flask(__name__, root_path=...)`",
    "app_cli": "the `flask` command line and `@app.cli.command`",
    "test_cli_runner": "`app.test_cli_runner()`",
    "blueprint_cli": "CLI commands on a blueprint (`bp.cli`, `cli_group=None`)",
    "route_shortcuts": "`@app.get`, `@app.post`, ... route shortcuts",
    "from_prefixed_env": "`app.config.from_prefixed_env()`",
    "flask_app_option": "`flask --app`/`--debug` on the command line",
    "flask.ext": "`flask.ext.*` imports",
    "before_first_request": "`before_first_request` and `before_app_first_request`",
    "_app_ctx_stack": "`flask._app_ctx_stack`",
}

_GATE_CALLS = frozenset({"has", "still_has", "at_least", "before"})
_GATE_RECEIVERS = ("context", "flask")


class Kind(str, Enum):
    """How a message reaches the user, from the call that reports it."""

    #: `context.decline(...)`
    REFUSES = "refuses"
    #: `context.warn(...)`
    MANUAL = "manual step"
    #: `Finding(...)`, `Reason(...)`, `problems.append((message, line))`: collected, then
    #: reported as manual steps or as the refusal
    REPORTED = "reported"
    #: `raise FlaskmodError(...)`
    STOPS = "stops the run"


LEGEND: Mapping[Kind, str] = {
    Kind.REFUSES: (
        "`context.decline(...)`: the codemod changes nothing and says why; the driver offers it "
        "again once a later codemod changes what it refused on"
    ),
    Kind.MANUAL: (
        '`context.warn(...)`: that code is left as it was and listed under "Manual steps" with '
        "its `path:line`; the rest is migrated"
    ),
    Kind.REPORTED: (
        "collected first (`Finding(...)`, `Reason(...)`, `problems.append(...)`), then reported "
        "as manual steps or as the refusal (see the module)"
    ),
    Kind.STOPS: "`raise FlaskmodError(...)`: the run stops with exit 2 and nothing is written",
}


@dataclass(frozen=True)
class Gate:
    """A version gate a codemod reads."""

    #: a key of `knowledge.GATES` or `knowledge.REMOVED`; "" for `at_least`/`before`
    idiom: str
    #: the call as written: `context.has("from_prefixed_env")`
    call: str
    version: Version
    #: `still_has`/`before`: an idiom Flask removed in `version`, not one it added
    removed: bool
    #: the imported function that reads it ("" when the module itself does)
    via: str = ""


@dataclass(frozen=True)
class Message:
    """A refusal or manual step as written in the source."""

    kind: Kind
    text: str
    #: the private helper module that reports it ("" when the codemod's module does)
    via: str = ""


@dataclass(frozen=True)
class Scan:
    """What `ast` finds in a codemod module's source."""

    docstring: str
    options: tuple[str, ...]
    gates: tuple[Gate, ...]
    messages: tuple[Message, ...]


# ------------------------------------------------------------------------------ reading
def module_of(codemod: Codemod) -> ModuleType:
    return importlib.import_module(f"{PACKAGE}.{codemod.name.replace('-', '_')}")


def source_path(codemod: Codemod) -> str:
    """The module's path in the repository: `codemods/config_classes.py`."""
    return f"codemods/{codemod.name.replace('-', '_')}.py"


def scan(source: str, package: str = PACKAGE) -> Scan:
    """Read a codemod module's source (`package`: where its relative imports resolve)."""
    tree = ast.parse(source)
    reader = _Reader(tree, source)
    gates = list(reader.gates())
    for name, imported in _imported_functions(tree, package):
        gates += [
            Gate(g.idiom, g.call, g.version, g.removed, via=name) for g in _gates_of(imported)
        ]
    messages = list(reader.messages())
    for helper in _helpers(tree, package):
        short = helper.rsplit(".", 1)[-1]
        messages += [Message(m.kind, m.text, via=short) for m in _messages_of(helper)]
    return Scan(
        docstring=ast.get_docstring(tree) or "",
        options=tuple(dict.fromkeys(reader.options())),
        gates=tuple(dict.fromkeys(gates)),
        messages=tuple(dict.fromkeys(messages)),
    )


@functools.cache
def _gates_of(function: object) -> tuple[Gate, ...]:
    """The gates an imported function reads (cached: several codemods import the same ones)."""
    try:
        text = textwrap.dedent(inspect.getsource(function))  # type: ignore[arg-type]
    except (OSError, TypeError):  # pragma: no cover - built without sources
        return ()
    return tuple(_Reader(ast.parse(text), text).gates())


@functools.cache
def _source_of(module: str) -> str:
    return inspect.getsource(importlib.import_module(module))


@functools.cache
def _messages_of(module: str) -> tuple[Message, ...]:
    source = _source_of(module)
    return tuple(_Reader(ast.parse(source), source).messages())


def _helpers(tree: ast.Module, package: str) -> list[str]:
    """The private helper modules (`codemods/_*.py`) the module imports, directly or through
    another helper: a refusal a helper reports is the codemod's refusal."""
    found: list[str] = []
    pending = _helpers_imported(tree, package)
    while pending:
        module = pending.pop(0)
        if module not in found:
            found.append(module)
            pending += _helpers_imported(ast.parse(_source_of(module)), package)
    return found


def _helpers_imported(tree: ast.Module, package: str) -> list[str]:
    """`from ._extract import x` and `from . import _extract`, as full module names."""
    found: list[str] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom) or node.level != 1:
            continue
        names = [node.module] if node.module else [alias.name for alias in node.names]
        found += [f"{package}.{name}" for name in names if name.startswith("_")]
    return found


def _imported_functions(tree: ast.Module, package: str) -> Iterator[tuple[str, object]]:
    """Functions and classes the module imports from flaskmod (the engine or a helper)."""
    for node in tree.body:
        if not isinstance(node, ast.ImportFrom):
            continue
        name = "." * node.level + (node.module or "")
        module = importlib.util.resolve_name(name, package) if node.level else name
        if not module.startswith("flaskmod"):
            continue
        loaded = importlib.import_module(module)
        for alias in node.names:
            imported = getattr(loaded, alias.name, None)
            if inspect.isfunction(imported) or inspect.isclass(imported):
                yield alias.asname or alias.name, imported


class _Reader:
    """Calls in one module's source, each resolved within the function that makes it."""

    def __init__(self, tree: ast.Module, source: str) -> None:
        self.tree = tree
        self.source = source
        self.scope: dict[ast.AST, ast.AST] = {}
        self._scopes(tree, tree)
        self.functions = {
            node.name: node
            for node in tree.body
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        }
        every = list(ast.walk(tree))
        self._calls = sorted(
            (node for node in every if isinstance(node, ast.Call)),
            key=lambda call: (call.lineno, call.col_offset),
        )
        #: (scope, name) → [(line, value)] of its plain assignments, in source order
        self.assignments: dict[tuple[ast.AST, str], list[tuple[int, ast.expr]]] = {}
        for node in every:
            if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Name):
                        key = (self.scope[node], target.id)
                        self.assignments.setdefault(key, []).append((node.lineno, node.value))

    def _scopes(self, node: ast.AST, scope: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            self.scope[child] = scope
            inner = child if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else scope
            self._scopes(child, inner)

    def calls(self) -> list[ast.Call]:
        return self._calls

    # -- options and gates ----------------------------------------------------------
    def options(self) -> Iterator[str]:
        for call in self.calls():
            if _method(call) == "option" and _receiver(call).endswith("context"):
                name = _constant(_argument(call, 0, "name"))
                if isinstance(name, str):
                    yield name

    def gates(self) -> Iterator[Gate]:
        for call in self.calls():
            method = _method(call)
            if method not in _GATE_CALLS or not _receiver(call).endswith(_GATE_RECEIVERS):
                continue
            written = " ".join((ast.get_source_segment(self.source, call) or "").split())
            if method in ("has", "still_has"):
                idiom = _constant(_argument(call, 0, "idiom"))
                if not isinstance(idiom, str):
                    continue  # the engine's own pass-through (`Context.has(idiom)`)
                table = GATES if method == "has" else REMOVED
                yield Gate(idiom, written, table[idiom], removed=method == "still_has")
                continue
            numbers = [_constant(arg) for arg in call.args]
            if numbers and all(isinstance(n, int) for n in numbers):
                major, minor = (*numbers, 0)[:2]
                assert isinstance(major, int) and isinstance(minor, int)
                yield Gate("", written, (major, minor), removed=method == "before")

    # -- messages ----------------------------------------------------------------------
    def messages(self) -> Iterator[Message]:
        found: list[tuple[int, int, Message]] = []
        for call in self.calls():
            channel = self._channel(call)
            if channel is None:
                continue
            kind, expression = channel
            for line, text in self._texts(expression, self.scope.get(call, self.tree), set()):
                found.append((line, len(found), Message(kind, text)))
        for _, _, message in sorted(found, key=lambda item: item[:2]):
            yield message

    def _channel(self, call: ast.Call) -> tuple[Kind, ast.expr | None] | None:
        """How this call reports a message, and the message's expression; None: it does not."""
        func = call.func
        if isinstance(func, ast.Attribute):
            if func.attr == "decline":
                return Kind.REFUSES, _argument(call, 0, "message")
            if func.attr == "warn":
                return Kind.MANUAL, _argument(call, 0, "message")
            if func.attr == "append" and ast.unparse(func.value).endswith("problems"):
                item = _argument(call, 0, "object")
                return Kind.REPORTED, item.elts[0] if isinstance(item, ast.Tuple) else None
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if name == "Finding":
            severity = _argument(call, 2, "severity")
            if severity is not None and ast.unparse(severity).endswith("NOTE"):
                return None
            return Kind.REPORTED, _argument(call, 1, "message")
        if name == "Reason":
            return Kind.REPORTED, _argument(call, 0, "message")
        if name == "FlaskmodError":
            return Kind.STOPS, _argument(call, 0, "message")
        if isinstance(func, ast.Name):  # `report = context.note if ... else context.warn`
            bound = self._assigned(func.id, call.lineno, self.scope.get(call, self.tree))
            attributes = {
                node.attr
                for node in ast.walk(bound or ast.Pass())
                if isinstance(node, ast.Attribute)
            }
            if "decline" in attributes:
                return Kind.REFUSES, _argument(call, 0, "message")
            if "warn" in attributes:
                return Kind.MANUAL, _argument(call, 0, "message")
        return None

    def _texts(
        self, node: ast.expr | None, scope: ast.AST, seen: set[str]
    ) -> list[tuple[int, str]]:
        """Every text `node` can be, with the line it is written on ([] if not a text)."""
        if node is None:
            return []
        if isinstance(node, ast.Constant):
            return [(node.lineno, node.value)] if isinstance(node.value, str) else []
        if isinstance(node, ast.JoinedStr):
            return [(node.lineno, text) for text in self._joined(node, scope, seen)]
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left = self._texts(node.left, scope, seen)
            right = self._texts(node.right, scope, seen)
            return [(line, a + b) for line, a in left for _, b in right]
        if isinstance(node, ast.IfExp):
            return self._texts(node.body, scope, seen) + self._texts(node.orelse, scope, seen)
        if isinstance(node, ast.Name) and node.id not in seen:
            value = self._assigned(node.id, node.lineno, scope)
            return self._texts(value, scope, seen | {node.id})
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            function = self.functions.get(node.func.id)
            if function is None or node.func.id in seen:
                return []
            returned = [n for n in ast.walk(function) if isinstance(n, ast.Return)]
            return [
                text
                for r in returned
                if self.scope.get(r) is function
                for text in self._texts(r.value, function, seen | {node.func.id})
            ]
        return []

    def _joined(self, node: ast.JoinedStr, scope: ast.AST, seen: set[str]) -> list[str]:
        """An f-string's texts: its placeholders as written (`{name}`), except those that are
        texts themselves (`{"a" if x else "b"}` gives both)."""
        texts = [""]
        for part in node.values:
            if isinstance(part, ast.Constant):
                texts = [text + str(part.value) for text in texts]
                continue
            assert isinstance(part, ast.FormattedValue)
            inner = self._texts(part.value, scope, seen)
            plain = part.conversion == -1 and part.format_spec is None
            if plain and inner and isinstance(part.value, ast.IfExp | ast.JoinedStr):
                texts = [text + value for text in texts for _, value in inner]
            else:
                texts = [text + _placeholder(part) for text in texts]
        return texts

    def _assigned(self, name: str, before: int, scope: ast.AST) -> ast.expr | None:
        """The value of the last plain assignment to `name` before line `before`, in `scope`."""
        earlier = [
            value for line, value in self.assignments.get((scope, name), []) if line < before
        ]
        return earlier[-1] if earlier else None


def _method(call: ast.Call) -> str:
    return call.func.attr if isinstance(call.func, ast.Attribute) else ""


def _receiver(call: ast.Call) -> str:
    return ast.unparse(call.func.value) if isinstance(call.func, ast.Attribute) else ""


def _argument(call: ast.Call, position: int, keyword: str) -> ast.expr | None:
    for arg in call.keywords:
        if arg.arg == keyword:
            return arg.value
    if len(call.args) > position and not isinstance(call.args[position], ast.Starred):
        return call.args[position]
    return None


def _constant(node: ast.expr | None) -> object:
    return node.value if isinstance(node, ast.Constant) else None


def _placeholder(part: ast.FormattedValue) -> str:
    conversion = "" if part.conversion == -1 else f"!{chr(part.conversion)}"
    spec = ""
    if part.format_spec is not None:
        spec = ":" + ast.unparse(part.format_spec)[2:-1]  # the spec is itself an f-string
    return "{" + ast.unparse(part.value) + conversion + spec + "}"


# ------------------------------------------------------------------------------ writing
def pages(codemods: Sequence[Codemod] | None = None) -> dict[str, str]:
    """Every page, by its path from the root of the checkout (the installed codemods' pages are
    rendered once per process: `--check` and the tests ask several times)."""
    if codemods is None:
        return dict(_installed_pages())
    return _render(codemods)


@functools.cache
def _installed_pages() -> dict[str, str]:
    return _render(discover())


def _render(codemods: Sequence[Codemod]) -> dict[str, str]:
    codemods = list(codemods)
    rendered = {f"{FOLDER}/README.md": render_index(codemods)}
    for codemod in codemods:
        rendered[f"{FOLDER}/{codemod.name}.md"] = render_page(codemod, codemods)
    # not a page, but generated from the same declarations, so regenerated and checked with them
    rendered[manifest.PATH] = manifest.render(map(manifest.entry_of, codemods), COMMAND)
    return rendered


def render_index(codemods: Sequence[Codemod]) -> str:
    lines = [
        _banner("codemods/*.py"),
        "",
        "# The codemods",
        "",
        "flaskmod runs them in this order, each on the project as the ones before it left it;",
        "`flaskmod upgrade PATH --only NAME` runs one alone. Each page is generated from the",
        "codemod's own module: its declaration, its docstring, the version gates it reads, the",
        "messages it can refuse or leave a manual step with, and an example the tests run.",
        "",
        "| # | codemod | what it does | runs on | options |",
        "|---|---|---|---|---|",
    ]
    for number, codemod in enumerate(codemods, 1):
        options = ", ".join(f"`{option.flag}`" for option in codemod.options) or "—"
        lines.append(
            f"| {number} | [`{codemod.name}`]({codemod.name}.md) | {_cell(codemod.summary)} "
            f"| {codemod.needs.value} | {options} |"
        )
    lines += ["", f"Regenerate these pages with `{COMMAND}` (from the root of a checkout).", ""]
    return "\n".join(lines)


def render_page(codemod: Codemod, codemods: Sequence[Codemod]) -> str:
    """The page of one codemod."""
    module = module_of(codemod)
    found = scan(inspect.getsource(module))
    path = source_path(codemod)
    position = [c.name for c in codemods].index(codemod.name) + 1
    lines = [
        _banner(path),
        "",
        f"# `{codemod.name}`",
        "",
        _escape(codemod.summary),
        "",
        "| | |",
        "|---|---|",
        f"| order | {codemod.order}: runs {_ordinal(position)} of {len(codemods)} "
        "([all codemods](README.md)) |",
        f"| runs on | {codemod.needs.value} (`Needs.{codemod.needs.name}`) |",
        f"| minimum Flask | {_version(codemod.min_flask) if codemod.min_flask else 'none'} |",
        f"| source | [`{path}`](../../{path}) |",
        f"| run alone | `flaskmod upgrade PATH --only {codemod.name}` |",
        "",
        "## What it matches, and why",
        "",
        *[_escape(line) for line in found.docstring.splitlines()],
        "",
        *_options_section(codemod, codemods, found.options),
        *_gates_section(codemod, found.gates),
        *_messages_section(found.messages),
        *_example_section(codemod),
    ]
    return "\n".join(lines).rstrip("\n") + "\n"


def _banner(source: str) -> str:
    return f"<!-- Generated from {source} by `{COMMAND}`: edit the code, then regenerate. -->"


def _options_section(
    codemod: Codemod, codemods: Sequence[Codemod], read: Sequence[str]
) -> list[str]:
    declared = {option.name: (c, option) for c in codemods for option in c.options}
    own = list(codemod.options)
    others = [declared[name] for name in read if name in declared and declared[name][0] != codemod]
    lines = ["## Options", ""]
    if not own and not others:
        return [*lines, "None.", ""]
    if own:
        lines += [
            "| option | `[tool.flaskmod]` key | default | choices | what it sets |",
            "|---|---|---|---|---|",
            *[_option_row(option) for option in own],
            "",
        ]
    for owner, option in others:
        lines += [
            f"It also reads `{option.flag}` (`{option.key}`, default `{option.default}`), "
            f"declared by [`{owner.name}`]({owner.name}.md): {_escape(option.help)}.",
            "",
        ]
    return lines


def _option_row(option: Option) -> str:
    choices = ", ".join(f"`{choice}`" for choice in option.choices) or "any"
    return (
        f"| `{option.flag}` | `{option.key}` | `{option.default}` | {choices} "
        f"| {_cell(option.help)} |"
    )


def _gates_section(codemod: Codemod, gates: Sequence[Gate]) -> list[str]:
    lines = ["## Version gates", ""]
    if codemod.min_flask:
        lines += [
            f"The codemod runs only when every Flask the project allows is "
            f"{_version(codemod.min_flask)} or later (otherwise it notes why and does nothing).",
            "",
        ]
    if not gates:
        return [
            *lines,
            "It reads no version gate: what it writes is the same on every Flask version.",
            "",
        ]
    lines += [
        "What it writes depends on the Flask versions the project allows (read from its",
        "dependency files, its environment or its code; `--flask-version X.Y` to say):",
        "",
        "| idiom | Flask | rule | read by |",
        "|---|---|---|---|",
    ]
    for gate in gates:
        what = f"{IDIOMS[gate.idiom]} (`{gate.idiom}`)" if gate.idiom else "—"
        version = _version(gate.version)
        if gate.removed:
            flask = f"removed in {version}"
            rule = f"used only while every allowed Flask is older than {version}"
        else:
            flask = f"{version} and later"
            rule = f"used only when every allowed Flask is {version} or later"
        where = f"`{gate.call}`" + (f" in `{gate.via}`" if gate.via else "")
        lines.append(f"| {what} | {flask} | {rule} | {_cell(where)} |")
    return [*lines, ""]


def _messages_section(messages: Sequence[Message]) -> list[str]:
    lines = ["## What it refuses or leaves to you", ""]
    if not messages:
        return [*lines, "Its source reports no refusal and no manual step.", ""]
    kinds = [kind for kind in Kind if any(message.kind is kind for message in messages)]
    lines += [
        "Every message its source can report, in source order (`{...}` is filled in at run",
        "time):",
        "",
        *[f"- **{kind.value}**: {LEGEND[kind]}." for kind in kinds],
        "",
        *[_message_item(message) for message in messages],
        "",
    ]
    return lines


def _message_item(message: Message) -> str:
    via = f" (in `{message.via}`)" if message.via else ""
    return f"1. **{message.kind.value}**{via}: {_escape(message.text)}"


def _example_section(codemod: Codemod) -> list[str]:
    example = codemod.example
    if example is None:
        return []
    command = f"flaskmod upgrade PATH --only {codemod.name} --flask-version {example.flask}"
    for name, value in example.settings.items():
        command += f" --{name.replace('_', '-')} {value}"
    lines = ["## Example", "", f"`{command}` on:", ""]
    lines += _files(example.before, {})
    lines += ["gives:", ""]
    lines += _files(example.after, {new: old for old, new in example.moved.items()})
    if example.elided:
        written = ", ".join(f"`{path}`" for path in example.elided)
        lines += [f"It also writes {written} (not shown).", ""]
    if example.reports:
        lines += ["and reports:", "", *[f"- {_escape(text)}" for text in example.reports], ""]
    if example.note:
        lines += [_escape(example.note), ""]
    return lines


def _files(files: Mapping[str, str], moved_from: Mapping[str, str]) -> list[str]:
    lines: list[str] = []
    for path, text in files.items():
        origin = f" (moved from `{moved_from[path]}`)" if path in moved_from else ""
        body = example_text(text)
        fence = "```" if "```" not in body else "````"
        lines += [f"`{path}`{origin}:", "", f"{fence}{_language(path)}", body.rstrip("\n"), fence]
        lines.append("")
    return lines


def example_text(text: str) -> str:
    """A file of an example as the codemod sees it (as `tests/codemods/tools.py` reads it)."""
    return textwrap.dedent(text).lstrip("\n")


def _language(path: str) -> str:
    name = PurePosixPath(path).name
    suffix = PurePosixPath(path).suffix
    languages = {".py": "python", ".html": "jinja", ".toml": "toml", ".cfg": "ini"}
    if name.startswith(".env"):
        return "sh"
    if name == ".gitignore":
        return "gitignore"
    return languages.get(suffix, "text")


def _version(version: Version) -> str:
    return f"{version[0]}.{version[1]}"


def _ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10)
    return f"{number}{suffix or 'th'}"


def _escape(text: str) -> str:
    """Markdown for plain text with `code` spans: what is outside the spans cannot format."""
    parts = text.split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: nothing is code
        return _plain(text.replace("`", "\\`"))
    return "`".join(part if i % 2 else _plain(part) for i, part in enumerate(parts))


def _plain(text: str) -> str:
    for char in "\\*_<[]":
        text = text.replace(char, "\\" + char)
    return text


def _cell(text: str) -> str:
    return _escape(text).replace("|", "\\|")


# -------------------------------------------------------------------------------- main
def stale(root: Path) -> list[str]:
    """Pages under `root` that differ from what the code renders now, or should not exist."""
    wanted = pages()
    out = [path for path, text in wanted.items() if _read(root / path) != text]
    folder = root / FOLDER
    if folder.is_dir():
        out += sorted(
            f"{FOLDER}/{page.name}"
            for page in folder.glob("*.md")
            if f"{FOLDER}/{page.name}" not in wanted
        )
    return out


def write(root: Path) -> list[str]:
    """Write every page that changed, remove pages of codemods that are gone; what changed."""
    wanted = pages()
    changed = stale(root)
    for path in changed:
        target = root / path
        if path in wanted:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(wanted[path], encoding="utf-8", newline="\n")
        else:
            target.unlink()
    return changed


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m flaskmod.docs",
        description="Render docs/codemods/ from the codemods (run from the root of a checkout).",
    )
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if a page differs"
    )
    parser.add_argument(
        "--root", type=Path, default=None, help="the checkout (default: the current directory)"
    )
    args = parser.parse_args(argv)
    root: Path = args.root or Path.cwd()
    if not (root / "codemods").is_dir():
        print(f"{root}: not the root of a flaskmod checkout (no codemods/)", file=sys.stderr)
        return 2
    if args.check:
        differing = stale(root)
        for path in differing:
            print(f"{path}: differs from the code; regenerate with `{COMMAND}`", file=sys.stderr)
        return 1 if differing else 0
    for path in write(root):
        print(f"wrote {path}" if (root / path).exists() else f"removed {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
