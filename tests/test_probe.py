"""`probe.py` on every Flask's shapes, factories by their signature, failures as JSON.

Most tests call the probe's functions in process on a Flask 3 app made to look older (the
attributes Flask 0.10 lacks deleted, its `error_handler_spec` shapes written in); a few run it as
the subprocess verify runs. Real old stacks: test_probe_stacks.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from flask import Blueprint, Flask

from flaskmod import probe
from tests.conftest import write_tree

PROBE = Path(probe.__file__)


def run_probe(root: Path, *arguments: str) -> tuple[int, dict[str, Any], str]:
    done = subprocess.run(
        [sys.executable, str(PROBE), *arguments],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done.returncode, json.loads(done.stdout), done.stderr


def not_found(error: Exception) -> tuple[str, int]:
    return "missing", 404


def key_error(error: Exception) -> tuple[str, int]:
    return "key", 500


def forbidden(error: Exception) -> tuple[str, int]:
    return "no", 403


# ------------------------------------------------------------------------- error handler shapes
SHAPES = {
    # Flask 0.11 to 3.x: {scope: {code or None: {exception class: handler}}}
    "class maps": {
        None: {404: {LookupError: not_found}, None: {KeyError: key_error}},
        "admin": {403: {PermissionError: forbidden}},
    },
    # Flask 0.10: {scope: {code: handler, None: [(exception class, handler)]}}
    "0.10": {
        None: {404: not_found, None: [(KeyError, key_error)]},
        "admin": {403: forbidden},
    },
}


@pytest.mark.parametrize("shape", SHAPES)
def test_error_handlers_in_every_flask_shape(shape: str) -> None:
    app = Flask(__name__)
    app.error_handler_spec = SHAPES[shape]  # type: ignore[assignment]
    assert probe._handlers(app) == {
        "404": "not_found",
        "KeyError": "key_error",
        "admin:403": "forbidden",
    }


def test_no_error_handler_spec_at_all() -> None:
    class Bare:
        pass

    assert probe._handlers(Bare()) == {}


def old_flask_app() -> Flask:
    """A Flask 3 app without what Flask 0.10 lacks (`cli`, shell context processors)."""
    app = Flask(__name__)
    bp = Blueprint("admin", __name__)
    bp.add_url_rule("/panel", "panel", lambda: "panel")
    app.register_blueprint(bp, url_prefix="/admin")
    app.teardown_appcontext(lambda exc: None)
    del app.cli, app.shell_context_processors, app.teardown_appcontext_funcs
    return app


def test_describe_reads_version_dependent_attributes_with_defaults() -> None:
    app = old_flask_app()
    description = probe.describe(app, with_responses=False)
    assert description["cli_commands"] == []
    assert description["shell_context_processors"] == []
    assert description["teardown_appcontext"] == []
    assert description["before_first_request"] == []  # gone in Flask 2.3
    assert description["blueprints"] == ["admin"]
    assert [r["endpoint"] for r in description["rules"]] == ["admin.panel", "static"]


def test_url_processors_and_shell_context_are_described() -> None:
    app = Flask(__name__)

    @app.url_value_preprocessor
    def pull_lang(endpoint: str | None, values: dict[str, Any] | None) -> None:
        pass

    @app.shell_context_processor
    def shell() -> dict[str, Any]:
        return {}

    description = probe.describe(app, with_responses=False)
    assert description["url_value_preprocessors"] == {"None": ["pull_lang"]}
    assert description["shell_context_processors"] == ["shell"]


def test_responses_say_whether_a_body_can_be_compared() -> None:
    app = Flask(__name__)
    counter = iter(range(100))
    app.add_url_rule("/same", "same", lambda: "hello")
    app.add_url_rule("/counter", "counter", lambda: str(next(counter)))
    responses = probe.describe(app, with_responses=True)["responses"]
    assert responses["/same"]["stable"] is True and responses["/same"]["body"] == "hello"
    assert responses["/counter"]["stable"] is False


def test_a_body_stamped_to_the_second_is_not_compared() -> None:
    app = Flask(__name__)
    app.add_url_rule("/now", "now", lambda: str(int(time.time())))
    assert probe.describe(app, with_responses=True)["responses"]["/now"]["stable"] is False


def test_json_bodies_compare_by_content_not_key_order() -> None:
    def app_with(order: list[str]) -> Flask:
        app = Flask(__name__)
        body = "{" + ", ".join(f'"{key}": [1, 2]' for key in order) + "}"
        app.add_url_rule("/spec", "spec", lambda: (body, 200, {"Content-Type": "application/json"}))
        app.add_url_rule("/text", "text", lambda: body)
        return app

    one = probe.describe(app_with(["put", "delete"]), with_responses=True)["responses"]
    two = probe.describe(app_with(["delete", "put"]), with_responses=True)["responses"]
    assert one["/spec"]["sha256"] == two["/spec"]["sha256"]
    assert one["/text"]["sha256"] != two["/text"]["sha256"]


def test_bodies_are_saved_whole_and_a_second_sample_makes_one_round(tmp_path: Path) -> None:
    """The JSON keeps the start of a body; a difference further on is read from the file."""
    app = Flask(__name__)
    long_page = "x" * probe.BODY_CHARACTERS + "the end"
    app.add_url_rule("/long", "long", lambda: long_page)
    calls = iter(range(100))
    app.add_url_rule("/count", "count", lambda: str(next(calls)))
    responses = probe.describe(app, True, bodies=str(tmp_path), single_round=True)["responses"]
    assert (tmp_path / responses["/long"]["sha256"]).read_text() == long_page
    assert "stable" not in responses["/long"]
    assert responses["/count"]["body"] == "0" and next(calls) == 1  # one GET each
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        r["sha256"] for r in responses.values()
    )


# ------------------------------------------------------------------------- factory signatures
def tutorial(test_config: Any = None) -> None: ...
def named(config_name: str = "development") -> None: ...
def env_first(env: str | None = None, debug: bool = False) -> None: ...
def string_default(settings: str = "config.Dev") -> None: ...
def required(anything: Any) -> None: ...
def keyword_only(*, config: str = "development") -> None: ...
def bare() -> None: ...
def variadic(**overrides: Any) -> None: ...
def config_class(config_class: type = object) -> None: ...


@pytest.mark.parametrize(
    ("factory", "arguments"),
    [
        (tutorial, ([], {})),
        (named, (["production"], {})),
        (env_first, (["production"], {})),
        (string_default, (["production"], {})),
        (required, (["production"], {})),
        (keyword_only, ([], {"config": "production"})),
        (bare, ([], {})),
        (variadic, ([], {})),
        (config_class, ([], {})),
    ],
)
def test_factory_gets_the_config_name_only_when_it_takes_one(
    factory: Any, arguments: tuple[list[Any], dict[str, Any]]
) -> None:
    assert probe.factory_arguments(factory, "production") == arguments


TUTORIAL = {
    "flaskr/__init__.py": """\
        import os

        from flask import Flask


        def create_app(test_config=None):
            app = Flask(__name__, instance_relative_config=True)
            app.config.from_mapping(SECRET_KEY="dev")
            if test_config is None:
                app.config.from_pyfile("config.py", silent=True)
            else:
                app.config.from_mapping(test_config)

            @app.route("/hello")
            def hello():
                return "Hello, World!"

            return app
        """,
}


def test_a_tutorial_factory_is_called_without_the_config_name(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "tutorial", TUTORIAL)
    code, description, err = run_probe(root, "flaskr:create_app", "--config", "development")
    assert code == 0, err
    assert description["call"] == "flaskr:create_app()"
    assert "/hello" in [r["rule"] for r in description["rules"]]


# ------------------------------------------------------------------------- failures as JSON
def test_a_failing_app_is_described_as_json_with_its_traceback(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "p",
        {
            "app.py": """\
                from flask import Flask

                def create_app(config_name):
                    print("noise on stdout")
                    raise RuntimeError("SECRET_KEY must be set")
                """
        },
    )
    code, output, err = run_probe(root, "app:create_app", "--config", "production")
    assert code == probe.EXIT_ERROR
    error = output["error"]
    assert error["call"] == "app:create_app('production')"
    assert (error["kind"], error["type"]) == ("exception", "RuntimeError")
    assert error["traceback"][-1] == "RuntimeError: SECRET_KEY must be set"
    assert "RuntimeError: SECRET_KEY must be set" in err


def test_no_flask_in_the_interpreter_is_its_own_kind(tmp_path: Path) -> None:
    """`python -I -S`: no site-packages, so no Flask, as in a pipx-installed flaskmod's Python."""
    root = write_tree(
        tmp_path / "p", {"app.py": "from flask import Flask\napp = Flask(__name__)\n"}
    )
    done = subprocess.run(
        [sys.executable, "-S", str(PROBE), "app:app"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == probe.EXIT_ERROR
    assert json.loads(done.stdout)["error"]["kind"] == "no-flask"


def test_environ_report_compares_values_inside_the_probe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = Flask(__name__)
    app.config.update(SECRET_KEY="s3cret-value", SQLALCHEMY_DATABASE_URI="sqlite:///x.db")
    monkeypatch.setenv("SECRET_KEY", "s3cret-value")
    monkeypatch.setenv("DATABASE_URL", "sqlite:///x.db")
    monkeypatch.setenv("API_TOKEN", "never-read")
    report = probe.environ_report(app, ["SECRET_KEY", "DATABASE_URL", "API_TOKEN"])
    assert report["environ"] == {
        "SECRET_KEY": ["SECRET_KEY"],
        "DATABASE_URL": ["SQLALCHEMY_DATABASE_URI"],
        "API_TOKEN": [],
    }
    assert report["debug"] is False
    assert "s3cret" not in json.dumps(report)


def test_first_existing_attribute_of_a_list_is_loaded(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "p",
        {"wsgi.py": "from flask import Flask\napp = Flask(__name__)\n"},
    )
    code, output, err = run_probe(root, "wsgi:application,app", "--environ", "")
    assert code == 0, err
    assert output["call"] == "wsgi:app" and output["environ"] == {}
