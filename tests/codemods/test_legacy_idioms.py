"""legacy-idioms: flask.ext imports and _app_ctx_stack.top → what every Flask has."""

from __future__ import annotations

from flaskmod.codemods import legacy_idioms
from tests.codemods.tools import check_noop, check_transformed, context_for, project_of

APP = "from flask import Flask\napp = Flask(__name__)\n"


def test_from_flask_ext_import() -> None:
    check_transformed(
        "legacy-idioms",
        "from flask import Flask\nfrom flask.ext.sqlalchemy import SQLAlchemy\napp = Flask('a')\n",
        "from flask import Flask\nfrom flask_sqlalchemy import SQLAlchemy\napp = Flask('a')\n",
    )


def test_from_flask_ext_import_several_names() -> None:
    check_transformed(
        "legacy-idioms",
        "from flask import Flask\nfrom flask.ext.login import LoginManager, login_required\n"
        "app = Flask('a')\n",
        "from flask import Flask\nfrom flask_login import LoginManager, login_required\n"
        "app = Flask('a')\n",
    )


def test_flask_ext_submodule_keeps_its_tail() -> None:
    check_transformed(
        "legacy-idioms",
        "from flask import Flask\nfrom flask.ext.wtf.csrf import CsrfProtect\napp = Flask('a')\n",
        "from flask import Flask\nfrom flask_wtf.csrf import CsrfProtect\napp = Flask('a')\n",
    )


def test_aliased_module_import() -> None:
    check_transformed(
        "legacy-idioms",
        "from flask import Flask\nimport flask.ext.wtf as wtf\napp = Flask('a')\n",
        "from flask import Flask\nimport flask_wtf as wtf\napp = Flask('a')\n",
    )


def test_other_modules_of_the_project_are_rewritten_too() -> None:
    check_transformed(
        "legacy-idioms",
        {"app.py": APP, "forms.py": "from flask.ext.wtf import Form\n"},
        {"forms.py": "from flask_wtf import Form\n"},
    )


def test_app_ctx_stack_top_becomes_g_and_the_import_goes() -> None:
    check_transformed(
        "legacy-idioms",
        """
        from flask import Flask, _app_ctx_stack

        app = Flask(__name__)


        def get_db():
            return _app_ctx_stack.top.db
        """,
        """
        from flask import Flask, g

        app = Flask(__name__)


        def get_db():
            return g.db
        """,
    )


def test_app_ctx_stack_import_stays_while_still_used() -> None:
    outcome = check_transformed(
        "legacy-idioms",
        """
        from flask import Flask, _app_ctx_stack
        app = Flask(__name__)
        top = _app_ctx_stack.top
        stack = _app_ctx_stack
        """,
        """
        from flask import Flask, _app_ctx_stack, g
        app = Flask(__name__)
        top = g
        stack = _app_ctx_stack
        """,
    )
    assert [f.message for f in outcome.findings] == ["1 _app_ctx_stack.top → g"]


def test_plan_holds_only_the_changed_modules() -> None:
    project = project_of({"app.py": APP, "old.py": "from flask.ext.mail import Mail\n"})
    plan = legacy_idioms.plan(context_for(project))
    assert plan is not None and list(plan.trees) == ["old.py"]


def test_modern_imports_are_left_alone() -> None:
    check_noop(
        "legacy-idioms",
        "from flask import Flask, g\nfrom flask_sqlalchemy import SQLAlchemy\n" + APP,
    )


def test_flask_ext_in_a_string_is_left_alone() -> None:
    check_noop("legacy-idioms", APP + 'NOTE = "flask.ext is gone"\n')


def test_a_module_named_like_flask_ext_elsewhere_is_left_alone() -> None:
    check_noop("legacy-idioms", "from myflask.ext.things import x\n" + APP)


def test_plain_import_flask_ext_without_alias_is_left_alone() -> None:
    # `import flask.ext.sqlalchemy` binds `flask`; renaming would break `flask.ext...` uses.
    check_noop("legacy-idioms", "import flask.ext.sqlalchemy\n" + APP)


def test_other_stack_attributes_are_left_alone() -> None:
    check_noop(
        "legacy-idioms", "from flask import _app_ctx_stack\n" + APP + "x = _app_ctx_stack.push\n"
    )


def test_relative_imports_are_left_alone() -> None:
    check_noop("legacy-idioms", {"pkg/__init__.py": APP, "pkg/a.py": "from .ext import thing\n"})


def test_plan_is_none_when_nothing_changes() -> None:
    assert legacy_idioms.plan(context_for(project_of(APP))) is None
