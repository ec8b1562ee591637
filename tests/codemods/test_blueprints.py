"""blueprints: views and app-wide hooks into a `main` blueprint; endpoints rewritten everywhere."""

from __future__ import annotations

import textwrap

import pytest

from flaskmod.codemod import Declined, Outcome
from flaskmod.codemods.blueprints import BlueprintsPlan, Group, ViewModule, plan
from flaskmod.pipeline import discover, run, select
from tests.codemods.tools import (
    Files,
    check_noop,
    check_transformed,
    context_for,
    project_of,
    run_one,
)

INIT = '''
"""The `main` blueprint: the views that were registered on the app."""

from flask import Blueprint

bp = Blueprint("main", __name__)

# Imported last: the views module needs `bp` to register its views on it.
from . import routes  # noqa: E402, F401
'''

HEAD = '''
"""Views of the `main` blueprint, moved from app/__init__.py."""

'''

APP = """
from flask import Flask

app = Flask(__name__)
"""

REGISTERED = """

from .main import bp as main_bp

app.register_blueprint(main_bp)
"""


def package(body: str, **others: str) -> dict[str, str]:
    """An app package whose `__init__.py` is APP followed by `body`, and other modules of it."""
    files = {"app/__init__.py": APP + textwrap.dedent(body)}
    files.update({f"app/{name}.py": source for name, source in others.items()})
    return files


def blueprints(files: Files, flask: str = "3.1", **settings: str) -> Outcome:
    return run_one("blueprints", project_of(files), flask, **settings)


def text(outcome: Outcome, path: str = "app/main/routes.py") -> str:
    return outcome.project.text(path)


def messages(outcome: Outcome) -> list[str]:
    return [str(finding) for finding in outcome.findings]


# ------------------------------------------------------------------ what moves
def test_a_view_moves_into_the_main_blueprint() -> None:
    view = '\n\n@app.route("/")\ndef index():\n    return "hi"\n'
    routes = HEAD + 'from app.main import bp\n\n\n@bp.route("/")\ndef index():\n    return "hi"\n'
    check_transformed(
        "blueprints",
        package(view),
        {
            "app/__init__.py": APP + REGISTERED,
            "app/main/__init__.py": INIT,
            "app/main/routes.py": routes,
        },
    )


def test_app_wide_hooks_use_the_app_forms() -> None:
    outcome = blueprints(
        package(
            """
            @app.before_request
            def a(): pass
            @app.errorhandler(404)
            def b(e): pass
            @app.template_filter("shout")
            def c(s): pass
            @app.context_processor
            def d(): pass
            """
        )
    )
    for form in ("before_app_request", "app_errorhandler(404)", 'app_template_filter("shout")'):
        assert f"@bp.{form}\n" in text(outcome)
    assert "@bp.app_context_processor\n" in text(outcome)


def test_add_url_rule_and_register_error_handler_move() -> None:
    outcome = blueprints(
        package(
            """
            def ping():
                return "pong"


            app.add_url_rule("/ping", view_func=ping)
            app.register_error_handler(500, ping)
            """
        )
    )
    assert 'bp.add_url_rule("/ping", view_func=ping)\n' in text(outcome)
    assert "bp.app_errorhandler(500)(ping)\n" in text(outcome)


def test_jinja_env_filter_becomes_an_app_template_filter() -> None:
    outcome = blueprints(package('app.jinja_env.filters["upper"] = str.upper\n'))
    assert "bp.add_app_template_filter(str.upper, 'upper')\n" in text(outcome)


def test_global_app_in_moved_code_becomes_current_app() -> None:
    outcome = blueprints(package('@app.route("/")\ndef index():\n    return app.config["X"]\n'))
    assert 'return current_app.config["X"]' in text(outcome)
    assert "from flask import current_app\n" in text(outcome)


def test_helpers_and_constants_only_views_use_move_with_them() -> None:
    outcome = blueprints(
        package(
            """
            from .helpers import slugify
            PAGE_SIZE = 10


            @app.route("/")
            def index():
                return slugify(PAGE_SIZE)
            """,
            helpers="def slugify(s):\n    return s\n",
        )
    )
    assert "from app.helpers import slugify\nfrom app.main import bp\n\n\nPAGE_SIZE = 10\n" in text(
        outcome
    )
    assert text(outcome, "app/__init__.py") == (APP + REGISTERED).lstrip("\n")


def test_a_helper_the_app_module_still_uses_stays() -> None:
    outcome = blueprints(
        package(
            """
            def helper():
                return 1


            @app.route("/")
            def index():
                return helper()


            VALUE = helper()
            """
        )
    )
    assert "def helper" not in text(outcome)
    assert "from app import helper\n" in text(outcome)


def test_names_imported_elsewhere_from_the_app_stay() -> None:
    files = package("LIMIT = 3\n\n\n@app.route('/')\ndef index():\n    return str(LIMIT)\n")
    files["app/other.py"] = "from app import LIMIT\n"
    outcome = blueprints(files)
    assert "from app import LIMIT\n" in text(outcome)


def test_state_owned_by_views_moves_with_them_and_imports_follow() -> None:
    files = package(
        """
        counter = 0


        @app.route("/hit")
        def hit():
            global counter
            counter += 1
            return str(counter)


        def reset():
            global counter
            counter = 0
        """
    )
    files["tests/test_hit.py"] = "from app import app, reset\n"
    outcome = blueprints(files)
    assert "counter = 0\n" in text(outcome) and "def reset():" in text(outcome)
    assert text(outcome, "tests/test_hit.py") == (
        "from app import app\nfrom app.main.routes import reset\n"
    )


def test_a_view_rebinding_state_shared_with_the_app_module_stays() -> None:
    outcome = blueprints(
        package(
            """
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
        )
    )
    assert '@app.route("/hit")' in text(outcome, "app/__init__.py")
    assert '@bp.route("/")' in text(outcome)
    assert (
        "app/__init__.py:9: left registered on the app: it rebinds module state `counter` "
        in (messages(outcome)[0])
    )


def test_moved_file_paths_stay_anchored_to_the_package() -> None:
    source = 'import os\nBASE = os.path.dirname(__file__)\n\n\n@app.route("/")\ndef f():\n    return BASE\n'
    outcome = blueprints(package(source))
    assert "BASE = os.path.dirname(os.path.dirname(__file__))" in text(outcome)


def test_cli_commands_get_a_top_level_group() -> None:
    outcome = blueprints(package('@app.cli.command("seed")\ndef seed():\n    pass\n'))
    assert '@bp.cli.command("seed")' in text(outcome)
    assert 'bp = Blueprint("main", __name__, cli_group=None)' in text(
        outcome, "app/main/__init__.py"
    )


def test_cli_commands_stay_on_the_app_before_flask_0_11() -> None:
    source = package('@app.cli.command("seed")\ndef seed():\n    pass\n')
    check_noop("blueprints", source, flask="0.10")


def test_before_first_request_runs_once_at_start_up() -> None:
    outcome = blueprints(
        package('@app.before_first_request\ndef warm():\n    app.logger.info("warm")\n')
    )
    assert "def warm():\n    current_app.logger.info" in text(outcome)
    assert "before_first_request" not in text(outcome)
    assert text(outcome, "app/__init__.py").endswith(
        "with app.app_context():\n    from .main.routes import warm\n\n    warm()\n"
    )
    assert any("Flask 2.3" in message for message in messages(outcome))


def test_before_first_request_is_kept_where_flask_still_has_it() -> None:
    source = package("@app.before_first_request\ndef warm():\n    pass\n")
    outcome = blueprints(source, flask="2.2")
    assert "@bp.before_app_first_request\ndef warm():" in text(outcome)
    assert "app_context" not in text(outcome, "app/__init__.py")


# ----------------------------------------------------------------- nothing to do
def test_nothing_registered_is_a_no_op() -> None:
    outcome = check_noop("blueprints", {"app/__init__.py": APP})
    assert not outcome.findings and outcome.declined is None


def test_a_single_module_is_left_to_the_package_codemod() -> None:
    outcome = check_noop("blueprints", APP + '\n\n@app.route("/")\ndef i():\n    return ""\n')
    assert messages(outcome) == [
        "app.py: blueprints needs the app in a package: run the `package` codemod first"
    ]


def test_a_factory_is_left_alone() -> None:
    factory = "from flask import Flask\n\n\ndef create_app():\n    return Flask(__name__)\n"
    check_noop("blueprints", {"app/__init__.py": factory})


def test_a_view_named_bp_declines() -> None:
    outcome = check_noop("blueprints", package('\n\n@app.get("/")\ndef bp():\n    return ""\n'))
    assert isinstance(outcome.declined, Declined)
    assert messages(outcome) == [
        "app/__init__.py:7: `bp` would shadow the blueprint in routes.py; rename it and run "
        "again (views left on the app)"
    ]


def test_an_existing_blueprint_package_declines() -> None:
    files = package('\n\n@app.route("/")\ndef i():\n    return ""\n')
    files["app/main/__init__.py"] = "# mine\n"
    outcome = check_noop("blueprints", files)
    assert messages(outcome) == [
        "app/main/__init__.py: app/main/ already exists; views left on the app"
    ]


def test_only_state_sharing_views_declines_with_the_reason() -> None:
    source = "n = 0\n\n\n@app.route('/')\ndef i():\n    global n\n    n = 1\n\n\nprint(n)\n"
    outcome = check_noop("blueprints", package(source))
    assert outcome.declined is not None
    assert "rebinds module state `n`" in outcome.declined.finding.message


def test_a_decorator_that_only_looks_like_a_registration_stays() -> None:
    check_noop("blueprints", package("@cache.route('/')\ndef i():\n    pass\n"))


# ------------------------------------------------------------ endpoints, Python
def test_url_for_of_a_moved_view_gets_the_prefix() -> None:
    source = '@app.route("/")\ndef index():\n    return url_for("index", q=1)\n'
    assert 'url_for("main.index", q=1)' in text(blueprints(package(source)))


def test_an_explicit_endpoint_is_renamed_and_kept_in_the_route() -> None:
    source = '@app.route("/x", endpoint="home")\ndef index():\n    return url_for("home")\n'
    outcome = blueprints(package(source))
    assert '@bp.route("/x", endpoint="home")' in text(outcome)
    assert 'url_for("main.home")' in text(outcome)


def test_url_for_of_an_unknown_endpoint_is_left() -> None:
    source = '@app.route("/")\ndef index():\n    return url_for("static", filename="a")\n'
    assert 'url_for("static", filename="a")' in text(blueprints(package(source)))


def test_login_view_and_request_endpoint_comparisons_are_renamed() -> None:
    outcome = blueprints(
        package(
            """
            login_manager.login_view = "login"


            @app.route("/login")
            def login():
                return "form"


            @app.context_processor
            def nav():
                return {"a": request.endpoint == "login", "b": request.endpoint in ("login", "x")}
            """
        )
    )
    assert 'login_manager.login_view = "main.login"' in text(outcome, "app/__init__.py")
    assert 'request.endpoint == "main.login"' in text(outcome)
    assert 'request.endpoint in ("main.login", "x")' in text(outcome)


def test_templates_in_python_strings_are_rewritten() -> None:
    source = """
        PAGE = \'\'\'<a href="{{ url_for('index') }}">\'\'\'


        @app.route("/")
        def index():
            return render_template_string(PAGE)
        """
    assert "{{ url_for('main.index') }}" in text(blueprints(package(source)))


def test_computed_endpoints_are_reported_and_keep_building() -> None:
    source = '@app.route("/")\ndef index():\n    return "i"\n\n\ndef link(name):\n    return url_for(name)\n'
    outcome = blueprints(package(source))
    assert (
        "app/__init__.py:7: url_for with a computed endpoint: add the blueprint prefix by hand"
        in (messages(outcome))
    )
    init = text(outcome, "app/main/__init__.py")
    assert "from flask import Blueprint, url_for\n" in init
    assert 'LEGACY_ENDPOINTS = {\n    "index": "main.index",\n}\n' in init
    assert "state.app.url_build_error_handlers.append(build)\n" in init


def test_literal_endpoints_need_no_legacy_shim() -> None:
    source = '@app.route("/")\ndef index():\n    return url_for("index")\n'
    assert "LEGACY" not in text(blueprints(package(source)), "app/main/__init__.py")


# ---------------------------------------------------------- endpoints, templates
TEMPLATE_APP = '\n\n@app.route("/")\ndef index():\n    return ""\n\n\n@app.route("/go")\ndef go():\n    return ""\n'


def rewritten(template: str, name: str = "app/templates/t.html") -> tuple[str, list[str]]:
    outcome = blueprints({**package(TEMPLATE_APP), name: template})
    return text(outcome, name), messages(outcome)


def test_template_url_for_literals_get_the_prefix() -> None:
    html, _ = rewritten("<a href=\"{{ url_for('index') }}\">{{ 'index' }}</a>\n")
    assert html == "<a href=\"{{ url_for('main.index') }}\">{{ 'index' }}</a>\n"


def test_template_set_and_double_quotes() -> None:
    html, _ = rewritten('{% set t = url_for("go", x=1) %}\n')
    assert html == '{% set t = url_for("main.go", x=1) %}\n'


def test_template_static_and_text_outside_tags_stay() -> None:
    source = "<img src=\"{{ url_for('static', filename='a.png') }}\"><p>url_for('index')</p>\n"
    html, found = rewritten(source)
    assert html == source and not found[:-1]


def test_macros_that_take_an_endpoint_are_followed() -> None:
    files = {
        **package(TEMPLATE_APP),
        "app/templates/_m.html": "{% macro pager(p, endpoint) %}{{ url_for(endpoint, page=p) }}{% endmacro %}\n",
        "app/templates/t.html": "{{ pager(2, 'index') }} {{ pager(3, endpoint='go') }}\n",
    }
    outcome = blueprints(files)
    assert (
        text(outcome, "app/templates/t.html")
        == "{{ pager(2, 'main.index') }} {{ pager(3, endpoint='main.go') }}\n"
    )
    assert not [m for m in messages(outcome) if "computed" in m]


def test_request_endpoint_comparisons_in_templates() -> None:
    html, _ = rewritten("{% if request.endpoint == 'index' %}x{% endif %}\n")
    assert html == "{% if request.endpoint == 'main.index' %}x{% endif %}\n"


def test_a_computed_comparison_also_matches_the_prefixed_name() -> None:
    html, found = rewritten("{% if request.endpoint == current %}x{% endif %}\n")
    assert html == "{% if request.endpoint in (current, 'main.' ~ current) %}x{% endif %}\n"
    assert found[0].startswith("app/templates/t.html:1: request.endpoint compared with a computed")


def test_computed_url_for_in_a_template_is_reported() -> None:
    html, found = rewritten("<p>\n{{ url_for(dest) }}\n")
    assert html == "<p>\n{{ url_for(dest) }}\n"
    assert (
        "app/templates/t.html:2: url_for with a computed endpoint: add the blueprint prefix by hand"
        in found
    )


def test_a_template_with_a_syntax_error_is_left_and_reported() -> None:
    html, found = rewritten("{% if x %}{{ url_for('index') }}\n")
    assert html == "{% if x %}{{ url_for('index') }}\n"
    assert (
        "app/templates/t.html: Jinja syntax error: template left untouched, check its url_for"
        in found
    )


def test_an_ambiguous_template_rewrite_is_left_and_reported() -> None:
    source = "{{ url_for('index') ~ 'index' }}\n"
    html, found = rewritten(source)
    assert html == source
    assert (
        "app/templates/t.html: could not rewrite this template's endpoints reliably; left untouched"
        in found
    )


def test_raw_blocks_are_not_rewritten() -> None:
    source = "{% raw %}{{ url_for('index') }}{% endraw %}\n"
    html, _ = rewritten(source)
    assert html == source


# ------------------------------------------------------ modules importing the app
VIEWS_PACKAGE = {
    "app/__init__.py": APP + 'app.config["PER_PAGE"] = 3\n\nfrom app import routes, errors\n',
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


def test_view_modules_of_a_package_are_converted_in_place() -> None:
    outcome = blueprints(VIEWS_PACKAGE)
    assert text(outcome, "app/routes.py") == textwrap.dedent(
        """\
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


def test_handlers_and_filters_of_a_view_module_use_the_app_forms() -> None:
    outcome = blueprints(VIEWS_PACKAGE)
    assert text(outcome, "app/errors.py") == textwrap.dedent(
        """\
        from app.main import bp


        @bp.app_errorhandler(404)
        def not_found(error):
            return "nope", 404


        bp.add_app_template_filter(str.upper, 'upper')
        """
    )


def test_the_blueprint_for_view_modules_is_registered_by_the_app() -> None:
    outcome = blueprints(VIEWS_PACKAGE)
    init = text(outcome, "app/main/__init__.py")
    assert 'bp = Blueprint("main", __name__, cli_group=None)' in init
    assert init.endswith("from .. import errors, routes  # noqa: E402, F401\n")
    assert text(outcome, "app/__init__.py").endswith(
        "from app import routes, errors\n\n\nfrom .main import bp as main_bp\n\napp.register_blueprint(main_bp)\n"
    )


def test_other_names_of_the_app_import_are_kept() -> None:
    files = {
        "app/__init__.py": APP + "db = 1\n",
        "app/views.py": "from app import app, db\n\n\n@app.route('/')\ndef i():\n    return str(db)\n",
    }
    assert text(blueprints(files), "app/views.py").startswith(
        "from app import db\nfrom app.main import bp\n"
    )


def test_a_view_module_using_the_app_at_import_time_is_left_and_reported() -> None:
    files = dict(VIEWS_PACKAGE)
    files["app/errors.py"] = "from app import app\n\nLIMIT = app.config['PER_PAGE']\n"
    outcome = blueprints(files)
    assert (
        text(outcome, "app/errors.py") == "from app import app\n\nLIMIT = app.config['PER_PAGE']\n"
    )
    assert (
        "app/errors.py:3: uses the global `app` at import time; this module keeps it"
        in messages(outcome)[0]
    )


def test_a_view_module_using_the_app_at_import_time_blocks_the_factory() -> None:
    files = dict(VIEWS_PACKAGE)
    files["app/errors.py"] = "from app import app\n\nLIMIT = app.config['PER_PAGE']\n"
    result = run(project_of(files), select(discover(), ["blueprints", "factory"]))
    assert "def create_app" not in result.final.text("app/__init__.py")
    assert any(str(f.location) == "app/errors.py:3" for f in result.findings)


def test_test_modules_are_never_view_modules() -> None:
    files = {**package('\n\n@app.route("/")\ndef i():\n    return ""\n')}
    files["tests/test_app.py"] = "from app import app\n\n\ndef test_i():\n    app.test_client()\n"
    assert "tests/test_app.py" not in _changed(blueprints(files), files)


def _changed(outcome: Outcome, files: Files) -> set[str]:
    before = project_of(files)
    return {p for p in outcome.project.files if before.files.get(p) != outcome.project.files[p]}


# ------------------------------------------------------------------ group by prefix
GROUPED = """
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


def test_group_by_prefix_makes_a_blueprint_per_shared_first_segment() -> None:
    outcome = blueprints(package(GROUPED), group_by="prefix")
    auth = text(outcome, "app/auth/routes.py")
    assert '@bp.route("/login")\ndef login():' in auth
    assert '@bp.route("/")\ndef auth_home():\n    return url_for("auth.login")' in auth
    assert "from app.main.routes import current_user" in auth
    assert 'app.register_blueprint(auth_bp, url_prefix="/auth")' in text(outcome, "app/__init__.py")


def test_group_by_prefix_keeps_helpers_and_handlers_in_main() -> None:
    main = text(blueprints(package(GROUPED), group_by="prefix"))
    assert "def current_user():" in main and "@bp.app_errorhandler(404)" in main
    assert "def about():" in main


def test_a_lone_prefix_is_not_a_group() -> None:
    outcome = blueprints(package(GROUPED.replace("/auth/login", "/login")), group_by="prefix")
    assert "app/auth/routes.py" not in outcome.project.files


# ------------------------------------------------------------------------- plan()
def _plan(files: Files, **settings: str) -> BlueprintsPlan | None:
    return plan(context_for(project_of(files), **settings))


def test_plan_lists_moved_statements_and_endpoints() -> None:
    found = _plan(package('\n\n@app.route("/")\ndef index():\n    return ""\n'))
    assert found is not None
    assert found.groups == (Group("main", frozenset({2})),)
    assert found.endpoints == (("index", "main.index"),)
    assert found.registered == ["main"] and not found.views


def test_plan_of_view_modules() -> None:
    found = _plan(VIEWS_PACKAGE)
    assert found is not None and found.groups == ()
    assert found.views == (
        ViewModule("app/errors.py", "app", ()),
        ViewModule("app/routes.py", "app", ("index",)),
    )
    assert dict(found.endpoints) == {"index": "main.index"}


def test_plan_with_groups_and_another_default_blueprint() -> None:
    found = _plan(package(GROUPED), group_by="prefix", blueprint="site")
    assert found is not None
    assert [(g.name, g.prefix) for g in found.groups] == [("site", None), ("auth", "/auth")]
    assert dict(found.endpoints)["login"] == "auth.login"


def test_plan_is_none_when_nothing_registers() -> None:
    assert _plan({"app/__init__.py": APP}) is None


def test_plan_keeps_first_request_before_flask_2_3() -> None:
    files = package("@app.before_first_request\ndef warm():\n    pass\n")
    assert _plan(files, flask="2.2").keep_first_request  # type: ignore[union-attr]
    assert not _plan(files).keep_first_request  # type: ignore[union-attr]


@pytest.mark.parametrize("option", ["blueprint", "group_by"])
def test_options_are_declared(option: str) -> None:
    from flaskmod.codemods.blueprints import codemod

    assert option in {o.name for o in codemod.options}


# ------------------------------------- phase 2: every registration reachable (issue 16)
CLI_PACKAGE = {
    "app/__init__.py": APP + "db = 1\n\nfrom app import routes\n",
    "app/routes.py": "from app import app\n\n\n@app.route('/')\ndef index():\n    return ''\n",
    "app/cli.py": "import click\nfrom app import app\n\n\n@app.cli.group()\ndef translate():\n    pass\n",
    "microblog.py": "from app import app, db, cli\n\n\n@app.shell_context_processor\ndef ctx():\n    return {'db': db}\n",
}


def test_a_cli_module_only_an_entry_script_imports_is_imported_by_the_blueprint() -> None:
    outcome = blueprints(CLI_PACKAGE)
    assert "@bp.cli.group()" in text(outcome, "app/cli.py")
    assert text(outcome, "app/main/__init__.py").endswith(
        "# Imported last: these modules register their views, handlers and commands on `bp`.\n"
        "from .. import cli, routes  # noqa: E402, F401\n"
    )


def test_the_entry_script_itself_is_left_to_the_factory() -> None:
    outcome = blueprints(CLI_PACKAGE)
    assert text(outcome, "microblog.py") == CLI_PACKAGE["microblog.py"]


def test_a_converted_module_named_like_the_moved_routes_is_aliased() -> None:
    files = package('\n\n@app.route("/a")\ndef a():\n    return ""\n')
    files["app/routes.py"] = "from app import app\n\n\n@app.route('/b')\ndef b():\n    return ''\n"
    init = text(blueprints(files), "app/main/__init__.py")
    assert "from . import routes  # noqa: E402, F401\n" in init
    assert init.endswith("from .. import routes as app_routes  # noqa: E402, F401\n")


def test_converted_modules_of_a_subpackage_are_imported_from_it() -> None:
    files = {"app/__init__.py": APP, "app/views/__init__.py": ""}
    files["app/views/admin.py"] = (
        "from app import app\n\n\n@app.route('/')\ndef i():\n    return ''\n"
    )
    init = text(blueprints(files), "app/main/__init__.py")
    assert init.endswith("from ..views import admin  # noqa: E402, F401\n")


def test_a_module_outside_the_package_that_others_import_is_converted() -> None:
    files = {"app/__init__.py": APP, "manage.py": "import commands\n"}
    files["commands.py"] = "from app import app\n\n\n@app.cli.command()\ndef seed():\n    pass\n"
    outcome = blueprints(files)
    assert "@bp.cli.command()" in text(outcome, "commands.py")
    assert text(outcome, "app/main/__init__.py").endswith("import commands  # noqa: E402, F401\n")


def test_modules_that_register_nothing_are_not_imported_by_the_blueprint() -> None:
    files = dict(CLI_PACKAGE)
    files["app/models.py"] = "from app import app\n\n\ndef key():\n    return app.config['K']\n"
    assert "models" not in text(blueprints(files), "app/main/__init__.py")


# ---------------------------- phase 2: only registering modules become blueprint modules
def test_an_existing_wsgi_entry_point_is_left_alone() -> None:
    files = package('\n\n@app.route("/")\ndef i():\n    return ""\n')
    files["wsgi.py"] = "from app import app\n\napplication = app\n"
    assert text(blueprints(files), "wsgi.py") == "from app import app\n\napplication = app\n"


def test_an_entry_point_registering_on_the_app_is_left_to_the_factory() -> None:
    manage = "from app import app\n\n\n@app.cli.command()\ndef seed():\n    pass\n"
    check_noop("blueprints", {"app/__init__.py": APP, "manage.py": manage})


def test_a_module_that_only_reads_the_app_gets_the_current_app_and_no_blueprint() -> None:
    models = "from app import app, db\n\n\ndef key():\n    return app.config['K'] + db\n"
    outcome = check_transformed(
        "blueprints",
        {"app/__init__.py": APP, "app/models.py": models},
        {
            "app/models.py": "from app import db\nfrom flask import current_app\n\n\n"
            "def key():\n    return current_app.config['K'] + db\n"
        },
    )
    assert messages(outcome) == [
        "app/models.py: registers nothing on the app; its uses of the global `app` now read the "
        "app of the current context"
    ]


def test_a_module_importing_the_app_without_using_it_is_left() -> None:
    check_noop(
        "blueprints", {"app/__init__.py": APP, "app/helpers.py": "from app import app, db\n"}
    )


def test_a_class_reading_the_app_in_its_body_is_an_import_time_use() -> None:
    forms = "from app import app\n\n\nclass F:\n    choices = app.config['C']\n"
    outcome = check_noop("blueprints", {"app/__init__.py": APP, "app/forms.py": forms})
    assert messages(outcome)[0].startswith("app/forms.py:4: uses the global `app` at import time")


def test_a_default_argument_reading_the_app_is_an_import_time_use() -> None:
    forms = "from app import app\n\n\ndef f(n=app.config['N']):\n    return n\n"
    outcome = check_noop("blueprints", {"app/__init__.py": APP, "app/forms.py": forms})
    assert outcome.declined is not None


def test_methods_reading_the_app_are_runtime_uses() -> None:
    models = (
        "from app import app\n\n\nclass User:\n    def key(self):\n        return app.config['K']\n"
    )
    outcome = blueprints({"app/__init__.py": APP, "app/models.py": models})
    assert "return current_app.config['K']" in text(outcome, "app/models.py")


# ------------------------------------------------- phase 2: the root tests.py (microblog)
TESTS_PY = """
import unittest
from app import app, db


class UserModelCase(unittest.TestCase):
    def setUp(self):
        self.app_context = app.app_context()
        self.app_context.push()
"""


def test_a_root_tests_module_is_never_converted() -> None:
    files = {**CLI_PACKAGE, "tests.py": TESTS_PY}
    outcome = blueprints(files)
    assert text(outcome, "tests.py") == textwrap.dedent(TESTS_PY).lstrip("\n")


def test_a_unittest_module_inside_the_package_is_never_converted() -> None:
    check_noop("blueprints", {"app/__init__.py": APP, "app/tests.py": TESTS_PY})


def test_a_root_module_the_project_imports_but_not_a_test_is_still_found() -> None:
    files = {"app/__init__.py": APP, "run.py": "import helpers\n"}
    files["helpers.py"] = "from app import app\n\n\ndef debug():\n    return app.debug\n"
    assert "current_app.debug" in text(blueprints(files), "helpers.py")


# ------------------------------------------------- phase 2: no proxy handed on (issue 16)
def _converted(body: str) -> str:
    module = "from threading import Thread\nfrom app import app\n\n\n" + textwrap.dedent(body)
    return text(blueprints({"app/__init__.py": APP, "app/jobs.py": module}), "app/jobs.py")


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (
            "Thread(target=f, args=[app, msg]).start()",
            "args=[current_app._get_current_object(), msg]",
        ),
        ("Thread(target=f, args=(app,)).start()", "args=(current_app._get_current_object(),)"),
        ("f(app=app)", "f(app=current_app._get_current_object())"),
        ("x = app", "x = current_app._get_current_object()"),
        ("return app", "return current_app._get_current_object()"),
        ("msg.app = app", "msg.app = current_app._get_current_object()"),
        ("jobs.append({'app': app})", "{'app': current_app._get_current_object()}"),
    ],
)
def test_the_app_handed_on_is_the_real_app(code: str, expected: str) -> None:
    assert expected in _converted(f"def send(msg):\n    {code}\n")


def test_attributes_are_read_through_the_proxy() -> None:
    assert "current_app.config['X']" in _converted("def f():\n    return app.config['X']\n")


def test_a_context_in_code_that_runs_in_one_comes_from_the_real_app() -> None:
    source = package('@app.route("/")\ndef i():\n    with app.app_context():\n        return ""\n')
    routes = text(blueprints(source))
    assert "with current_app._get_current_object().app_context():" in routes
    assert "current_app.app_context" not in routes


def test_a_test_client_in_a_method_comes_from_the_real_app() -> None:
    code = _converted(
        "class Probe:\n    def get(self):\n        return app.test_client().get('/')\n"
    )
    assert "return current_app._get_current_object().test_client().get('/')" in code


def test_a_plain_function_opening_a_context_takes_the_app() -> None:
    code = _converted(
        '''
        def init_db():
            """Make the tables."""
            with app.app_context():
                app.logger.info("x")
        '''
    )
    assert code.endswith(
        'def init_db(app=None):\n    """Make the tables."""\n    if app is None:\n'
        "        app = current_app._get_current_object()\n    with app.app_context():\n"
        '        app.logger.info("x")\n'
    )


def test_taking_the_app_is_reported_with_what_callers_do() -> None:
    module = "from app import app\n\n\ndef init_db():\n    with app.app_context():\n        pass\n"
    outcome = blueprints({"app/__init__.py": APP, "app/db.py": module})
    assert (
        "app/db.py:4: `init_db` opens an app context with the global `app`, so it now takes"
        in (messages(outcome)[0])
    )


def test_a_function_with_star_args_takes_the_app_as_a_keyword() -> None:
    code = _converted("def run(*jobs):\n    with app.app_context():\n        pass\n")
    assert "def run(*jobs, app=None):" in code


def test_a_decorated_function_opening_a_context_keeps_its_signature() -> None:
    code = _converted("@task\ndef run():\n    with app.app_context():\n        pass\n")
    assert "def run():\n    with current_app._get_current_object().app_context():" in code


def test_a_parameter_called_app_is_not_the_global_app() -> None:
    code = _converted("def send(app, msg):\n    with app.app_context():\n        return app\n")
    assert "def send(app, msg):\n    with app.app_context():\n        return app\n" in code


def test_current_app_app_context_is_never_written() -> None:
    outcome = blueprints(
        {
            **package('@app.route("/")\ndef i():\n    app.app_context().push()\n    return ""\n'),
            "app/db.py": "from app import app\n\n\ndef f():\n    return app.app_context()\n",
        }
    )
    for path in ("app/main/routes.py", "app/db.py"):
        assert "current_app.app_context" not in text(outcome, path)


# ---------------------------- phase 2: endpoint names handed to extensions and macros
UPLOADS = '\n\n@app.route("/up")\ndef upload():\n    return ""\n'


def _named(files: dict[str, str], path: str) -> tuple[str, list[str]]:
    outcome = blueprints(files)
    return text(outcome, path), [f for f in messages(outcome) if "names the endpoint" in f]


def test_a_setting_naming_an_endpoint_gets_the_prefix_and_is_reported() -> None:
    files = package('app.config["CKEDITOR_FILE_UPLOADER"] = "upload"\n' + UPLOADS)
    code, found = _named(files, "app/__init__.py")
    assert 'app.config["CKEDITOR_FILE_UPLOADER"] = "main.upload"' in code
    assert found == [
        "app/__init__.py:4: `CKEDITOR_FILE_UPLOADER` names the endpoint 'upload': now 'main.upload'"
    ]


def test_settings_in_config_classes_and_mappings() -> None:
    files = package(UPLOADS)
    files["config.py"] = (
        "class Config:\n    UPLOAD_VIEW = 'upload'\n    TITLE = 'upload'\n\n\n"
        "EXTRA = dict(DONE_ENDPOINT='upload')\nMORE = {'NEXT_VIEW': 'upload', 'LABEL': 'upload'}\n"
    )
    code, found = _named(files, "config.py")
    assert code == (
        "class Config:\n    UPLOAD_VIEW = 'main.upload'\n    TITLE = 'upload'\n\n\n"
        "EXTRA = dict(DONE_ENDPOINT='main.upload')\n"
        "MORE = {'NEXT_VIEW': 'main.upload', 'LABEL': 'upload'}\n"
    )
    assert len(found) == 3


def test_view_keywords_and_attributes_of_extensions() -> None:
    files = package(
        'dropzone.configure(action_view="upload")\nlogin.refresh_view = "upload"\n' + UPLOADS
    )
    code, found = _named(files, "app/__init__.py")
    assert 'dropzone.configure(action_view="main.upload")' in code
    assert 'login.refresh_view = "main.upload"' in code and len(found) == 2


def test_an_endpoint_keyword_that_defines_an_endpoint_is_kept() -> None:
    files = package(
        'api.add_resource(Todo, "/t", endpoint="upload")\n'
        'admin.add_view(ModelView(User, endpoint="upload"))\n' + UPLOADS
    )
    code, found = _named(files, "app/__init__.py")
    assert 'endpoint="upload")' in code and "main.upload" not in code and not found


def test_a_name_that_holds_no_endpoint_is_kept() -> None:
    files = package('VIEW_MODE = "upload"\nlayout_view = "grid"\nnext_view = target\n' + UPLOADS)
    code, found = _named(files, "app/__init__.py")
    assert 'VIEW_MODE = "upload"\nlayout_view = "grid"\nnext_view = target\n' in code and not found


def test_a_view_keyword_in_a_template_gets_the_prefix_and_is_reported() -> None:
    page = "<p>\n{{ dropzone.create(action_view='upload') }}\n"
    files = {**package(UPLOADS), "app/templates/up.html": page}
    html, found = _named(files, "app/templates/up.html")
    assert html == "<p>\n{{ dropzone.create(action_view='main.upload') }}\n"
    assert found == [
        "app/templates/up.html:2: `action_view` names the endpoint 'upload': now 'main.upload'"
    ]


def test_endpoint_variables_and_macro_defaults_in_templates() -> None:
    page = (
        "{% set back_endpoint = 'upload' %}{% macro nav(endpoint='upload') %}{% endmacro %}\n"
        "{{ nav(endpoint='upload', label='upload') }}\n"
    )
    html, found = _named({**package(UPLOADS), "app/templates/n.html": page}, "app/templates/n.html")
    assert html == (
        "{% set back_endpoint = 'main.upload' %}{% macro nav(endpoint='main.upload') %}"
        "{% endmacro %}\n{{ nav(endpoint='main.upload', label='upload') }}\n"
    )
    assert len(found) == 3


def test_template_keywords_that_name_no_endpoint_are_kept() -> None:
    page = "{{ thing(label='upload') }} {{ dropzone.create(action_view='elsewhere') }}\n"
    html, found = _named({**package(UPLOADS), "app/templates/k.html": page}, "app/templates/k.html")
    assert html == page and not found


def test_naming_an_endpoint_needs_no_legacy_shim() -> None:
    files = package('login.login_view = "upload"\n' + UPLOADS)
    assert "LEGACY" not in text(blueprints(files), "app/main/__init__.py")


def test_login_view_renames_are_reported_as_notes() -> None:
    outcome = blueprints(package('login.login_view = "upload"\n' + UPLOADS))
    notes = [f for f in outcome.findings if "names the endpoint" in f.message]
    assert [f.severity.value for f in notes] == ["note"]


def test_plan_says_which_converted_modules_register() -> None:
    files = {
        **CLI_PACKAGE,
        "app/models.py": "from app import app\n\n\ndef k():\n    return app.name\n",
    }
    found = _plan(files)
    assert found is not None
    assert [(v.path, v.registers) for v in found.views] == [
        ("app/cli.py", True),
        ("app/models.py", False),
        ("app/routes.py", True),
    ]
    assert found.registered == ["main"]


def test_plan_leaves_out_entry_points_and_tests() -> None:
    files = {**CLI_PACKAGE, "tests.py": TESTS_PY, "wsgi.py": "from app import app\n"}
    found = _plan(files)
    assert found is not None
    assert {v.path for v in found.views} == {"app/cli.py", "app/routes.py"}


def test_plan_without_registrations_registers_no_blueprint() -> None:
    files = {
        "app/__init__.py": APP,
        "app/models.py": "from app import app\n\n\ndef k():\n    return app.name\n",
    }
    found = _plan(files)
    assert found is not None and found.registered == [] and not found.registering


# --------------------------------------------------------------- more that stays as it is
def test_a_comparison_with_an_unknown_endpoint_stays() -> None:
    source = '@app.route("/")\ndef i():\n    return str(request.endpoint == "static")\n'
    assert 'request.endpoint == "static"' in text(blueprints(package(source)))


def test_a_concatenated_endpoint_is_neither_renamed_nor_reported() -> None:
    source = '@app.route("/")\ndef i():\n    return url_for("in" "dex")\n'
    outcome = blueprints(package(source))
    assert 'url_for("in" "dex")' in text(outcome)
    assert not [m for m in messages(outcome) if "computed" in m]


def test_a_template_comparison_with_none_stays() -> None:
    html, found = rewritten("{% if request.endpoint != none %}x{% endif %}\n")
    assert html == "{% if request.endpoint != none %}x{% endif %}\n"
    assert not [f for f in found if "compared" in f]


def test_a_local_called_app_in_a_view_is_not_the_global_app() -> None:
    source = '@app.route("/")\ndef i():\n    app = make()\n    return app.name\n'
    assert "    app = make()\n    return app.name\n" in text(blueprints(package(source)))


def test_views_are_not_grouped_by_default() -> None:
    outcome = blueprints(package(GROUPED))
    assert "app/auth/routes.py" not in outcome.project.files
    assert '@bp.route("/auth/login")' in text(outcome)


def test_a_prefix_named_like_an_existing_module_is_not_a_group() -> None:
    files = {**package(GROUPED), "app/auth.py": "TOKENS = {}\n"}
    outcome = blueprints(files, group_by="prefix")
    assert "app/auth/routes.py" not in outcome.project.files


def test_a_computed_rule_is_not_grouped() -> None:
    source = GROUPED.replace('@app.route("/auth/")', "@app.route(AUTH_HOME)")
    outcome = blueprints(package("AUTH_HOME = '/auth/'\n" + source), group_by="prefix")
    assert "app/auth/routes.py" not in outcome.project.files


def test_cli_in_a_view_module_before_flask_0_11_blocks_with_its_line() -> None:
    cli = "from app import app\n\n\n@app.cli.command()\ndef seed():\n    pass\n"
    outcome = check_noop("blueprints", {"app/__init__.py": APP, "app/cli.py": cli}, flask="0.10")
    assert messages(outcome) == [
        "app/cli.py:5: uses the global `app` at import time; this module keeps it, so the factory "
        "cannot be built until it is rewritten by hand"
    ]


def test_an_import_of_the_app_package_is_not_an_import_of_the_app() -> None:
    files = {"app/__init__.py": APP, "manage.py": "import app\n\nprint(app.app)\n"}
    check_noop("blueprints", files)


def test_a_module_named_like_the_blueprint_gets_a_blueprint_of_another_name() -> None:
    files = {
        "shop/__init__.py": "from flask import Flask\napp = Flask(__name__)\n"
        "@app.route('/')\ndef index():\n    return 'hi'\nfrom shop import main\n",
        "shop/main.py": "from shop import app\n\n\n@app.route('/about')\ndef about():\n    return 'about'\n",
    }
    outcome = run_one("blueprints", project_of(files, "shop/__init__.py"))
    assert "shop/main_bp/__init__.py" in outcome.project.files
    assert "shop/main/__init__.py" not in outcome.project.files
    assert "from shop.main_bp import bp\n" in outcome.project.text("shop/main.py")


def test_an_extension_a_view_module_binds_is_bound_per_app_by_the_blueprint() -> None:
    files = {
        "shop/__init__.py": "from flask import Flask\napp = Flask(__name__)\nfrom shop import views\n",
        "shop/views.py": "from flask_admin import Admin\nfrom shop import app\n\n"
        "admin = Admin(app, name='Shop')\nadmin.add_view(object())\n\n\n"
        "@app.route('/')\ndef index():\n    return 'hi'\n",
    }
    outcome = run_one("blueprints", project_of(files, "shop/__init__.py"))
    text = outcome.project.text("shop/views.py")
    assert "admin = Admin(name='Shop')\n" in text
    assert (
        "@bp.record\ndef _bind_admin(state):\n"
        '    """Bind `admin` to each app that registers this blueprint."""\n'
        "    admin.init_app(state.app)\n"
    ) in text


def test_an_unknown_class_given_the_app_in_a_view_module_still_blocks() -> None:
    files = {
        "shop/__init__.py": "from flask import Flask\napp = Flask(__name__)\nfrom shop import views\n",
        "shop/views.py": "from mylib import Thing\nfrom shop import app\n\nthing = Thing(app, 1)\n",
    }
    outcome = run_one("blueprints", project_of(files, "shop/__init__.py"))
    assert outcome.project.text("shop/views.py") == files["shop/views.py"]


PKG = "app/__init__.py"
CLI_APP = """import click
from flask import Flask
app = Flask(__name__)


@app.cli.command()
@click.option("--drop", is_flag=True)
def initdb(drop):
    click.echo("ok")


@app.cli.group()
def translate():
    pass
"""


def test_commands_before_flask_1_1_are_added_to_each_app_by_the_blueprint() -> None:
    outcome = run_one("blueprints", project_of({PKG: CLI_APP}, PKG), "1.0")
    routes = outcome.project.text("app/main/routes.py")
    assert "import click\nfrom flask.cli import AppGroup, with_appcontext\n" in routes
    assert (
        '@click.command()\n@with_appcontext\n@click.option("--drop", is_flag=True)\n'
        'def initdb(drop):\n    click.echo("ok")\n\n\n'
        "bp.record(lambda state: state.app.cli.add_command(initdb))\n"
    ) in routes
    assert "@click.group(cls=AppGroup)\ndef translate():" in routes
    assert "cli_group" not in outcome.project.text("app/main/__init__.py")


def test_commands_from_flask_1_1_go_to_the_blueprints_cli() -> None:
    outcome = run_one("blueprints", project_of({PKG: CLI_APP}, PKG), "1.1")
    routes = outcome.project.text("app/main/routes.py")
    assert "@bp.cli.command()" in routes and "record" not in routes
    assert "cli_group=None" in outcome.project.text("app/main/__init__.py")


def test_a_view_modules_commands_before_flask_1_1_are_recorded_on_the_blueprint() -> None:
    cli = "from app import app\n\n\n@app.cli.command()\ndef seed():\n    pass\n"
    outcome = run_one("blueprints", project_of({PKG: APP, "app/cli.py": cli}, PKG), "1.0")
    assert outcome.project.text("app/cli.py") == (
        "from app.main import bp\nimport click\nfrom flask.cli import with_appcontext\n\n\n"
        "@click.command()\n@with_appcontext\ndef seed():\n    pass\n\n\n"
        "bp.record(lambda state: state.app.cli.add_command(seed))\n"
    )
