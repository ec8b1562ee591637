"""Flask-WTF / WTForms form classes → `<package>/forms.py`.

Legacy pattern: `class LoginForm(FlaskForm)` defined in the module that creates the app (here the
package `__init__`).

Why: forms are imported by views in several blueprints; defined in the package `__init__` they drag
the app module (and its circular imports) into every blueprint. Their own module, as in Flask's
larger-application layout, keeps the views' imports one-directional.
"""

from __future__ import annotations

import libcst as cst

from flaskmod.codemod import Codemod, Context, Example, Needs
from flaskmod.knowledge import FORM_CLASSES
from flaskmod.names import ModuleIndex
from flaskmod.project import Project

from ._extract import Extraction, GroupPlan, extract, plan_group

#: what the page docs/codemods/forms.md shows; tests/test_docs.py runs it
EXAMPLE = Example(
    before={
        "app/__init__.py": """
            from flask import Flask
            from flask_wtf import FlaskForm
            from wtforms import StringField
            from wtforms.validators import DataRequired

            app = Flask(__name__)


            class NoteForm(FlaskForm):
                text = StringField("Text", validators=[DataRequired()])


            @app.route("/new")
            def new():
                return NoteForm().text.label.text
        """,
    },
    after={
        "app/__init__.py": """
            from flask import Flask

            app = Flask(__name__)


            from .forms import NoteForm


            @app.route("/new")
            def new():
                return NoteForm().text.label.text
        """,
        "app/forms.py": '''
            """Web forms (Flask-WTF)."""

            from flask_wtf import FlaskForm
            from wtforms import StringField
            from wtforms.validators import DataRequired


            class NoteForm(FlaskForm):
                text = StringField("Text", validators=[DataRequired()])
        ''',
    },
    reports=("1 definition(s) moved to app/forms.py",),
)

codemod = Codemod.declare(
    __name__,
    # After `models` (a form may read a model: it imports it from models.py), before
    # `blueprints` (views import the forms from here).
    order=36,
    summary="Move FlaskForm/WTForms form classes into forms.py.",
    needs=Needs.PACKAGE,
    example=EXAMPLE,
)

DOCSTRING = "Web forms (Flask-WTF)."


def _is_form_base(index: ModuleIndex, base: cst.BaseExpression, forms: set[str]) -> bool:
    if isinstance(base, cst.Name):
        if base.value in forms:
            return True
        imported = index.imports.get(base.value)
        return imported is not None and f"{imported.module}.{imported.original}" in FORM_CLASSES
    if isinstance(base, cst.Attribute) and isinstance(base.value, cst.Name):
        imported = index.imports.get(base.value.value)
        return imported is not None and f"{imported.module}.{base.attr.value}" in FORM_CLASSES
    return False


def form_seeds(index: ModuleIndex) -> set[int]:
    """Classes deriving from a form class, then the classes deriving from those."""
    seeds: set[int] = set()
    forms: set[str] = set()
    changed = True
    while changed:
        changed = False
        for position, statement in enumerate(index.body):
            if position in seeds or not isinstance(statement, cst.ClassDef):
                continue
            if any(_is_form_base(index, base.value, forms) for base in statement.bases):
                seeds.add(position)
                forms.add(statement.name.value)
                changed = True
    return seeds


@codemod.plan
def plan(context: Context) -> GroupPlan | None:
    model = context.model
    if "Form" not in context.project.text(model.app_path):
        return None
    index = context.project.index(model.app_path)
    return plan_group(context, Extraction("forms", DOCSTRING, frozenset(form_seeds(index))))


@codemod.edit
def edit(context: Context, plan: GroupPlan) -> Project:
    return extract(context, plan)
