"""legacy-idioms: flask.ext imports and _app_ctx_stack.top → what every Flask has."""

from __future__ import annotations

from tests.conftest import dedent, migrate

ONLY = ["legacy-idioms"]


def test_flask_ext_imports(project) -> None:
    root = project(
        {
            "app.py": """
                from flask import Flask
                from flask.ext.sqlalchemy import SQLAlchemy
                from flask.ext.login import LoginManager, login_required
                import flask.ext.wtf as wtf

                app = Flask(__name__)
            """
        }
    )
    files, _ = migrate(root, only=ONLY)
    assert files["app.py"] == dedent(
        """
        from flask import Flask
        from flask_sqlalchemy import SQLAlchemy
        from flask_login import LoginManager, login_required
        import flask_wtf as wtf

        app = Flask(__name__)
        """
    )


def test_app_ctx_stack_top_becomes_g(project) -> None:
    root = project(
        {
            "app.py": """
                import sqlite3
                from flask import Flask, _app_ctx_stack

                app = Flask(__name__)


                def get_db():
                    top = _app_ctx_stack.top
                    if not hasattr(top, "sqlite_db"):
                        top.sqlite_db = sqlite3.connect(":memory:")
                    return top.sqlite_db
            """
        }
    )
    files, _ = migrate(root, only=ONLY)
    assert "from flask import Flask, g\n" in files["app.py"]
    assert "    top = g\n" in files["app.py"]


def test_modern_code_is_left_alone(project) -> None:
    root = project(
        {
            "app.py": "from flask import Flask, g\nfrom flask_sqlalchemy import SQLAlchemy\napp = Flask(__name__)\n"
        }
    )
    _, run = migrate(root, only=ONLY)
    assert run.nothing_to_do
