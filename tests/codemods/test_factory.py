"""factory: the global app and what is done to it → create_app(config_name)."""

from __future__ import annotations

from flaskmod.codemods import factory
from flaskmod.codemods._app_users import AppUser, Use
from tests.codemods.tools import check_noop, check_transformed, context_for, project_of, run_one

PKG = "app/__init__.py"
GLOBAL = "from flask import Flask\napp = Flask(__name__)\n"


def _factory(body: str, **kw: str) -> str:
    outcome = run_one("factory", project_of({PKG: body}), **kw)
    return outcome.project.text(PKG)


def _messages(files: dict[str, str]) -> list[str]:
    return [str(f) for f in run_one("factory", project_of(files)).findings]


def test_app_statements_move_into_create_app_in_order() -> None:
    check_transformed(
        "factory",
        {
            PKG: """
            from flask import Flask
            from config import get_config
            from .extensions import db

            app = Flask(__name__)
            app.config.from_object(get_config())
            db.init_app(app)


            class User(db.Model):
                pass


            @app.cli.command("seed")
            def seed():
                app.logger.info("seeding")


            def helper():
                return app.config["X"]


            from .main import bp as main_bp

            app.register_blueprint(main_bp)
            """
        },
        {
            PKG: '''
            from flask import Flask, current_app
            from config import get_config
            from .extensions import db


            def create_app(config_name="development"):
                """Build and configure the app for `config_name` (see config.py)."""
                app = Flask(__name__)
                app.config.from_object(get_config(config_name))
                app.config.from_prefixed_env()
                db.init_app(app)

                @app.cli.command("seed")
                def seed():
                    app.logger.info("seeding")

                from .main import bp as main_bp

                app.register_blueprint(main_bp)

                return app


            class User(db.Model):
                pass


            def helper():
                return current_app.config["X"]
            '''
        },
    )


def test_a_bare_app_gets_a_factory_whose_config_name_is_unused() -> None:
    text = _factory(GLOBAL)
    assert 'def create_app(config_name="development"):' in text
    assert "`config_name` is unused until settings move to config.py" in text
    assert "from_prefixed_env" not in text


def test_old_flask_gets_no_from_prefixed_env_and_a_note() -> None:
    source = "from flask import Flask\nfrom config import get_config\napp = Flask(__name__)\n"
    outcome = run_one(
        "factory",
        project_of({PKG: source + "app.config.from_object(get_config())\n"}),
        flask="2.0",
    )
    assert "from_prefixed_env" not in outcome.project.text(PKG)
    assert any("it needs Flask 2.1" in f.message for f in outcome.findings)


def test_an_existing_from_prefixed_env_is_not_doubled() -> None:
    text = _factory(
        "from flask import Flask\nfrom config import get_config\napp = Flask(__name__)\n"
        "app.config.from_object(get_config())\napp.config.from_prefixed_env()\n"
    )
    assert text.count("from_prefixed_env") == 1


def test_late_imports_used_only_by_the_factory_move_in() -> None:
    text = _factory(GLOBAL + "from .views import bp\napp.register_blueprint(bp)\n")
    assert "    from .views import bp\n" in text


def test_late_imports_used_elsewhere_stay() -> None:
    text = _factory(GLOBAL + "from .views import bp\napp.register_blueprint(bp)\nNAME = bp.name\n")
    assert "\nfrom .views import bp\n" in text


def test_a_parameter_named_app_is_not_the_app() -> None:
    text = _factory(GLOBAL + "def helper(app):\n    return app.name\n")
    assert "def helper(app):\n    return app.name\n" in text
    assert "current_app" not in text


def test_plan_splits_what_moves_and_what_reads_the_app() -> None:
    project = project_of({PKG: GLOBAL + "app.debug = True\ndef f():\n    return app\nX = 1\n"})
    plan = factory.plan(context_for(project))
    assert plan is not None
    assert (plan.creation, plan.into, plan.entry_points) == (1, (1, 2), ())
    assert plan.users == (AppUser(3, "f", Use.OBJECT),)  # `return app` hands the app on


def test_name_computed_from_app_and_used_elsewhere_declines() -> None:
    source = 'from flask import Flask\n\napp = Flask(__name__)\nUPLOADS = app.config.get("U")\n\n\ndef where():\n    return UPLOADS\n'
    outcome = check_noop("factory", {PKG: source})
    assert outcome.declined is not None
    assert [str(f) for f in outcome.findings] == [
        "app/__init__.py:8: `UPLOADS` is computed from the app at import time and used outside "
        "it; move that use into a function before building the factory"
    ]


def test_package_modules_using_the_global_app_at_import_decline() -> None:
    files = {
        PKG: GLOBAL,
        "app/tasks.py": "import sys\nfrom app import app\nNAME = app.name\n",
        "tests/test_x.py": "from app import app\n",
    }
    outcome = check_noop("factory", files)
    assert [str(f.location) for f in outcome.findings] == ["app/tasks.py:2"]


def test_package_modules_using_the_app_in_functions_get_current_app() -> None:
    email = (
        "from threading import Thread\nfrom app import app, mail\n\n\n"
        "def send(msg):\n    Thread(target=deliver, args=(app, msg)).start()\n\n\n"
        "def sender():\n    return app.config['SENDER']\n"
    )
    outcome = run_one("factory", project_of({PKG: GLOBAL + "mail = 1\n", "app/email.py": email}))
    text = outcome.project.text("app/email.py")
    assert text.startswith(
        "from threading import Thread\nfrom app import mail\nfrom flask import current_app\n"
    )
    assert (
        "def send(msg, app=None):\n    if app is None:\n        app = current_app._get_current_object()\n"
        in text
    )
    assert "return current_app.config['SENDER']" in text
    assert "create_app" in outcome.project.text(PKG)


def test_a_package_module_importing_the_app_unused_just_loses_the_import() -> None:
    outcome = run_one(
        "factory", project_of({PKG: GLOBAL, "app/tasks.py": "import sys\nfrom app import app\n"})
    )
    assert outcome.project.text("app/tasks.py") == "import sys\n"


def test_a_background_task_in_a_package_module_declines() -> None:
    tasks = "from app import app\n\n\n@celery.task\ndef nightly():\n    with app.app_context():\n        pass\n"
    outcome = check_noop("factory", {PKG: GLOBAL, "app/tasks.py": tasks})
    assert [str(f.location) for f in outcome.findings] == ["app/tasks.py:5"]


def test_a_helper_named_create_app_declines() -> None:
    outcome = check_noop("factory", {PKG: GLOBAL + "def create_app(x):\n    return x\n"})
    assert [str(f) for f in outcome.findings] == [
        "app/__init__.py:3: `create_app` is already defined here; rename it, then run again"
    ]


def test_entry_points_outside_the_package_build_their_own_app() -> None:
    outcome = run_one(
        "factory",
        project_of(
            {
                PKG: GLOBAL,
                "manage.py": "from flask_script import Manager\nfrom app import app\n\nmanager = Manager(app)\n",
            }
        ),
    )
    assert outcome.project.text("manage.py") == (
        "from flask_script import Manager\nfrom app import create_app\nimport os\n\n"
        'app = create_app(os.environ.get("FLASK_CONFIG", "development"))\n\nmanager = Manager(app)\n'
    )


def test_tests_importing_the_global_app_are_fixed_in_the_same_step() -> None:
    outcome = run_one(
        "factory",
        project_of(
            {
                PKG: GLOBAL,
                "tests/test_app.py": "from app import app\n\n\ndef test_name():\n    assert app.name\n",
            }
        ),
    )
    assert outcome.project.text("tests/test_app.py") == (
        'from app import create_app\n\napp = create_app("testing")\n\n\n'
        "def test_name():\n    assert app.name\n"
    )
    assert "tests/conftest.py" not in outcome.project.files  # the `tests` codemod adds fixtures


def test_a_factory_is_left_alone() -> None:
    check_noop(
        "factory",
        {PKG: "from flask import Flask\n\n\ndef make_app():\n    return Flask(__name__)\n"},
    )


def test_a_single_module_is_left_for_package_first() -> None:
    outcome = check_noop("factory", GLOBAL)
    assert [f.message for f in outcome.findings] == [
        "factory needs the app in a package: run the `package` codemod first"
    ]


def test_functions_that_do_not_read_the_app_are_untouched() -> None:
    text = _factory(GLOBAL + "def pure(x):\n    return x + 1\n")
    assert "def pure(x):\n    return x + 1\n" in text


# -------------------------------------------------------- functions that use the app object
def test_a_helper_opening_an_app_context_takes_the_app() -> None:
    text = _factory(
        GLOBAL
        + 'def init_db():\n    """Create the tables."""\n    with app.app_context():\n        pass\n'
    )
    assert (
        'def init_db(app=None):\n    """Create the tables."""\n    if app is None:\n'
        "        app = current_app._get_current_object()\n    with app.app_context():\n"
    ) in text
    assert "from flask import Flask, current_app\n" in text


def test_the_app_handed_to_a_thread_is_the_real_object() -> None:
    text = _factory(
        GLOBAL
        + "from threading import Thread\n"
        + "def send(msg):\n    Thread(target=deliver, args=[app, msg]).start()\n"
        + "def deliver(app, msg):\n    with app.app_context():\n        pass\n"
    )
    assert (
        "def send(msg, app=None):\n    if app is None:\n        app = current_app._get_current_object()\n    Thread(target=deliver, args=[app, msg]).start()\n"
        in text
    )
    assert "def deliver(app, msg):\n    with app.app_context():" in text  # its own parameter
    assert "current_app.app_context()" not in text


def test_variadic_functions_get_a_keyword_only_app() -> None:
    text = _factory(GLOBAL + "def run_all(*jobs):\n    return app.test_client()\n")
    assert "def run_all(*jobs, app=None):" in text


def test_attribute_reads_only_use_current_app() -> None:
    text = _factory(GLOBAL + "def debug_on():\n    return app.debug or app.config['X']\n")
    assert "return current_app.debug or current_app.config['X']" in text
    assert "app=None" not in text


def test_a_celery_task_using_the_app_declines() -> None:
    outcome = check_noop(
        "factory",
        {
            PKG: GLOBAL
            + "@celery.task\ndef mail_all():\n    with app.app_context():\n        pass\n"
        },
    )
    assert outcome.declined is not None
    assert "`mail_all` runs outside any request" in outcome.findings[-1].message


def test_a_function_handed_to_a_scheduler_by_reference_declines() -> None:
    outcome = check_noop(
        "factory",
        {
            PKG: GLOBAL
            + "def job():\n    with app.app_context():\n        pass\n\n\nscheduler.add_job(job)\n"
        },
    )
    assert outcome.declined is not None


def test_tests_calling_such_a_helper_pass_their_app() -> None:
    outcome = run_one(
        "factory",
        project_of(
            {
                PKG: GLOBAL + "def init_db():\n    with app.app_context():\n        pass\n",
                "tests/test_a.py": "from app import app, init_db\n\n\ndef setup_function():\n    init_db()\n",
            }
        ),
    )
    text = outcome.project.text("tests/test_a.py")
    assert "from app import create_app, init_db\n" in text
    assert "    init_db(app=app)\n" in text


def test_module_style_tests_pass_their_app_too() -> None:
    outcome = run_one(
        "factory",
        project_of(
            {
                PKG: GLOBAL + "def init_db():\n    with app.app_context():\n        pass\n",
                "tests/test_b.py": "import app as flaskr\n\n\ndef setup_function():\n    flaskr.app.testing = True\n    flaskr.init_db()\n",
            }
        ),
    )
    text = outcome.project.text("tests/test_b.py")
    assert "    flaskr.init_db(app=app)\n" in text
    assert 'app = flaskr.create_app("testing")' in text


def test_a_call_already_passing_app_is_left_alone() -> None:
    outcome = run_one(
        "factory",
        project_of(
            {
                PKG: GLOBAL + "def init_db():\n    with app.app_context():\n        pass\n",
                "tests/test_a.py": "from app import app, init_db\ninit_db(app=app)\n",
            }
        ),
    )
    assert outcome.project.text("tests/test_a.py").count("app=app") == 1


def test_a_script_running_code_before_its_imports_gets_its_app_after_them() -> None:
    tests = 'import os\nos.environ["DATABASE_URL"] = "sqlite://"\n\nimport unittest\nfrom app import app\nfrom app.models import User\n\n\nclass T(unittest.TestCase):\n    pass\n'
    outcome = run_one(
        "factory", project_of({PKG: GLOBAL, "tests.py": tests, "app/models.py": "User = 1\n"})
    )
    text = outcome.project.text("tests.py")
    assert text.index("from app import create_app") < text.index('app = create_app("testing")')
    assert text.index("from app.models import User") < text.index('app = create_app("testing")')


def test_a_parent_package_re_exporting_the_app_re_exports_the_factory() -> None:
    files = {
        "flaskr/__init__.py": "from .flaskr import app\n",
        "flaskr/flaskr/__init__.py": GLOBAL + "@app.route('/')\ndef index():\n    return ''\n",
        "tests/test_flaskr.py": "from flaskr import flaskr\n\n\ndef test_it():\n    assert flaskr.app.name\n",
    }
    outcome = run_one("factory", project_of(files))
    assert outcome.project.text("flaskr/__init__.py") == "from .flaskr import create_app\n"
    tests = outcome.project.text("tests/test_flaskr.py")
    assert 'app = flaskr.create_app("testing")' in tests and "assert app.name" in tests
    assert "flaskr/__init__.py: re-exports create_app instead of the global app" in [
        str(f) for f in outcome.findings
    ]
