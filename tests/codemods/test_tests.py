"""tests: test modules build the app with create_app("testing"); conftest added when absent."""

from __future__ import annotations

from flaskmod.codemods import tests as tests_codemod
from tests.codemods.test_wsgi import FACTORY
from tests.codemods.tools import check_noop, context_for, project_of, run_one

PKG = "app/__init__.py"


def _run(files: dict[str, str], **kw: str) -> dict[str, str]:
    outcome = run_one("tests", project_of(files), **kw)
    return {path: outcome.project.text(path) for path in outcome.project.files}


def test_from_import_becomes_a_factory_call() -> None:
    files = _run(
        {
            PKG: FACTORY + "\n\ndef helper():\n    return 1\n",
            "tests/test_a.py": "import pytest\nfrom app import app as flask_app, helper\n\n\ndef test_it():\n    assert flask_app.name and helper() == 1\n",
        }
    )
    assert files["tests/test_a.py"] == (
        "import pytest\nfrom app import create_app, helper\n\n"
        'flask_app = create_app("testing")\n\n\n'
        "def test_it():\n    assert flask_app.name and helper() == 1\n"
    )


def test_a_conftest_with_fixtures_is_added() -> None:
    files = _run({PKG: FACTORY, "tests/test_a.py": "from app import app\n"})
    conftest = files["tests/conftest.py"]
    assert conftest.startswith(
        '"""Fixtures that build a fresh app per test through the factory."""\n\nimport pytest\n\nfrom app import create_app\n'
    )
    assert "def client(app):\n    return app.test_client()\n" in conftest
    assert "def runner(app):" in conftest


def test_the_conftest_creates_tables_when_the_project_has_db() -> None:
    files = _run(
        {
            PKG: FACTORY,
            "app/extensions.py": "from flask_sqlalchemy import SQLAlchemy\ndb = SQLAlchemy()\n",
            "tests/test_a.py": "from app import app\n",
        }
    )
    assert "from app.extensions import db\n" in files["tests/conftest.py"]
    assert "        db.create_all()\n        yield app\n" in files["tests/conftest.py"]


def test_flask_0_12_gets_no_runner_fixture() -> None:
    files = _run({PKG: FACTORY, "tests/test_a.py": "from app import app\n"}, flask="0.12")
    assert "runner" not in files["tests/conftest.py"]


def test_module_import_style_flaskr_unittest() -> None:
    files = _run(
        {
            PKG: FACTORY + "\n\ndef init_db():\n    pass\n",
            "tests/test_flaskr.py": "import unittest\n\nimport app as flaskr\n\n\nclass T(unittest.TestCase):\n    def setUp(self):\n        flaskr.app.testing = True\n        with flaskr.app.app_context():\n            flaskr.init_db()\n",
        }
    )
    assert files["tests/test_flaskr.py"] == (
        "import unittest\n\nimport app as flaskr\n\n"
        'app = flaskr.create_app("testing")\n\n\n'
        "class T(unittest.TestCase):\n    def setUp(self):\n        app.testing = True\n"
        "        with app.app_context():\n            flaskr.init_db()\n"
    )


def test_plan_names_the_rewritten_modules_and_the_conftest() -> None:
    project = project_of({PKG: FACTORY, "tests/test_a.py": "from app import app\n"})
    plan = tests_codemod.plan(context_for(project))
    assert plan is not None
    assert list(plan.trees) == ["tests/test_a.py"]
    assert plan.conftest is not None and plan.conftest[0] == "tests/conftest.py"


def test_an_existing_conftest_is_kept() -> None:
    files = _run(
        {
            PKG: FACTORY,
            "tests/conftest.py": "import pytest\n",
            "tests/test_a.py": "from app import app\n",
        }
    )
    assert files["tests/conftest.py"] == "import pytest\n"


def test_a_conftest_elsewhere_with_a_client_fixture_is_enough() -> None:
    files = _run(
        {
            PKG: FACTORY,
            "conftest.py": "def client():\n    pass\n",
            "tests/test_a.py": "from app import create_app\n",
        }
    )
    assert "tests/conftest.py" not in files


def test_tests_that_already_use_the_factory_are_a_noop_with_a_conftest() -> None:
    check_noop(
        "tests",
        {
            PKG: FACTORY,
            "tests/conftest.py": "import pytest\n",
            "tests/test_a.py": "from app import create_app\n",
        },
    )


def test_tests_that_do_not_import_the_app_get_no_conftest() -> None:
    check_noop("tests", {PKG: FACTORY, "tests/test_util.py": "def test_x():\n    assert 1\n"})


def test_no_factory_yet_is_a_noop() -> None:
    check_noop(
        "tests",
        {
            PKG: "from flask import Flask\napp = Flask(__name__)\n",
            "tests/test_a.py": "from app import app\n",
        },
    )


def test_a_module_level_app_kept_by_the_factory_module_is_not_rewritten() -> None:
    module = FACTORY + "\n\napp = create_app()\n"
    check_noop(
        "tests", {PKG: module, "tests/conftest.py": "", "tests/test_a.py": "from app import app\n"}
    )


# ------------------------------------------ Flask-SQLAlchemy 2.x tests that had `db` bound
EXTENSIONS = {"app/extensions.py": "from flask_sqlalchemy import SQLAlchemy\ndb = SQLAlchemy()\n"}
UNITTEST_DB = (
    "import unittest\n\nfrom app import app, db\n\n\n"
    "class T(unittest.TestCase):\n    def setUp(self):\n        db.create_all()\n\n"
    "    def test_it(self):\n        self.assertTrue(app)\n"
)


def test_each_test_case_gets_an_app_context_on_flask_sqlalchemy_2() -> None:
    files = _run(
        {
            PKG: FACTORY,
            **EXTENSIONS,
            "requirements.txt": "Flask-SQLAlchemy==2.5.1\n",
            "test_app.py": UNITTEST_DB,
        }
    )
    text = files["test_app.py"]
    assert (
        "    def setUp(self):\n        self._flask_app_context = app.app_context()\n"
        "        self._flask_app_context.push()\n        db.create_all()\n"
    ) in text
    assert "    def tearDown(self):\n        self._flask_app_context.pop()\n" in text


def test_unpinned_flask_sqlalchemy_counts_as_2() -> None:
    files = _run({PKG: FACTORY, **EXTENSIONS, "test_app.py": UNITTEST_DB})
    assert "_flask_app_context.push()" in files["test_app.py"]


def test_flask_sqlalchemy_3_tests_are_left_as_they_were() -> None:
    files = _run(
        {
            PKG: FACTORY,
            **EXTENSIONS,
            "requirements.txt": "flask-sqlalchemy>=3.0\n",
            "test_app.py": UNITTEST_DB,
        }
    )
    assert "_flask_app_context" not in files["test_app.py"]


def test_a_case_that_pushes_its_own_context_is_left_alone() -> None:
    own = UNITTEST_DB.replace(
        "        db.create_all()\n",
        "        self.ctx = app.app_context()\n        db.create_all()\n",
    )
    files = _run({PKG: FACTORY, **EXTENSIONS, "test_app.py": own})
    assert "_flask_app_context" not in files["test_app.py"]


def test_tests_without_db_get_no_context() -> None:
    plain = "import unittest\n\nfrom app import app\n\n\nclass T(unittest.TestCase):\n    def test_it(self):\n        self.assertTrue(app)\n"
    files = _run({PKG: FACTORY, **EXTENSIONS, "test_app.py": plain})
    assert "_flask_app_context" not in files["test_app.py"]


def test_the_app_read_through_a_star_reexporting_package() -> None:
    files = _run(
        {
            "site/__init__.py": "from .core import *\n",
            "site/core/__init__.py": FACTORY,
            "test_site.py": "import site\n\n\ndef test_it():\n    client = site.app.test_client()\n",
        }
    )
    assert files["test_site.py"] == (
        'import site\n\napp = site.create_app("testing")\n\n\n'
        "def test_it():\n    client = app.test_client()\n"
    )
