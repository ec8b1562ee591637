"""models and forms: definitions into their own modules, imports exact, back-imports in place."""

from __future__ import annotations

from flaskmod.codemods import forms, models
from tests.codemods.tools import check_noop, check_transformed, context_for, project_of, run_one
from tests.conftest import dedent

APP = """
from datetime import datetime

from flask import Flask
from flask_login import UserMixin
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired

from .extensions import db, login_manager

app = Flask(__name__)


def _now():
    return datetime.utcnow()


members = db.Table("members", db.Column("user_id", db.Integer))


class User(UserMixin, db.Model):
    id = db.Column(db.Integer, primary_key=True)
    created = db.Column(db.DateTime, default=_now)


class Admin(User):
    pass


@login_manager.user_loader
def load_user(user_id):
    return db.session.get(User, int(user_id))


class NameForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired()])


@app.route("/")
def index():
    return str(User.query.count()) + NameForm.__name__
"""

MODELS = '''
"""Database models, and the loaders that look them up."""

from datetime import datetime

from flask_login import UserMixin

from app.extensions import db, login_manager


def _now():
    return datetime.utcnow()


members = db.Table("members", db.Column("user_id", db.Integer))


class User(UserMixin, db.Model):
    id = db.Column(db.Integer, primary_key=True)
    created = db.Column(db.DateTime, default=_now)


class Admin(User):
    pass


@login_manager.user_loader
def load_user(user_id):
    return db.session.get(User, int(user_id))
'''

FORMS = '''
"""Web forms (Flask-WTF)."""

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired


class NameForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired()])
'''


def _messages(outcome) -> list[str]:  # type: ignore[no-untyped-def]
    return [finding.message for finding in outcome.findings]


def _index(source: str):  # type: ignore[no-untyped-def]
    return project_of({"app/__init__.py": source}).index("app/__init__.py")


# -------------------------------------------------------------------------- models
def test_models_move_with_their_helpers_and_loader() -> None:
    files = {"app/__init__.py": APP, "tests/test_x.py": "from app import User\n"}
    init = """
        from flask import Flask
        from flask_wtf import FlaskForm
        from wtforms import StringField
        from wtforms.validators import DataRequired

        app = Flask(__name__)


        from .models import User


        class NameForm(FlaskForm):
            name = StringField("Name", validators=[DataRequired()])


        @app.route("/")
        def index():
            return str(User.query.count()) + NameForm.__name__
    """
    project = project_of(files)
    outcome = run_one("models", project)
    # The first import went with the helper: the blank line after it stays (prune_imports).
    assert outcome.project.text("app/__init__.py") == "\n" + dedent(init)
    assert outcome.project.text("app/models.py") == dedent(MODELS)
    assert outcome.project.text("tests/test_x.py") == "from app.models import User\n"
    assert _messages(outcome) == ["4 definition(s) moved to app/models.py"]
    assert str(outcome.findings[0].location) == "app/__init__.py:18"


def test_model_seeds_are_models_subclasses_tables_and_loaders() -> None:
    index = _index(dedent(APP))
    assert models.model_seeds(index, "app") == {9, 10, 11, 12}


def test_plan_takes_helpers_only_the_models_use() -> None:
    plan = models.plan(context_for(project_of({"app/__init__.py": APP})))
    assert plan is not None
    assert (plan.path, plan.seeds, plan.moved) == (
        "app/models.py",
        {9, 10, 11, 12},
        {8, 9, 10, 11, 12},
    )


def test_db_created_in_the_module_is_imported_from_the_package() -> None:
    source = """
        from flask import Flask
        from flask_sqlalchemy import SQLAlchemy

        app = Flask(__name__)
        db = SQLAlchemy(app)


        class Post(db.Model):
            id = db.Column(db.Integer, primary_key=True)
    """
    outcome = check_transformed(
        "models",
        {"app/__init__.py": source},
        {
            "app/__init__.py": source.replace(
                "class Post(db.Model):\n            id = db.Column(db.Integer, primary_key=True)",
                "from . import models  # noqa: F401  (defines them at import)",
            ),
            "app/models.py": (
                '"""Database models, and the loaders that look them up."""\n\n'
                "from app import db\n\n\n"
                "class Post(db.Model):\n    id = db.Column(db.Integer, primary_key=True)\n"
            ),
        },
    )
    assert _messages(outcome) == ["1 definition(s) moved to app/models.py"]


def test_model_reading_the_app_uses_current_app() -> None:
    source = """
        from flask import Flask
        from .extensions import db

        app = Flask(__name__)


        class Post(db.Model):
            def per_page(self):
                return app.config["PER_PAGE"]
    """
    project = project_of({"app/__init__.py": source})
    plan = models.plan(context_for(project))
    assert plan is not None
    written = models.edit(context_for(project), plan).text("app/models.py")
    assert "from flask import current_app\n" in written
    assert 'return current_app.config["PER_PAGE"]' in written


def test_helper_also_used_by_a_view_stays() -> None:
    source = """
        from flask import Flask
        from .extensions import db

        app = Flask(__name__)


        def slug(x):
            return str(x)


        class Post(db.Model):
            def url(self):
                return slug(self.id)


        @app.route("/")
        def index():
            return slug(1)
    """
    plan = models.plan(context_for(project_of({"app/__init__.py": source})))
    assert plan is not None and plan.moved == {4}


def test_helper_imported_by_another_module_stays() -> None:
    source = """
        from flask import Flask
        from .extensions import db

        app = Flask(__name__)


        def slug(x):
            return str(x)


        class Post(db.Model):
            def url(self):
                return slug(self.id)
    """
    files = {"app/__init__.py": source, "app/views.py": "from app import slug\n"}
    plan = models.plan(context_for(project_of(files)))
    assert plan is not None and plan.moved == {4}


def test_model_using_a_name_defined_later_is_not_extracted() -> None:
    source = """
        from flask import Flask
        from .extensions import db

        app = Flask(__name__)


        class Post(db.Model):
            id = db.Column(db.Integer, primary_key=True)

            def slug(self):
                return slugify(self.id)


        def slugify(x):
            return str(x)


        def other():
            return slugify(1)
    """
    outcome = check_noop("models", {"app/__init__.py": source})
    assert outcome.declined is not None
    assert "defined further down" in outcome.declined.finding.message
    assert str(outcome.declined.finding.location) == "app/__init__.py:7"


def test_existing_models_module_is_reported_not_overwritten() -> None:
    files = {"app/__init__.py": APP, "app/models.py": "# the team's own models\n"}
    outcome = check_noop("models", files)
    assert outcome.declined is not None
    assert str(outcome.declined.finding.location) == "app/models.py"
    assert "already exists" in outcome.declined.finding.message


def test_no_models_is_a_noop() -> None:
    source = "from flask import Flask\nfrom .extensions import db\napp = Flask(__name__)\n"
    assert not check_noop("models", {"app/__init__.py": source}).findings


def test_a_class_named_model_without_db_is_not_a_model() -> None:
    source = """
        from flask import Flask
        from ml import base

        app = Flask(__name__)


        class Classifier(base.Model):
            pass
    """
    assert not check_noop("models", {"app/__init__.py": source}).findings


def test_loader_not_reading_a_model_stays() -> None:
    source = """
        from flask import Flask
        from .extensions import db, login_manager

        app = Flask(__name__)


        class User(db.Model):
            pass


        @login_manager.user_loader
        def load_user(user_id):
            return None
    """
    plan = models.plan(context_for(project_of({"app/__init__.py": source})))
    assert plan is not None and plan.moved == {3}


def test_models_in_a_single_module_wait_for_the_package() -> None:
    outcome = check_noop("models", APP)
    assert _messages(outcome) == [
        "models needs the app in a package: run the `package` codemod first"
    ]


# --------------------------------------------------------------------------- forms
def test_forms_move() -> None:
    init = APP.replace(
        APP[APP.index("class NameForm") : APP.index("@app.route")],
        "from .forms import NameForm\n\n\n",
    )
    for line in (
        "from flask_wtf import FlaskForm\n",
        "from wtforms import StringField\n",
        "from wtforms.validators import DataRequired\n",
    ):
        init = init.replace(line, "")
    outcome = check_transformed(
        "forms", {"app/__init__.py": APP}, {"app/__init__.py": init, "app/forms.py": FORMS}
    )
    assert _messages(outcome) == ["1 definition(s) moved to app/forms.py"]


def test_form_seeds_follow_subclasses_and_module_attributes() -> None:
    source = """
        import wtforms
        from flask_wtf import FlaskForm


        class Base(FlaskForm):
            pass


        class Login(Base):
            pass


        class Plain(wtforms.Form):
            pass


        class NotAForm:
            pass
    """
    assert forms.form_seeds(_index(dedent(source))) == {2, 3, 4}


def test_no_forms_is_a_noop() -> None:
    source = "from flask import Flask\napp = Flask(__name__)\n\n\nclass Form:\n    pass\n"
    assert not check_noop("forms", {"app/__init__.py": source}).findings


def test_existing_forms_module_is_reported_not_overwritten() -> None:
    files = {"app/__init__.py": APP, "app/forms.py": "# ours\n"}
    outcome = check_noop("forms", files)
    assert outcome.declined is not None
    assert outcome.declined.finding.message == (
        "app/forms.py already exists; forms left in app/__init__.py"
    )


def test_forms_plan_is_none_without_seeds() -> None:
    source = "from flask import Flask\nfrom .widgets import Form\napp = Flask(__name__)\n"
    assert forms.plan(context_for(project_of({"app/__init__.py": source}))) is None
