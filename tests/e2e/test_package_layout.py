"""The "package with a global app" input layout (microblog style) migrates and behaves the same.

`app/__init__.py` creates the app and ends with `from app import routes, models, errors`; those
modules import `app` and `db` back; `config.py` has a `Config` class; `microblog.py` is the entry
point `FLASK_APP` names, with a shell context processor.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from flaskmod.apply import apply
from flaskmod.changeset import compute
from flaskmod.pipeline import discover, run
from flaskmod.project import scan
from tests.conftest import write_tree
from tests.e2e.test_fixtures import _clean_env, assert_same_behaviour, own_tests, probe

# Imports the original and the migrated apps in subprocesses: run by `pytest -m "slow or network"`.
pytestmark = pytest.mark.slow

MICROBLOG = {
    "requirements.txt": "flask>=2.3\nflask-sqlalchemy\nflask-migrate\nflask-login\n",
    "config.py": """
        import os
        basedir = os.path.abspath(os.path.dirname(__file__))


        class Config(object):
            SECRET_KEY = os.environ.get('SECRET_KEY') or 'you-will-never-guess'
            SQLALCHEMY_DATABASE_URI = os.environ.get('DATABASE_URL') or \\
                'sqlite:///' + os.path.join(basedir, 'app.db')
            SQLALCHEMY_TRACK_MODIFICATIONS = False
            POSTS_PER_PAGE = 3
    """,
    "app/__init__.py": """
        from flask import Flask
        from config import Config
        from flask_sqlalchemy import SQLAlchemy
        from flask_migrate import Migrate
        from flask_login import LoginManager

        app = Flask(__name__)
        app.config.from_object(Config)
        db = SQLAlchemy(app)
        migrate = Migrate(app, db)
        login = LoginManager(app)
        login.login_view = 'login'

        from app import routes, models, errors
    """,
    "app/models.py": """
        from flask_login import UserMixin
        from app import db, login


        class User(UserMixin, db.Model):
            id = db.Column(db.Integer, primary_key=True)
            username = db.Column(db.String(64), index=True, unique=True)


        @login.user_loader
        def load_user(id):
            return db.session.get(User, int(id))
    """,
    "app/routes.py": """
        from flask import render_template, redirect, url_for
        from flask_login import current_user, login_required, logout_user
        from app import app, db
        from app.models import User


        @app.route('/')
        @app.route('/index')
        @login_required
        def index():
            return render_template('index.html', per_page=app.config['POSTS_PER_PAGE'])


        @app.route('/login', methods=['GET', 'POST'])
        def login():
            if current_user.is_authenticated:
                return redirect(url_for('index'))
            return render_template('login.html', users=User.query.count())


        @app.route('/logout')
        def logout():
            logout_user()
            return redirect(url_for('index'))
    """,
    "app/errors.py": """
        from flask import render_template
        from app import app, db


        @app.errorhandler(404)
        def not_found_error(error):
            return render_template('404.html'), 404
    """,
    "app/templates/index.html": '<a href="{{ url_for("index") }}">home</a> {{ per_page }}\n',
    "app/templates/login.html": '<a href="{{ url_for("login") }}">login</a> {{ users }}\n',
    "app/templates/404.html": 'nf <a href="{{ url_for("index") }}">home</a>\n',
    "microblog.py": """
        from app import app, db
        from app.models import User


        @app.shell_context_processor
        def make_shell_context():
            return {'db': db, 'User': User}
    """,
    "conftest.py": "",
    "tests/test_app.py": """
        from app import app, db


        def test_login_page():
            app.config['TESTING'] = True
            with app.app_context():
                db.create_all()
            rv = app.test_client().get('/login')
            assert rv.status_code == 200 and b'login' in rv.data


        def test_index_needs_login():
            rv = app.test_client().get('/index')
            assert rv.status_code == 302 and '/login' in rv.headers['Location']
    """,
}


def test_microblog_layout(tmp_path: Path) -> None:
    before = write_tree(tmp_path / "before", MICROBLOG)
    after = write_tree(tmp_path / "after", MICROBLOG)
    project = scan(after)
    outcome = run(project, discover())
    assert outcome.options.flask is not None and outcome.options.flask.version == (2, 3)
    apply(after, compute(project, outcome.final))
    assert not [f for f in outcome.findings if f.severity.value == "manual"], outcome.findings

    microblog = (after / "microblog.py").read_text()
    assert 'app = create_app(os.environ.get("FLASK_CONFIG", "development"))' in microblog
    assert "from app.extensions import db" in (after / "app" / "models.py").read_text()
    assert "from app.main import bp" in (after / "app" / "routes.py").read_text()

    old = probe(before, "app:app")
    new = probe(after, "app:create_app", "testing")
    assert_same_behaviour(old, new)
    # the entry point still builds an app with its shell context
    check = (
        "import microblog\n"
        "with microblog.app.app_context():\n"
        "    print(sorted(microblog.app.make_shell_context()))"
    )
    env = {**_clean_env(), "SECRET_KEY": "s"}
    done = subprocess.run(
        [sys.executable, "-c", check],
        cwd=after,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "'User'" in done.stdout and "'db'" in done.stdout
    assert own_tests(after) == own_tests(before) == (2, 0)
