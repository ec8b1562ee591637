"""Flask-WTF / WTForms form classes → `<package>/forms.py`.

Why: forms are imported by views in several blueprints; defined in the package `__init__` they drag
the app module (and its circular imports) into every blueprint. Their own module, as in the
guidelines' layout, keeps the views' imports one-directional.
"""

from __future__ import annotations

import libcst as cst

from flaskmod.analysis import AppModel, Layout
from flaskmod.knowledge import FORM_CLASSES
from flaskmod.pipeline import Options, Outcome
from flaskmod.project import Project

from ._extract import Extraction, extract_group
from ._moving import ModuleIndex

ORDER = 36
SUMMARY = "Move FlaskForm/WTForms form classes into forms.py."


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
    seeds: set[int] = set()
    forms: set[str] = set()
    changed = True
    while changed:  # forms, then forms subclassing them
        changed = False
        for position, statement in enumerate(index.body):
            if position in seeds or not isinstance(statement, cst.ClassDef):
                continue
            if any(_is_form_base(index, base.value, forms) for base in statement.bases):
                seeds.add(position)
                forms.add(statement.name.value)
                changed = True
    return seeds


def transform(project: Project, model: AppModel, options: Options) -> Outcome:
    if model.layout is not Layout.PACKAGE or "Form" not in project.text(model.app_path):
        return Outcome(project)
    index = project.index(model.app_path)
    seeds = frozenset(form_seeds(index))
    return extract_group(
        project, model, index, Extraction("forms", "Web forms (Flask-WTF).", seeds)
    )
