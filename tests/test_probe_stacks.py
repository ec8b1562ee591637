"""The probe and `flaskmod verify` on real old stacks: Flask 0.10 on Python 3.7, Flask 1.1 on 3.8.

The venvs are built from tests/stacks/*.txt with the pinned-stack helper (cached by content,
skipped offline, failing in CI when the index cannot be reached); the base interpreters come from
pyenv (`~/.pyenv/versions/3.7.*`), as on the project's machines.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from flaskmod.cli import main
from flaskmod.verify.runner import PROBE
from tests.conftest import write_tree
from tests.e2e.test_pinned_stacks import _env, stack

pytestmark = [pytest.mark.network, pytest.mark.slow]

STACKS = Path(__file__).parent / "stacks"
BASE_PYTHON = {"flask010-py37": "3.7", "flask11-py38": "3.8"}


def base_python(version: str) -> str:
    """An interpreter of that minor version: on PATH, else pyenv's."""
    pyenv = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    candidates = [shutil.which(f"python{version}") or ""]
    candidates += [str(p / "bin" / "python") for p in sorted(pyenv.glob(f"{version}.*"))]
    for candidate in filter(None, candidates):
        done = subprocess.run([candidate, "--version"], capture_output=True, timeout=30)
        if done.returncode == 0:
            return candidate
    message = f"no Python {version} on this machine (PATH or pyenv)"
    if os.environ.get("CI") == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(params=sorted(BASE_PYTHON))
def old_python(request: pytest.FixtureRequest) -> Path:
    name: str = request.param
    return stack(STACKS / f"{name}.txt", base_python(BASE_PYTHON[name]))


#: everything an app of Flask 0.10's time registers, in the style of that time
LEGACY = """\
    from flask import Blueprint, Flask

    app = Flask(__name__)
    app.config["SECRET_KEY"] = "dev-secret-1234"
    admin = Blueprint("admin", __name__)


    @admin.route("/panel")
    def panel():
        return "panel"


    @admin.errorhandler(403)
    def forbidden(e):
        return "no", 403


    app.register_blueprint(admin, url_prefix="/admin")


    @app.route("/")
    def index():
        return "hello " + "shout".upper()


    @app.errorhandler(404)
    def not_found(e):
        return "missing", 404


    @app.errorhandler(KeyError)
    def key_error(e):
        return "key", 500


    @app.before_first_request
    def warm():
        pass


    @app.teardown_appcontext
    def close(exc):
        pass


    @app.template_filter("shout")
    def shout(s):
        return s.upper()


    @app.url_value_preprocessor
    def pull(endpoint, values):
        pass
    """


def probe(python: Path, root: Path, *arguments: str) -> dict[str, Any]:
    done = subprocess.run(
        [str(python), str(PROBE), *arguments],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        env=_env(),
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_the_probe_describes_an_app_of_that_time(old_python: Path, tmp_path: Path) -> None:
    root = write_tree(tmp_path / "legacy", {"app.py": LEGACY})
    description = probe(old_python, root, "app:app", "--responses")
    assert description["error_handlers"] == {
        "404": "not_found",
        "KeyError": "key_error",
        "admin:403": "forbidden",
    }
    assert description["before_first_request"] == ["warm"]
    assert description["teardown_appcontext"] == ["close"]
    assert description["url_value_preprocessors"] == {"None": ["pull"]}
    assert "shout" in description["template_filters"]
    assert description["cli_commands"] == [] and description["blueprints"] == ["admin"]
    assert description["responses"]["/"]["body"] == "hello SHOUT"
    assert description["responses"]["/admin/panel"]["stable"] is True


#: the same app as flaskmod would migrate it for Flask 0.10 (no `app.cli`, no from_mapping)
MIGRATED = {
    "app/__init__.py": """\
        from flask import Flask

        from config import get_config


        def create_app(config_name="development"):
            app = Flask(__name__)
            app.config.from_object(get_config(config_name))
            from app.admin import admin
            from app.main import main, close

            app.register_blueprint(admin, url_prefix="/admin")
            app.register_blueprint(main)
            app.teardown_appcontext(close)
            return app
        """,
    "app/admin.py": """\
        from flask import Blueprint

        admin = Blueprint("admin", __name__)


        @admin.route("/panel")
        def panel():
            return "panel"


        @admin.errorhandler(403)
        def forbidden(e):
            return "no", 403
        """,
    "app/main.py": """\
        from flask import Blueprint

        main = Blueprint("main", __name__)


        @main.route("/")
        def index():
            return "hello " + "shout".upper()


        @main.app_errorhandler(404)
        def not_found(e):
            return "missing", 404


        @main.app_errorhandler(KeyError)
        def key_error(e):
            return "key", 500


        @main.before_app_first_request
        def warm():
            pass


        def close(exc):
            pass


        @main.app_template_filter("shout")
        def shout(s):
            return s.upper()


        @main.app_url_value_preprocessor
        def pull(endpoint, values):
            pass
        """,
    "config.py": """\
        import os

        _DEVELOPMENT_DEFAULTS = {"SECRET_KEY": "dev-secret-1234"}


        class BaseConfig:
            SECRET_KEY = os.environ.get("SECRET_KEY", _DEVELOPMENT_DEFAULTS["SECRET_KEY"])

            @classmethod
            def validate(cls):
                pass


        class DevelopmentConfig(BaseConfig):
            pass


        class ProductionConfig(BaseConfig):
            @classmethod
            def validate(cls):
                if cls.SECRET_KEY == _DEVELOPMENT_DEFAULTS["SECRET_KEY"]:
                    raise RuntimeError("SECRET_KEY must be set in the environment")


        config_by_name = {"development": DevelopmentConfig, "production": ProductionConfig}


        def get_config(name=None):
            config_class = config_by_name[name or os.environ.get("FLASK_CONFIG", "development")]
            config_class.validate()
            return config_class
        """,
    "wsgi.py": """\
        import os

        from app import create_app

        application = create_app(os.environ.get("FLASK_CONFIG", "production"))
        """,
    ".env.example": "FLASK_CONFIG=development\nSECRET_KEY=\n",
}


def test_verify_on_that_stack_end_to_end(
    old_python: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable in ("FLASK_CONFIG", "SECRET_KEY"):
        monkeypatch.delenv(variable, raising=False)
    original = write_tree(tmp_path / "original", {"app.py": LEGACY})
    migrated = write_tree(tmp_path / "migrated", MIGRATED)
    arguments = ["verify", str(migrated), "--original", str(original), "--python", str(old_python)]
    result = CliRunner().invoke(main, [*arguments, "--json"])
    report = json.loads(result.stdout)
    assert report["differences"] == [], report
    assert result.exit_code == 0
    checks = {(row["check"], row["item"]): row for row in report["checks"]}
    assert checks["endpoint", "index"]["migrated"] == "main.index"
    assert checks["error handler", "403 (blueprint admin)"]["status"] == "same"
    assert checks["production", "SECRET_KEY"]["migrated"] == "config SECRET_KEY"
    assert checks["production", "without SECRET_KEY"]["migrated"].startswith(
        "refuses: RuntimeError"
    )
