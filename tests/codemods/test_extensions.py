"""extensions: unbound instances in extensions.py, init_app where they were bound."""

from __future__ import annotations

import pytest

from flaskmod import report
from flaskmod.analysis import analyze
from flaskmod.codemod import Declined
from flaskmod.codemods import extensions
from flaskmod.knowledge import KNOWN_EXTENSIONS
from flaskmod.pipeline import Options, discover, run, select
from flaskmod.versions import FlaskVersion
from tests.codemods.tools import check_noop, check_transformed, context_for, project_of, run_one
from tests.conftest import dedent

HEAD = '"""Extension instances, created unbound; `init_app` binds them to each app."""\n\n'


def _package(body: str) -> dict[str, str]:
    return {"app/__init__.py": body}


def _plan(body: str, **files: str) -> extensions.ExtensionsPlan | None:
    return extensions.plan(context_for(project_of({"app/__init__.py": body, **files})))


def _messages(outcome) -> list[str]:  # type: ignore[no-untyped-def]
    return [finding.message for finding in outcome.findings]


# ------------------------------------------------------------------------- moves
def test_bound_extensions_move_and_init_app_in_place() -> None:
    before = """
        from flask import Flask
        from flask_sqlalchemy import SQLAlchemy
        from flask_migrate import Migrate
        from flask_login import LoginManager

        app = Flask(__name__)
        db = SQLAlchemy(app)
        migrate = Migrate(app, db, directory="migs")
        login = LoginManager(app)
        login.login_view = "login"
    """
    module = HEAD + dedent(
        """
        from flask_login import LoginManager
        from flask_migrate import Migrate
        from flask_sqlalchemy import SQLAlchemy

        db = SQLAlchemy()
        migrate = Migrate()
        login = LoginManager()
        login.login_view = "login"
        """
    )
    init = """
        from flask import Flask
        from .extensions import db, migrate, login

        app = Flask(__name__)
        db.init_app(app)
        migrate.init_app(app, db, directory="migs")
        login.init_app(app)
    """
    check_transformed(
        "extensions", _package(before), {"app/__init__.py": init, "app/extensions.py": module}
    )


def test_deferred_init_app_keeps_its_call() -> None:
    before = """
        from flask import Flask
        from flask_login import LoginManager

        login_manager = LoginManager()
        app = Flask(__name__)
        login_manager.init_app(app)
    """
    after = """
        from flask import Flask

        from .extensions import login_manager

        app = Flask(__name__)
        login_manager.init_app(app)
    """
    module = HEAD + "from flask_login import LoginManager\n\nlogin_manager = LoginManager()\n"
    outcome = check_transformed(
        "extensions", _package(before), {"app/__init__.py": after, "app/extensions.py": module}
    )
    assert not [f for f in outcome.findings if f.severity.value == "manual"]


def test_unassigned_extension_gets_a_name() -> None:
    before = """
        from flask import Flask
        from flask_cors import CORS

        app = Flask(__name__)
        CORS(app, resources={r"/api/*": {"origins": "*"}})
    """
    after = """
        from flask import Flask

        from .extensions import cors

        app = Flask(__name__)
        cors.init_app(app, resources={r"/api/*": {"origins": "*"}})
    """
    module = HEAD + "from flask_cors import CORS\n\ncors = CORS()\n"
    check_transformed(
        "extensions", _package(before), {"app/__init__.py": after, "app/extensions.py": module}
    )


def test_generated_name_avoids_a_taken_one() -> None:
    plan = _plan(
        """
        from flask import Flask
        from flask_cors import CORS

        cors = "configured elsewhere"
        app = Flask(__name__)
        CORS(app)
        """
    )
    assert plan is not None and [bound.name for bound in plan.extensions] == ["cors_2"]


@pytest.mark.parametrize(
    "call, ctor, init",
    [
        (
            "Limiter(app, key_func=get_remote_address)",
            "Limiter(key_func=get_remote_address)",
            "limiter.init_app(app)",
        ),
        (
            "Limiter(get_remote_address, app=app, default_limits=['1/s'])",
            "Limiter(get_remote_address, default_limits=['1/s'])",
            "limiter.init_app(app)",
        ),
    ],
)
def test_limiter_signatures(call: str, ctor: str, init: str) -> None:
    before = f"""
        from flask import Flask
        from flask_limiter import Limiter
        from flask_limiter.util import get_remote_address

        app = Flask(__name__)
        limiter = {call}
    """
    module = HEAD + (
        "from flask_limiter import Limiter\n"
        "from flask_limiter.util import get_remote_address\n\n"
        f"limiter = {ctor}\n"
    )
    after = f"""
        from flask import Flask

        from .extensions import limiter

        app = Flask(__name__)
        {init}
    """
    check_transformed(
        "extensions", _package(before), {"app/__init__.py": after, "app/extensions.py": module}
    )


def test_module_alias_import() -> None:
    before = """
        import flask_sqlalchemy as fsa
        from flask import Flask

        app = Flask(__name__)
        db = fsa.SQLAlchemy(app)
    """
    after = """
        from flask import Flask

        from .extensions import db

        app = Flask(__name__)
        db.init_app(app)
    """
    module = HEAD + "import flask_sqlalchemy as fsa\n\ndb = fsa.SQLAlchemy()\n"
    check_transformed(
        "extensions", _package(before), {"app/__init__.py": after, "app/extensions.py": module}
    )


def test_sibling_modules_import_moved_extensions_from_their_new_home() -> None:
    files = {
        "app/__init__.py": """
            from flask import Flask
            from flask_sqlalchemy import SQLAlchemy

            app = Flask(__name__)
            db = SQLAlchemy(app)

            from app import models
        """,
        "app/models.py": "from app import app, db\n\n\nclass User(db.Model):\n    pass\n",
    }
    outcome = check_transformed(
        "extensions",
        files,
        {
            "app/__init__.py": """
                from flask import Flask

                from .extensions import db

                app = Flask(__name__)
                db.init_app(app)

                from app import models
            """,
            "app/extensions.py": HEAD
            + "from flask_sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy()\n",
            "app/models.py": "from app import app\nfrom app.extensions import db\n\n\nclass User(db.Model):\n    pass\n",
        },
    )
    assert _messages(outcome) == ["`db` now lives in app/extensions.py and is bound with init_app"]


def test_only_literal_settings_after_creation_move() -> None:
    plan = _plan(
        """
        from flask import Flask
        from flask_login import LoginManager

        app = Flask(__name__)
        login = LoginManager(app)
        login.login_view = "login"
        login.login_message = MESSAGE
        login.refresh_view = None
        """
    )
    assert plan is not None
    (bound,) = plan.extensions
    assert bound.settings == (4, 6)


def test_plan_says_what_moves_and_where() -> None:
    plan = _plan(
        """
        from flask import Flask
        from flask_migrate import Migrate
        from .db import db

        app = Flask(__name__)
        migrate = Migrate(app, db, render_as_batch=True)
        """
    )
    assert plan is not None
    assert plan.path == "app/extensions.py"
    assert plan.imports == (("from flask_migrate import Migrate",), ())
    (bound,) = plan.extensions
    assert (bound.name, bound.position, bound.becomes_init) == ("migrate", 4, True)
    assert bound.ctor_args == ()
    assert [extensions._written(arg.value) for arg in bound.init_args] == ["db", "True"]


def test_plan_of_a_deferred_instance_drops_its_constructor() -> None:
    plan = _plan(
        """
        from flask import Flask
        from flask_mail import Mail

        mail = Mail()
        app = Flask(__name__)
        mail.init_app(app)
        """
    )
    assert plan is not None
    (bound,) = plan.extensions
    assert (bound.position, bound.becomes_init, bound.init_args) == (2, False, ())


# ---------------------------------------------------------------------- left alone
def test_unknown_class_outside_flask_packages_stays_and_is_reported() -> None:
    before = """
        from flask import Flask
        from tracing import Tracer

        app = Flask(__name__)
        Tracer(app)
    """
    outcome = check_noop("extensions", _package(before))
    assert outcome.declined is not None
    assert str(outcome.declined.finding.location) == "app/__init__.py:5"
    assert outcome.declined.finding.message == (
        "`Tracer(app)` is not a known extension; it stays bound where the app is created "
        "(check whether it has init_app)"
    )


def test_other_extensions_move_when_one_stays() -> None:
    plan = _plan(
        """
        from flask import Flask
        from flask_mail import Mail
        from tracing import Tracer

        app = Flask(__name__)
        Tracer(app)
        mail = Mail(app)
        """
    )
    assert plan is not None and [bound.name for bound in plan.extensions] == ["mail"]


def test_existing_extensions_module_is_kept_and_reported() -> None:
    before = {
        "app/__init__.py": "from flask import Flask\nfrom flask_mail import Mail\napp = Flask(__name__)\nmail = Mail(app)\n",
        "app/extensions.py": "# ours\n",
    }
    outcome = check_noop("extensions", before)
    assert outcome.declined is not None
    assert outcome.declined.finding.message == (
        "app/extensions.py already exists; extensions left in app/__init__.py"
    )


def test_single_module_layout_asks_for_package_first() -> None:
    source = "from flask import Flask\nfrom flask_sqlalchemy import SQLAlchemy\napp = Flask(__name__)\ndb = SQLAlchemy(app)\n"
    outcome = check_noop("extensions", source)
    assert _messages(outcome) == [
        "extensions needs the app in a package: run the `package` codemod first"
    ]


def test_instance_never_bound_to_the_app_stays() -> None:
    before = """
        from flask import Flask
        from flask_login import LoginManager

        app = Flask(__name__)
        login = LoginManager()
    """
    outcome = check_noop("extensions", _package(before))
    assert not outcome.findings


def test_init_app_of_something_else_is_not_an_extension() -> None:
    before = """
        from flask import Flask
        from .helpers import Tracker

        tracker = Tracker()
        app = Flask(__name__)
        tracker.init_app(app)
    """
    assert _plan(dedent(before)) is None


def test_no_extensions_is_a_noop() -> None:
    outcome = check_noop("extensions", _package("from flask import Flask\napp = Flask(__name__)\n"))
    assert not outcome.findings


def test_factory_layout_is_left_alone() -> None:
    factory = "from flask import Flask\n\n\ndef create_app():\n    return Flask(__name__)\n"
    check_noop("extensions", _package(factory))


def test_every_known_extension_is_in_the_table_once() -> None:
    assert all(name == entry.qualified for name, entry in KNOWN_EXTENSIONS.items())


def test_declined_is_the_refusal_type() -> None:
    with pytest.raises(Declined):
        extensions.plan(
            context_for(
                project_of(
                    {
                        "app/__init__.py": "from flask import Flask\nfrom x import Y\napp = Flask(__name__)\nY(app)\n"
                    }
                )
            )
        )


# ------------------------------------------- constructor arguments reading definitions
BASE_BEFORE = """
    from flask import Flask
    from flask_sqlalchemy import SQLAlchemy
    from sqlalchemy.orm import DeclarativeBase


    class Base(DeclarativeBase):
        pass


    app = Flask(__name__)
    db = SQLAlchemy(app, model_class=Base)
"""


def test_model_class_defined_in_the_module_moves_with_the_instance() -> None:
    module = HEAD + dedent(
        """
        from flask_sqlalchemy import SQLAlchemy
        from sqlalchemy.orm import DeclarativeBase


        class Base(DeclarativeBase):
            pass


        db = SQLAlchemy(model_class=Base)
        """
    )
    after = """
        from flask import Flask

        from .extensions import db

        app = Flask(__name__)
        db.init_app(app)
    """
    outcome = check_transformed(
        "extensions",
        _package(BASE_BEFORE),
        {"app/__init__.py": after, "app/extensions.py": module},
    )
    assert _messages(outcome) == [
        "`db` now lives in app/extensions.py and is bound with init_app",
        "`Base` moved to app/extensions.py with `db`, whose arguments read it",
    ]


def test_moved_definition_still_used_is_imported_back_and_redirected() -> None:
    files = {
        "app/__init__.py": dedent(BASE_BEFORE)
        + "\n\nclass Mixin(Base):\n    __abstract__ = True\n",
        "app/models.py": "from app import Base, db\n",
    }
    outcome = run_one("extensions", project_of(files))
    assert "from .extensions import Base, db\n" in outcome.project.text("app/__init__.py")
    assert outcome.project.text("app/models.py") == "from app.extensions import Base, db\n"


def test_definitions_read_by_arguments_plan() -> None:
    plan = _plan(
        """
        from flask import Flask
        from flask_sqlalchemy import SQLAlchemy
        from sqlalchemy import MetaData

        CONVENTION = {"pk": "pk_%(table_name)s"}
        metadata = MetaData(naming_convention=CONVENTION)
        app = Flask(__name__)
        db = SQLAlchemy(app, metadata=metadata, session_options={"autoflush": False})
        """
    )
    assert plan is not None
    (bound,) = plan.extensions
    assert bound.definitions == (3, 4)
    assert plan.imports == (
        ("from flask_sqlalchemy import SQLAlchemy", "from sqlalchemy import MetaData"),
        (),
    )


def test_definition_defined_later_keeps_the_instance_bound() -> None:
    before = """
        from flask import Flask
        from flask_caching import Cache

        app = Flask(__name__)
        cache = Cache(app, config={"CACHE_DEFAULT_TIMEOUT": timeout()})


        def timeout():
            return 5
    """
    outcome = check_noop("extensions", _package(before))
    assert outcome.declined is not None
    assert outcome.declined.finding.message == (
        "`cache` stays bound to the app, not moved to app/extensions.py: `timeout`, which its "
        "arguments read, is defined after it in app/__init__.py"
    )


def test_argument_reading_the_app_keeps_the_instance_bound() -> None:
    before = """
        from flask import Flask
        from flask_caching import Cache

        app = Flask(__name__)
        cache = Cache(app, config={"CACHE_DIR": app.instance_path})
    """
    outcome = check_noop("extensions", _package(before))
    assert outcome.declined is not None
    assert outcome.declined.finding.message.endswith(": its arguments read the app")


def test_definition_reading_the_app_keeps_the_instance_bound() -> None:
    before = """
        from flask import Flask
        from flask_caching import Cache

        app = Flask(__name__)
        CACHE_CONFIG = {"CACHE_DIR": app.instance_path}
        cache = Cache(app, config=CACHE_CONFIG)
    """
    outcome = check_noop("extensions", _package(before))
    assert outcome.declined is not None
    assert outcome.declined.finding.message.endswith(
        ": `CACHE_CONFIG`, which its arguments read, read the app"
    )


def test_decorated_definition_keeps_the_instance_bound() -> None:
    before = """
        from dataclasses import dataclass
        from flask import Flask
        from flask_sqlalchemy import SQLAlchemy


        @dataclass
        class Base:
            pass


        app = Flask(__name__)
        db = SQLAlchemy(app, model_class=Base)
    """
    outcome = check_noop("extensions", _package(before))
    assert outcome.declined is not None
    assert "`Base`, which its arguments read, is decorated in app/__init__.py" in (
        outcome.declined.finding.message
    )


def test_definition_bound_twice_keeps_the_instance_bound() -> None:
    before = """
        from flask import Flask
        from flask_caching import Cache

        TIMEOUT = 5
        TIMEOUT = 10
        app = Flask(__name__)
        cache = Cache(app, config={"CACHE_DEFAULT_TIMEOUT": TIMEOUT})
    """
    outcome = check_noop("extensions", _package(before))
    assert outcome.declined is not None
    assert "is bound more than once" in outcome.declined.finding.message


def test_argument_imported_from_a_sibling_module_is_imported_there() -> None:
    files = {
        "app/__init__.py": """
            from flask import Flask
            from flask_sqlalchemy import SQLAlchemy
            from .database import Base

            app = Flask(__name__)
            db = SQLAlchemy(app, model_class=Base)
        """,
        "app/database.py": "from sqlalchemy.orm import DeclarativeBase\n\n\nclass Base(DeclarativeBase):\n    pass\n",
    }
    plan = extensions.plan(context_for(project_of(files)))
    assert plan is not None
    assert plan.imports == (
        ("from flask_sqlalchemy import SQLAlchemy",),
        ("from app.database import Base",),
    )


def test_argument_from_a_module_importing_the_package_would_be_circular() -> None:
    files = {
        "app/__init__.py": """
            from flask import Flask
            from flask_admin import Admin
            from .views import Home

            app = Flask(__name__)
            admin = Admin(app, index_view=Home())
        """,
        "app/views.py": "from flask_admin import AdminIndexView\nfrom app import app\n\n\nclass Home(AdminIndexView):\n    pass\n",
    }
    outcome = check_noop("extensions", files)
    assert outcome.declined is not None
    assert outcome.declined.finding.message.endswith(
        "`Home` comes from app/views.py, which imports app: importing it in app.extensions "
        "would be circular"
    )


def test_init_app_arguments_keep_their_imports() -> None:
    before = """
        from flask import Flask
        from flask_cors import CORS
        from .settings import ORIGINS

        app = Flask(__name__)
        CORS(app, origins=ORIGINS)
    """
    outcome = run_one("extensions", project_of(_package(before)))
    init = outcome.project.text("app/__init__.py")
    assert "from .settings import ORIGINS\n" in init
    assert "cors.init_app(app, origins=ORIGINS)\n" in init


# ---------------------------------------------------- extensions outside the table
def test_flask_package_class_given_only_the_app_follows_the_convention() -> None:
    before = """
        from flask import Flask
        from flask_gravatar import Gravatar

        app = Flask(__name__)
        gravatar = Gravatar(app)
    """
    after = """
        from flask import Flask

        from .extensions import gravatar

        app = Flask(__name__)
        gravatar.init_app(app)
    """
    module = HEAD + "from flask_gravatar import Gravatar\n\ngravatar = Gravatar()\n"
    outcome = check_transformed(
        "extensions", _package(before), {"app/__init__.py": after, "app/extensions.py": module}
    )
    assert _messages(outcome)[1] == (
        "`gravatar` (flask_gravatar.Gravatar) is not in flaskmod's extension table: assumed to "
        "follow the init_app convention of flask_* packages"
    )


def test_flask_package_class_given_app_by_keyword_follows_the_convention() -> None:
    plan = _plan(
        "from flask import Flask\nimport flask_foo\napp = Flask(__name__)\nflask_foo.Foo(app=app)\n"
    )
    assert plan is not None
    (bound,) = plan.extensions
    assert (bound.name, bound.assumed, bound.ctor_args) == ("foo", "flask_foo.Foo", ())


def test_flask_package_class_with_other_arguments_stays() -> None:
    before = """
        from flask import Flask
        from flask_gravatar import Gravatar

        app = Flask(__name__)
        gravatar = Gravatar(app, size=100)
    """
    outcome = check_noop("extensions", _package(before))
    assert outcome.declined is not None
    assert outcome.declined.finding.message == (
        "`Gravatar` is not a known extension: by the flask_* convention it has init_app, but "
        "where its other arguments go is unknown; it stays bound where the app is created"
    )


def test_flask_package_function_is_not_an_extension() -> None:
    before = """
        from flask import Flask
        from flask_uploads import configure_uploads

        app = Flask(__name__)
        configure_uploads(app, photos)
    """
    assert not check_noop("extensions", _package(before)).findings


def test_flask_script_manager_stays_with_the_reason() -> None:
    before = """
        from flask import Flask
        from flask_script import Manager

        app = Flask(__name__)
        manager = Manager(app)
    """
    outcome = check_noop("extensions", _package(before))
    assert outcome.declined is not None
    assert outcome.declined.finding.message == (
        "`Manager(app)` (flask_script.Manager) has no init_app: it takes the app, or a factory it "
        "calls when a command runs; it stays. Once create_app exists, move it to an entry "
        "script (manage.py): `Manager(create_app)`, or `Manager(app)` with `app = create_app(...)`"
    )


def test_objects_not_bound_to_the_app_stay() -> None:
    before = """
        from flask import Flask
        from flask_httpauth import HTTPBasicAuth
        from flask_restful import Api

        app = Flask(__name__)
        auth = HTTPBasicAuth()
        api = Api()
    """
    outcome = check_noop("extensions", _package(before))
    assert not outcome.findings


def test_deferred_flask_package_instance_moves() -> None:
    plan = _plan(
        "from flask import Flask\nfrom flask_foo import Foo\nfoo = Foo(x=1)\napp = Flask(__name__)\nfoo.init_app(app)\n"
    )
    assert plan is not None
    (bound,) = plan.extensions
    assert (bound.name, bound.becomes_init, bound.assumed) == ("foo", False, "flask_foo.Foo")


# --------------------------------------------- module-level uses of the instance
RESTFUL = """
    from flask import Flask
    from flask_restful import Api, Resource

    app = Flask(__name__)
    api = Api(app, prefix="/v1")


    class Todo(Resource):
        def get(self):
            return {}


    api.add_resource(Todo, "/todo")
"""


def test_restful_api_is_bound_after_its_resources_are_added() -> None:
    after = """
        from flask import Flask
        from flask_restful import Resource

        from .extensions import api

        app = Flask(__name__)


        class Todo(Resource):
            def get(self):
                return {}


        api.add_resource(Todo, "/todo")
        api.init_app(app)
    """
    module = HEAD + 'from flask_restful import Api\n\napi = Api(prefix="/v1")\n'
    outcome = check_transformed(
        "extensions", _package(RESTFUL), {"app/__init__.py": after, "app/extensions.py": module}
    )
    assert _messages(outcome)[-1] == (
        "`api.init_app(app)` comes after the module's last use of `api`: its init_app registers "
        "only what was added before it"
    )


def test_restful_api_without_later_uses_is_bound_in_place() -> None:
    plan = _plan(
        "from flask import Flask\nfrom flask_restful import Api\napp = Flask(__name__)\napi = Api(app)\n"
    )
    assert plan is not None and plan.extensions[0].bind_after == 3


def test_restful_api_resource_decorator_counts_as_a_use() -> None:
    plan = _plan(
        dedent(
            """
            from flask import Flask
            from flask_restful import Api, Resource

            app = Flask(__name__)
            api = Api(app)


            @api.resource("/x")
            class X(Resource):
                pass


            def later():
                return api
            """
        )
    )
    assert plan is not None and plan.extensions[0].bind_after == 4


def test_restx_api_is_bound_in_place_and_its_namespaces_stay() -> None:
    before = """
        from flask import Flask
        from flask_restx import Api

        app = Flask(__name__)
        api = Api(app, version="1.0", title="Todo API")
        ns = api.namespace("todos")
    """
    after = """
        from flask import Flask

        from .extensions import api

        app = Flask(__name__)
        api.init_app(app)
        ns = api.namespace("todos")
    """
    module = HEAD + 'from flask_restx import Api\n\napi = Api(version="1.0", title="Todo API")\n'
    check_transformed(
        "extensions", _package(before), {"app/__init__.py": after, "app/extensions.py": module}
    )


# ------------------------------------------------------------ every known extension
#: qualified class → (the call in the legacy app, the constructor in extensions.py, the init_app)
EVERY = {
    "flask_sqlalchemy.SQLAlchemy": (
        "SQLAlchemy(app, session_options={'autoflush': False})",
        "SQLAlchemy(session_options={'autoflush': False})",
        "init_app(app)",
    ),
    "flask_migrate.Migrate": (
        "Migrate(app, db, render_as_batch=True)",
        "Migrate()",
        "init_app(app, db, render_as_batch=True)",
    ),
    "flask_login.LoginManager": ("LoginManager(app)", "LoginManager()", "init_app(app)"),
    "flask_wtf.CSRFProtect": ("CSRFProtect(app)", "CSRFProtect()", "init_app(app)"),
    "flask_wtf.csrf.CSRFProtect": ("CSRFProtect(app)", "CSRFProtect()", "init_app(app)"),
    "flask_cors.CORS": ("CORS(app, origins='*')", "CORS()", "init_app(app, origins='*')"),
    "flask_limiter.Limiter": (
        "Limiter(get_remote_address, app=app, default_limits=['1/s'])",
        "Limiter(get_remote_address, default_limits=['1/s'])",
        "init_app(app)",
    ),
    "flask_talisman.Talisman": (
        "Talisman(app, force_https=False)",
        "Talisman()",
        "init_app(app, force_https=False)",
    ),
    "flask_mail.Mail": ("Mail(app)", "Mail()", "init_app(app)"),
    "flask_jwt_extended.JWTManager": ("JWTManager(app)", "JWTManager()", "init_app(app)"),
    "flask_bcrypt.Bcrypt": ("Bcrypt(app)", "Bcrypt()", "init_app(app)"),
    "flask_caching.Cache": (
        "Cache(app, config={'CACHE_TYPE': 'SimpleCache'})",
        "Cache(config={'CACHE_TYPE': 'SimpleCache'})",
        "init_app(app)",
    ),
    "flask_admin.Admin": (
        "Admin(app, name='shop', template_mode='bootstrap4')",
        "Admin(name='shop', template_mode='bootstrap4')",
        "init_app(app)",
    ),
    "flask_babel.Babel": (
        "Babel(app, configure_jinja=False, default_locale='de')",
        "Babel(configure_jinja=False)",
        "init_app(app, default_locale='de')",
    ),
    "flask_moment.Moment": ("Moment(app)", "Moment()", "init_app(app)"),
    "flask_socketio.SocketIO": (
        "SocketIO(app, cors_allowed_origins='*')",
        "SocketIO()",
        "init_app(app, cors_allowed_origins='*')",
    ),
    "flask_marshmallow.Marshmallow": ("Marshmallow(app)", "Marshmallow()", "init_app(app)"),
    "flask_session.Session": ("Session(app)", "Session()", "init_app(app)"),
    "flask_bootstrap.Bootstrap": ("Bootstrap(app)", "Bootstrap()", "init_app(app)"),
    "flask_bootstrap.Bootstrap4": ("Bootstrap4(app)", "Bootstrap4()", "init_app(app)"),
    "flask_bootstrap.Bootstrap5": ("Bootstrap5(app)", "Bootstrap5()", "init_app(app)"),
    "flask_restful.Api": ("Api(app, prefix='/v1')", "Api(prefix='/v1')", "init_app(app)"),
    "flask_restx.Api": (
        "Api(app, version='1.0', doc='/docs')",
        "Api(version='1.0', doc='/docs')",
        "init_app(app)",
    ),
    "flasgger.Swagger": (
        "Swagger(app, template={'info': {'title': 'x'}})",
        "Swagger(template={'info': {'title': 'x'}})",
        "init_app(app)",
    ),
    "flask_debugtoolbar.DebugToolbarExtension": (
        "DebugToolbarExtension(app)",
        "DebugToolbarExtension()",
        "init_app(app)",
    ),
    "flask_compress.Compress": ("Compress(app)", "Compress()", "init_app(app)"),
    "flask_pymongo.PyMongo": (
        "PyMongo(app, 'mongodb://localhost/wiki', connect=False)",
        "PyMongo()",
        "init_app(app, 'mongodb://localhost/wiki', connect=False)",
    ),
    "flask_mysqldb.MySQL": ("MySQL(app)", "MySQL()", "init_app(app)"),
    "flask_seasurf.SeaSurf": ("SeaSurf(app)", "SeaSurf()", "init_app(app)"),
    "flask_ckeditor.CKEditor": ("CKEditor(app)", "CKEditor()", "init_app(app)"),
    "flask_dropzone.Dropzone": ("Dropzone(app)", "Dropzone()", "init_app(app)"),
}


def test_every_known_extension_has_a_case() -> None:
    assert sorted(EVERY) == sorted(KNOWN_EXTENSIONS)


@pytest.mark.parametrize("qualified", sorted(EVERY))
def test_known_extension(qualified: str) -> None:
    call, ctor, init = EVERY[qualified]
    module, name = qualified.rsplit(".", 1)
    key_func = "from flask_limiter.util import get_remote_address"
    third = ["from flask import Flask", f"from {module} import {name}"]
    third += [key_func] if "Limiter" in call else []
    local = "from .db import db\n" if "Migrate" in call else ""  # kept: the app still reads it
    # Imports in isort's order before: they stay in that order after.
    before = (
        "\n".join(sorted(third))
        + ("\n\n" + local if local else "\n")
        + f"\napp = Flask(__name__)\next = {call}\n"
    )
    after = f"from flask import Flask\n\n{local}from .extensions import ext\n\napp = Flask(__name__)\next.{init}\n"
    uses = key_func + "\n" if "Limiter" in call else ""
    imports = f"from {module} import {name}\n" + (uses if "Limiter" in call else "")
    check_transformed(
        "extensions",
        {"app/__init__.py": before},
        {"app/__init__.py": after, "app/extensions.py": f"{HEAD}{imports}\next = {ctor}\n"},
    )


# --------------------------------------------------------- the analysis agrees
def test_the_summary_counts_what_the_codemod_moves() -> None:
    project = project_of(
        _package(
            """
            from flask import Flask
            from flask_restful import Api
            from flask_gravatar import Gravatar
            from flask_httpauth import HTTPBasicAuth
            from flask_script import Manager
            from tracing import Tracer

            app = Flask(__name__)
            api = Api(app)
            gravatar = Gravatar(app)
            auth = HTTPBasicAuth()
            manager = Manager(app)
            Tracer(app)
            """
        )
    )
    model = analyze(project)
    plan = extensions.plan(context_for(project))
    assert plan is not None
    assert model.extensions == tuple(bound.name for bound in plan.extensions) == ("api", "gravatar")
    assert model.unknown_extensions == ("gravatar",)


def test_the_summary_line_names_the_unknown_ones() -> None:
    assert report._extensions(("db", "foo"), ("foo",)) == " (db, foo; of which 1 unknown: foo)"
    assert report._extensions(("db",), ()) == " (db)"
    assert report._extensions((), ()) == ""


def test_module_level_resources_let_the_factory_be_built() -> None:
    project = project_of(_package(RESTFUL))
    codemods = select(discover(), ["extensions", "factory"])
    final = run(project, codemods, Options(flask=FlaskVersion((3, 1), "test"))).final
    init = final.text("app/__init__.py")
    assert "def create_app(" in init
    assert "    api.init_app(app)\n" in init
    assert '\napi.add_resource(Todo, "/todo")\n' in init  # at import, on the unbound instance


def test_a_definition_two_instances_read_is_written_once() -> None:
    before = """
        from flask import Flask
        from flask_caching import Cache

        CACHE = {"CACHE_TYPE": "SimpleCache"}
        app = Flask(__name__)
        cache = Cache(app, config=CACHE)
        pages = Cache(app, config=CACHE)
    """
    outcome = run_one("extensions", project_of(_package(before)))
    module = outcome.project.text("app/extensions.py")
    assert module.endswith(
        'CACHE = {"CACHE_TYPE": "SimpleCache"}\ncache = Cache(config=CACHE)\npages = Cache(config=CACHE)\n'
    )
