"""Pre-1.0 spellings that no longer import: `flask.ext.*` imports and `_app_ctx_stack.top`.

Why: `flask.ext` was removed in Flask 1.0 and `_app_ctx_stack` in 2.3; the extension modules
(`flask_sqlalchemy`) and `g` are what both old and new Flask provide, so the rewritten code runs on
the project's own version and on every later one. Runs first, so every other codemod sees the
modern spellings.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst
import libcst.matchers as m

from flaskmod.codemod import Codemod, Context, Example, Needs
from flaskmod.knowledge import modern_module
from flaskmod.names import find_nodes, import_statements
from flaskmod.project import Project

from ._imports import add_import
from ._moving import dotted, kept_names

#: what the page docs/codemods/legacy-idioms.md shows; tests/test_docs.py runs it
EXAMPLE = Example(
    before={
        "app.py": """
            from flask import Flask, _app_ctx_stack
            from flask.ext.sqlalchemy import SQLAlchemy

            app = Flask(__name__)
            db = SQLAlchemy(app)


            def get_cache():
                ctx = _app_ctx_stack.top
                if not hasattr(ctx, "cache"):
                    ctx.cache = {}
                return ctx.cache
        """,
    },
    after={
        "app.py": """
            from flask import Flask, g
            from flask_sqlalchemy import SQLAlchemy

            app = Flask(__name__)
            db = SQLAlchemy(app)


            def get_cache():
                ctx = g
                if not hasattr(ctx, "cache"):
                    ctx.cache = {}
                return ctx.cache
        """,
    },
    reports=("1 flask.ext import(s) → flask_*; 1 _app_ctx_stack.top → g",),
)

codemod = Codemod.declare(
    __name__,
    # First: every later codemod then reads `flask_sqlalchemy`, never `flask.ext.sqlalchemy`.
    order=5,
    summary="Rewrite flask.ext.* imports and _app_ctx_stack.top to spellings every Flask has.",
    needs=Needs.ANY,
    example=EXAMPLE,
)

modern = modern_module


class _Rewrite(cst.CSTTransformer):
    def __init__(self) -> None:
        self.imports = 0
        self.stack = 0

    def leave_ImportFrom(
        self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom
    ) -> cst.ImportFrom:
        if updated_node.relative or updated_node.module is None:
            return updated_node
        new = modern(dotted(updated_node.module))
        if new is None:
            return updated_node
        self.imports += 1
        module = cst.parse_expression(new)
        assert isinstance(module, cst.Name | cst.Attribute)
        return updated_node.with_changes(module=module)

    def leave_ImportAlias(
        self, original_node: cst.ImportAlias, updated_node: cst.ImportAlias
    ) -> cst.ImportAlias:
        # `import flask.ext.sqlalchemy as fsa` (an alias keeps the binding name valid)
        new = modern(dotted(updated_node.name))
        if new is None or updated_node.asname is None:
            return updated_node
        self.imports += 1
        name = cst.parse_expression(new)
        assert isinstance(name, cst.Name | cst.Attribute)
        return updated_node.with_changes(name=name)

    def leave_Attribute(
        self, original_node: cst.Attribute, updated_node: cst.Attribute
    ) -> cst.BaseExpression:
        if m.matches(updated_node, m.Attribute(value=m.Name("_app_ctx_stack"), attr=m.Name("top"))):
            self.stack += 1
            return cst.Name("g")
        return updated_node


class _StackImport(cst.CSTTransformer):
    """`from flask import _app_ctx_stack` is dropped once nothing uses it."""

    def leave_ImportFrom(
        self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom
    ) -> cst.ImportFrom | cst.RemovalSentinel:
        if isinstance(updated_node.names, cst.ImportStar) or updated_node.module is None:
            return updated_node
        keep = [a for a in updated_node.names if a.evaluated_name != "_app_ctx_stack"]
        if len(keep) == len(updated_node.names):
            return updated_node
        if not keep:
            return cst.RemoveFromParent()
        return updated_node.with_changes(names=kept_names(updated_node, keep))


@dataclass(frozen=True)
class LegacyPlan:
    """The rewritten modules, by path (computed in the plan: the rewrite is the whole plan)."""

    trees: dict[str, cst.Module]


@codemod.plan
def plan(context: Context) -> LegacyPlan | None:
    trees: dict[str, cst.Module] = {}
    for path in context.project.python_paths():
        text = context.project.text(path)
        if "flask.ext" not in text and "_app_ctx_stack" not in text:
            continue
        tree, imports, stack = _rewritten(context.project.module(path))
        if imports or stack:
            trees[path] = tree
            context.note(_summary(imports, stack), path)
    return LegacyPlan(trees) if trees else None


@codemod.edit
def edit(context: Context, plan: LegacyPlan) -> Project:
    return context.project.with_changes(modules=plan.trees)


def _rewritten(tree: cst.Module) -> tuple[cst.Module, int, int]:
    """The module with both idioms rewritten, and how many of each there were."""
    rewrite = _Rewrite()
    new = tree.visit(rewrite)
    if rewrite.stack:
        uses = len(find_nodes(new, m.Name("_app_ctx_stack")))
        in_imports = sum(
            len(find_nodes(node, m.Name("_app_ctx_stack")))
            for node in import_statements(new)
            if isinstance(node, cst.ImportFrom)
        )
        if uses == in_imports:
            new = new.visit(_StackImport())
        new = add_import(new, "flask", "g")
    return new, rewrite.imports, rewrite.stack


def _summary(imports: int, stack: int) -> str:
    what = []
    if imports:
        what.append(f"{imports} flask.ext import(s) → flask_*")
    if stack:
        what.append(f"{stack} _app_ctx_stack.top → g")
    return "; ".join(what)
