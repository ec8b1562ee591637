"""config-classes: settings → config.py classes, secrets from the environment."""

from __future__ import annotations

import runpy
import textwrap
from pathlib import Path

import libcst as cst
import pytest
from flaskmod.codemods.config_classes import ConfigPlan, plan

from flaskmod.codemod import Outcome
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


        @app.route("/")
        def index():
            return app.config["GREETING"]
        """
    )
    assert base_config(files["config.py"]) == ["ITEMS_PER_PAGE = 20", "GREETING = 'hi'"]


def test_no_secret_no_defaults_and_production_passes() -> None:
    files, outcome = migrated(HEAD + "app.config['PAGE'] = 3\n")
    assert "_DEVELOPMENT_DEFAULTS" not in files["config.py"]
    assert "class ProductionConfig(BaseConfig):\n    pass\n" in files["config.py"]
    assert files[".env.example"] == ENV_EXAMPLE
    assert not outcome.findings


def test_debug_on_is_turned_off_in_production() -> None:
    files, _ = migrated(HEAD + "app.config['DEBUG'] = True\n")
    assert "class ProductionConfig(BaseConfig):\n    DEBUG = False\n" in files["config.py"]


def test_debug_off_needs_no_production_override() -> None:
    files, _ = migrated(HEAD + "app.debug = False\n")
    assert "class ProductionConfig(BaseConfig):\n    pass\n" in files["config.py"]


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
    assert files["app.py"].endswith("app.config.from_object(get_config())\n\nx = 1\n")


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
        'SECRET_KEY = os.environ.get("APP_SECRET", _DEVELOPMENT_DEFAULTS["SECRET_KEY"])'
        in files["config.py"]
    )
    assert '"SECRET_KEY": "devsecret"' in files["config.py"]


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
        "config.py: SECRET_KEY now comes from the environment; the old value 'dev-****' is only "
        "the development default"
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
        get_config("production")  # type: ignore[operator]
    monkeypatch.setenv("SECRET_KEY", "a-real-production-secret")
    get_config = _load_config(tmp_path, files["config.py"])["get_config"]
    assert get_config("production").SECRET_KEY == "a-real-production-secret"  # type: ignore[operator, attr-defined]


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
        import os
        from flask import Flask

        app = Flask(__name__, instance_relative_config=True)
        app.config.from_mapping(
            SECRET_KEY="dev-secret-key",
            DATABASE=os.path.join(app.instance_path, "db.sqlite"),
            PAGE=5,
        )
        """
    )
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
    assert "PAGE = 5" in base_config(files["config.py"])
    assert any("DATABASE kept in place" in message for message in messages(outcome))


def test_value_calling_a_module_function_stays() -> None:
    source = (
        HEAD + "def pick():\n    return 3\n\n\napp.config['PAGE'] = pick()\napp.config['X'] = 1\n"
    )
    files, outcome = migrated(source)
    assert "app.config['PAGE'] = pick()" in files["app.py"]
    assert messages(outcome) == [
        "app.py:8: setting PAGE kept in place: its value depends on `pick`"
    ]


def test_helper_bound_twice_blocks_its_setting() -> None:
    source = (
        "import os\nfrom flask import Flask\nurl = os.getenv('DB')\nif not url:\n    url = 'x'\n"
    )
    source += "app = Flask(__name__)\napp.config['DB'] = url\napp.config['X'] = 1\n"
    files, outcome = migrated(source)
    assert "app.config['DB'] = url" in files["app.py"]
    assert "url = os.getenv('DB')" in files["app.py"]
    assert "setting DB kept in place: its value depends on `url`" in " ".join(messages(outcome))


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
    found = planned(HEAD + "app.config['PAGE'] = 3\napp.config.update(A=1, B=app.name)\n")
    assert found is not None
    assert found.config_path == "config.py"
    assert found.load_at == 2  # the first setting's statement
    assert found.removed == {2}
    assert [position for position, _ in found.kept] == [3]
    assert [key for key, _ in found.contents.attributes] == ["PAGE", "A"]
    assert found.secrets == ()


def test_plan_lists_secrets_with_their_variables() -> None:
    found = planned(
        HEAD + "app.secret_key = 'dev'\napp.config['SQLALCHEMY_DATABASE_URI'] = 'mysql://u:p@h/d'\n"
    )
    assert found is not None
    assert [(s.key, s.env, s.default) for s in found.secrets] == [
        ("SECRET_KEY", "SECRET_KEY", "dev"),
        ("SQLALCHEMY_DATABASE_URI", "DATABASE_URL", "mysql://u:p@h/d"),
    ]


def test_plan_puts_config_beside_the_package() -> None:
    found = planned({"pkg/__init__.py": HEAD + "app.config['A'] = 1\n"})
    assert found is not None and found.config_path == "config.py"


def test_plan_removes_helpers_nothing_else_reads() -> None:
    found = planned("X = 1\nY = 2\n" + HEAD + "app.config['A'] = X\nprint(Y)\n")
    assert found is not None
    assert found.removed == {0, 4}
    assert [cst.Module([]).code_for_node(h) for h in found.contents.helpers] == ["X = 1\n"]
