"""Flask-SQLAlchemy models, association tables and auth loaders → `<package>/models.py`.

Why: with models in the package `__init__`, every module that needs a model imports the package
that builds the app, the classic source of circular imports; the guidelines keep models in their
own module, importing `db` from `extensions.py`. `@login_manager.user_loader` (and the other loaders
that look up a model) go with the models, as the design asks.
"""

from __future__ import annotations

import libcst as cst
import libcst.matchers as m

from flaskmod.analysis import AppModel, Layout
from flaskmod.knowledge import MODEL_LOADERS, SQLALCHEMY_CLASSES, canonical
from flaskmod.pipeline import Options, Outcome
from flaskmod.project import Project

from ._extract import Extraction, extract_group
from ._moving import ModuleIndex

ORDER = 33
SUMMARY = "Move db.Model classes, association tables and user loaders into models.py."

LOADERS = MODEL_LOADERS


def _db_names(index: ModuleIndex, package: str) -> set[str]:
    """Names bound to the Flask-SQLAlchemy object (imported from extensions or created here)."""
    names = set()
    for name, imported in index.imports.items():
        if imported.module == f"{package}.extensions" or (
            canonical(f"{imported.module}.{imported.original}") in SQLALCHEMY_CLASSES
        ):
            names.add(name)
    for statement in index.body:
        if m.matches(
            statement,
            m.SimpleStatementLine(
                body=[m.Assign(targets=[m.AssignTarget(m.Name())], value=m.Call(func=m.Name()))]
            ),
        ):
            assign = statement.body[0]  # type: ignore[attr-defined]
            func = assign.value.func.value
            imported = index.imports.get(func)
            if (
                imported
                and canonical(f"{imported.module}.{imported.original}") in SQLALCHEMY_CLASSES
            ):
                names.add(assign.targets[0].target.value)
    return names


def model_seeds(index: ModuleIndex, package: str) -> set[int]:
    db = _db_names(index, package)
    model_base = m.Arg(m.Attribute(value=m.OneOf(*[m.Name(n) for n in db]), attr=m.Name("Model")))
    table = m.Call(func=m.Attribute(value=m.OneOf(*[m.Name(n) for n in db]), attr=m.Name("Table")))
    if not db:
        return set()
    seeds: set[int] = set()
    classes: set[str] = set()
    changed = True
    while changed:  # models, then subclasses of models
        changed = False
        for position, statement in enumerate(index.body):
            if position in seeds or not isinstance(statement, cst.ClassDef):
                continue
            if any(m.matches(base, model_base) for base in statement.bases) or any(
                isinstance(base.value, cst.Name) and base.value.value in classes
                for base in statement.bases
            ):
                seeds.add(position)
                classes.add(statement.name.value)
                changed = True
    for position, statement in enumerate(index.body):
        if m.matches(
            statement,
            m.SimpleStatementLine(body=[m.Assign(targets=[m.AssignTarget(m.Name())], value=table)]),
        ):
            seeds.add(position)
    if not seeds:
        return seeds
    loader = m.Attribute(attr=m.OneOf(*[m.Name(n) for n in LOADERS]))
    for position, statement in enumerate(index.body):
        if (
            isinstance(statement, cst.FunctionDef)
            and any(
                m.matches(d.decorator, loader | m.Call(func=loader)) for d in statement.decorators
            )
            and index.names_read_by({position}) & classes
        ):
            seeds.add(position)
    return seeds


def transform(project: Project, model: AppModel, options: Options) -> Outcome:
    if model.layout is not Layout.PACKAGE:
        return Outcome(project)
    text = project.text(model.app_path)
    if ".Model" not in text and ".Table(" not in text:
        return Outcome(project)  # nothing to find: spare the scope analysis
    index = project.index(model.app_path)
    seeds = frozenset(model_seeds(index, model.import_name))
    description = "Database models, and the loaders that look them up."
    return extract_group(project, model, index, Extraction("models", description, seeds))
