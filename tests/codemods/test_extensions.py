"""extensions: unbound instances in extensions.py, init_app where they were bound."""

from __future__ import annotations

import pytest

from tests.conftest import dedent, migrate

ONLY = ["extensions"]


def _package(project, body: str):  # type: ignore[no-untyped-def]
    return project({"app/__init__.py": body})


def test_bound_extensions_move_and_init_app_in_place(project) -> None:
    root = _package(
        project,
        """
        from flask import Flask
        from flask_sqlalchemy import SQLAlchemy
        from flask_migrate import Migrate
        from flask_login import LoginManager

        app = Flask(__name__)
        db = SQLAlchemy(app)
        migrate = Migrate(app, db, directory="migs")
        login = LoginManager(app)
        login.login_view = "login"
        """,
    )
    files, _ = migrate(root, only=ONLY)
    assert files["app/extensions.py"] == dedent(
        '''
        """Extension instances, created unbound; `init_app` binds them to each app."""

        from flask_sqlalchemy import SQLAlchemy
        from flask_migrate import Migrate
        from flask_login import LoginManager

        db = SQLAlchemy()
        migrate = Migrate()
        login = LoginManager()
        login.login_view = "login"
        '''
    )
    assert files["app/__init__.py"] == dedent(
        """
        from flask import Flask
        from .extensions import db, migrate, login

        app = Flask(__name__)
        db.init_app(app)
        migrate.init_app(app, db, directory="migs")
        login.init_app(app)
        """
    )


def test_deferred_init_app_keeps_its_call(project) -> None:
    root = _package(
        project,
        """
        from flask import Flask
        from flask_login import LoginManager

        login_manager = LoginManager()
        app = Flask(__name__)
        login_manager.init_app(app)
        """,
    )
    files, run = migrate(root, only=ONLY)
    assert "login_manager = LoginManager()" in files["app/extensions.py"]
    assert "login_manager.init_app(app)" in files["app/__init__.py"]
    assert "LoginManager" not in files["app/__init__.py"]
    assert not [f for f in run.findings if f.severity.value == "manual"]


def test_unassigned_extension_gets_a_name(project) -> None:
    root = _package(
        project,
        """
        from flask import Flask
        from flask_cors import CORS

        app = Flask(__name__)
        CORS(app, resources={r"/api/*": {"origins": "*"}})
        """,
    )
    files, _ = migrate(root, only=ONLY)
    assert "cors = CORS()" in files["app/extensions.py"]
    assert 'cors.init_app(app, resources={r"/api/*": {"origins": "*"}})' in files["app/__init__.py"]


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
def test_limiter_signatures(project, call: str, ctor: str, init: str) -> None:
    root = _package(
        project,
        f"""
        from flask import Flask
        from flask_limiter import Limiter
        from flask_limiter.util import get_remote_address

        app = Flask(__name__)
        limiter = {call}
        """,
    )
    files, _ = migrate(root, only=ONLY)
    assert f"limiter = {ctor}" in files["app/extensions.py"]
    assert "from flask_limiter.util import get_remote_address" in files["app/extensions.py"]
    assert init in files["app/__init__.py"]


def test_module_alias_import(project) -> None:
    root = _package(
        project,
        """
        import flask_sqlalchemy as fsa
        from flask import Flask

        app = Flask(__name__)
        db = fsa.SQLAlchemy(app)
        """,
    )
    files, _ = migrate(root, only=ONLY)
    assert "import flask_sqlalchemy as fsa\n" in files["app/extensions.py"]
    assert "db = fsa.SQLAlchemy()" in files["app/extensions.py"]


def test_unknown_extension_stays_and_is_reported(project) -> None:
    root = _package(
        project,
        """
        from flask import Flask
        from flask_bootstrap import Bootstrap

        app = Flask(__name__)
        Bootstrap(app)
        """,
    )
    files, run = migrate(root, only=ONLY)
    assert "app/extensions.py" not in files
    assert "Bootstrap(app)" in files["app/__init__.py"]
    assert any(str(f.location) == "app/__init__.py:5" for f in run.findings)


def test_single_module_layout_asks_for_package_first(project) -> None:
    root = project(
        {
            "app.py": "from flask import Flask\nfrom flask_sqlalchemy import SQLAlchemy\napp = Flask(__name__)\ndb = SQLAlchemy(app)\n"
        }
    )
    _, run = migrate(root, only=ONLY)
    assert run.nothing_to_do
    assert any("package" in f.message for f in run.findings)


def test_sibling_modules_import_moved_extensions_from_their_new_home(project) -> None:
    root = project(
        {
            "app/__init__.py": """
                from flask import Flask
                from flask_sqlalchemy import SQLAlchemy

                app = Flask(__name__)
                db = SQLAlchemy(app)

                from app import models
            """,
            "app/models.py": "from app import app, db\n\n\nclass User(db.Model):\n    pass\n",
        }
    )
    files, _ = migrate(root, only=ONLY)
    assert files["app/models.py"].startswith("from app import app\nfrom app.extensions import db\n")
