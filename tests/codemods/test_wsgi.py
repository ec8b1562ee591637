"""wsgi: an entry point exposing create_app() as `application` and `app`."""

from __future__ import annotations

from tests.conftest import dedent, migrate

FACTORY = """
from flask import Flask
from config import get_config


def create_app(config_name="development"):
    app = Flask(__name__)
    app.config.from_object(get_config(config_name))
    return app
"""


def test_wsgi_module_is_written(project) -> None:
    root = project({"app/__init__.py": FACTORY})
    files, _ = migrate(root, only=["wsgi"])
    assert files["wsgi.py"] == dedent(
        '''
        """WSGI entry point: `gunicorn wsgi:application`, or `flask --app wsgi run` in development (with FLASK_CONFIG=development)."""

        import os

        from app import create_app

        application = create_app(os.environ.get("FLASK_CONFIG", "production"))
        app = application
        '''
    )


def test_existing_different_wsgi_is_not_overwritten(project) -> None:
    root = project({"app/__init__.py": FACTORY, "wsgi.py": "from app import app as application\n"})
    files, run = migrate(root, only=["wsgi"])
    assert files["wsgi.py"] == "from app import app as application\n"
    assert any("already exists" in f.message for f in run.findings)


def test_global_app_gets_no_wsgi_yet(project) -> None:
    root = project({"app/__init__.py": "from flask import Flask\napp = Flask(__name__)\n"})
    files, _ = migrate(root, only=["wsgi"])
    assert "wsgi.py" not in files
