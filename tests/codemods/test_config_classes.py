"""config-classes: settings → config.py classes, secrets from the environment."""

from __future__ import annotations

import runpy
import textwrap
from pathlib import Path

import libcst as cst
import pytest

from flaskmod.codemod import Outcome
from flaskmod.codemods.config_classes import ConfigPlan, plan
from tests.codemods.tools import (
    Files,
    check_noop,
    check_transformed,
    context_for,
    project_of,
    run_one,
)

NAME = "config-classes"
HEAD = "from flask import Flask\n\napp = Flask(__name__)\n"


def migrated(before: Files, **settings: str) -> tuple[dict[str, str], Outcome]:
    """The files the codemod wrote or changed, and its outcome."""
    project = project_of(before)
    outcome = run_one(NAME, project, **settings)
    changed = {
        path: outcome.project.text(path)
        for path in outcome.project.files
        if project.files.get(path) != outcome.project.files[path]
    }
    return changed, outcome


def base_config(config: str) -> list[str]:
    """BaseConfig's settings, one line each, as written in config.py."""
    body = config.split("class BaseConfig", 1)[1].split("\n", 1)[1]
    return [line.strip() for line in body.split("\n\n", 1)[0].splitlines()]


def planned(source: Files) -> ConfigPlan | None:
    return plan(context_for(project_of(source)))


def messages(outcome: Outcome) -> list[str]:
    return [str(f) for f in outcome.findings]


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


CONFIG_PY = '''
"""Settings for each environment; `create_app(config_name)` picks one by name."""

import os

# Development defaults of the settings production must read from the environment, by
# variable, and where each lands in the app's settings. ProductionConfig refuses to start
# while any of them is missing or still the development default.
_DEVELOPMENT_DEFAULTS = {
    "SECRET_KEY": "dev-key-123",
}
_SETTING_PATHS = {
    "SECRET_KEY": ("SECRET_KEY",),
}


class BaseConfig:
    SECRET_KEY = os.environ.get("SECRET_KEY", _DEVELOPMENT_DEFAULTS["SECRET_KEY"])

    @classmethod
    def validate(cls, config=None):
        """Called with the app's final settings once it is configured; only production checks."""


class DevelopmentConfig(BaseConfig):
    pass


class TestingConfig(BaseConfig):
    TESTING = True
    SQLALCHEMY_DATABASE_URI = "sqlite:///:memory:"
    WTF_CSRF_ENABLED = False


class ProductionConfig(BaseConfig):
    @classmethod
    def validate(cls, config=None):
        """Refuse to run on a development secret or with DEBUG on.

        `config` is what the app really got (`app.config`, once every config statement ran);
        without it, this class's own settings are checked.
        """
        if config is None:
            config = {name: getattr(cls, name) for name in dir(cls) if name.isupper()}
        for variable, path in _SETTING_PATHS.items():
            value = config
            for key in path:
                value = value.get(key) if isinstance(value, dict) else None
            if not value or value == _DEVELOPMENT_DEFAULTS[variable]:
                raise RuntimeError(
                    "{} must be set in the environment for production "
                    "(it is missing or still the development default)".format(variable)
                )
        if config.get("DEBUG"):
            raise RuntimeError("DEBUG must be off in production")


config_by_name = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def get_config(name=None):
    """The class for `name` (default: $FLASK_CONFIG, else "development"); once every config
    statement ran, the app calls its `validate(app.config)`.
    """
    return config_by_name[name or os.environ.get("FLASK_CONFIG", "development")]
'''

ENV_EXAMPLE = "# Copy to .env and fill in; never commit .env.\nFLASK_CONFIG=development\n"


# ---------------------------------------------------------------- whole outputs
def test_config_py_is_exact() -> None:
    check_transformed(
        NAME,
        """
        from flask import Flask
        from flask_sqlalchemy import SQLAlchemy

        app = Flask(__name__)
        app.secret_key = "dev-key-123"
        """,
        {
            "app.py": """
                from flask import Flask
                from flask_sqlalchemy import SQLAlchemy

                from config import get_config

                app = Flask(__name__)
                app.config.from_object(get_config())
                get_config().validate(app.config)
                """,
            "config.py": CONFIG_PY,
            ".env.example": ENV_EXAMPLE + "SECRET_KEY=\n",
            ".gitignore": ".env\n",
        },
    )


def test_assignments_move_to_base_config() -> None:
    files, _ = migrated(
        """
        from flask import Flask

        app = Flask(__name__)
        app.config["ITEMS_PER_PAGE"] = 20
        app.config['GREETING'] = 'hi'


        @app.route("/")
        def index():
            return app.config["GREETING"]
        """
    )
    assert files["app.py"] == dedent(
        """
        from flask import Flask

        from config import get_config

        app = Flask(__name__)
        app.config.from_object(get_config())
        get_config().validate(app.config)


        @app.route("/")
        def index():
            return app.config["GREETING"]
        """
    )
    assert base_config(files["config.py"]) == ["ITEMS_PER_PAGE = 20", "GREETING = 'hi'"]


def test_no_secret_no_defaults_and_production_passes() -> None:
    files, outcome = migrated(HEAD + "app.config['PAGE'] = 3\n")
    assert "_DEVELOPMENT_DEFAULTS" not in files["config.py"]
    assert "_SETTING_PATHS" not in files["config.py"] and "for variable" not in files["config.py"]
    assert (
        'config = {name: getattr(cls, name) for name in dir(cls) if name.isupper()}\n        if config.get("DEBUG"):'
        in files["config.py"]
    )
    assert files[".env.example"] == ENV_EXAMPLE
    assert not outcome.findings


def test_debug_on_is_turned_off_in_production() -> None:
    files, _ = migrated(HEAD + "app.config['DEBUG'] = True\n")
    assert "class ProductionConfig(BaseConfig):\n    DEBUG = False\n" in files["config.py"]


def test_debug_off_needs_no_production_override() -> None:
    files, _ = migrated(HEAD + "app.debug = False\n")
    assert "class ProductionConfig(BaseConfig):\n    @classmethod\n" in files["config.py"]


def test_config_env_var_option_names_the_variable() -> None:
    files, _ = migrated(HEAD + "app.config['PAGE'] = 3\n", config_env_var="APP_ENV")
    assert 'os.environ.get("APP_ENV", "development")' in files["config.py"]
    assert "(default: $APP_ENV," in files["config.py"]
    assert "APP_ENV=development" in files[".env.example"]


def test_in_memory_database_only_with_flask_sqlalchemy() -> None:
    files, _ = migrated(HEAD + "app.config['PAGE'] = 3\n")
    assert "sqlite:///:memory:" not in files["config.py"]


# ---------------------------------------------------------------- forms read
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
def test_update_forms_and_app_attributes(statement: str, key: str, value: str) -> None:
    files, _ = migrated(HEAD + statement + "\n")
    assert f"{key} = {value}" in base_config(files["config.py"])
    assert statement not in files["app.py"]


def test_from_mapping_keeps_only_uppercase_keys() -> None:
    files, _ = migrated(
        """
        from flask import Flask

        app = Flask(__name__, instance_relative_config=True)
        app.config.from_mapping(SECRET_KEY="dev", DATABASE="x.sqlite", lower="ignored")
        app.config.from_pyfile("config.py", silent=True)
        """
    )
    assert "DATABASE = 'x.sqlite'" in base_config(
        files["config.py"].replace('"x.sqlite"', "'x.sqlite'")
    )
    assert "lower" not in files["config.py"]
    assert 'app.config.from_pyfile("config.py", silent=True)' in files["app.py"]


def test_later_assignment_of_a_key_wins() -> None:
    files, _ = migrated(
        HEAD + "app.config['PAGE'] = 3\napp.config['OTHER'] = 1\napp.config['PAGE'] = 4\n"
    )
    assert base_config(files["config.py"]) == ["PAGE = 4", "OTHER = 1"]


def test_blank_line_of_a_removed_statement_is_kept() -> None:
    files, _ = migrated(HEAD + "app.config['PAGE'] = 3\n\napp.config['OTHER'] = 1\n\nx = 1\n")
    assert files["app.py"].endswith(
        "app.config.from_object(get_config())\nget_config().validate(app.config)\n\nx = 1\n"
    )


# ---------------------------------------------------------------- helpers
def test_helper_used_by_a_value_is_carried_and_removed() -> None:
    files, _ = migrated(
        """
        import os
        from flask import Flask

        basedir = os.path.abspath(os.path.dirname(__file__))

        app = Flask(__name__)
        app.config['SQLALCHEMY_DATABASE_URI'] = 'sqlite:///' + os.path.join(basedir, 'x.db')
        """
    )
    assert "\nbasedir = os.path.abspath(os.path.dirname(__file__))\n" in files["config.py"]
    assert "'sqlite:///' + os.path.join(basedir, 'x.db')" in files["config.py"]
    assert "basedir" not in files["app.py"]
    assert "import os" not in files["app.py"]  # only the moved code used it


def test_helper_still_used_in_app_module_stays_there_too() -> None:
    files, _ = migrated(
        """
        import os
        from flask import Flask

        basedir = os.path.dirname(__file__)
        app = Flask(__name__)
        app.config['UPLOADS'] = os.path.join(basedir, 'up')
        LOG = os.path.join(basedir, 'log.txt')
        """
    )
    assert "basedir = os.path.dirname(__file__)" in files["app.py"]
    assert "basedir = os.path.dirname(__file__)" in files["config.py"]


def test_helper_of_a_module_in_a_folder_is_re_anchored() -> None:
    source = "import os\nfrom flask import Flask\nhere = os.path.dirname(__file__)\n"
    source += "app = Flask(__name__)\napp.config['UPLOADS'] = os.path.join(here, 'up')\n"
    files, outcome = migrated({"site/app/__init__.py": source})
    assert "here = os.path.join(os.path.dirname(__file__), 'app')" in files["site/config.py"]
    assert not [f for f in outcome.findings if "re-anchor" in f.message]


def test_unhandled_file_use_in_a_helper_is_reported() -> None:
    source = "from flask import Flask\nhere = __file__.rsplit('/', 1)[0]\n"
    source += "app = Flask(__name__)\napp.config['UPLOADS'] = here + '/up'\n"
    _, outcome = migrated({"pkg/__init__.py": source})
    assert (
        "pkg/__init__.py:2: uses __file__ in a way flaskmod cannot re-anchor; check the path in config.py"
        in messages(outcome)
    )


def test_imported_name_a_value_reads_is_imported_in_config() -> None:
    files, _ = migrated(
        "from datetime import timedelta\n" + HEAD + "app.config['TTL'] = timedelta(days=1)\n"
    )
    assert "import os\nfrom datetime import timedelta\n" in files["config.py"]
    assert "timedelta" not in files["app.py"]


# ---------------------------------------------------------------- secrets
def test_secret_in_env_get_keeps_its_variable() -> None:
    files, _ = migrated(
        "import os\n"
        + HEAD
        + "app.config['SECRET_KEY'] = os.environ.get('APP_SECRET', 'devsecret')\n"
    )
    assert (
        'SECRET_KEY = os.environ.get("APP_SECRET", _DEVELOPMENT_DEFAULTS["APP_SECRET"])'
        in files["config.py"]
    )
    assert '"APP_SECRET": "devsecret"' in files["config.py"]
    assert '"APP_SECRET": ("SECRET_KEY",)' in files["config.py"]
    assert "APP_SECRET=" in files[".env.example"] and "\nSECRET_KEY=" not in files[".env.example"]


def test_env_or_literal_is_a_development_default() -> None:
    files, _ = migrated(
        "import os\n"
        + HEAD
        + "app.config['SECRET_KEY'] = os.environ.get('SECRET_KEY') or 'fallback-secret'\n"
    )
    assert '"SECRET_KEY": "fallback-secret"' in files["config.py"]


def test_env_lookup_of_a_plain_setting_moves_as_written() -> None:
    files, outcome = migrated(
        "import os\n" + HEAD + "app.config['PAGE'] = os.environ.get('PAGE', '10')\n"
    )
    assert "PAGE = os.environ.get('PAGE', '10')" in base_config(files["config.py"])
    assert not outcome.findings


def test_database_url_with_credentials_is_a_secret() -> None:
    files, outcome = migrated(
        HEAD
        + "app.config['SQLALCHEMY_DATABASE_URI'] = 'postgresql://bob:hunter2@db/prod'\n"
        + "app.config['MAIL_PASSWORD'] = 'pw'\n"
        + "app.config['MAIL_SERVER'] = 'smtp.example.com'\n"
    )
    config = files["config.py"]
    assert 'os.environ.get("DATABASE_URL", _DEVELOPMENT_DEFAULTS["DATABASE_URL"])' in config
    assert 'os.environ.get("MAIL_PASSWORD", _DEVELOPMENT_DEFAULTS["MAIL_PASSWORD"])' in config
    assert "MAIL_SERVER = 'smtp.example.com'" in config
    assert files[".env.example"].splitlines()[1:] == [
        "FLASK_CONFIG=development",
        "DATABASE_URL=",
        "MAIL_PASSWORD=",
    ]
    reported = " ".join(messages(outcome))
    assert "hunter2" not in reported and "post****" in reported
    assert outcome.secrets == {"postgresql://bob:hunter2@db/prod", "pw"}


def test_database_url_without_credentials_is_not_a_secret() -> None:
    files, outcome = migrated(HEAD + "app.config['SQLALCHEMY_DATABASE_URI'] = 'sqlite:///x.db'\n")
    assert "SQLALCHEMY_DATABASE_URI = 'sqlite:///x.db'" in base_config(files["config.py"])
    assert not outcome.secrets


def test_secret_note_masks_the_value() -> None:
    _, outcome = migrated(HEAD + "app.secret_key = 'dev-secret-key'\n")
    assert messages(outcome) == [
        "config.py: SECRET_KEY now comes from the environment variable SECRET_KEY; the old value "
        "'dev-****' is only the development default"
    ]


def test_env_example_and_gitignore_are_extended_not_replaced() -> None:
    files, _ = migrated(
        {
            "app.py": HEAD + "app.secret_key = 'x'\n",
            ".gitignore": "*.pyc",
            ".env.example": "FLASK_CONFIG=development\nOTHER=1",
        }
    )
    assert files[".gitignore"] == "*.pyc\n.env\n"
    assert files[".env.example"] == "FLASK_CONFIG=development\nOTHER=1\nSECRET_KEY=\n"


def test_gitignore_already_ignoring_env_is_left_alone() -> None:
    files, _ = migrated({"app.py": HEAD + "app.secret_key = 'x'\n", ".gitignore": ".env*\n"})
    assert ".gitignore" not in files


def _load_config(tmp_path: Path, text: str) -> dict[str, object]:
    path = tmp_path / "generated_config.py"
    path.write_text(text, encoding="utf-8")
    return runpy.run_path(str(path))


def test_production_refuses_missing_or_default_secret(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    files, _ = migrated(HEAD + "app.secret_key = 'dev-key'\n")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    get_config = _load_config(tmp_path, files["config.py"])["get_config"]
    assert get_config("development").SECRET_KEY == "dev-key"  # type: ignore[operator, attr-defined]
    with pytest.raises(RuntimeError, match="SECRET_KEY must be set"):
        get_config("production").validate()  # type: ignore[operator]
    monkeypatch.setenv("SECRET_KEY", "a-real-production-secret")
    production = _load_config(tmp_path, files["config.py"])["get_config"]("production")  # type: ignore[operator]
    production.validate()
    assert production.SECRET_KEY == "a-real-production-secret"


def test_production_checks_the_apps_final_settings(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    files, _ = migrated(HEAD + "app.secret_key = 'dev-key'\n")
    monkeypatch.setenv("SECRET_KEY", "a-real-production-secret")
    production = _load_config(tmp_path, files["config.py"])["get_config"]("production")  # type: ignore[operator]
    production.validate({"SECRET_KEY": "a-real-production-secret"})
    with pytest.raises(RuntimeError, match="SECRET_KEY must be set"):
        production.validate({"SECRET_KEY": "dev-key"})  # a later statement put the literal back
    with pytest.raises(RuntimeError, match="DEBUG must be off"):
        production.validate({"SECRET_KEY": "a-real-production-secret", "DEBUG": True})


def test_refusal_names_the_variable_read(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    uri = "app.config['SQLALCHEMY_DATABASE_URI'] = 'postgresql://bob:hunter2@db/prod'\n"
    files, _ = migrated(HEAD + uri)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    production = _load_config(tmp_path, files["config.py"])["get_config"]("production")  # type: ignore[operator]
    with pytest.raises(RuntimeError, match=r"^DATABASE_URL must be set in the environment"):
        production.validate()


def test_nested_secret_is_checked_where_it_lands(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    files, _ = migrated(HEAD + "app.config['OAUTH'] = {'github': {'id': 'x', 'secret': 'dev'}}\n")
    monkeypatch.setenv("OAUTH_GITHUB_SECRET", "fresh")
    production = _load_config(tmp_path, files["config.py"])["get_config"]("production")  # type: ignore[operator]
    assert production.OAUTH == {"github": {"id": "x", "secret": "fresh"}}
    production.validate()
    with pytest.raises(RuntimeError, match="OAUTH_GITHUB_SECRET must be set"):
        production.validate({"OAUTH": {"github": {"secret": "dev"}}})


# ---------------------------------------------------------------- from_object
def test_from_object_name_loads_uppercase_constants() -> None:
    files, _ = migrated(
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
    assert files["flaskr.py"] == dedent(
        """
        from flask import Flask
        from config import get_config

        PER_PAGE = 10
        helper_value = 3

        app = Flask(__name__)
        app.config.from_object(get_config())
        app.config.from_envvar('FLASKR_SETTINGS', silent=True)
        get_config().validate(app.config)


        def page_size():
            return PER_PAGE
        """
    )
    assert base_config(files["config.py"]) == [
        "DATABASE = os.path.join(os.path.dirname(__file__), 'flaskr.db')",
        "DEBUG = False",
        'SECRET_KEY = os.environ.get("SECRET_KEY", _DEVELOPMENT_DEFAULTS["SECRET_KEY"])',
        "PER_PAGE = 10",
    ]


def test_from_object_name_without_constants_is_left() -> None:
    check_noop(NAME, HEAD + "app.config.from_object(__name__)\n")


CONFIG_CLASS = """
import os
basedir = os.path.abspath(os.path.dirname(__file__))


class Config(object):
    SECRET_KEY = os.environ.get('SECRET_KEY') or 'you-will-never-guess'
    SQLALCHEMY_DATABASE_URI = 'sqlite:///' + os.path.join(basedir, 'app.db')
"""


def test_project_config_class_is_extended_in_place() -> None:
    app = "from flask import Flask\nfrom config import Config\n\napp = Flask(__name__)\n"
    app += "app.config.from_object(Config)\napp.config['PER_PAGE'] = 3\n"
    files, outcome = migrated({"config.py": CONFIG_CLASS, "app.py": app})
    config = files["config.py"]
    assert config.startswith(dedent(CONFIG_CLASS) + "\n\n# Environments built on the class")
    assert "class BaseConfig(Config):\n    PER_PAGE = 3\n" in config
    assert '"SECRET_KEY": "you-will-never-guess",' in config
    assert files["app.py"] == dedent(
        """
        from flask import Flask
        from config import get_config

        app = Flask(__name__)
        app.config.from_object(get_config())
        get_config().validate(app.config)
        """
    )
    assert any("you-****" in message for message in messages(outcome))
    # a second run sees its own classes and does nothing
    check_noop(NAME, {**files, ".gitignore": ".env\n"})


def test_class_from_another_module_is_the_base() -> None:
    files, _ = migrated(
        {
            "settings.py": "class DevConfig:\n    DEBUG = True\n",
            "app.py": HEAD + "app.config.from_object('settings.DevConfig')\n",
        }
    )
    assert "import os\n\nfrom settings import DevConfig\n" in files["config.py"]
    assert "class BaseConfig(DevConfig):\n" in files["config.py"]


def test_from_object_with_a_module_is_kept_and_noted() -> None:
    outcome = check_noop(NAME, HEAD + "app.config.from_object('settings')\n")
    assert messages(outcome) == [
        "app.py:4: from_object with something other than a class: kept where it is"
    ]


def test_from_object_of_an_unknown_class_is_kept() -> None:
    check_noop(NAME, HEAD + "app.config.from_object(make_config())\n")


# ---------------------------------------------------------------- split, kept
def test_value_reading_the_app_stays_and_is_reported() -> None:
    files, outcome = migrated(
        HEAD + "app.config['NAME'] = app.name.upper()\napp.config['PAGE'] = 5\n"
    )
    assert "app.config['NAME'] = app.name.upper()" in files["app.py"]
    assert base_config(files["config.py"]) == ["PAGE = 5"]
    assert messages(outcome) == ["app.py:4: setting NAME kept in place: its value reads `app`"]


def test_update_is_split_when_one_value_needs_the_app() -> None:
    files, outcome = migrated(
        """
        from flask import Flask

        app = Flask(__name__, instance_relative_config=True)
        app.config.from_mapping(
            SECRET_KEY="dev-secret-key",
            NAME=app.name.upper(),
            PAGE=5,
        )
        """
    )
    assert files["app.py"] == dedent(
        """
        from flask import Flask

        from config import get_config

        app = Flask(__name__, instance_relative_config=True)
        app.config.from_object(get_config())
        app.config.from_mapping(
            NAME=app.name.upper(),
        )
        get_config().validate(app.config)
        """
    )
    assert "PAGE = 5" in base_config(files["config.py"])
    assert "app.py:4: setting NAME kept in place: its value reads `app`" in messages(outcome)


@pytest.mark.parametrize(
    "statement, kept",
    [
        (
            "app.config.update(dict(NAME=app.name, SECRET_KEY='dev', PAGE=3))",
            "app.config.update(dict(NAME=app.name))",
        ),
        (
            "app.config.update({'NAME': app.name, 'SECRET_KEY': 'dev', 'PAGE': 3})",
            "app.config.update({'NAME': app.name})",
        ),
        (
            "app.config.update(**{'SECRET_KEY': 'dev', 'NAME': app.name, 'PAGE': 3})",
            "app.config.update(**{'NAME': app.name})",
        ),
        (
            "app.config.from_mapping({'PAGE': 3, 'NAME': app.name, 'SECRET_KEY': 'dev'})",
            "app.config.from_mapping({'NAME': app.name})",
        ),
        (
            "app.config.update(dict(PAGE=3), NAME=app.name, **{'SECRET_KEY': 'dev'})",
            "app.config.update(NAME=app.name)",
        ),
    ],
)
def test_whole_mapping_forms_are_split(statement: str, kept: str) -> None:
    files, _ = migrated(HEAD + statement + "\n")
    assert files["app.py"].endswith(f"get_config())\n{kept}\nget_config().validate(app.config)\n")
    assert "PAGE = 3" in base_config(files["config.py"])
    assert '"SECRET_KEY": "dev"' in files["config.py"]


def test_multiline_mapping_keeps_its_trailing_comma() -> None:
    source = HEAD + "app.config.update({\n    'PAGE': 3,\n    'NAME': app.name,\n})\n"
    files, _ = migrated(source)
    assert "app.config.update({\n    'NAME': app.name,\n})\n" in files["app.py"]


def test_value_calling_a_module_function_stays() -> None:
    source = (
        HEAD + "def pick():\n    return 3\n\n\napp.config['PAGE'] = pick()\napp.config['X'] = 1\n"
    )
    files, outcome = migrated(source)
    assert "app.config['PAGE'] = pick()" in files["app.py"]
    assert messages(outcome) == [
        "app.py:8: setting PAGE kept in place: its value depends on `pick`"
    ]


def test_helper_bound_twice_moves_with_every_binding() -> None:
    source = (
        "import os\nfrom flask import Flask\nurl = os.getenv('DB')\nif not url:\n    url = 'x'\n"
    )
    source += "app = Flask(__name__)\napp.config['DB'] = url\napp.config['X'] = 1\n"
    files, outcome = migrated(source)
    assert "url" not in files["app.py"] and "import os" not in files["app.py"]
    assert "\nurl = os.getenv('DB')\nif not url:\n    url = 'x'\n" in files["config.py"]
    assert "DB = url" in base_config(files["config.py"])
    assert not outcome.findings


def test_helper_bound_twice_still_read_here_stays_here_too() -> None:
    source = (
        "import os\nfrom flask import Flask\nurl = os.getenv('DB')\nif not url:\n    url = 'x'\n"
    )
    source += "app = Flask(__name__)\napp.config['DB'] = url\nprint(url)\n"
    files, _ = migrated(source)
    assert "url = os.getenv('DB')\nif not url:\n    url = 'x'\n" in files["app.py"]
    assert "url = os.getenv('DB')\nif not url:\n    url = 'x'\n" in files["config.py"]


def test_helper_rebound_after_the_setting_keeps_it_in_place() -> None:
    source = "import os\nfrom flask import Flask\nurl = os.getenv('DB')\n"
    source += "app = Flask(__name__)\napp.config['DB'] = url\napp.config['X'] = 1\nurl = 'other'\n"
    files, outcome = migrated(source)
    assert "url = os.getenv('DB')" in files["app.py"] and "url = 'other'" in files["app.py"]
    assert "app.config['DB'] = url" in files["app.py"]
    assert "app.py:5: setting DB kept in place: its value depends on `url`" in messages(outcome)


def test_helper_bound_in_a_loop_keeps_its_setting_in_place() -> None:
    source = "from flask import Flask\nfor url in ['a']:\n    pass\n"
    source += "app = Flask(__name__)\napp.config['DB'] = url\napp.config['X'] = 1\n"
    files, outcome = migrated(source)
    assert "for url in ['a']:" in files["app.py"] and "app.config['DB'] = url" in files["app.py"]
    assert "setting DB kept in place: its value depends on `url`" in " ".join(messages(outcome))


def test_constant_reported_kept_is_not_deleted() -> None:
    """`url = os.getenv(...)`, an `if` rebinding it in a loop-free way is fine; a constant that
    cannot move stays with the statement that sets it (issue 13)."""
    source = "import os\nfrom flask import Flask\nfor url in [os.getenv('D')]:\n    pass\n"
    source += "DATABASE = url\nSECRET_KEY = 'dev'\napp = Flask(__name__)\napp.config.from_object(__name__)\n"
    files, outcome = migrated(source)
    assert "DATABASE = url\n" in files["app.py"]
    assert "app.config.update(DATABASE=DATABASE)\n" in files["app.py"]
    assert "from_object(__name__)" not in files["app.py"] and "SECRET_KEY" not in files["app.py"]
    assert "setting DATABASE kept in place: its value depends on `url`" in " ".join(
        messages(outcome)
    )


# ---------------------------------------------------------------- declines, no-ops
def test_no_settings_is_a_no_op() -> None:
    outcome = check_noop(NAME, HEAD)
    assert not outcome.findings and outcome.declined is None


def test_only_from_pyfile_is_a_no_op() -> None:
    check_noop(NAME, HEAD + "app.config.from_pyfile('settings.cfg')\n")


def test_reading_the_config_is_not_a_setting() -> None:
    check_noop(NAME, HEAD + "page = app.config.get('PAGE', 3)\n")


def test_augmented_assignment_is_not_a_setting() -> None:
    check_noop(NAME, HEAD + "app.config['PAGE'] += 1\n")


def test_computed_key_is_not_a_setting() -> None:
    check_noop(NAME, HEAD + "key = 'PAGE'\napp.config[key] = 3\n")


def test_update_from_a_variable_is_not_moved() -> None:
    check_noop(NAME, HEAD + "settings = {'PAGE': 3}\napp.config.update(settings)\n")


def test_update_with_a_starred_variable_is_not_moved() -> None:
    check_noop(NAME, HEAD + "settings = {'PAGE': 3}\napp.config.update(**settings)\n")


def test_another_objects_config_is_not_the_apps() -> None:
    check_noop(
        NAME, HEAD + "class Other:\n    config = {}\n\n\nother = Other()\nother.config['X'] = 1\n"
    )


def test_settings_inside_a_function_stay() -> None:
    check_noop(NAME, HEAD + "def configure():\n    app.config['PAGE'] = 3\n")


def test_unknown_app_attribute_is_not_a_setting() -> None:
    check_noop(NAME, HEAD + "app.json_encoder = None\n")


def test_factory_layout_is_left_alone() -> None:
    factory = "from flask import Flask\n\n\ndef create_app():\n    app = Flask(__name__)\n"
    factory += "    app.config['PAGE'] = 3\n    return app\n"
    outcome = check_noop(NAME, factory)
    assert not outcome.findings


def test_every_value_blocked_declines() -> None:
    outcome = check_noop(NAME, HEAD + "app.config['A'] = app.name\napp.config['B'] = app.name\n")
    assert outcome.declined is not None
    assert messages(outcome) == [
        "app.py:4: setting A kept in place: its value reads `app`",
        "app.py:5: setting B kept in place: its value reads `app`",
    ]


def test_own_get_config_declines() -> None:
    outcome = check_noop(NAME, HEAD + "app.config['A'] = 1\n\n\ndef get_config():\n    return 1\n")
    assert outcome.declined is not None
    assert messages(outcome) == [
        "app.py:7: `get_config` is already defined here; rename it, then run again"
    ]


def test_existing_config_module_is_not_overwritten() -> None:
    outcome = check_noop(
        NAME, {"app.py": HEAD + "app.config['A'] = 1\n", "config.py": "class Config:\n    A = 2\n"}
    )
    assert outcome.declined is not None
    assert messages(outcome) == [
        "config.py: config.py already exists and is not the module the app loads its settings "
        "from; settings left in app.py"
    ]


def test_second_run_changes_nothing() -> None:
    files, _ = migrated(HEAD + "app.secret_key = 'k'\n")
    check_noop(NAME, files)


# ---------------------------------------------------------------- the plan
def test_plan_of_nothing_is_none() -> None:
    assert planned(HEAD + "x = 1\n") is None


def test_plan_says_what_moves_and_what_stays() -> None:
    found = planned(HEAD + "app.config['PAGE'] = 3\napp.config.update(A=1, B=app.name)\nx = 1\n")
    assert found is not None and found.app_module is not None and found.contents is not None
    assert found.config_path == "config.py"
    assert found.app_module.load_at == 2  # the first setting's statement
    assert found.app_module.removed == {2}
    assert [position for position, _ in found.app_module.kept] == [3]
    assert found.app_module.validate_after == 3
    assert [key for key, _ in found.contents.attributes] == ["PAGE", "A"]
    assert found.secrets == ()


def test_plan_lists_secrets_with_their_variables() -> None:
    found = planned(
        HEAD + "app.secret_key = 'dev'\napp.config['SQLALCHEMY_DATABASE_URI'] = 'mysql://u:p@h/d'\n"
    )
    assert found is not None
    assert [(s.path, s.env, s.default) for s in found.secrets] == [
        (("SECRET_KEY",), "SECRET_KEY", "dev"),
        (("SQLALCHEMY_DATABASE_URI",), "DATABASE_URL", "mysql://u:p@h/d"),
    ]


def test_plan_puts_config_beside_the_package() -> None:
    found = planned({"pkg/__init__.py": HEAD + "app.config['A'] = 1\n"})
    assert found is not None and found.config_path == "config.py"


def test_plan_removes_helpers_nothing_else_reads() -> None:
    found = planned("X = 1\nY = 2\n" + HEAD + "app.config['A'] = X\nprint(Y)\n")
    assert found is not None and found.app_module is not None
    assert found.app_module.removed == {0, 4}
    assert found.contents is not None
    assert [cst.Module([]).code_for_node(h) for h in found.contents.helpers] == ["X = 1\n"]


# ---------------------------------------------------------------- app folders (item 1)
def test_root_path_becomes_the_folder_of_the_app_module() -> None:
    files, outcome = migrated(
        "import os\n" + HEAD + "app.config['DATABASE'] = os.path.join(app.root_path, 'x.db')\n"
    )
    assert base_config(files["config.py"]) == [
        "DATABASE = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'x.db')"
    ]
    assert "DATABASE" not in files["app.py"] and not outcome.findings


def test_instance_path_is_instance_beside_the_package() -> None:
    source = "import os\n" + HEAD + "app.config['DB'] = os.path.join(app.instance_path, 'x.db')\n"
    files, _ = migrated({"pkg/__init__.py": source})
    assert base_config(files["config.py"]) == [
        "DB = os.path.join(os.path.dirname(os.path.abspath(__file__)), \"instance\", 'x.db')"
    ]


def test_root_path_of_a_package_is_the_package_folder() -> None:
    source = "import os\n" + HEAD + "app.config['DB'] = os.path.join(app.root_path, 'x.db')\n"
    files, _ = migrated({"pkg/__init__.py": source})
    assert base_config(files["config.py"]) == [
        "DB = os.path.join(os.path.dirname(os.path.abspath(__file__)), \"pkg\", 'x.db')"
    ]


def test_root_path_given_after_package_is_the_old_folder() -> None:
    source = "import os\nfrom flask import Flask\n\napp = Flask(__name__, root_path="
    source += "os.path.dirname(os.path.dirname(os.path.abspath(__file__))))\n"
    source += "app.config['DB'] = os.path.join(app.root_path, 'x.db')\n"
    files, _ = migrated({"app/__init__.py": source})
    assert base_config(files["config.py"]) == [
        "DB = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'x.db')"
    ]


def test_explicit_instance_path_is_used() -> None:
    source = (
        "import os\nfrom flask import Flask\nhere = os.path.dirname(os.path.abspath(__file__))\n"
    )
    source += "app = Flask(__name__, instance_path=os.path.join(here, 'var'))\n"
    source += "app.config['DB'] = os.path.join(app.instance_path, 'x.db')\n"
    files, _ = migrated(source)
    assert base_config(files["config.py"]) == [
        "DB = os.path.join(os.path.dirname(os.path.abspath(__file__)), \"var\", 'x.db')"
    ]


def test_app_named_after_its_own_module_has_a_known_root() -> None:
    source = "import os\nfrom flask import Flask\napp = Flask('site')\n"
    source += "app.config['DB'] = os.path.join(app.root_path, 'x.db')\n"
    files, _ = migrated({"site/__init__.py": source})
    assert "DB = os.path.join(os.path.dirname(os.path.abspath(__file__)), \"site\", 'x.db')" in (
        base_config(files["config.py"])
    )


def test_app_named_after_another_module_keeps_its_root_path_setting() -> None:
    source = "import os\nfrom flask import Flask\napp = Flask('elsewhere')\n"
    source += "app.config['DB'] = os.path.join(app.root_path, 'x.db')\napp.config['X'] = 1\n"
    files, outcome = migrated(source)
    assert "app.config['DB'] = os.path.join(app.root_path, 'x.db')" in files["app.py"]
    assert "app.py:4: setting DB kept in place: its value reads `app`" in messages(outcome)


def test_computed_root_path_keeps_its_setting() -> None:
    source = "import os\nfrom flask import Flask\napp = Flask(__name__, root_path=pick())\n"
    source += "app.config['DB'] = os.path.join(app.root_path, 'x.db')\napp.config['X'] = 1\n"
    files, _ = migrated(source)
    assert "app.config['DB'] = os.path.join(app.root_path, 'x.db')" in files["app.py"]


def test_other_app_attributes_still_keep_the_setting() -> None:
    source = "import os\n" + HEAD + "app.config['DB'] = os.path.join(app.root_path, app.name)\n"
    files, outcome = migrated(source + "app.config['X'] = 1\n")
    assert "app.config['DB'] = os.path.join(app.root_path, app.name)" in files["app.py"]
    assert any("setting DB kept in place" in message for message in messages(outcome))


# ---------------------------------------------------------------- secret forms (items 2, 3)
def test_secret_through_a_module_constant() -> None:
    source = "from flask import Flask\nSECRET_KEY = 'not-so-secret'\napp = Flask(__name__)\n"
    files, outcome = migrated(source + "app.secret_key = SECRET_KEY\n")
    assert "not-so-secret" not in files["app.py"] and "SECRET_KEY" not in files["app.py"]
    assert base_config(files["config.py"]) == [
        'SECRET_KEY = os.environ.get("SECRET_KEY", _DEVELOPMENT_DEFAULTS["SECRET_KEY"])'
    ]
    assert outcome.secrets == {"not-so-secret"}


def test_mail_password_constant_becomes_an_environment_variable() -> None:
    source = "from flask import Flask\nMAIL_PASSWORD = 'hunter2hunter2'\napp = Flask(__name__)\n"
    files, _ = migrated(source + "app.config['MAIL_PASSWORD'] = MAIL_PASSWORD\n")
    assert '"MAIL_PASSWORD": "hunter2hunter2",' in files["config.py"]
    assert "hunter2" not in files["app.py"]


def test_secret_constant_still_read_elsewhere_is_reported() -> None:
    source = "from flask import Flask\nKEY = 'hunter2hunter2'\napp = Flask(__name__)\n"
    source += "app.config['MAIL_PASSWORD'] = KEY\n\n\ndef mail():\n    return KEY\n"
    files, outcome = migrated(source)
    assert "KEY = 'hunter2hunter2'" in files["app.py"]
    assert messages(outcome)[-1] == (
        "app.py:2: `KEY` still holds the secret's literal, and line 8 reads it: that code gets "
        "the literal in production too; read `app.config` there instead"
    )


def test_plain_constant_moves_as_a_helper() -> None:
    source = "from flask import Flask\nPAGE = 3\napp = Flask(__name__)\napp.config['PAGE'] = PAGE\n"
    files, outcome = migrated(source)
    assert "\nPAGE = 3\n" in files["config.py"] and "PAGE = PAGE" in base_config(files["config.py"])
    assert not outcome.secrets


def test_bytes_secret_keeps_its_bytes_default() -> None:
    files, outcome = migrated(HEAD + "app.secret_key = b'_5#y2L\"F4Q8z\\n\\xec]/'\n")
    assert '    "SECRET_KEY": b\'_5#y2L"F4Q8z\\n\\xec]/\',\n' in files["config.py"]
    assert '_5#y2L"F4Q8z\\n\\xec]/' in outcome.secrets  # as written in code, for the preview
    assert "'_5#y****'" in messages(outcome)[0]


@pytest.mark.parametrize(
    "value, default",
    [
        ("'dev-' 'key-' 'value'", "dev-key-value"),
        ("'dev-' + 'key'", "dev-key"),
        ("f'{PREFIX}-key'", "dev-key"),
        ("PREFIX + '-' + f'{PREFIX!s}'", "dev-dev"),
        ("b'dev-' + b'key'", None),
    ],
)
def test_secrets_that_are_not_one_plain_literal(value: str, default: str | None) -> None:
    source = "from flask import Flask\nPREFIX = 'dev'\napp = Flask(__name__)\n"
    files, _ = migrated(source + f"app.config['SECRET_KEY'] = {value}\n")
    expected = f'"SECRET_KEY": "{default}",' if default else "\"SECRET_KEY\": b'dev-key',"
    assert expected in files["config.py"]
    assert "SECRET_KEY" not in files["app.py"] and "PREFIX +" not in files["app.py"]


def test_f_string_with_a_format_spec_is_not_a_known_literal() -> None:
    source = "from flask import Flask\nN = 3\napp = Flask(__name__)\n"
    files, outcome = migrated(source + "app.config['GREETING'] = f'{N:>4}'\n")
    assert "GREETING = f'{N:>4}'" in base_config(files["config.py"])
    assert not outcome.secrets


def test_random_call_for_a_secret_moves_as_code() -> None:
    files, outcome = migrated("import os\n" + HEAD + "app.secret_key = os.urandom(24)\n")
    assert "SECRET_KEY = os.urandom(24)" in base_config(files["config.py"])
    assert not outcome.secrets


# ---------------------------------------------------------------- from_object(__name__) (item 4)
def test_name_load_with_a_blocked_constant_reapplies_only_that_one() -> None:
    source = "from flask import Flask\nSECRET_KEY = 'dev'\nPAGE = make()\n\n\ndef make():\n"
    source += "    return 3\n\n\napp = Flask(__name__)\napp.config.from_object(__name__)\n"
    files, outcome = migrated(source)
    assert "app.config.from_object(__name__)" not in files["app.py"]
    assert files["app.py"].count("SECRET_KEY") == 0
    assert "app.config.from_object(get_config())\napp.config.update(PAGE=PAGE)\n" in files["app.py"]
    assert "PAGE = make()" in files["app.py"]
    assert "setting PAGE kept in place: its value depends on `make`" in " ".join(messages(outcome))


def test_name_load_of_a_rebound_constant_moves_every_binding() -> None:
    source = "import os\nfrom flask import Flask\nDATABASE = os.getenv('DB')\nif not DATABASE:\n"
    source += "    DATABASE = 'x.db'\napp = Flask(__name__)\napp.config.from_object(__name__)\n"
    files, _ = migrated(source)
    assert "DATABASE" not in files["app.py"]
    assert (
        "\nDATABASE = os.getenv('DB')\nif not DATABASE:\n    DATABASE = 'x.db'\n"
        in files["config.py"]
    )
    assert "DATABASE = DATABASE" in base_config(files["config.py"])


def test_name_load_of_an_imported_constant_imports_it_in_config() -> None:
    source = "from flask import Flask\nfrom settings import THEME\napp = Flask(__name__)\n"
    files, _ = migrated(source + "app.config.from_object(__name__)\n")
    assert "from settings import THEME\n" in files["config.py"] and "THEME" not in files["app.py"]


def test_name_load_of_a_secret_bound_twice_is_left_to_a_human() -> None:
    source = "import os\nfrom flask import Flask\nSECRET_KEY = 'dev'\nif os.environ.get('X'):\n"
    source += "    SECRET_KEY = 'other'\nPAGE = 1\napp = Flask(__name__)\napp.config.from_object(__name__)\n"
    files, outcome = migrated(source)
    assert "app.config.update(SECRET_KEY=SECRET_KEY)" in files["app.py"]
    assert "SECRET_KEY" not in files["config.py"].split("class BaseConfig")[1].split("class Dev")[0]
    assert any("set it from the environment by hand" in message for message in messages(outcome))


# ---------------------------------------------------------------- .env (item 5)
def test_dotenv_is_loaded_by_config_before_it_reads_the_environment() -> None:
    source = "import os\nfrom dotenv import load_dotenv\n" + HEAD + "load_dotenv()\n"
    files, _ = migrated(source + "app.config['PAGE'] = os.getenv('PAGE', '3')\n")
    config = files["config.py"]
    assert (
        "import os\n\ntry:  # python-dotenv: the settings below see the variables of .env\n"
        in config
    )
    assert (
        "    from dotenv import load_dotenv\nexcept ImportError:\n    pass\nelse:\n    load_dotenv()\n"
        in config
    )
    assert config.index("load_dotenv()") < config.index("os.getenv('PAGE'")
    assert "load_dotenv()" in files["app.py"]  # harmless there: it does not override


def test_dotenv_arguments_that_need_only_os_are_carried() -> None:
    source = "import os\nfrom dotenv import load_dotenv\n" + HEAD
    source += "load_dotenv(os.path.join(os.path.dirname(__file__), '.env'))\napp.config['A'] = 1\n"
    files, _ = migrated({"site/__init__.py": source})
    assert (
        "    load_dotenv(os.path.join(os.path.join(os.path.dirname(__file__), 'site'), '.env'))\n"
        in files["config.py"]
    )


def test_dotenv_arguments_reading_a_helper_are_dropped() -> None:
    source = "from dotenv import load_dotenv\n" + HEAD + "here = '.'\nload_dotenv(here)\n"
    files, _ = migrated(source + "app.config['A'] = 1\n")
    assert "else:\n    load_dotenv()\n" in files["config.py"]


def test_dotenv_from_requirements_or_flaskenv() -> None:
    for extra in ({"requirements.txt": "flask\npython-dotenv\n"}, {".flaskenv": "FLASK_APP=app\n"}):
        files, _ = migrated({"app.py": HEAD + "app.config['A'] = 1\n", **extra})
        assert "load_dotenv()" in files["config.py"]


def test_no_dotenv_without_python_dotenv() -> None:
    files, _ = migrated({"app.py": HEAD + "app.config['A'] = 1\n", "README.md": "uses dotenv\n"})
    assert "dotenv" not in files["config.py"]


def test_existing_config_module_gets_dotenv_after_its_imports() -> None:
    app = "from dotenv import load_dotenv\nfrom flask import Flask\nfrom config import Config\n"
    app += "app = Flask(__name__)\napp.config.from_object(Config)\n"
    files, _ = migrated({"config.py": CONFIG_CLASS, "app.py": app})
    assert files["config.py"].startswith("import os\n\ntry:  # python-dotenv")
    assert files["config.py"].index("load_dotenv()") < files["config.py"].index("class Config")


# ---------------------------------------------------------------- credentials by value (item 6)
def test_token_with_a_known_prefix_is_a_secret_whatever_its_name() -> None:
    files, outcome = migrated(HEAD + "app.config['STRIPE_KEY'] = 'sk_live_abcdef'\n")
    assert (
        'STRIPE_KEY = os.environ.get("STRIPE_KEY", _DEVELOPMENT_DEFAULTS["STRIPE_KEY"])'
        in (files["config.py"])
    )
    assert outcome.secrets == {"sk_live_abcdef"}


def test_secret_nested_in_a_dict() -> None:
    value = "{'github': {'id': '470154729788964', 'secret': '010cc08bd4f51e34f3f3e684fbdea8a7'}}"
    files, _ = migrated(HEAD + f"app.config['OAUTH_CREDENTIALS'] = {value}\n")
    config = files["config.py"]
    assert (
        "OAUTH_CREDENTIALS = {'github': {'id': '470154729788964', 'secret': "
        'os.environ.get("OAUTH_CREDENTIALS_GITHUB_SECRET", '
        '_DEVELOPMENT_DEFAULTS["OAUTH_CREDENTIALS_GITHUB_SECRET"])}}'
    ) in base_config(config)
    assert '"OAUTH_CREDENTIALS_GITHUB_SECRET": ("OAUTH_CREDENTIALS", "github", "secret"),' in config


@pytest.mark.parametrize(
    "value",
    [
        "'sqlite:///app.db'",
        "'redis://localhost:6379/0'",
        "'admin/index.html'",
        "'uploads/2019/images'",
        "'Content-Security-Policy'",
        "'SimpleCache'",
        "'noreply@example.com'",
        "'app.config.ProductionConfig'",
        "{'theme': 'dark', 'page': 3}",
    ],
)
def test_ordinary_values_are_not_secrets(value: str) -> None:
    files, outcome = migrated(HEAD + f"app.config['SETTING'] = {value}\n")
    assert f"SETTING = {value}" in base_config(files["config.py"])
    assert not outcome.secrets


# ---------------------------------------------------------------- production (item 9)
def test_validate_follows_the_last_config_statement() -> None:
    source = HEAD + "app.config['A'] = 1\napp.config.from_envvar('X', silent=True)\n"
    source += (
        "if True:\n    app.config.from_pyfile('local.cfg')\n\n\n@app.route('/')\ndef index():\n"
    )
    source += "    return ''\n\n\nif __name__ == '__main__':\n    app.config['DEBUG'] = True\n"
    files, _ = migrated(source)
    assert (
        "    app.config.from_pyfile('local.cfg')\nget_config().validate(app.config)\n"
        in (files["app.py"])
    )


def test_literal_debug_or_secret_left_after_the_load_is_reported() -> None:
    source = "import os\n" + HEAD + "app.config['A'] = 1\nif os.environ.get('DEV'):\n"
    source += "    app.config['DEBUG'] = True\n    app.secret_key = 'dev'\n"
    _, outcome = migrated(source)
    assert [m for m in messages(outcome) if "after the config classes load" in m] == [
        "app.py:7: DEBUG is set to a literal after the config classes load: production would run "
        "on it; move it into config.py or read it from the environment",
        "app.py:8: SECRET_KEY is set to a literal after the config classes load: production would "
        "run on it; move it into config.py or read it from the environment",
    ]


def test_non_literal_settings_after_the_load_are_not_reported() -> None:
    source = "import os\n" + HEAD + "app.config['A'] = 1\nif os.environ.get('DEV'):\n"
    source += "    app.config['DEBUG'] = os.environ['DEV'] == '1'\n    app.config['PAGE'] = 3\n"
    _, outcome = migrated(source)
    assert not outcome.findings


def test_testing_and_env_are_reset_in_production() -> None:
    files, _ = migrated(HEAD + "app.config.update(TESTING=True, ENV='development', DEBUG=1)\n")
    assert (
        "class ProductionConfig(BaseConfig):\n    DEBUG = False\n    TESTING = False\n"
        '    ENV = "production"\n\n    @classmethod\n'
    ) in files["config.py"]


def test_production_values_need_no_reset() -> None:
    files, _ = migrated(HEAD + "app.config.update(TESTING=False, ENV='production')\n")
    assert "class ProductionConfig(BaseConfig):\n    @classmethod\n" in files["config.py"]


# ---------------------------------------------------------------- settings files (item 10)
SETTINGS = """
import os

from site import app

DATABASE = os.path.join(os.path.dirname(app.root_path), 'data.db')
UPLOADS = os.path.join(app.instance_path, 'uploads')
"""


def test_settings_file_importing_the_app_for_its_folders_is_rewritten() -> None:
    app = "from flask import Flask\napp = Flask('site')\napp.config.from_pyfile('settings.py')\n"
    files, outcome = migrated({"site/__init__.py": app, "site/settings.py": SETTINGS})
    assert files == {
        "site/settings.py": dedent(
            """
            import os

            DATABASE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'data.db')
            UPLOADS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "instance", 'uploads')
            """
        )
    }
    assert not outcome.findings


def test_settings_module_loaded_by_name_is_rewritten() -> None:
    app = (
        "from flask import Flask\napp = Flask(__name__)\napp.config.from_object('site.settings')\n"
    )
    files, _ = migrated({"site/__init__.py": app, "site/settings.py": SETTINGS})
    assert "from site import app" not in files["site/settings.py"]


def test_settings_file_in_the_instance_folder() -> None:
    app = "from flask import Flask\napp = Flask(__name__, instance_relative_config=True)\n"
    app += "app.config.from_pyfile('settings.py')\n"
    files, _ = migrated({"app.py": app, "instance/settings.py": SETTINGS.replace("site", "app")})
    assert "from app import app" not in files["instance/settings.py"]


def test_settings_file_using_the_app_otherwise_is_reported() -> None:
    settings = "from site import app\nNAME = app.name\n"
    app = "from flask import Flask\napp = Flask('site')\napp.config.from_pyfile('settings.py')\n"
    outcome = check_noop(NAME, {"site/__init__.py": app, "site/settings.py": settings})
    assert messages(outcome)[0].startswith(
        "site/settings.py:2: imports the app for more than its folders (root_path, instance_path)"
    )


def test_settings_file_without_the_app_is_left_alone() -> None:
    app = "from flask import Flask\napp = Flask('site')\napp.config.from_pyfile('settings.py')\n"
    check_noop(NAME, {"site/__init__.py": app, "site/settings.py": "DEBUG = False\n"})


def test_existing_config_module_loading_dotenv_gets_no_second_load() -> None:
    config = "import os\nfrom dotenv import load_dotenv\nload_dotenv()\n" + dedent(CONFIG_CLASS)
    app = "from dotenv import load_dotenv\nfrom flask import Flask\nfrom config import Config\n"
    app += "app = Flask(__name__)\napp.config.from_object(Config)\n"
    files, _ = migrated({"config.py": config, "app.py": app})
    assert files["config.py"].count("load_dotenv()") == 1


def test_literal_secret_of_the_projects_class_is_read_from_the_environment() -> None:
    config = "class Config:\n    SECRET_KEY = 'hard-coded-key'\n    PAGE = 3\n"
    app = "from flask import Flask\nfrom config import Config\napp = Flask(__name__)\n"
    files, _ = migrated({"config.py": config, "app.py": app + "app.config.from_object(Config)\n"})
    assert base_config(files["config.py"]) == [
        'SECRET_KEY = os.environ.get("SECRET_KEY", _DEVELOPMENT_DEFAULTS["SECRET_KEY"])'
    ]
    assert "class Config:\n    SECRET_KEY = 'hard-coded-key'\n" in files["config.py"]  # not edited


def test_helper_carrying_a_credential_is_reported() -> None:
    source = "from flask import Flask\nurl = 'postgresql://bob:hunter2@db/prod' if True else ''\n"
    _, outcome = migrated(source + "app = Flask(__name__)\napp.config['DB'] = url\n")
    assert (
        "app.py:2: carries what looks like a credential ('post****') into config.py"
        in (messages(outcome)[0])
    )
    assert "postgresql://bob:hunter2@db/prod" in outcome.secrets


def test_helper_reading_a_loaded_constant_carries_it_too() -> None:
    source = "import os\nfrom flask import Flask\nDATABASE = 'flaskr.db'\n"
    source += "url = os.getenv('DATABASE_URL', 'sqlite:///' + DATABASE)\nif url.startswith('postgres://'):\n"
    source += (
        "    url = url.replace('postgres://', 'postgresql://', 1)\nSQLALCHEMY_DATABASE_URI = url\n"
    )
    source += "app = Flask(__name__)\napp.config.from_object(__name__)\n"
    files, _ = migrated(source)
    config = files["config.py"]
    assert config.index("\nDATABASE = 'flaskr.db'\n") < config.index("\nurl = os.getenv(")
    assert base_config(config) == ["DATABASE = 'flaskr.db'", "SQLALCHEMY_DATABASE_URI = url"]
    assert "DATABASE" not in files["app.py"] and "url" not in files["app.py"]


def test_secret_constant_a_helper_is_computed_from_is_reported() -> None:
    source = "from flask import Flask\nPASSWORD = 'pw'\nurl = 'mysql://root@db/x?p=' + PASSWORD\n"
    source += "app = Flask(__name__)\napp.config['PASSWORD'] = PASSWORD\napp.config['DB'] = url\n"
    _, outcome = migrated(source)
    assert messages(outcome)[0].startswith(
        "app.py:2: holds a secret's literal that another setting is computed from"
    )


def test_loaded_constant_computed_from_a_secret_uses_the_environment() -> None:
    source = "from flask import Flask\nPASSWORD = 'pw'\nURL = 'mysql://root@db/x?p=' + PASSWORD\n"
    files, outcome = migrated(source + "app = Flask(__name__)\napp.config.from_object(__name__)\n")
    assert base_config(files["config.py"]) == [
        'PASSWORD = os.environ.get("PASSWORD", _DEVELOPMENT_DEFAULTS["PASSWORD"])',
        "URL = 'mysql://root@db/x?p=' + PASSWORD",  # the class attribute: the environment's
    ]
    assert not [m for m in messages(outcome) if "computed from" in m]


def test_conditionally_imported_name_keeps_its_setting() -> None:
    source = "from flask import Flask\ntry:\n    import simplejson as json\nexcept ImportError:\n"
    source += "    import json\napp = Flask(__name__)\napp.config['X'] = json.dumps(1)\napp.config['A'] = 1\n"
    files, outcome = migrated(source)
    assert "app.config['X'] = json.dumps(1)" in files["app.py"] and "json" not in files["config.py"]
    assert "setting X kept in place: its value depends on `json`" in " ".join(messages(outcome))


@pytest.mark.parametrize(
    "statement",
    [
        "app.config.setdefault('A', 1)",
        "app.config.from_envvar('SETTINGS', silent=True)",
        "app.config.from_file('config.json', load=json.load)",
        "app.config.from_prefixed_env()",
        "app.config.update(defaults, A=1)",
        "app.config.update(*pairs)",
        "app.config['A'], app.config['B'] = 1, 2",
        "app.config['A'] = app.config['B'] = 1",
        "app.config[1] = 2",
        "del app.config['A']",
        "print(app.config)",
        "app.secret_key += 'x'",
        "app.name = 'x'",
        "app.config.update(dict(pairs))",
        "app.config.from_mapping(mapping)",
    ],
)
def test_forms_that_are_not_movable_settings(statement: str) -> None:
    # `app.config['A'] = 1; x = 2` moves since its line is split (test_fuzz_regressions)
    check_noop(
        NAME, "import json\n" + HEAD + "defaults = pairs = mapping = {}\n" + statement + "\n"
    )


def test_config_py_goes_to_the_import_root_of_an_app_inside_a_package() -> None:
    files, _ = migrated(
        {"project/__init__.py": "", "project/app.py": HEAD + "app.config['A'] = 1\n"}
    )
    assert "config.py" in files and "project/config.py" not in files
    assert "from config import get_config" in files["project/app.py"]


def test_config_py_goes_beside_a_package_in_a_source_folder() -> None:
    files, _ = migrated({"src/site/__init__.py": HEAD + "app.config['A'] = 1\n"})
    assert "src/config.py" in files
