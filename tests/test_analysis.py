"""Finding the app: one clear answer, or one clear line saying why not."""

from __future__ import annotations

import pytest

from flaskmod.analysis import Layout, analyze
from flaskmod.errors import FlaskmodError
from flaskmod.project import scan


def test_single_module(project) -> None:
    root = project(
        {
            "app.py": """
                import flask as fl
                from flask import Flask as F

                application = F(__name__)


                @application.route("/", endpoint="home")
                def index():
                    return ""
            """,
            "tests/test_x.py": "from flask import Flask\nother = Flask('t')\n",
        }
    )
    model = analyze(scan(root))
    assert (model.layout, model.app_path, model.app_name, model.app_line) == (
        Layout.MODULE,
        "app.py",
        "application",
        4,
    )
    assert [r.endpoint for r in model.routes] == ["home"]
    assert model.tests == ("tests/test_x.py",)


def test_package_with_global_app(project) -> None:
    root = project({"shop/__init__.py": "import flask\napp = flask.Flask(__name__)\n"})
    model = analyze(scan(root))
    assert model.layout is Layout.PACKAGE and model.import_name == "shop"


def test_existing_factory(project) -> None:
    root = project(
        {"app/__init__.py": "from flask import Flask\ndef make():\n    return Flask(__name__)\n"}
    )
    model = analyze(scan(root))
    assert model.layout is Layout.FACTORY and not model.factory_in_progress


@pytest.mark.parametrize(
    "files, message, location",
    [
        ({"x.py": "import os\n"}, "no Flask application found", None),
        (
            {"app.py": "from flask import Flask\na = Flask('a')\nb = Flask('b')\n"},
            "2 Flask apps in one module (lines 2, 3)",
            "app.py:3",
        ),
        (
            {
                "a.py": "from flask import Flask\napp = Flask('a')\n",
                "b.py": "from flask import Flask\napp = Flask('b')\n",
            },
            "Flask apps created in 2 modules",
            "b.py:2",
        ),
        (
            {
                "app.py": "from flask import Flask\napp = Flask(__name__)\n",
                "views.py": "from app import *\n",
            },
            "`from app import *` hides",
            "views.py:1",
        ),
        ({"app.py": "from flask import Flask\napp = Flask(__name__\n"}, "syntax error", "app.py:"),
    ],
)
def test_refusals(project, files: dict[str, str], message: str, location: str | None) -> None:
    root = project(files)
    with pytest.raises(FlaskmodError) as error:
        analyze(scan(root))
    assert message in str(error.value)
    if location:
        assert str(error.value).startswith(location)


def test_a_stray_app_in_a_helper_module_is_reported_and_left_alone(project) -> None:
    root = project(
        {
            "site/__init__.py": "",
            "site/core.py": "from flask import Flask\napp = Flask(__name__)\n\n\n@app.route('/')\ndef index():\n    return 'hi'\n",
            "site/filters.py": "from flask import Flask\napp = Flask(__name__)\n\n\ndef shout(s):\n    return s.upper()\n",
        }
    )
    model = analyze(scan(root))
    assert model.app_path == "site/core.py"
    assert model.other_apps == ("site/filters.py",)
    assert any(
        str(f.location) == "site/filters.py:2" and "left alone" in f.message for f in model.findings
    )


def test_a_factory_beside_a_stray_module_level_app_is_the_app(project) -> None:
    factory = "from flask import Flask\n\n\ndef create_app():\n    app = Flask(__name__)\n    return app\n"
    stray = "from flask import Flask\napp = Flask(__name__)\n"
    root = project({"site/__init__.py": factory, "site/filters.py": stray})
    model = analyze(scan(root))
    assert model.layout is Layout.FACTORY and model.app_path == "site/__init__.py"


def test_a_function_that_only_makes_a_throwaway_app_is_no_factory(project) -> None:
    helper = (
        "from flask import Flask\napp = Flask(__name__)\n\n\ndef other():\n    return Flask('x')\n"
    )
    model = analyze(scan(project({"app.py": helper})))
    assert model.layout is Layout.MODULE and model.app_path == "app.py"


def test_an_app_imported_by_other_modules_is_the_one_in_use(project) -> None:
    root = project(
        {
            "app.py": "from flask import Flask\napp = Flask(__name__)\n",
            "views.py": "from app import app\n\n\n@app.route('/')\ndef index():\n    return ''\n",
            "scratch.py": "from flask import Flask\nplayground = Flask('x')\n",
        }
    )
    assert analyze(scan(root)).app_path == "app.py"


def test_two_apps_in_use_are_refused_with_a_hint(project) -> None:
    used = "from flask import Flask\napp = Flask(__name__)\n\n\n@app.route('/')\ndef index():\n    return ''\n"
    root = project({"one.py": used, "two.py": used})
    with pytest.raises(FlaskmodError, match="choose it with --app PATH"):
        analyze(scan(root))


def test_app_option_picks_one_of_several(project) -> None:
    used = "from flask import Flask\napp = Flask(__name__)\n\n\n@app.route('/')\ndef index():\n    return ''\n"
    root = project({"one.py": used, "two.py": used})
    assert analyze(scan(root), "two.py").app_path == "two.py"
    assert analyze(scan(root), "./one.py:app").app_path == "one.py"


def test_app_option_names_the_others_and_finds_the_chosen_app_once_migrated(project) -> None:
    used = "from flask import Flask\napp = Flask(__name__)\n\n\n@app.route('/')\ndef index():\n    return ''\n"
    factory = "from flask import Flask\n\n\ndef create_app():\n    app = Flask(__name__)\n    return app\n"
    root = project({"one.py": used, "two.py": used})
    model = analyze(scan(root), "two.py")
    assert model.other_apps == ("one.py",)
    assert any("not the one chosen with --app" in f.message for f in model.findings)
    migrated = project({"one.py": used, "two/__init__.py": factory})
    model = analyze(scan(migrated), "two.py")
    assert model.layout is Layout.FACTORY and model.app_path == "two/__init__.py"


def test_app_option_naming_nothing_is_refused(project) -> None:
    root = project({"one.py": "from flask import Flask\napp = Flask(__name__)\n"})
    with pytest.raises(FlaskmodError, match=r"--app two\.py: no module-level Flask app there"):
        analyze(scan(root), "two.py")
