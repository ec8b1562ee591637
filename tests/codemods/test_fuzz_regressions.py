"""Tiny cases for what the fuzz generator (tests/test_fuzz.py) reaches: each through the whole
pipeline, on the smallest app that shows it."""

from __future__ import annotations

from pathlib import Path

from flaskmod.pipeline import Driver, Options, discover
from flaskmod.upgrade import Modes, whole_run
from tests.codemods.tools import project_of, run_one
from tests.conftest import migrate, write_tree


def migrated(tmp_path: Path, source: str, **files: str) -> dict[str, str]:
    root = write_tree(tmp_path, {"app.py": source, **files})
    result, _ = migrate(root)
    for path, text in result.items():
        if path.endswith(".py"):
            compile(text, path, "exec")
    again, _ = migrate(write_tree(tmp_path / "again", result))
    assert again == result, "a second run changes the result"
    return result


# ------------------------------------------------------------------ imports
def test_parenthesised_import_whose_first_names_move_keeps_valid_syntax(tmp_path: Path) -> None:
    """`kept_names`: the names that stay keep the parentheses, one trailing comma at most."""
    files = migrated(
        tmp_path,
        """\
        from flask import (
            jsonify,
            render_template_string,  # the views use these
            Flask,
        )

        app = Flask(__name__)


        @app.route("/")
        def index():
            return jsonify(page=render_template_string("x"))
        """,
    )
    assert "from flask import (\n    Flask,\n)\n" in files["app/__init__.py"]
    assert "from flask import jsonify, render_template_string\n" in files["app/main/routes.py"]


def test_parenthesised_import_of_the_app_module_whose_first_names_move(tmp_path: Path) -> None:
    """Another module's `from app import (db, app)`: `db` goes to the extensions module, the
    rest stays in parentheses that still parse."""
    files = migrated(
        tmp_path,
        """\
        from flask import Flask
        from flask_sqlalchemy import SQLAlchemy

        app = Flask(__name__)
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite://"
        db = SQLAlchemy(app)

        import models  # noqa: E402,F401


        @app.route("/")
        def index():
            return "ok"
        """,
        **{
            "models.py": """\
            from app import (
                db,
                app,
            )


            class User(db.Model):
                id = db.Column(db.Integer, primary_key=True)


            def name():
                return app.name
            """
        },
    )
    models = next(text for path, text in files.items() if path.endswith("models.py"))
    assert "import (\n    db,\n" not in models


def test_dotted_imports_are_never_imported_from_the_app(tmp_path: Path) -> None:
    """`import dateutil.parser` binds `dateutil`: the views module imports it the same way,
    never `from app import dateutil.parser`; a helper that moves with them takes it along."""
    files = migrated(
        tmp_path,
        """\
        import dateutil.parser
        import xml.etree.ElementTree as ET
        from flask import Flask

        app = Flask(__name__)


        def parse(value):
            return dateutil.parser.parse(value)


        @app.route("/")
        def index():
            return str(dateutil.parser.parse("2020-01-01")) + ET.fromstring("<a/>").tag + parse("x")
        """,
    )
    routes = files["app/main/routes.py"]
    # stdlib and third party in isort's sections, each import whole
    assert "import xml.etree.ElementTree as ET\n\nimport dateutil.parser\n" in routes
    assert "def parse(value):" in routes
    for text in files.values():
        assert "from app import dateutil" not in text and "import dateutil.parser," not in text
    assert "dateutil" not in files["app/__init__.py"]


# ------------------------------------------------------------------ the driver
def test_config_classes_declined_for_a_name_that_moves_runs_again_before_the_factory(
    tmp_path: Path,
) -> None:
    """A view called `get_config` clashes with config.py's loader only until the views move:
    config-classes, offered again as soon as the app module changes, runs before the factory
    instead of after it (where a global app's settings are no longer there to move), so the
    secret is read from the environment."""
    root = write_tree(
        tmp_path,
        {
            "app.py": """\
            from flask import Flask

            app = Flask(__name__)
            app.secret_key = "dev-key-123"


            @app.route("/config")
            def get_config():
                return "ok"
            """
        },
    )
    files, run = migrate(root)
    assert 'os.environ.get("SECRET_KEY"' in files["config.py"]
    assert "dev-key-123" not in files["app/__init__.py"]
    assert not [step for step in run.steps if step.declined]
    names = [step.codemod.name for step in run.steps]
    assert names.index("config-classes") < names.index("factory")
    result = whole_run(Driver(run.original, discover(), Options(flask=run.options.flask)), Modes())
    assert result.status == "migrated"


# ------------------------------------------------------------------ config-classes
def test_a_split_mapping_no_longer_reads_the_secret_constant_which_goes(tmp_path: Path) -> None:
    """`update(BUILT=build_value(), STRIPE_KEY=STRIPE_KEY)`: `BUILT` stays, the secret moves;
    the constant that held its literal is read by nothing left and goes too (it was kept for
    the whole statement, and the self-check refused the secret left in the app module)."""
    project = project_of(
        """\
        from flask import Flask

        STRIPE_KEY = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"


        def build_value():
            return "built"


        app = Flask(__name__)
        app.config.update(dict(BUILT=build_value(), STRIPE_KEY=STRIPE_KEY))
        """
    )
    outcome = run_one("config-classes", project)
    module = outcome.project.text("app.py")
    assert "sk_live_" not in module and "STRIPE_KEY" not in module
    assert "app.config.update(dict(BUILT=build_value()))\n" in module
    assert not [f for f in outcome.findings if "still holds the secret" in f.message]


def test_an_entry_module_parenthesised_import_of_the_app_keeps_its_layout(tmp_path: Path) -> None:
    """`from app import (db, LIMIT, app,)` in a module that builds its own app afterwards: `db`
    goes to the extensions module, `app` becomes `create_app`, and the parentheses still close
    on their own line (the last name's comma, which holds the newline, was dropped)."""
    files = migrated(
        tmp_path,
        """\
        from flask import Flask
        from flask_sqlalchemy import SQLAlchemy

        app = Flask(__name__)
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite://"
        db = SQLAlchemy(app)
        LIMIT = 3


        @app.route("/")
        def index():
            return str(LIMIT)
        """,
        **{
            "helpers.py": """\
            from app import (
                db,
                LIMIT,
                app,
            )


            def describe():
                return app.name + str(LIMIT) + str(db)
            """
        },
    )
    assert files["helpers.py"].startswith(
        "import os\n\nfrom app import (\n    LIMIT,\n    create_app,\n)\n"
    )


def test_a_script_importing_an_app_not_called_app_builds_its_own(tmp_path: Path) -> None:
    """`server = Flask(__name__)` and `from app import server` in a script: the script builds
    `server` with the factory, as it does for an app called `app` (it kept importing a name
    that became local to create_app, and the self-check refused)."""
    files = migrated(
        tmp_path,
        """\
        from flask import Flask

        server = Flask(__name__)


        @server.route("/")
        def index():
            return "ok"
        """,
        **{"helpers.py": "from app import server\n\n\ndef describe():\n    return server.name\n"},
    )
    assert files["helpers.py"].startswith("import os\n\nfrom app import create_app\n\nserver = ")
    assert (
        'server = create_app(os.environ.get("FLASK_CONFIG", "development"))' in files["helpers.py"]
    )


def test_settings_sharing_a_line_move_one_by_one(tmp_path: Path) -> None:
    """`app.config["X"] = 1; app.secret_key = "..."` on one line: both settings move to
    config.py, the secret from the environment (the line was kept whole after the config load,
    and the self-check refused the literal secret); other statements of the line stay."""
    project = project_of(
        """\
        from flask import Flask

        app = Flask(__name__)
        app.config["X"] = 1; app.secret_key = "dev-key-a1"  # both
        print("configured"); app.debug = True
        """
    )
    outcome = run_one("config-classes", project)
    module = outcome.project.text("app.py")
    assert "dev-key-a1" not in module and "app.debug" not in module and ";" not in module
    assert 'app.config.from_object(get_config())\nprint("configured")\n' in module
    config = outcome.project.text("config.py")
    assert "    X = 1\n" in config and 'os.environ.get("SECRET_KEY"' in config
    assert "    DEBUG = True\n" in config


def test_a_constant_another_module_imports_stays_when_its_setting_moves() -> None:
    """`PER_PAGE = PER_PAGE_DEFAULT` moves to config.py with a copy of the constant; the app
    module keeps its own, which the views module imports (config-classes, offered again after
    the views moved, deleted it: `from app import PER_PAGE_DEFAULT` no longer resolved)."""
    project = project_of(
        {
            "app.py": """\
            from flask import Flask

            PER_PAGE_DEFAULT = 10
            app = Flask(__name__)
            app.config["PER_PAGE"] = PER_PAGE_DEFAULT
            """,
            "views.py": "from app import PER_PAGE_DEFAULT\n\nLIMIT = PER_PAGE_DEFAULT\n",
        }
    )
    outcome = run_one("config-classes", project)
    assert "PER_PAGE_DEFAULT = 10\n" in outcome.project.text("app.py")
    assert "    PER_PAGE = PER_PAGE_DEFAULT\n" in outcome.project.text("config.py")


def test_a_name_added_to_a_parenthesised_import_goes_on_a_line_of_its_own(tmp_path: Path) -> None:
    """`current_app` for a function that read the app joins `from flask import (...)` on its
    own line, before the closing parenthesis (it was glued on: `Flask, current_app)`)."""
    files = migrated(
        tmp_path,
        """\
        from flask import (
            Flask,
            request,
        )

        app = Flask(__name__)


        def helper(value):
            return app.config.get("DEBUG") or value


        @app.route("/")
        def index():
            return str(request.method)


        print(helper(1))
        """,
    )
    assert files["app/__init__.py"].startswith(
        "import os\n\nfrom flask import (\n    Flask,\n    current_app,\n)\n"
    )


def test_app_ctx_stack_leaving_a_parenthesised_import_keeps_its_layout() -> None:
    """legacy-idioms drops `_app_ctx_stack` and adds `g` to the same parenthesised import, one
    name a line (the last name lost its trailing comma: `(\\n    Flask, g)`)."""
    project = project_of(
        """\
        from flask import (
            _app_ctx_stack,
            Flask,
        )

        app = Flask(__name__)


        def db():
            return _app_ctx_stack.top.db
        """
    )
    module = run_one("legacy-idioms", project).project.text("app.py")
    assert module.startswith("from flask import (\n    Flask,\n    g,\n)\n")


def test_a_views_module_parenthesised_import_of_the_app_keeps_its_parentheses(
    tmp_path: Path,
) -> None:
    """`from app import (\\n    app,\\n    LIMIT,\\n    STATE,\\n)` in a module that registers
    views on the app: `app` gives way to the blueprint and the rest keep their parentheses (they
    were dropped around names split over lines: `from app import LIMIT,\\n    STATE`)."""
    root = write_tree(
        tmp_path,
        {
            "app/__init__.py": """\
            from flask import Flask

            app = Flask(__name__)
            LIMIT = 3
            STATE = []

            from app import routes  # noqa: E402,F401
            """,
            "app/routes.py": """\
            from app import (
                app,
                LIMIT,
                STATE,
            )


            @app.route("/")
            def index():
                return str(LIMIT) + str(STATE)
            """,
        },
    )
    files, _ = migrate(root)
    routes = files["app/routes.py"]
    compile(routes, "app/routes.py", "exec")
    assert routes.startswith(
        "from app import (\n    LIMIT,\n    STATE,\n)\nfrom app.main import bp\n"
    )
