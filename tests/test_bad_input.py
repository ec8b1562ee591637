"""Input flaskmod must not migrate: one line naming file:line, exit 2, not one byte written.

Python 2 source is recognised as such (the fix is 2to3, not a typo hunt). An app object that is
rebound or handed to functions flaskmod cannot see into is refused unless `--force`, which
migrates the rest and lists those places as manual steps.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from flaskmod.analysis import analyze
from flaskmod.cli import main
from flaskmod.project import scan
from tests.conftest import write_tree
from tests.e2e.test_fixtures import tree

HEAD = "from flask import Flask\n\napp = Flask(__name__)\n"
VIEW = '\n\n@app.route("/")\ndef index():\n    return "hi"\n'


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _refused(root: Path, *options: str) -> str:
    """Run `upgrade --apply`, check it refused without writing, and return stderr."""
    before = tree(root)
    code, out, err = invoke("upgrade", str(root), "--apply", *options)
    assert code == 2, err
    assert out == ""
    assert tree(root) == before
    return err


@pytest.mark.parametrize(
    "source, line, construct",
    [
        (
            'import os\nfrom flask import Flask\n\nprint "starting"\napp = Flask(__name__)\n',
            4,
            "print",
        ),
        (HEAD + "try:\n    import json\nexcept ImportError, e:\n    json = None\n", 6, "except"),
        (HEAD + "VERSION = `1`\n", 4, "backticks"),
        (HEAD + 'exec "x = 1"\n', 4, "exec"),
        (HEAD + "def f():\n    print >>sys.stderr, 'x'\n", 5, "print"),  # parses as Python 3
        (HEAD + 'if app.debug <> True:\n    raise ValueError, "x"\n', 4, "<>"),
    ],
)
def test_python2_is_named_with_the_way_out(
    tmp_path: Path, source: str, line: int, construct: str
) -> None:
    root = write_tree(tmp_path / "p", {"app.py": source})
    err = _refused(root)
    assert err.startswith(f"error: app.py:{line}: looks like Python 2 ("), err
    assert construct in err and "2to3" in err
    assert err.count("\n") == 1


def test_a_docstring_mentioning_print_is_not_python2(tmp_path: Path) -> None:
    """Only tokens count: prose inside a string is not a statement."""
    doc = '"""Usage:\n\nprint the report with\n    print x\n"""\n'
    root = write_tree(tmp_path / "p", {"app.py": doc + HEAD + "def oops(:\n    pass\n"})
    err = _refused(root)
    assert "syntax error" in err and "Python 2" not in err


@pytest.mark.parametrize(
    "statement, shown",
    [
        ("app = ProxyFix(app)", "`app = ProxyFix(app)` rebinds the app"),
        ("app = wrap(app, 'x')", "`app = wrap(app, 'x')` rebinds the app"),
        ("app, other = ProxyFix(app), 1", "rebinds the app"),
        ("register(app)", "`register(app)` hands the app to a function"),
        ("admin_setup.setup_admin(app)", "`admin_setup.setup_admin(app)` hands the app"),
        ("views.init(app=app)", "hands the app"),
        ("def late():\n    global app\n    app = ProxyFix(app)", "rebinds the app"),
    ],
)
def test_rebinding_or_handing_out_the_app_is_refused_unless_forced(
    tmp_path: Path, statement: str, shown: str
) -> None:
    header = (
        "import admin_setup\nimport views\nfrom werkzeug.middleware.proxy_fix import ProxyFix\n"
    )
    source = header + HEAD + "\n" + statement + "\n" + VIEW
    # the project's own modules: flaskmod could read them, but not tell what they do with the app
    own = {
        "admin_setup.py": "def setup_admin(app):\n    pass\n",
        "views.py": "def init(app):\n    pass\n",
    }
    root = write_tree(tmp_path / "p", {"app.py": source, **own})
    line = source.splitlines().index(statement.splitlines()[-1]) + 1
    err = _refused(root)
    assert err.startswith(f"error: app.py:{line}: `"), err
    assert shown in err and "--force" in err and err.count("\n") == 1

    code, _, err = invoke("upgrade", str(root), "--apply", "--force")
    if "global app" in statement:
        # Forced, the function would hand the proxy on: the self-check refuses what --force asked.
        assert code == 2 and "self-check" in err and (root / "app.py").exists(), err
        return
    assert code == 0, err
    assert (root / "app" / "__init__.py").exists() and not (root / "app.py").exists()
    manual = err[err.index("Manual steps") :]
    assert f"app.py:{line}: " in manual and shown.split("`")[-1].strip() in manual


def test_several_blocking_uses_are_all_listed(tmp_path: Path) -> None:
    source = HEAD + "register(app)\nsetup_admin(app)\napp = Middleware(app)\n"
    own = {"x.py": "def register(app):\n    pass\n\n\ndef setup_admin(app):\n    pass\n"}
    root = write_tree(
        tmp_path / "q", {"app.py": "from x import register, setup_admin\n" + source, **own}
    )
    err = _refused(root, "--step")
    lines = err.splitlines()
    assert lines[0].startswith("error: app.py:5: `register(app)`") and "these 3" in lines[0]
    assert lines[1].startswith("  app.py:6: `setup_admin(app)`")
    assert lines[2].startswith("  app.py:7: `app = Middleware(app)`")
    assert len(lines) == 3
    code, out, _ = invoke("plan", str(root))
    assert code == 0 and "refuses until the manual steps at app.py:5, app.py:6, app.py:7" in out


def test_a_library_function_given_the_app_does_not_block(project) -> None:
    root = project(
        {
            "app.py": "import bugsnag.flask\nfrom flask import Flask\n\napp = Flask(__name__)\n"
            "bugsnag.flask.handle_exceptions(app)\n"
        }
    )
    model = analyze(scan(root))
    assert not model.blocking
    assert [str(f) for f in model.findings] == [
        "app.py:5: `bugsnag.flask.handle_exceptions(app)` hands the app to a library's set-up "
        "function: it now runs in create_app, once for each app built"
    ]


def test_the_usual_ways_of_touching_the_app_do_not_block(project) -> None:
    """Extensions (known or not), init_app, the app's own methods, wsgi_app middleware."""
    root = project(
        {
            "app.py": """
                from flask import Flask, Blueprint
                from flask_cors import CORS
                from flask_migrate import Migrate
                from flask_restful import Api
                from flask_sqlalchemy import SQLAlchemy
                from flask_login import LoginManager
                from werkzeug.middleware.proxy_fix import ProxyFix

                app = Flask(__name__)
                app.config["SECRET_KEY"] = "x"
                app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1)
                db = SQLAlchemy(app)
                migrate = Migrate(app, db)
                CORS(app)
                api = Api(app)
                login = LoginManager()
                login.init_app(app)
                bp = Blueprint("b", __name__)
                app.register_blueprint(bp)
                app.jinja_env.globals.update(the_app=app)
                print(app, isinstance(app, Flask))

                with app.app_context():
                    db.create_all()


                def helper(other):
                    app = other  # a local, not the module's app
                    return register(app)


                if __name__ == "__main__":
                    run_simple(app)
            """
        }
    )
    model = analyze(scan(root))
    assert model.blocking == ()
    assert not any("hands the app" in f.message for f in model.findings)


def test_blocking_findings_are_manual_steps_of_the_model(project) -> None:
    root = project({"app.py": HEAD + "init_views(app)\n"})
    model = analyze(scan(root))
    assert [str(f.location) for f in model.blocking] == ["app.py:4"]
    assert set(model.blocking) <= set(model.findings)


def test_a_literal_secret_the_config_classes_could_not_move_refuses_the_write(
    tmp_path: Path,
) -> None:
    """The project's own `get_config` keeps the config classes from running; the secret it
    sets would be a literal in `create_app`, read by production: refused, nothing written."""
    source = (
        "from flask import Flask\n\n\ndef get_config():\n    return {'DEBUG': False}\n\n\n"
        "app = Flask(__name__)\napp.config.update(get_config())\n"
        "app.config['SECRET_KEY'] = 's3cr3t-very-long-key-123'\n\n\n"
        "@app.route('/')\ndef index():\n    return 'hi'\n"
    )
    root = write_tree(tmp_path / "own", {"app.py": source})
    code, _, err = invoke("upgrade", str(root), "--apply")
    assert code == 2, err
    assert "app.py:4: `get_config` is already defined here" in err
    assert "`SECRET_KEY` is set to a literal in create_app()" in err.splitlines()[-1]
    assert (root / "app.py").read_text() == source and not (root / "app").exists()
