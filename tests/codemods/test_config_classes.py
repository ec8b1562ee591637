"""config-classes: settings → config.py classes, secrets from the environment."""

from __future__ import annotations

import os
import runpy
from pathlib import Path

import pytest

from tests.conftest import dedent, migrate

ONLY = ["config-classes"]


def test_assignments_move_to_base_config(project) -> None:
    root = project(
        {
            "app.py": """
                from flask import Flask

                app = Flask(__name__)
                app.config["ITEMS_PER_PAGE"] = 20
                app.config['GREETING'] = 'hi'


                @app.route("/")
                def index():
                    return app.config["GREETING"]
            """
        }
    )
    files, _ = migrate(root, only=ONLY)
    assert files["app.py"] == dedent(
        """
        from flask import Flask
        from config import get_config

        app = Flask(__name__)
        app.config.from_object(get_config())


        @app.route("/")
        def index():
            return app.config["GREETING"]
        """
    )
    assert "    ITEMS_PER_PAGE = 20\n    GREETING = 'hi'\n" in files["config.py"]


def test_config_py_is_exact(project) -> None:
    root = project(
        {
            "app.py": """
                from flask import Flask
                from flask_sqlalchemy import SQLAlchemy

                app = Flask(__name__)
                app.secret_key = "dev-key-123"
            """
        }
    )
    files, _ = migrate(root, only=ONLY)
    assert files["config.py"] == dedent(
        '''
        """Settings for each environment; `create_app(config_name)` picks one by name."""

        import os

        # Development defaults of the settings production must read from the environment.
        # ProductionConfig refuses to start while any of them is missing or unchanged.
        _DEVELOPMENT_DEFAULTS = {
            "SECRET_KEY": "dev-key-123",
        }


        class BaseConfig:
            SECRET_KEY = os.environ.get("SECRET_KEY", _DEVELOPMENT_DEFAULTS["SECRET_KEY"])

            @classmethod
            def validate(cls):
                """Called at start-up; only production insists on real secrets."""


        class DevelopmentConfig(BaseConfig):
            pass


        class TestingConfig(BaseConfig):
            TESTING = True
            SQLALCHEMY_DATABASE_URI = "sqlite:///:memory:"
            WTF_CSRF_ENABLED = False


        class ProductionConfig(BaseConfig):
            @classmethod
            def validate(cls):
                for name, development_default in _DEVELOPMENT_DEFAULTS.items():
                    value = getattr(cls, name)
                    if not value or value == development_default:
                        raise RuntimeError(
                            "{} must be set in the environment for production "
                            "(it is missing or still the development default)".format(name)
                        )


        config_by_name = {
            "development": DevelopmentConfig,
            "testing": TestingConfig,
            "production": ProductionConfig,
        }


        def get_config(name=None):
            """The class for `name` (default: $FLASK_CONFIG, else "development"), validated."""
            config_class = config_by_name[name or os.environ.get("FLASK_CONFIG", "development")]
            config_class.validate()
            return config_class
        '''
    )


@pytest.mark.parametrize(
    "statement, key, value",
    [
        ("app.config.update(DEBUG=True, PAGE=3)", "PAGE", "3"),
        ("app.config.update({'PAGE': 3})", "PAGE", "3"),
        ("app.config.update(dict(PAGE=3))", "PAGE", "3"),
        ("app.config.update(PAGE=3, **{'OTHER': 'x'})", "OTHER", "'x'"),
        ("app.debug = True", "DEBUG", "True"),
        ("app.testing = False", "TESTING", "False"),
    ],
)
def test_update_forms_and_app_attributes(project, statement: str, key: str, value: str) -> None:
    root = project({"app.py": f"from flask import Flask\n\napp = Flask(__name__)\n{statement}\n"})
    files, _ = migrate(root, only=ONLY)
    assert f"    {key} = {value}\n" in files["config.py"]
    assert statement not in files["app.py"]


def test_helper_used_by_a_value_is_carried_and_removed(project) -> None:
    root = project(
        {
            "app.py": """
                import os
                from flask import Flask

                basedir = os.path.abspath(os.path.dirname(__file__))

                app = Flask(__name__)
                app.config['SQLALCHEMY_DATABASE_URI'] = 'sqlite:///' + os.path.join(basedir, 'x.db')
            """
        }
    )
    files, _ = migrate(root, only=ONLY)
    assert "basedir = os.path.abspath(os.path.dirname(__file__))\n" in files["config.py"]
    assert "'sqlite:///' + os.path.join(basedir, 'x.db')" in files["config.py"]
    assert "basedir" not in files["app.py"]
    assert "import os" not in files["app.py"]  # only the moved code used it


def test_helper_still_used_in_app_module_stays_there_too(project) -> None:
    root = project(
        {
            "app.py": """
                import os
                from flask import Flask

                basedir = os.path.dirname(__file__)
                app = Flask(__name__)
                app.config['UPLOADS'] = os.path.join(basedir, 'up')
                LOG = os.path.join(basedir, 'log.txt')
            """
        }
    )
    files, _ = migrate(root, only=ONLY)
    assert "basedir = os.path.dirname(__file__)" in files["app.py"]
    assert "basedir = os.path.dirname(__file__)" in files["config.py"]


def test_value_reading_the_app_stays_and_is_reported(project) -> None:
    root = project(
        {
            "app.py": """
                import os
                from flask import Flask

                app = Flask(__name__)
                app.config['DATABASE'] = os.path.join(app.root_path, 'flaskr.db')
                app.config['PAGE'] = 5
            """
        }
    )
    files, run = migrate(root, only=ONLY)
    assert "app.config['DATABASE'] = os.path.join(app.root_path, 'flaskr.db')" in files["app.py"]
    assert "PAGE = 5" in files["config.py"]
    assert any(str(f.location) == "app.py:5" and "reads `app`" in f.message for f in run.findings)


def test_secret_in_env_get_keeps_its_variable(project) -> None:
    root = project(
        {
            "app.py": """
                import os
                from flask import Flask

                app = Flask(__name__)
                app.config['SECRET_KEY'] = os.environ.get('APP_SECRET', 'devsecret')
            """
        }
    )
    files, _ = migrate(root, only=ONLY)
    assert (
        'SECRET_KEY = os.environ.get("APP_SECRET", _DEVELOPMENT_DEFAULTS["SECRET_KEY"])'
        in files["config.py"]
    )
    assert '"SECRET_KEY": "devsecret"' in files["config.py"]


def test_database_url_with_credentials_is_a_secret(project) -> None:
    root = project(
        {
            "app.py": """
                from flask import Flask

                app = Flask(__name__)
                app.config['SQLALCHEMY_DATABASE_URI'] = 'postgresql://bob:hunter2@db/prod'
                app.config['MAIL_PASSWORD'] = 'pw'
                app.config['MAIL_SERVER'] = 'smtp.example.com'
            """
        }
    )
    files, run = migrate(root, only=ONLY)
    config = files["config.py"]
    assert (
        'os.environ.get("DATABASE_URL", _DEVELOPMENT_DEFAULTS["SQLALCHEMY_DATABASE_URI"])' in config
    )
    assert 'os.environ.get("MAIL_PASSWORD", _DEVELOPMENT_DEFAULTS["MAIL_PASSWORD"])' in config
    assert "MAIL_SERVER = 'smtp.example.com'" in config
    assert files[".env.example"].splitlines()[1:] == [
        "FLASK_CONFIG=development",
        "DATABASE_URL=",
        "MAIL_PASSWORD=",
    ]
    reported = " ".join(f.message for f in run.findings)
    assert "hunter2" not in reported and "post****" in reported


def test_gitignore_gains_env_once(project) -> None:
    root = project(
        {
            "app.py": "from flask import Flask\napp = Flask(__name__)\napp.secret_key = 'x'\n",
            ".gitignore": "*.pyc",
        }
    )
    files, _ = migrate(root, only=ONLY)
    assert files[".gitignore"] == "*.pyc\n.env\n"


def test_existing_config_module_is_not_overwritten(project) -> None:
    root = project(
        {
            "app.py": "from flask import Flask\napp = Flask(__name__)\napp.config['A'] = 1\n",
            "config.py": "class Config:\n    A = 2\n",
        }
    )
    files, run = migrate(root, only=ONLY)
    assert files["config.py"] == "class Config:\n    A = 2\n"
    assert "app.config['A'] = 1" in files["app.py"]
    assert any("already exists" in f.message for f in run.findings)


def test_no_settings_is_a_no_op(project) -> None:
    root = project({"app.py": "from flask import Flask\napp = Flask(__name__)\n"})
    files, run = migrate(root, only=ONLY)
    assert "config.py" not in files
    assert run.nothing_to_do


def _load_config(tmp_path: Path, files: dict[str, str]) -> dict[str, object]:
    path = tmp_path / "generated_config.py"
    path.write_text(files["config.py"], encoding="utf-8")
    return runpy.run_path(str(path))


def test_production_refuses_missing_or_default_secret(project, tmp_path: Path, monkeypatch) -> None:
    root = project(
        {"app.py": "from flask import Flask\napp = Flask(__name__)\napp.secret_key = 'dev-key'\n"}
    )
    files, _ = migrate(root, only=ONLY)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    namespace = _load_config(tmp_path, files)
    get_config = namespace["get_config"]
    assert get_config("development").SECRET_KEY == "dev-key"  # type: ignore[operator, attr-defined]
    with pytest.raises(RuntimeError, match="SECRET_KEY must be set"):
        get_config("production")  # type: ignore[operator]
    monkeypatch.setenv("SECRET_KEY", "a-real-production-secret")
    namespace = _load_config(tmp_path, files)
    assert namespace["get_config"]("production").SECRET_KEY == "a-real-production-secret"  # type: ignore[operator, attr-defined]
    assert os.environ["SECRET_KEY"] == "a-real-production-secret"


def test_second_run_changes_nothing(project) -> None:
    root = project(
        {"app.py": "from flask import Flask\napp = Flask(__name__)\napp.secret_key = 'k'\n"}
    )
    files, _ = migrate(root, only=ONLY)
    for path, text in files.items():
        (root / path).write_text(text, encoding="utf-8")
    _, again = migrate(root, only=ONLY)
    assert again.nothing_to_do


def test_from_object_name_loads_uppercase_constants(project) -> None:
    root = project(
        {
            "flaskr.py": """
                import os
                from flask import Flask

                DATABASE = os.path.join(os.path.dirname(__file__), 'flaskr.db')
                DEBUG = False
                SECRET_KEY = 'development key'
                PER_PAGE = 10
                helper_value = 3

                app = Flask(__name__)
                app.config.from_object(__name__)
                app.config.from_envvar('FLASKR_SETTINGS', silent=True)


                def page_size():
                    return PER_PAGE
            """
        }
    )
    files, _ = migrate(root, only=ONLY)
    assert files["flaskr.py"] == dedent(
        """
        from flask import Flask
        from config import get_config

        PER_PAGE = 10
        helper_value = 3

        app = Flask(__name__)
        app.config.from_object(get_config())
        app.config.from_envvar('FLASKR_SETTINGS', silent=True)


        def page_size():
            return PER_PAGE
        """
    )
    config = files["config.py"]
    assert "    DATABASE = os.path.join(os.path.dirname(__file__), 'flaskr.db')\n" in config
    assert (
        'SECRET_KEY = os.environ.get("SECRET_KEY", _DEVELOPMENT_DEFAULTS["SECRET_KEY"])' in config
    )
    assert "    PER_PAGE = 10\n" in config
    assert "helper_value" not in config


def test_project_config_class_is_extended_in_place(project) -> None:
    config_py = dedent(
        """
        import os
        basedir = os.path.abspath(os.path.dirname(__file__))


        class Config(object):
            SECRET_KEY = os.environ.get('SECRET_KEY') or 'you-will-never-guess'
            SQLALCHEMY_DATABASE_URI = 'sqlite:///' + os.path.join(basedir, 'app.db')
        """
    )
    root = project(
        {
            "config.py": config_py,
            "app.py": """
                from flask import Flask
                from config import Config

                app = Flask(__name__)
                app.config.from_object(Config)
                app.config['PER_PAGE'] = 3
            """,
        }
    )
    files, run = migrate(root, only=ONLY)
    config = files["config.py"]
    assert config.startswith(config_py)
    assert "class BaseConfig(Config):\n    PER_PAGE = 3\n" in config
    assert '"SECRET_KEY": "you-will-never-guess",' in config
    assert files["app.py"] == dedent(
        """
        from flask import Flask
        from config import get_config

        app = Flask(__name__)
        app.config.from_object(get_config())
        """
    )
    assert any("you-****" in f.message for f in run.findings)
    # a second run sees its own classes and does nothing
    for path, text in files.items():
        (root / path).write_text(text, encoding="utf-8")
    _, again = migrate(root, only=ONLY)
    assert again.nothing_to_do


def test_class_from_another_module_is_the_base(project) -> None:
    root = project(
        {
            "settings.py": "class DevConfig:\n    DEBUG = True\n",
            "app.py": "from flask import Flask\napp = Flask(__name__)\napp.config.from_object('settings.DevConfig')\n",
        }
    )
    files, _ = migrate(root, only=ONLY)
    assert "from settings import DevConfig\n" in files["config.py"]
    assert "class BaseConfig(DevConfig):\n" in files["config.py"]


def test_from_object_with_a_module_is_kept(project) -> None:
    root = project(
        {
            "app.py": "from flask import Flask\napp = Flask(__name__)\napp.config.from_object('settings')\n"
        }
    )
    files, run = migrate(root, only=ONLY)
    assert "app.config.from_object('settings')" in files["app.py"]
    assert run.nothing_to_do


def test_env_or_literal_is_a_development_default(project) -> None:
    root = project(
        {
            "app.py": """
                import os
                from flask import Flask

                app = Flask(__name__)
                app.config['SECRET_KEY'] = os.environ.get('SECRET_KEY') or 'fallback-secret'
            """
        }
    )
    files, _ = migrate(root, only=ONLY)
    assert '"SECRET_KEY": "fallback-secret"' in files["config.py"]


def test_from_mapping_keeps_only_uppercase_keys(project) -> None:
    root = project(
        {
            "app.py": """
                from flask import Flask

                app = Flask(__name__, instance_relative_config=True)
                app.config.from_mapping(SECRET_KEY="dev", DATABASE="x.sqlite", lower="ignored")
                app.config.from_pyfile("config.py", silent=True)
            """
        }
    )
    files, _ = migrate(root, only=ONLY)
    assert "DATABASE = 'x.sqlite'" in files["config.py"].replace('"x.sqlite"', "'x.sqlite'")
    assert "lower" not in files["config.py"]
    assert 'app.config.from_pyfile("config.py", silent=True)' in files["app.py"]


def test_update_is_split_when_one_value_needs_the_app(project) -> None:
    root = project(
        {
            "app.py": """
                import os
                from flask import Flask

                app = Flask(__name__, instance_relative_config=True)
                app.config.from_mapping(
                    SECRET_KEY="dev-secret-key",
                    DATABASE=os.path.join(app.instance_path, "db.sqlite"),
                    PAGE=5,
                )
            """
        }
    )
    files, run = migrate(root, only=ONLY)
    assert files["app.py"] == dedent(
        """
        import os
        from flask import Flask
        from config import get_config

        app = Flask(__name__, instance_relative_config=True)
        app.config.from_object(get_config())
        app.config.from_mapping(
            DATABASE=os.path.join(app.instance_path, "db.sqlite"))
        """
    )
    assert "    PAGE = 5\n" in files["config.py"]
    assert any("DATABASE kept in place" in f.message for f in run.findings)
