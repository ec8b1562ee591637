"""tests: test modules build the app with create_app("testing"); conftest added when absent."""

from __future__ import annotations

from tests.codemods.test_wsgi import FACTORY
from tests.conftest import dedent, migrate


def test_from_import_becomes_factory_call(project) -> None:
    root = project(
        {
            "app/__init__.py": FACTORY + "\n\ndef helper():\n    return 1\n",
            "tests/test_a.py": """
                import pytest
                from app import app as flask_app, helper


                def test_it():
                    assert flask_app.name and helper() == 1
            """,
        }
    )
    files, _ = migrate(root, only=["tests"])
    assert files["tests/test_a.py"] == dedent(
        """
        import pytest
        from app import create_app, helper

        flask_app = create_app("testing")


        def test_it():
            assert flask_app.name and helper() == 1
        """
    )
    assert "def client(app):" in files["tests/conftest.py"]


def test_existing_conftest_is_kept(project) -> None:
    root = project(
        {
            "app/__init__.py": FACTORY,
            "tests/conftest.py": "import pytest\n",
            "tests/test_a.py": "from app import app\n",
        }
    )
    files, _ = migrate(root, only=["tests"])
    assert files["tests/conftest.py"] == "import pytest\n"


def test_module_import_style_flaskr_unittest(project) -> None:
    root = project(
        {
            "app/__init__.py": FACTORY + "\n\ndef init_db():\n    pass\n",
            "tests/test_flaskr.py": """
                import os
                import tempfile
                import unittest

                import app as flaskr


                class FlaskrTestCase(unittest.TestCase):
                    def setUp(self):
                        self.db_fd, flaskr.app.config['DATABASE'] = tempfile.mkstemp()
                        flaskr.app.testing = True
                        self.client = flaskr.app.test_client()
                        with flaskr.app.app_context():
                            flaskr.init_db()

                    def tearDown(self):
                        os.close(self.db_fd)
            """,
        }
    )
    files, _ = migrate(root, only=["tests"])
    assert files["tests/test_flaskr.py"] == dedent(
        """
        import os
        import tempfile
        import unittest

        import app as flaskr

        app = flaskr.create_app("testing")


        class FlaskrTestCase(unittest.TestCase):
            def setUp(self):
                self.db_fd, app.config['DATABASE'] = tempfile.mkstemp()
                app.testing = True
                self.client = app.test_client()
                with app.app_context():
                    flaskr.init_db()

            def tearDown(self):
                os.close(self.db_fd)
        """
    )


def test_no_factory_yet_is_a_no_op(project) -> None:
    root = project(
        {
            "app/__init__.py": "from flask import Flask\napp = Flask(__name__)\n",
            "tests/test_a.py": "from app import app\n",
        }
    )
    _, run = migrate(root, only=["tests"])
    assert run.nothing_to_do
