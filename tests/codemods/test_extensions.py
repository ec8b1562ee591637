"""extensions: unbound instances in extensions.py, init_app where they were bound."""

from __future__ import annotations

import pytest
from flaskmod.codemods import extensions

from flaskmod.codemod import Declined
from flaskmod.knowledge import KNOWN_EXTENSIONS
from tests.codemods.tools import check_noop, check_transformed, context_for, project_of
from tests.conftest import dedent

HEAD = '"""Extension instances, created unbound; `init_app` binds them to each app."""\n\n'


def _package(body: str) -> dict[str, str]:
    return {"app/__init__.py": body}


def _plan(body: str, **files: str) -> extensions.ExtensionsPlan | None:
    return extensions.plan(context_for(project_of({"app/__init__.py": body, **files})))


def _messages(outcome) -> list[str]:  # type: ignore[no-untyped-def]
    return [finding.message for finding in outcome.findings]


# ------------------------------------------------------------------------- moves
def test_bound_extensions_move_and_init_app_in_place() -> None:
    before = """
        from flask import Flask
        from flask_sqlalchemy import SQLAlchemy
        from flask_migrate import Migrate
        from flask_login import LoginManager

        app = Flask(__name__)
        db = SQLAlchemy(app)
        migrate = Migrate(app, db, directory="migs")
        login = LoginManager(app)
        login.login_view = "login"
    """
    module = HEAD + dedent(
        """
        from flask_sqlalchemy import SQLAlchemy
        from flask_migrate import Migrate
        from flask_login import LoginManager

        db = SQLAlchemy()
        migrate = Migrate()
        login = LoginManager()
        login.login_view = "login"
        """
    )
    init = """
        from flask import Flask
        from .extensions import db, migrate, login

        app = Flask(__name__)
        db.init_app(app)
        migrate.init_app(app, db, directory="migs")
        login.init_app(app)
    """
    check_transformed(
        "extensions", _package(before), {"app/__init__.py": init, "app/extensions.py": module}
    )


def test_deferred_init_app_keeps_its_call() -> None:
    before = """
        from flask import Flask
        from flask_login import LoginManager

        login_manager = LoginManager()
        app = Flask(__name__)
        login_manager.init_app(app)
    """
    after = """
        from flask import Flask
        from .extensions import login_manager
        app = Flask(__name__)
        login_manager.init_app(app)
    """
    module = HEAD + "from flask_login import LoginManager\n\nlogin_manager = LoginManager()\n"
    outcome = check_transformed(
        "extensions", _package(before), {"app/__init__.py": after, "app/extensions.py": module}
    )
    assert not [f for f in outcome.findings if f.severity.value == "manual"]


def test_unassigned_extension_gets_a_name() -> None:
    before = """
        from flask import Flask
        from flask_cors import CORS

        app = Flask(__name__)
        CORS(app, resources={r"/api/*": {"origins": "*"}})
    """
    after = """
        from flask import Flask
        from .extensions import cors

        app = Flask(__name__)
        cors.init_app(app, resources={r"/api/*": {"origins": "*"}})
    """
    module = HEAD + "from flask_cors import CORS\n\ncors = CORS()\n"
    check_transformed(
        "extensions", _package(before), {"app/__init__.py": after, "app/extensions.py": module}
    )


def test_generated_name_avoids_a_taken_one() -> None:
    plan = _plan(
        """
        from flask import Flask
        from flask_cors import CORS

        cors = "configured elsewhere"
        app = Flask(__name__)
        CORS(app)
        """
    )
    assert plan is not None and [bound.name for bound in plan.extensions] == ["cors_2"]


@pytest.mark.parametrize(
    "call, ctor, init",
    [
        (
            "Limiter(app, key_func=get_remote_address)",
            "Limiter(key_func=get_remote_address)",
            "limiter.init_app(app)",
        ),
        (
            "Limiter(get_remote_address, app=app, default_limits=['1/s'])",
            "Limiter(get_remote_address, default_limits=['1/s'])",
            "limiter.init_app(app)",
        ),
    ],
)
def test_limiter_signatures(call: str, ctor: str, init: str) -> None:
    before = f"""
        from flask import Flask
        from flask_limiter import Limiter
        from flask_limiter.util import get_remote_address

        app = Flask(__name__)
        limiter = {call}
    """
    module = HEAD + (
        "from flask_limiter import Limiter\n"
        "from flask_limiter.util import get_remote_address\n\n"
        f"limiter = {ctor}\n"
    )
    after = f"""
        from flask import Flask
        from .extensions import limiter

        app = Flask(__name__)
        {init}
    """
    check_transformed(
        "extensions", _package(before), {"app/__init__.py": after, "app/extensions.py": module}
    )


def test_module_alias_import() -> None:
    before = """
        import flask_sqlalchemy as fsa
        from flask import Flask

        app = Flask(__name__)
        db = fsa.SQLAlchemy(app)
    """
    after = """
        from flask import Flask
        from .extensions import db

        app = Flask(__name__)
        db.init_app(app)
    """
    module = HEAD + "import flask_sqlalchemy as fsa\n\ndb = fsa.SQLAlchemy()\n"
    check_transformed(
        "extensions", _package(before), {"app/__init__.py": after, "app/extensions.py": module}
    )


def test_sibling_modules_import_moved_extensions_from_their_new_home() -> None:
    files = {
        "app/__init__.py": """
            from flask import Flask
            from flask_sqlalchemy import SQLAlchemy

            app = Flask(__name__)
            db = SQLAlchemy(app)

            from app import models
        """,
        "app/models.py": "from app import app, db\n\n\nclass User(db.Model):\n    pass\n",
    }
    outcome = check_transformed(
        "extensions",
        files,
        {
            "app/__init__.py": """
                from flask import Flask
                from .extensions import db

                app = Flask(__name__)
                db.init_app(app)

                from app import models
            """,
            "app/extensions.py": HEAD
            + "from flask_sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy()\n",
            "app/models.py": "from app import app\nfrom app.extensions import db\n\n\nclass User(db.Model):\n    pass\n",
        },
    )
    assert _messages(outcome) == ["`db` now lives in app/extensions.py and is bound with init_app"]


def test_only_literal_settings_after_creation_move() -> None:
    plan = _plan(
        """
        from flask import Flask
        from flask_login import LoginManager

        app = Flask(__name__)
        login = LoginManager(app)
        login.login_view = "login"
        login.login_message = MESSAGE
        login.refresh_view = None
        """
    )
    assert plan is not None
    (bound,) = plan.extensions
    assert bound.settings == (4, 6)


def test_plan_says_what_moves_and_where() -> None:
    plan = _plan(
        """
        from flask import Flask
        from flask_migrate import Migrate
        from .db import db

        app = Flask(__name__)
        migrate = Migrate(app, db, render_as_batch=True)
        """
    )
    assert plan is not None
    assert plan.path == "app/extensions.py"
    assert plan.imports == (("from flask_migrate import Migrate",), ())
    (bound,) = plan.extensions
    assert (bound.name, bound.position, bound.becomes_init) == ("migrate", 4, True)
    assert bound.ctor_args == ()
    assert [extensions._written(arg.value) for arg in bound.init_args] == ["db", "True"]


def test_plan_of_a_deferred_instance_drops_its_constructor() -> None:
    plan = _plan(
        """
        from flask import Flask
        from flask_mail import Mail

        mail = Mail()
        app = Flask(__name__)
        mail.init_app(app)
        """
    )
    assert plan is not None
    (bound,) = plan.extensions
    assert (bound.position, bound.becomes_init, bound.init_args) == (2, False, ())


# ---------------------------------------------------------------------- left alone
def test_unknown_extension_stays_and_is_reported() -> None:
    before = """
        from flask import Flask
        from flask_bootstrap import Bootstrap

        app = Flask(__name__)
        Bootstrap(app)
    """
    outcome = check_noop("extensions", _package(before))
    assert outcome.declined is not None
    assert str(outcome.declined.finding.location) == "app/__init__.py:5"


def test_argument_defined_in_the_module_keeps_the_extension_in_place() -> None:
    before = """
        from flask import Flask
        from flask_caching import Cache

        app = Flask(__name__)
        CACHE_CONFIG = {"CACHE_TYPE": "SimpleCache"}
        cache = Cache(app, config=CACHE_CONFIG)
    """
    outcome = check_noop("extensions", _package(before))
    assert _messages(outcome) == [
        "extension kept in place: its arguments use CACHE_CONFIG defined in this module"
    ]


def test_other_extensions_move_when_one_stays() -> None:
    plan = _plan(
        """
        from flask import Flask
        from flask_mail import Mail
        from flask_bootstrap import Bootstrap

        app = Flask(__name__)
        Bootstrap(app)
        mail = Mail(app)
        """
    )
    assert plan is not None and [bound.name for bound in plan.extensions] == ["mail"]


def test_existing_extensions_module_is_kept_and_reported() -> None:
    before = {
        "app/__init__.py": "from flask import Flask\nfrom flask_mail import Mail\napp = Flask(__name__)\nmail = Mail(app)\n",
        "app/extensions.py": "# ours\n",
    }
    outcome = check_noop("extensions", before)
    assert outcome.declined is not None
    assert outcome.declined.finding.message == (
        "app/extensions.py already exists; extensions left in app/__init__.py"
    )


def test_single_module_layout_asks_for_package_first() -> None:
    source = "from flask import Flask\nfrom flask_sqlalchemy import SQLAlchemy\napp = Flask(__name__)\ndb = SQLAlchemy(app)\n"
    outcome = check_noop("extensions", source)
    assert _messages(outcome) == [
        "extensions needs the app in a package: run the `package` codemod first"
    ]


def test_instance_never_bound_to_the_app_stays() -> None:
    before = """
        from flask import Flask
        from flask_login import LoginManager

        app = Flask(__name__)
        login = LoginManager()
    """
    outcome = check_noop("extensions", _package(before))
    assert not outcome.findings


def test_init_app_of_something_else_is_not_an_extension() -> None:
    before = """
        from flask import Flask
        from .helpers import Tracker

        tracker = Tracker()
        app = Flask(__name__)
        tracker.init_app(app)
    """
    assert _plan(dedent(before)) is None


def test_no_extensions_is_a_noop() -> None:
    outcome = check_noop("extensions", _package("from flask import Flask\napp = Flask(__name__)\n"))
    assert not outcome.findings


def test_factory_layout_is_left_alone() -> None:
    factory = "from flask import Flask\n\n\ndef create_app():\n    return Flask(__name__)\n"
    check_noop("extensions", _package(factory))


def test_every_known_extension_is_in_the_table_once() -> None:
    assert all(name == entry.qualified for name, entry in KNOWN_EXTENSIONS.items())


def test_declined_is_the_refusal_type() -> None:
    with pytest.raises(Declined):
        extensions.plan(
            context_for(
                project_of(
                    {
                        "app/__init__.py": "from flask import Flask\nfrom x import Y\napp = Flask(__name__)\nY(app)\n"
                    }
                )
            )
        )
