"""package: app.py → app/__init__.py with resources and __file__ paths where they were."""

from __future__ import annotations

import pytest

from flaskmod.errors import FlaskmodError
from tests.conftest import dedent, migrate

ONLY = ["package"]


def test_module_becomes_package_with_root_path(project) -> None:
    root = project(
        {
            "app.py": """
                from flask import Flask

                app = Flask(__name__)


                @app.route("/")
                def index():
                    return "hi"
            """
        }
    )
    files, run = migrate(root, only=ONLY)
    assert "app.py" not in files
    assert files["app/__init__.py"] == dedent(
        """
        from flask import Flask
        import os

        app = Flask(__name__, root_path=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


        @app.route("/")
        def index():
            return "hi"
        """
    )
    assert run.final.source_of("app/__init__.py") == "app.py"


def test_file_relative_directories_are_reanchored(project) -> None:
    root = project(
        {
            "app.py": """
                import os
                from pathlib import Path
                from flask import Flask

                basedir = os.path.abspath(os.path.dirname(__file__))
                HERE = Path(__file__).resolve().parent
                app = Flask(__name__)
            """
        }
    )
    files, _ = migrate(root, only=ONLY)
    text = files["app/__init__.py"]
    assert "basedir = os.path.abspath(os.path.dirname(os.path.dirname(__file__)))" in text
    assert "HERE = Path(__file__).resolve().parent.parent" in text


def test_other_file_uses_are_reported(project) -> None:
    root = project({"app.py": "from flask import Flask\nNAME = __file__\napp = Flask(__name__)\n"})
    _, run = migrate(root, only=ONLY)
    assert any("could not re-anchor" in f.message for f in run.findings)


def test_main_block_run_goes_and_other_statements_become_a_command(project) -> None:
    root = project(
        {
            "app.py": """
                from flask import Flask

                app = Flask(__name__)


                def init_db():
                    pass


                if __name__ == "__main__":
                    init_db()
                    app.run(debug=True, port=8000)
            """
        }
    )
    files, run = migrate(root, only=ONLY)
    text = files["app/__init__.py"]
    assert "__main__" not in text.replace("python app.py", "")
    assert '@app.cli.command("init-db")\ndef init_db_command():' in text
    assert "    init_db()\n" in text
    assert "app.run" not in text
    messages = [f.message for f in run.findings]
    assert any("flask --app app --debug run --port 8000" in m for m in messages)


def test_existing_root_path_is_kept(project) -> None:
    root = project({"app.py": "from flask import Flask\napp = Flask(__name__, root_path='/srv')\n"})
    files, _ = migrate(root, only=ONLY)
    assert "app = Flask(__name__, root_path='/srv')\n" in files["app/__init__.py"]


@pytest.mark.parametrize("stem, package", [("blog", "blog"), ("wsgi", "app"), ("config", "app")])
def test_package_name(project, stem: str, package: str) -> None:
    root = project({f"{stem}.py": "from flask import Flask\napp = Flask(__name__)\n"})
    files, _ = migrate(root, only=ONLY)
    assert f"{package}/__init__.py" in files


def test_existing_folder_of_that_name_is_refused(project) -> None:
    root = project(
        {"app.py": "from flask import Flask\napp = Flask(__name__)\n", "app/data.txt": "x"}
    )
    with pytest.raises(FlaskmodError, match="that folder exists"):
        migrate(root, only=ONLY)


def test_package_layout_is_left_alone(project) -> None:
    root = project({"app/__init__.py": "from flask import Flask\napp = Flask(__name__)\n"})
    _, run = migrate(root, only=ONLY)
    assert run.nothing_to_do
