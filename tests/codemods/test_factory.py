"""factory: the global app and what is done to it → create_app(config_name)."""

from __future__ import annotations

from tests.conftest import dedent, migrate

ONLY = ["factory"]


def test_app_statements_move_into_create_app_in_order(project) -> None:
    root = project(
        {
            "app/__init__.py": """
                from flask import Flask
                from config import get_config
                from .extensions import db

                app = Flask(__name__)
                app.config.from_object(get_config())
                db.init_app(app)


                class User(db.Model):
                    pass


                @app.cli.command("seed")
                def seed():
                    app.logger.info("seeding")


                def helper():
                    return app.config["X"]


                from .main import bp as main_bp

                app.register_blueprint(main_bp)
            """
        }
    )
    files, _ = migrate(root, only=ONLY)
    assert files["app/__init__.py"] == dedent(
        '''
        from flask import Flask, current_app
        from config import get_config
        from .extensions import db


        def create_app(config_name="development"):
            """Build and configure the app for `config_name` (see config.py)."""
            app = Flask(__name__)
            app.config.from_object(get_config(config_name))
            app.config.from_prefixed_env()
            db.init_app(app)

            @app.cli.command("seed")
            def seed():
                app.logger.info("seeding")

            from .main import bp as main_bp

            app.register_blueprint(main_bp)

            return app


        class User(db.Model):
            pass


        def helper():
            return current_app.config["X"]
        '''
    )


def test_name_computed_from_app_and_used_elsewhere_blocks_the_factory(project) -> None:
    source = dedent(
        """
        from flask import Flask

        app = Flask(__name__)
        UPLOADS = app.config.get("UPLOADS", "/tmp")


        def where():
            return UPLOADS
        """
    )
    root = project({"app/__init__.py": source})
    files, run = migrate(root, only=ONLY)
    assert files["app/__init__.py"] == source
    assert any(
        str(f.location) == "app/__init__.py:8" and "`UPLOADS` is computed from the app" in f.message
        for f in run.findings
    )


def test_package_modules_importing_the_global_app_block_the_factory(project) -> None:
    root = project(
        {
            "app/__init__.py": "from flask import Flask\napp = Flask(__name__)\n",
            "app/tasks.py": "import sys\nfrom app import app\n",
            "tests/test_x.py": "from app import app\n",
        }
    )
    files, run = migrate(root, only=ONLY)
    assert "create_app" not in files["app/__init__.py"]
    assert [str(f.location) for f in run.findings] == ["app/tasks.py:2"]


def test_entry_points_outside_the_package_build_their_own_app(project) -> None:
    root = project(
        {
            "app/__init__.py": "from flask import Flask\napp = Flask(__name__)\n",
            "manage.py": """
                from flask_script import Manager
                from app import app

                manager = Manager(app)
            """,
        }
    )
    files, _ = migrate(root, only=ONLY)
    assert files["manage.py"] == dedent(
        """
        from flask_script import Manager
        from app import create_app
        import os

        app = create_app(os.environ.get("FLASK_CONFIG", "development"))

        manager = Manager(app)
        """
    )


def test_factory_project_is_left_alone(project) -> None:
    root = project(
        {
            "app/__init__.py": """
                from flask import Flask


                def make_app():
                    app = Flask(__name__)
                    return app
            """
        }
    )
    _, run = migrate(root)
    assert run.already_factory and run.nothing_to_do


def test_tests_importing_the_global_app_are_fixed_in_the_same_step(project) -> None:
    root = project(
        {
            "app/__init__.py": "from flask import Flask\napp = Flask(__name__)\n",
            "tests/test_app.py": "from app import app\n\n\ndef test_name():\n    assert app.name\n",
        }
    )
    files, _ = migrate(root, only=ONLY)
    assert files["tests/test_app.py"] == (
        'from app import create_app\n\napp = create_app("testing")\n\n\n'
        "def test_name():\n    assert app.name\n"
    )
    assert "tests/conftest.py" not in files  # the `tests` codemod adds fixtures
