"""package: app.py → app/__init__.py with resources and __file__ paths where they were."""

from __future__ import annotations

import pytest

from flaskmod.codemods import package
from flaskmod.errors import FlaskmodError
from tests.codemods.tools import check_noop, context_for, project_of, run_one

APP = "from flask import Flask\napp = Flask(__name__)\n"
ROOTED = (
    "app = Flask(__name__, root_path=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))"
)


def _moved(before: str | dict[str, str], path: str = "app/__init__.py", **kw: str) -> str:
    outcome = run_one("package", project_of(before), **kw)
    return outcome.project.text(path)


def test_module_becomes_a_package_recorded_as_a_move() -> None:
    outcome = run_one("package", project_of(APP))
    assert "app.py" not in outcome.project.files
    assert outcome.project.source_of("app/__init__.py") == "app.py"
    assert (
        outcome.project.text("app/__init__.py") == f"from flask import Flask\nimport os\n{ROOTED}\n"
    )


def test_existing_os_import_is_reused() -> None:
    text = _moved("import os\nfrom flask import Flask\napp = Flask(__name__)\n")
    assert text.count("import os") == 1


def test_flask_imported_as_module_gets_root_path() -> None:
    text = _moved("import flask\napp = flask.Flask(__name__)\n")
    assert "app = flask.Flask(__name__, root_path=os.path.dirname(" in text


def test_existing_root_path_is_kept() -> None:
    text = _moved("from flask import Flask\napp = Flask(__name__, root_path='/srv')\n")
    assert "app = Flask(__name__, root_path='/srv')\n" in text


def test_os_path_dirname_file_is_reanchored() -> None:
    text = _moved(
        "import os\nfrom flask import Flask\nbasedir = os.path.abspath(os.path.dirname(__file__))\n"
        "app = Flask(__name__)\n"
    )
    assert "basedir = os.path.abspath(os.path.dirname(os.path.dirname(__file__)))" in text


def test_pathlib_parent_is_reanchored() -> None:
    text = _moved(
        "from pathlib import Path\nfrom flask import Flask\nHERE = Path(__file__).resolve().parent\n"
        "app = Flask(__name__)\n"
    )
    assert "HERE = Path(__file__).resolve().parent.parent" in text


def test_file_inside_a_function_is_reanchored() -> None:
    text = _moved(
        "import os\nfrom flask import Flask\napp = Flask(__name__)\n"
        "def schema():\n    return os.path.join(os.path.dirname(__file__), 'schema.sql')\n"
    )
    assert "os.path.join(os.path.dirname(os.path.dirname(__file__)), 'schema.sql')" in text


def test_other_file_uses_are_reported() -> None:
    outcome = run_one("package", project_of("from flask import Flask\nNAME = __file__\n" + APP))
    assert any("could not re-anchor" in f.message for f in outcome.findings)


def test_main_block_run_becomes_a_hint() -> None:
    outcome = run_one(
        "package",
        project_of(APP + "if __name__ == '__main__':\n    app.run(debug=True, port=8000)\n"),
    )
    assert "__main__" not in outcome.project.text("app/__init__.py")
    messages = [f.message for f in outcome.findings]
    assert (
        "`python app.py` is gone: run `flask --app app --debug run --port 8000` instead" in messages
    )


def test_main_block_hint_on_old_flask_uses_flask_app() -> None:
    outcome = run_one(
        "package", project_of(APP + "if __name__ == '__main__':\n    app.run(debug=True)\n"), "1.1"
    )
    assert any("FLASK_APP=app FLASK_DEBUG=1 flask run" in f.message for f in outcome.findings)


def test_main_block_other_statements_become_a_command() -> None:
    text = _moved(
        APP
        + "def init_db():\n    pass\n"
        + "if __name__ == '__main__':\n    init_db()\n    app.run()\n"
    )
    assert '@app.cli.command("init-db")\ndef init_db_command():' in text
    assert (
        '    """What `python app.py` used to run before starting the server."""\n    init_db()\n'
        in text
    )
    assert "app.run" not in text


def test_plan_says_where_and_what() -> None:
    project = project_of(
        "import os\nfrom flask import Flask\nBASE = os.path.dirname(__file__)\napp = Flask(__name__)\n"
        "if __name__ == '__main__':\n    app.run()\n"
    )
    plan = package.plan(context_for(project))
    assert plan is not None
    assert (plan.new_path, plan.file_users, plan.creation) == ("app/__init__.py", (2,), 3)
    assert plan.main is not None and plan.main.kept == () and plan.main.run_args == ()


@pytest.mark.parametrize("stem, name", [("blog", "blog"), ("wsgi", "app"), ("config", "app")])
def test_package_name_avoids_reserved_names(stem: str, name: str) -> None:
    outcome = run_one("package", project_of({f"{stem}.py": APP}))
    assert f"{name}/__init__.py" in outcome.project.files


def test_app_in_a_subfolder_stays_in_that_folder() -> None:
    outcome = run_one("package", project_of({"src/site.py": APP}))
    assert "src/site/__init__.py" in outcome.project.files


def test_existing_folder_of_that_name_is_refused() -> None:
    with pytest.raises(FlaskmodError, match="that folder exists"):
        run_one("package", project_of({"app.py": APP, "app/data.txt": "x"}))


def test_package_layout_is_left_alone() -> None:
    check_noop("package", {"app/__init__.py": APP})


def test_factory_is_left_alone() -> None:
    check_noop(
        "package", "from flask import Flask\ndef create_app():\n    return Flask(__name__)\n"
    )


def test_other_if_blocks_stay() -> None:
    text = _moved(APP + "if DEBUG := False:\n    app.debug = True\n")
    assert "if DEBUG := False:" in text


def test_a_main_guard_comparing_something_else_stays() -> None:
    text = _moved(APP + "if __name__ == 'app':\n    pass\n")
    assert "if __name__ == 'app':" in text


def test_a_second_flask_call_in_a_function_does_not_get_root_path() -> None:
    text = _moved(APP + "def other():\n    return Flask('other')\n")
    assert "return Flask('other')\n" in text


def test_flask_0_10_sets_the_root_path_after_creation() -> None:
    text = _moved(APP + "x = 1\n", flask="0.10")
    assert text == (
        "from flask import Flask\nimport os\napp = Flask(__name__)\n"
        "app.root_path = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))\n"
        "app.config.root_path = app.root_path\nx = 1\n"
    )


def test_flask_0_11_takes_root_path_as_an_argument() -> None:
    assert ROOTED in _moved(APP, flask="0.11")


def test_flask_0_10_gets_a_plain_function_for_the_main_block() -> None:
    outcome = run_one(
        "package",
        project_of(
            APP
            + "def init_db():\n    pass\nif __name__ == '__main__':\n    init_db()\n    app.run()\n"
        ),
        flask="0.10",
    )
    text = outcome.project.text("app/__init__.py")
    assert "cli.command" not in text
    assert "def init_db_command():" in text
    assert any("has no `flask` command line" in f.message for f in outcome.findings)


def test_relative_imports_go_one_level_deeper() -> None:
    project = project_of(
        {
            "site/__init__.py": "",
            "site/helpers.py": "H = 1\n",
            "site/core.py": "from flask import Flask\nfrom . import helpers\n"
            "from .helpers import H\napp = Flask(__name__)\n",
        }
    )
    text = run_one("package", project).project.text("site/core/__init__.py")
    assert "from .. import helpers\nfrom ..helpers import H\n" in text


def test_absolute_imports_are_not_touched_by_the_move() -> None:
    text = _moved("import os.path\nfrom os import path\n" + APP)
    assert "import os.path\nfrom os import path\n" in text


def test_argument_parsing_for_app_run_goes_with_it() -> None:
    outcome = run_one(
        "package",
        project_of(
            "import argparse\n" + APP + "if __name__ == '__main__':\n"
            "    parser = argparse.ArgumentParser()\n"
            "    parser.add_argument('--port', type=int, default=5000)\n"
            "    args = parser.parse_args()\n"
            "    app.run(port=args.port, host='0.0.0.0')\n"
        ),
    )
    text = outcome.project.text("app/__init__.py")
    assert "ArgumentParser()" not in text and "cli.command" not in text
    messages = [f.message for f in outcome.findings]
    assert "`python app.py` is gone: run `flask --app app run --host 0.0.0.0` instead" in messages


def test_statements_not_feeding_app_run_stay_a_command() -> None:
    text = _moved(
        APP + "def init_db():\n    pass\n"
        "if __name__ == '__main__':\n    port = 5000\n    init_db()\n    app.run(port=port)\n"
    )
    assert '@app.cli.command("init-db")' in text and "port = 5000" not in text


def test_a_string_naming_the_moved_file_names_its_new_path() -> None:
    project = project_of({"app.py": APP, "tests/test_src.py": "SOURCE = open('app.py').read()\n"})
    outcome = run_one("package", project)
    assert outcome.project.text("tests/test_src.py") == (
        "SOURCE = open('app/__init__.py').read()\n"
    )


def test_strings_merely_containing_the_path_stay() -> None:
    text = "A = 'see app.py'\nB = 'myapp.py'\n"
    project = project_of({"app.py": APP, "notes.py": text})
    assert run_one("package", project).project.text("notes.py") == text


def test_a_server_wrappers_run_of_the_app_becomes_the_flask_run_hint() -> None:
    outcome = run_one(
        "package",
        project_of(
            "from flask_socketio import SocketIO\n" + APP + "socketio = SocketIO(app)\n"
            "if __name__ == '__main__':\n    socketio.run(app, port=8000)\n"
        ),
    )
    text = outcome.project.text("app/__init__.py")
    assert "socketio.run" not in text and "cli.command" not in text
    messages = [f.message for f in outcome.findings]
    assert "`python app.py` is gone: run `flask --app app run --port 8000` instead" in messages


def test_running_something_else_with_the_app_stays_a_command() -> None:
    text = _moved(APP + "if __name__ == '__main__':\n    seed(app)\n    app.run()\n")
    assert '@app.cli.command("seed")' in text
