"""The modules the blueprints codemod writes, built as LibCST trees.

A blueprint package `__init__.py` (the `Blueprint` object, the imports that register its views,
and the legacy-endpoint shim when some `url_for` computes its endpoint) and the statements the
app module ends with (blueprint registrations, former `before_first_request` functions run once).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import libcst as cst

from flaskmod.conventions import BLUEPRINT_VARIABLE

from ._building import comment, dotted_name, import_from, new_module, template
from ._literals import quote
from ._moving import ImportPlan

TWO_BLANKS = [cst.EmptyLine(), cst.EmptyLine()]

_LEGACY_BUILDER = """\
@{bp}.record_once
def _build_legacy_endpoints(state):
    def build(error, endpoint, values):
        if endpoint in LEGACY_ENDPOINTS:
            return url_for(LEGACY_ENDPOINTS[endpoint], **values)
        return None

    state.app.url_build_error_handlers.append(build)
"""
_LEGACY_COMMENT = (
    "Endpoints moved from the app into blueprints (`index` → `main.index`). Some url_for",
    "calls compute their endpoint (see flaskmod's report); until they are updated, the",
    "old names still build.",
)


def blueprint_package(
    name: str,
    *,
    package: str,
    has_routes: bool,
    uses_cli: bool,
    registering: Sequence[str] = (),
    legacy: Mapping[str, str] | None = None,
) -> cst.Module:
    """`<package>/<name>/__init__.py`: the Blueprint, then the modules registering on it: its
    own `routes` and the `registering` modules (dotted names) converted in place."""
    imports = ImportPlan()
    imports.add("from flask import Blueprint")
    if legacy is not None:
        imports.add("from flask import url_for")
    code = (
        "{bp} = Blueprint({name}, __name__, cli_group=None)\n"
        if uses_cli
        else ("{bp} = Blueprint({name}, __name__)\n")
    )
    (blueprint,) = template(
        code, bp=cst.Name(BLUEPRINT_VARIABLE), name=cst.SimpleString(quote(name))
    )
    if uses_cli:
        note = "cli_group=None: its commands stay top-level (`flask <name>`), as on the app."
        blueprint = blueprint.with_changes(leading_lines=[comment(note)])
    body: list[cst.BaseStatement] = [blueprint]
    if has_routes:
        body.append(_imported_last())
    if registering:
        taken = {BLUEPRINT_VARIABLE, "Blueprint", "url_for", *(["routes"] if has_routes else [])}
        body += _registering_imports(package, registering, taken)
    if legacy is not None:
        body += _legacy_endpoints(legacy)
    doc = f"The `{name}` blueprint: the views that were registered on the app."
    return new_module(doc, imports, body, gap=1)


def _imported_last() -> cst.BaseStatement:
    (statement,) = template("from . import routes  # noqa: E402, F401\n")
    why = "Imported last: the views module needs `bp` to register its views on it."
    return statement.with_changes(leading_lines=[cst.EmptyLine(), comment(why)])


def _registering_imports(
    package: str, modules: Sequence[str], taken: Collection[str]
) -> list[cst.BaseStatement]:
    """`from .. import cli, errors, routes`: the package's modules registering on `bp`, imported
    here so that whatever imports the blueprint (the factory) gets every registration."""
    sources: dict[str, list[cst.ImportAlias]] = {}
    outside: list[str] = []
    for module in sorted(modules):
        if not module.startswith(package + "."):
            outside.append(module)
            continue
        parent, _, short = module[len(package) + 1 :].rpartition(".")
        alias = f"{(parent or package).replace('.', '_')}_{short}" if short in taken else None
        asname = cst.AsName(name=cst.Name(alias)) if alias else None
        sources.setdefault(".." + parent, []).append(cst.ImportAlias(cst.Name(short), asname))
    comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    imports: list[cst.BaseSmallStatement] = [
        cst.ImportFrom(
            module=dotted_name(source[2:]) if source[2:] else None,
            names=[a.with_changes(comma=comma) for a in aliases[:-1]] + aliases[-1:],
            relative=[cst.Dot(), cst.Dot()],
        )
        for source, aliases in sources.items()
    ]
    imports += [cst.Import([cst.ImportAlias(dotted_name(module))]) for module in outside]
    noqa = cst.TrailingWhitespace(
        whitespace=cst.SimpleWhitespace("  "), comment=cst.Comment("# noqa: E402, F401")
    )
    statements = [cst.SimpleStatementLine([small], trailing_whitespace=noqa) for small in imports]
    why = "Imported last: these modules register their views, handlers and commands on `bp`."
    statements[0] = statements[0].with_changes(leading_lines=[cst.EmptyLine(), comment(why)])
    return list(statements)


def _legacy_endpoints(mapping: Mapping[str, str]) -> list[cst.BaseStatement]:
    """`url_build_error_handlers` that build the old endpoint names through the new ones."""
    (table,) = template(
        "LEGACY_ENDPOINTS = {table}\n", table=_dict_literal(sorted(mapping.items()))
    )
    table = table.with_changes(leading_lines=[*TWO_BLANKS, *map(comment, _LEGACY_COMMENT)])
    (builder,) = template(_LEGACY_BUILDER, bp=cst.Name(BLUEPRINT_VARIABLE))
    return [table, builder.with_changes(leading_lines=TWO_BLANKS)]


def _dict_literal(pairs: Sequence[tuple[str, str]]) -> cst.Dict:
    """`{"a": "b", ...}` one entry a line, as ruff format writes it."""

    def line_break(indent: str) -> cst.ParenthesizedWhitespace:
        return cst.ParenthesizedWhitespace(
            first_line=cst.TrailingWhitespace(), indent=True, last_line=cst.SimpleWhitespace(indent)
        )

    elements = [
        cst.DictElement(
            cst.SimpleString(quote(old)),
            cst.SimpleString(quote(new)),
            comma=cst.Comma(whitespace_after=line_break("" if last else "    ")),
        )
        for last, (old, new) in ((n == len(pairs) - 1, pair) for n, pair in enumerate(pairs))
    ]
    opening = cst.LeftCurlyBrace(whitespace_after=line_break("    " if pairs else ""))
    return cst.Dict(elements, lbrace=opening)


def registrations(
    app: str,
    blueprints: Sequence[str],
    prefixes: Mapping[str, str],
    first_request: Sequence[tuple[str, str]],
) -> list[cst.BaseStatement]:
    """What the app module ends with: the blueprints imported and registered, then the former
    `before_first_request` functions run once (in an app context)."""
    imports = [import_from(f".{name}", BLUEPRINT_VARIABLE, f"{name}_bp") for name in blueprints]
    calls = []
    for name in blueprints:
        nodes: dict[str, cst.CSTNode] = {"app": cst.Name(app), "bp": cst.Name(f"{name}_bp")}
        if name in prefixes:
            code = "{app}.register_blueprint({bp}, url_prefix={prefix})\n"
            nodes["prefix"] = cst.SimpleString(quote(prefixes[name]))
        else:
            code = "{app}.register_blueprint({bp})\n"
        calls += template(code, **nodes)
    calls[0] = calls[0].with_changes(leading_lines=[cst.EmptyLine()])
    tail = [*imports, *calls]
    if first_request:
        tail.append(_run_once(app, first_request))
    tail[0] = tail[0].with_changes(leading_lines=TWO_BLANKS)
    return tail


def _run_once(app: str, functions: Sequence[tuple[str, str]]) -> cst.BaseStatement:
    (block,) = template("with {app}.app_context():\n    pass\n", app=cst.Name(app))
    block = cst.ensure_type(block, cst.With)
    body: list[cst.BaseStatement] = []
    for module, name in functions:
        call = cst.SimpleStatementLine(
            [cst.Expr(cst.Call(cst.Name(name)))], leading_lines=[cst.EmptyLine(indent=False)]
        )
        body += [import_from(module, name), call]
    why = (
        "Ran before the first request (before_first_request, gone in Flask 2.3); "
        "now once at start-up."
    )
    return block.with_changes(
        body=block.body.with_changes(body=body), leading_lines=[cst.EmptyLine(), comment(why)]
    )
