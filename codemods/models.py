"""Flask-SQLAlchemy models, association tables and auth loaders → `<package>/models.py`.

Legacy pattern: `class User(db.Model)`, `tags = db.Table(...)` and `@login_manager.user_loader`
defined in the module that creates the app (here the package `__init__`).

Why: with models in the package `__init__`, every module that needs a model imports the package
that builds the app, the classic source of circular imports; Flask's larger-application layout
keeps models in their own module, importing `db` from `extensions.py`. `@login_manager.user_loader`
(and the other loaders that look up a model, `knowledge.MODEL_LOADERS`) go with the models.
"""

from __future__ import annotations

import libcst as cst
import libcst.matchers as m

from flaskmod.codemod import EXTENSIONS_MODULE, Codemod, Context, Example, Needs
from flaskmod.knowledge import MODEL_LOADERS, SQLALCHEMY_CLASSES, canonical
from flaskmod.names import ModuleIndex, qualify
from flaskmod.project import Project

from ._extract import Extraction, GroupPlan, extract, plan_group

#: what the page docs/codemods/models.md shows; tests/test_docs.py runs it
EXAMPLE = Example(
    before={
        "app/__init__.py": """
            from flask import Flask
            from .extensions import db

            app = Flask(__name__)
            db.init_app(app)


            class Note(db.Model):
                id = db.Column(db.Integer, primary_key=True)
                text = db.Column(db.String(200))


            @app.route("/")
            def index():
                return str(Note.query.count())
        """,
        "app/extensions.py": """
            from flask_sqlalchemy import SQLAlchemy

            db = SQLAlchemy()
        """,
    },
    after={
        "app/__init__.py": """
            from flask import Flask
            from .extensions import db

            app = Flask(__name__)
            db.init_app(app)


            from .models import Note


            @app.route("/")
            def index():
                return str(Note.query.count())
        """,
        "app/models.py": '''
            """Database models, and the loaders that look them up."""

            from app.extensions import db


            class Note(db.Model):
                id = db.Column(db.Integer, primary_key=True)
                text = db.Column(db.String(200))
        ''',
    },
    reports=("1 definition(s) moved to app/models.py",),
    note="The app module imports the models back where they were, so the code below them keeps working.",
)

codemod = Codemod.declare(
    __name__,
    # After `extensions` (the models import `db` from extensions.py, and the loaders
    # `login_manager`), before `forms` and `blueprints` (views import the models from here).
    order=33,
    summary="Move db.Model classes, association tables and user loaders into models.py.",
    needs=Needs.PACKAGE,
    example=EXAMPLE,
)

DOCSTRING = "Database models, and the loaders that look them up."


def _db_names(index: ModuleIndex, package: str) -> set[str]:
    """Names bound to the Flask-SQLAlchemy object (imported from extensions or created here)."""
    names = set()
    for name, imported in index.imports.items():
        if imported.module == f"{package}.{EXTENSIONS_MODULE}" or (
            canonical(f"{imported.module}.{imported.original}") in SQLALCHEMY_CLASSES
        ):
            names.add(name)
    creation = m.SimpleStatementLine(
        body=[m.Assign(targets=[m.AssignTarget(m.Name())], value=m.Call(func=m.Name()))]
    )
    for statement in index.body:
        if m.matches(statement, creation):
            assign = cst.ensure_type(
                cst.ensure_type(statement, cst.SimpleStatementLine).body[0], cst.Assign
            )
            call = cst.ensure_type(assign.value, cst.Call)
            qualified = qualify(call.func, index.imports)
            if qualified and canonical(qualified) in SQLALCHEMY_CLASSES:
                names.add(cst.ensure_type(assign.targets[0].target, cst.Name).value)
    return names


def _model_classes(index: ModuleIndex, db: set[str]) -> dict[int, str]:
    """`class X(db.Model)`, then the classes that subclass those: position → class name."""
    model_base = m.Arg(m.Attribute(value=m.OneOf(*[m.Name(n) for n in db]), attr=m.Name("Model")))
    classes: dict[int, str] = {}
    changed = True
    while changed:
        changed = False
        for position, statement in enumerate(index.body):
            if position in classes or not isinstance(statement, cst.ClassDef):
                continue
            if any(m.matches(base, model_base) for base in statement.bases) or any(
                isinstance(base.value, cst.Name) and base.value.value in classes.values()
                for base in statement.bases
            ):
                classes[position] = statement.name.value
                changed = True
    return classes


def model_seeds(index: ModuleIndex, package: str) -> set[int]:
    """Model classes, `db.Table(...)` association tables, and the loaders that read a model."""
    db = _db_names(index, package)
    if not db:
        return set()
    classes = _model_classes(index, db)
    seeds = set(classes)
    table = m.Call(func=m.Attribute(value=m.OneOf(*[m.Name(n) for n in db]), attr=m.Name("Table")))
    table_line = m.SimpleStatementLine(
        body=[m.Assign(targets=[m.AssignTarget(m.Name())], value=table)]
    )
    for position, statement in enumerate(index.body):
        if m.matches(statement, table_line):
            seeds.add(position)
    if not seeds:
        return seeds
    loader = m.Attribute(attr=m.OneOf(*[m.Name(n) for n in MODEL_LOADERS]))
    for position, statement in enumerate(index.body):
        if (
            isinstance(statement, cst.FunctionDef)
            and any(
                m.matches(d.decorator, loader | m.Call(func=loader)) for d in statement.decorators
            )
            and index.names_read_by({position}) & set(classes.values())
        ):
            seeds.add(position)
    return seeds


@codemod.plan
def plan(context: Context) -> GroupPlan | None:
    model = context.model
    text = context.project.text(model.app_path)
    if ".Model" not in text and ".Table(" not in text:
        return None  # nothing to find: spare the index
    index = context.project.index(model.app_path)
    seeds = frozenset(model_seeds(index, model.import_name))
    return plan_group(context, Extraction("models", DOCSTRING, seeds))


@codemod.edit
def edit(context: Context, plan: GroupPlan) -> Project:
    return extract(context, plan)
