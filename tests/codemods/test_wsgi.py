"""wsgi: an entry point exposing create_app() as `application` and `app`."""

from __future__ import annotations

from tests.codemods.tools import check_noop, check_transformed

FACTORY = """
from flask import Flask
from config import get_config


def create_app(config_name="development"):
    app = Flask(__name__)
    app.config.from_object(get_config(config_name))
    return app
"""

WSGI = '''
"""WSGI entry point: `gunicorn wsgi:application`, or `flask --app wsgi run` in development (with FLASK_CONFIG=development)."""

import os

from app import create_app

application = create_app(os.environ.get("FLASK_CONFIG", "production"))
app = application
'''


def test_written_beside_the_package() -> None:
    check_transformed("wsgi", {"app/__init__.py": FACTORY}, {"wsgi.py": WSGI})


def test_the_note_says_how_to_run_it() -> None:
    outcome = check_transformed("wsgi", {"app/__init__.py": FACTORY}, {"wsgi.py": WSGI})
    assert [f.message for f in outcome.findings] == [
        "run `FLASK_CONFIG=development flask --app wsgi --debug run` locally, "
        "`gunicorn wsgi:application` in production"
    ]


def test_factory_without_config_still_gets_wsgi() -> None:
    bare = "from flask import Flask\n\n\ndef create_app(config_name='x'):\n    return Flask(__name__)\n"
    check_transformed("wsgi", {"app/__init__.py": bare}, {"wsgi.py": WSGI})


def test_old_flask_hint_uses_flask_app_variable() -> None:
    old = WSGI.replace("`flask --app wsgi run`", "`FLASK_APP=wsgi flask run`")
    check_transformed("wsgi", {"app/__init__.py": FACTORY}, {"wsgi.py": old}, flask="1.1")


def test_config_env_var_option_is_used() -> None:
    custom = WSGI.replace("FLASK_CONFIG", "APP_ENV")
    check_transformed(
        "wsgi", {"app/__init__.py": FACTORY}, {"wsgi.py": custom}, config_env_var="APP_ENV"
    )


def test_same_wsgi_twice_is_a_noop() -> None:
    outcome = check_noop("wsgi", {"app/__init__.py": FACTORY, "wsgi.py": WSGI})
    assert not outcome.findings


def test_same_wsgi_with_crlf_is_a_noop() -> None:
    crlf = WSGI.lstrip("\n").replace("\n", "\r\n")
    outcome = check_noop("wsgi", {"app/__init__.py": FACTORY, "wsgi.py": crlf})
    assert not outcome.findings


def test_existing_different_wsgi_is_kept_and_reported() -> None:
    mine = "from app import app as application\n"
    outcome = check_noop("wsgi", {"app/__init__.py": FACTORY, "wsgi.py": mine})
    assert [f.message for f in outcome.findings] == [
        "wsgi.py already exists; point it at app.create_app() by hand"
    ]


def test_the_projects_own_wsgi_built_by_the_factory_gains_application() -> None:
    mine = 'import os\nfrom app import create_app\n\napp = create_app(os.environ.get("FLASK_CONFIG", "production"))\n'
    check_transformed(
        "wsgi",
        {"app/__init__.py": FACTORY, "wsgi.py": mine},
        {"wsgi.py": mine + "application = app\n"},
    )


def test_a_wsgi_that_already_has_application_is_kept() -> None:
    mine = "from app import create_app\n\napplication = create_app()\n"
    check_noop("wsgi", {"app/__init__.py": FACTORY, "wsgi.py": mine})


def test_global_app_gets_no_wsgi() -> None:
    check_noop("wsgi", {"app/__init__.py": "from flask import Flask\napp = Flask(__name__)\n"})


def test_single_module_gets_no_wsgi() -> None:
    check_noop("wsgi", "from flask import Flask\napp = Flask(__name__)\n")


def test_someone_elses_factory_gets_no_wsgi() -> None:
    other = "from flask import Flask\n\n\ndef make_app():\n    return Flask(__name__)\n"
    check_noop("wsgi", {"app/__init__.py": other})


def test_package_in_a_source_folder_gets_wsgi_in_that_folder() -> None:
    check_transformed("wsgi", {"src/app/__init__.py": FACTORY}, {"src/wsgi.py": WSGI})


def test_app_inside_a_package_gets_wsgi_at_the_import_root() -> None:
    nested = WSGI.replace("from app import create_app", "from project.app import create_app")
    check_transformed(
        "wsgi",
        {"project/__init__.py": "", "project/app/__init__.py": FACTORY},
        {"wsgi.py": nested},
    )
