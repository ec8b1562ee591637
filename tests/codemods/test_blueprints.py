"""blueprints: views and app-wide hooks into a `main` blueprint; endpoints rewritten everywhere."""

from __future__ import annotations

from tests.conftest import CURRENT_FLASK, dedent, migrate

ONLY = ["blueprints"]

APP = """
from flask import Flask, render_template, redirect, url_for, request
from .helpers import slugify

app = Flask(__name__)
PAGE_SIZE = 10


@app.before_request
def remember():
    app.logger.info("request %s", request.path)


@app.route("/")
@app.route("/index", endpoint="home")
def index():
    return render_template("index.html", size=PAGE_SIZE)


@app.route("/go")
def go():
    return redirect(url_for("index", q=slugify("x")))


@app.errorhandler(404)
def missing(e):
    return "missing", 404


@app.template_filter("shout")
def shout(s):
    return s.upper()


def ping():
    return "pong"


app.add_url_rule("/ping", view_func=ping)
"""


def test_views_and_hooks_move_to_the_blueprint(project) -> None:
    root = project({"app/__init__.py": APP, "app/helpers.py": "def slugify(s):\n    return s\n"})
    files, _ = migrate(root, only=ONLY)
    assert files["app/__init__.py"] == dedent(
        """
        from flask import Flask

        app = Flask(__name__)


        from .main import bp as main_bp

        app.register_blueprint(main_bp)
        """
    )
    routes = files["app/main/routes.py"]
    assert routes.startswith(
        dedent(
            '''
            """Views of the `main` blueprint, moved from app/__init__.py."""

            from flask import current_app, redirect, render_template, request, url_for

            from app.helpers import slugify
            from app.main import bp


            PAGE_SIZE = 10


            @bp.before_app_request
            def remember():
                current_app.logger.info("request %s", request.path)
            '''
        )
    )
    assert '@bp.route("/")\n@bp.route("/index", endpoint="home")\ndef index():' in routes
    assert 'redirect(url_for("main.index", q=slugify("x")))' in routes
    assert "@bp.app_errorhandler(404)" in routes
    assert '@bp.app_template_filter("shout")' in routes
    assert 'bp.add_url_rule("/ping", view_func=ping)' in routes
    assert files["app/main/__init__.py"] == dedent(
        '''
        """The `main` blueprint: the views that were registered on the app."""

        from flask import Blueprint

        bp = Blueprint("main", __name__)

        # Imported last: the views module needs `bp` to register its views on it.
        from . import routes  # noqa: E402, F401
        '''
    )


def test_templates_are_rewritten_including_endpoint_macros(project) -> None:
    root = project(
        {
            "app/__init__.py": APP,
            "app/helpers.py": "def slugify(s):\n    return s\n",
            "templates/_m.html": """
                {% macro pager(p, endpoint) %}<a href="{{ url_for(endpoint, page=p) }}">n</a>{% endmacro %}
            """,
            "templates/index.html": """
                {% from "_m.html" import pager %}
                <a href="{{ url_for('index') }}">{{ 'index' }}</a>
                <a href="{{ url_for("home", x=1) }}">home</a>
                <img src="{{ url_for('static', filename='a.png') }}">
                {% set target = url_for('go') %}
                {{ pager(2, 'index') }}
                <p>url_for('index') in text stays</p>
            """,
        }
    )
    files, run = migrate(root, only=ONLY)
    assert files["templates/index.html"] == dedent(
        """
        {% from "_m.html" import pager %}
        <a href="{{ url_for('main.index') }}">{{ 'index' }}</a>
        <a href="{{ url_for("main.home", x=1) }}">home</a>
        <img src="{{ url_for('static', filename='a.png') }}">
        {% set target = url_for('main.go') %}
        {{ pager(2, 'main.index') }}
        <p>url_for('index') in text stays</p>
        """
    )
    assert not [f for f in run.findings if "computed endpoint" in f.message]


def test_dynamic_endpoints_are_reported(project) -> None:
    root = project(
        {
            "app/__init__.py": APP + "\n\ndef link(name):\n    return url_for(name)\n",
            "app/helpers.py": "def slugify(s):\n    return s\n",
            "templates/x.html": "{{ url_for(dest) }}\n",
        }
    )
    _, run = migrate(root, only=ONLY)
    located = {str(f.location) for f in run.findings if "computed endpoint" in f.message}
    assert "templates/x.html:1" in located
    assert any(loc.startswith("app/") for loc in located)


def test_broken_template_is_left_untouched_and_reported(project) -> None:
    broken = "{% if x %}{{ url_for('index') }}\n"
    root = project(
        {
            "app/__init__.py": APP,
            "app/helpers.py": "def slugify(s):\n    return s\n",
            "templates/bad.html": broken,
        }
    )
    files, run = migrate(root, only=ONLY)
    assert files["templates/bad.html"] == broken
    assert any(
        str(f.location) == "templates/bad.html" and "syntax" in f.message for f in run.findings
    )


def test_login_view_and_request_endpoint_comparisons(project) -> None:
    root = project(
        {
            "app/__init__.py": """
                from flask import Flask, request
                from flask_login import LoginManager

                app = Flask(__name__)
                login_manager = LoginManager(app)
                login_manager.login_view = "login"


                @app.route("/login")
                def login():
                    return "form"


                @app.context_processor
                def nav():
                    return {"on_login": request.endpoint == "login", "x": request.endpoint in ("login", "other")}
            """
        }
    )
    files, _ = migrate(root, only=ONLY)
    assert 'login_manager.login_view = "main.login"' in files["app/__init__.py"]
    routes = files["app/main/routes.py"]
    assert 'request.endpoint == "main.login"' in routes
    assert 'request.endpoint in ("main.login", "other")' in routes
    assert "@bp.app_context_processor" in routes


def test_view_rebinding_shared_state_stays_on_the_app(project) -> None:
    root = project(
        {
            "app/__init__.py": """
                from flask import Flask

                app = Flask(__name__)
                counter = 0


                @app.route("/hit")
                def hit():
                    global counter
                    counter += 1
                    return str(counter)


                @app.route("/")
                def index():
                    return "i"


                @app.teardown_appcontext
                def reset(exc):
                    global counter
                    counter = 0
            """
        }
    )
    files, run = migrate(root, only=ONLY)
    assert '@app.route("/hit")' in files["app/__init__.py"]
    assert '@bp.route("/")' in files["app/main/routes.py"]
    assert any("rebinds module state `counter`" in f.message for f in run.findings)


def test_state_owned_by_views_moves_with_them_and_imports_follow(project) -> None:
    root = project(
        {
            "app/__init__.py": """
                from flask import Flask

                app = Flask(__name__)
                counter = 0


                @app.route("/hit")
                def hit():
                    global counter
                    counter += 1
                    return str(counter)


                def reset():
                    global counter
                    counter = 0
            """,
            "tests/test_hit.py": "from app import app, reset\n",
        }
    )
    files, _ = migrate(root, only=ONLY)
    routes = files["app/main/routes.py"]
    assert "counter = 0\n" in routes and "def reset():" in routes
    assert files["tests/test_hit.py"] == "from app import app\nfrom app.main.routes import reset\n"


def test_nothing_registered_is_a_no_op(project) -> None:
    root = project({"app/__init__.py": "from flask import Flask\napp = Flask(__name__)\n"})
    _, run = migrate(root, only=ONLY)
    assert run.nothing_to_do


PACKAGE_WITH_GLOBAL_APP = {
    "app/__init__.py": """
        from flask import Flask

        app = Flask(__name__)
        app.config["PER_PAGE"] = 3

        from app import routes, errors
    """,
    "app/routes.py": """
        from threading import Thread

        from flask import render_template, url_for
        from app import app


        @app.route("/")
        @app.route("/index")
        def index():
            return render_template("index.html", n=app.config["PER_PAGE"])


        def send_later(job):
            Thread(target=job, args=(app,)).start()


        @app.cli.command("seed")
        def seed():
            print(url_for("index"))
    """,
    "app/errors.py": """
        from app import app


        @app.errorhandler(404)
        def not_found(error):
            return "nope", 404


        app.jinja_env.filters["upper"] = str.upper
    """,
}


def test_view_modules_of_a_package_with_global_app_are_converted_in_place(project) -> None:
    root = project(PACKAGE_WITH_GLOBAL_APP)
    files, _ = migrate(root, only=ONLY)
    assert files["app/routes.py"] == dedent(
        """
        from threading import Thread

        from flask import render_template, url_for, current_app
        from app.main import bp


        @bp.route("/")
        @bp.route("/index")
        def index():
            return render_template("index.html", n=current_app.config["PER_PAGE"])


        def send_later(job):
            Thread(target=job, args=(current_app._get_current_object(),)).start()


        @bp.cli.command("seed")
        def seed():
            print(url_for("main.index"))
        """
    )
    assert files["app/errors.py"] == dedent(
        """
        from app.main import bp


        @bp.app_errorhandler(404)
        def not_found(error):
            return "nope", 404


        bp.add_app_template_filter(str.upper, 'upper')
        """
    )
    assert 'bp = Blueprint("main", __name__, cli_group=None)' in files["app/main/__init__.py"]
    assert "from . import routes" not in files["app/main/__init__.py"]
    assert files["app/__init__.py"].endswith(
        "from app import routes, errors\n\n\nfrom .main import bp as main_bp\n\napp.register_blueprint(main_bp)\n"
    )


def test_view_module_using_the_app_at_import_time_is_left_and_blocks_the_factory(project) -> None:
    files_in = dict(PACKAGE_WITH_GLOBAL_APP)
    files_in["app/errors.py"] = "from app import app\n\nLIMIT = app.config['PER_PAGE']\n"
    root = project(files_in)
    files, run = migrate(root, only=["blueprints", "factory"])
    assert files["app/errors.py"] == "from app import app\n\nLIMIT = app.config['PER_PAGE']\n"
    assert "def create_app" not in files["app/__init__.py"]
    assert any(str(f.location) == "app/errors.py:3" for f in run.findings)


def test_before_first_request_runs_once_at_start_up(project) -> None:
    root = project(
        {
            "app/__init__.py": """
                from flask import Flask

                app = Flask(__name__)


                @app.before_first_request
                def warm():
                    app.logger.info("warm")
            """
        }
    )
    files, run = migrate(root, only=ONLY)
    assert "def warm():\n    current_app.logger.info" in files["app/main/routes.py"]
    assert "before_first_request" not in files["app/main/routes.py"]
    assert files["app/__init__.py"].endswith(
        "with app.app_context():\n    from .main.routes import warm\n\n    warm()\n"
    )
    assert any("Flask 2.3" in f.message for f in run.findings)


def test_group_by_prefix(project) -> None:
    from flaskmod.pipeline import Options

    root = project(
        {
            "app/__init__.py": """
                from flask import Flask, url_for

                app = Flask(__name__)


                def current_user():
                    return "bob"


                @app.route("/auth/login")
                def login():
                    return current_user()


                @app.route("/auth/")
                def auth_home():
                    return url_for("login")


                @app.route("/about")
                def about():
                    return current_user()


                @app.errorhandler(404)
                def missing(e):
                    return "missing", 404
            """
        }
    )
    files, _ = migrate(root, only=ONLY, options=Options(group_by="prefix", flask=CURRENT_FLASK))
    auth = files["app/auth/routes.py"]
    assert '@bp.route("/login")\ndef login():' in auth
    assert '@bp.route("/")\ndef auth_home():\n    return url_for("auth.login")' in auth
    assert "from app.main.routes import current_user" in auth
    main = files["app/main/routes.py"]
    assert "def current_user():" in main and "@bp.app_errorhandler(404)" in main
    assert 'app.register_blueprint(auth_bp, url_prefix="/auth")' in files["app/__init__.py"]
