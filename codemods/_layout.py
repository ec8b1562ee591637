"""Which project shape a codemod can work on, said once for all of them."""

from __future__ import annotations

import libcst.matchers as m

from flaskmod.analysis import AppModel, Layout
from flaskmod.errors import Finding, Location
from flaskmod.pipeline import Outcome
from flaskmod.project import Project

FACTORY = "create_app"


def needs_package(project: Project, model: AppModel, codemod: str) -> Outcome | None:
    """The outcome for a layout the codemod leaves alone, or None when it applies.

    Codemods after `package` write modules beside the app, inside its package; on a single module
    they change nothing and say why. A factory is already past them.
    """
    if model.layout is Layout.FACTORY:
        return Outcome(project)
    if model.layout is Layout.MODULE:
        message = f"{codemod} needs the app in a package: run the `package` codemod first"
        return Outcome(project, (Finding(Location(model.app_path), message),))
    return None


def defines_factory(project: Project, model: AppModel) -> bool:
    """A `create_app` built by the factory codemod: what `wsgi` and `tests` build on."""
    return model.layout is Layout.FACTORY and any(
        m.matches(statement, m.FunctionDef(name=m.Name(FACTORY)))
        for statement in project.module(model.app_path).body
    )
