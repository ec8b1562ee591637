"""Test modules are found the way the project's own runner finds them."""

from __future__ import annotations

from flaskmod.testmodules import find_test_modules, pytest_patterns
from tests.codemods.tools import project_of

APP = "from flask import Flask\napp = Flask(__name__)\n"
UNITTEST = "import unittest\n\n\nclass T(unittest.TestCase):\n    pass\n"
PYTEST = "def test_it():\n    assert True\n"


def _found(files: dict[str, str]) -> list[str]:
    return sorted(find_test_modules(project_of(files)))


def test_pytest_default_names() -> None:
    files = {"app.py": APP, "test_app.py": "", "app_test.py": "", "other.py": ""}
    assert _found(files) == ["app_test.py", "test_app.py"]


def test_tests_folder_and_conftest() -> None:
    files = {"app.py": APP, "tests/helpers.py": "", "conftest.py": "", "test/util.py": ""}
    assert _found(files) == ["conftest.py", "test/util.py", "tests/helpers.py"]


def test_unittest_module_named_by_its_project() -> None:
    assert _found({"flaskr.py": APP, "flaskr_tests.py": UNITTEST}) == ["flaskr_tests.py"]


def test_root_tests_py_with_test_cases() -> None:
    assert _found({"app.py": APP, "tests.py": UNITTEST}) == ["tests.py"]


def test_pytest_style_functions_in_a_named_module() -> None:
    assert _found({"app.py": APP, "smoketests.py": PYTEST}) == ["smoketests.py"]


def test_flask_testing_test_case_counts() -> None:
    source = "from flask_testing import TestCase\n\n\nclass T(TestCase):\n    pass\n"
    assert _found({"app.py": APP, "mytests.py": source}) == ["mytests.py"]


def test_python_files_from_pytest_ini() -> None:
    files = {
        "pytest.ini": "[pytest]\npython_files = check_*.py\n",
        "check_app.py": "",
        "test_x.py": "",
    }
    assert _found(files) == ["check_app.py"]


def test_python_files_from_setup_cfg() -> None:
    files = {"setup.cfg": "[tool:pytest]\npython_files = *_spec.py\n", "app_spec.py": ""}
    assert _found(files) == ["app_spec.py"]


def test_python_files_from_tox_ini() -> None:
    assert pytest_patterns(project_of({"tox.ini": "[pytest]\npython_files = t_*.py\n"})) == (
        "t_*.py",
    )


def test_python_files_from_pyproject() -> None:
    text = '[tool.pytest.ini_options]\npython_files = ["spec_*.py", "*_spec.py"]\n'
    assert pytest_patterns(project_of({"pyproject.toml": text})) == ("spec_*.py", "*_spec.py")


def test_broken_config_falls_back_to_the_default() -> None:
    assert pytest_patterns(project_of({"setup.cfg": "[oops"})) == ("test_*.py", "*_test.py")


def test_app_module_with_a_test_helper_function_is_not_a_test() -> None:
    assert _found({"app.py": APP + "def test_connection():\n    pass\n"}) == []


def test_a_name_with_test_but_no_tests_is_not_a_test() -> None:
    assert _found({"app.py": APP, "testing_tools.py": "def helper():\n    pass\n"}) == []


def test_a_class_named_like_a_test_case_base_only_counts_as_a_base() -> None:
    assert _found({"app.py": APP, "contest.py": "class MyTestCase:\n    pass\n"}) == []


def test_app_code_in_a_package_is_not_a_test() -> None:
    assert _found({"app/__init__.py": APP, "app/views.py": "", "app/models.py": ""}) == []
