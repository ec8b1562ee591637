"""Regressions found by tests/test_fuzz.py: app-module names that equal names the codemods write.

Each broke the migrated app silently (it compiled, then failed on import or served nothing): a
view named `bp` shadowed the blueprint in routes.py, a helper named `create_app` replaced the
factory, a view named `get_config` replaced the settings loader. Each codemod now declines and
says which name to rename; the rest of the migration still happens.
"""

from __future__ import annotations

from tests.conftest import migrate


def _manual(outcome, codemod: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(f) for f in outcome.findings if f.codemod == codemod]


def test_a_view_named_bp_stays_on_the_app(project) -> None:
    files, outcome = migrate(
        project(
            {
                "app.py": """
                    from flask import Flask

                    app = Flask(__name__)


                    @app.get("/")
                    def bp():
                        return "hello"
                """
            }
        )
    )
    assert "app/main/routes.py" not in files
    assert any(
        "`bp` would shadow the blueprint" in f and f.startswith("app/__init__.py:")
        for f in _manual(outcome, "blueprints")
    )
    assert '    @app.get("/")\n    def bp():' in files["app/__init__.py"]  # inside create_app


def test_a_helper_named_create_app_keeps_the_global_app(project) -> None:
    files, outcome = migrate(
        project(
            {
                "app.py": """
                    from flask import Flask

                    app = Flask(__name__)


                    @app.route("/")
                    def index():
                        return "hello"


                    def create_app(value):
                        return value
                """
            }
        )
    )
    module = files["app/__init__.py"]
    assert module.count("def create_app(") == 1 and "app = Flask(" in module
    assert "wsgi.py" not in files
    assert any("`create_app` is already defined here" in f for f in _manual(outcome, "factory"))
    compile(module, "app/__init__.py", "exec")


def test_a_function_named_get_config_that_stays_keeps_the_settings_in_place(project) -> None:
    """A view called `get_config` moves to the blueprint and the clash goes with it
    (test_fuzz_regressions); a function of the app module that stays keeps it."""
    files, outcome = migrate(
        project(
            {
                "app.py": """
                    from flask import Flask

                    app = Flask(__name__)
                    app.config["GREETING"] = "hi"


                    def get_config():
                        return "hello"


                    print(get_config())
                """
            }
        )
    )
    assert "config.py" not in files
    assert 'app.config["GREETING"] = "hi"' in files["app/__init__.py"]
    assert "from config import get_config" not in files["app/__init__.py"]
    found = _manual(outcome, "config-classes")
    assert any(f.startswith("app.py:7: `get_config` is already defined here") for f in found)


def test_a_declined_codemod_applies_in_a_later_pass_and_a_second_run_is_empty(project) -> None:
    """Found by fuzzing: `config-classes` declines while a view named `get_config` sits in the
    app module; `blueprints` then moves that view away, and `factory` declines (a helper named
    `create_app`). Passes run until nothing changes, so a second run has nothing left to do."""
    root = project(
        {
            "app.py": """
                from flask import Flask

                app = Flask(__name__)
                app.debug = True


                @app.route("/")
                def get_config():
                    return "hello"


                def create_app(value):
                    return value
            """
        }
    )
    files, first = migrate(root)
    assert "config.py" in files
    assert "app.config.from_object(get_config())" in files["app/__init__.py"]
    messages = [f.message for f in first.findings]
    assert not any("`get_config` is already defined" in m for m in messages)
    assert any("`create_app` is already defined" in m for m in messages)
    for path, text in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    (root / "app.py").unlink()
    _, second = migrate(root)
    assert second.nothing_to_do
