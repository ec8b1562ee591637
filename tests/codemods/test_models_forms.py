"""models and forms: definitions into their own modules, imports exact, back-imports in place."""

from __future__ import annotations

from tests.conftest import dedent, migrate

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


def test_models_move_with_their_helpers_and_loader(project) -> None:
    root = project({"app/__init__.py": APP, "tests/test_x.py": "from app import User\n"})
    files, _ = migrate(root, only=["models"])
    assert files["app/models.py"] == dedent(
        '''
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
    )
    init = files["app/__init__.py"]
    assert "from .models import User\n" in init
    assert "from datetime import datetime" not in init and "UserMixin" not in init
    assert files["tests/test_x.py"] == "from app.models import User\n"


def test_forms_move(project) -> None:
    root = project({"app/__init__.py": APP})
    files, _ = migrate(root, only=["forms"])
    assert files["app/forms.py"] == dedent(
        '''
        """Web forms (Flask-WTF)."""

        from flask_wtf import FlaskForm
        from wtforms import StringField
        from wtforms.validators import DataRequired


        class NameForm(FlaskForm):
            name = StringField("Name", validators=[DataRequired()])
        '''
    )
    assert "from .forms import NameForm\n" in files["app/__init__.py"]
    assert "wtforms" not in files["app/__init__.py"]


def test_model_using_a_name_defined_later_is_not_extracted(project) -> None:
    root = project(
        {
            "app/__init__.py": """
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
        }
    )
    files, run = migrate(root, only=["models"])
    assert "app/models.py" not in files
    assert any("defined further down" in f.message for f in run.findings)


def test_no_models_is_a_no_op(project) -> None:
    root = project({"app/__init__.py": "from flask import Flask\napp = Flask(__name__)\n"})
    _, run = migrate(root, only=["models", "forms"])
    assert run.nothing_to_do


def test_existing_target_module_is_reported_not_overwritten(project) -> None:
    root = project({"app/__init__.py": APP, "app/models.py": "# the team's own models\n"})
    files, run = migrate(root, only=["models"])
    assert files["app/models.py"] == "# the team's own models\n"
    assert "class User(UserMixin, db.Model):" in files["app/__init__.py"]
    assert any(
        str(f.location) == "app/models.py" and "already exists" in f.message for f in run.findings
    )
