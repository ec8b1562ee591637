"""Which modules are the project's tests, found the way its own test runner finds them.

The tests are the user's best evidence that a migration changed nothing, and they import the app
in ways app code does not (`import flaskr; flaskr.app.config[...]` in `setUp`), so they are
rewritten by their own rules and never mistaken for app code. A fixed pattern misses real
projects (`flaskr_tests.py`, a root `tests.py`), so the project's pytest configuration is read
(`python_files` in pytest.ini, setup.cfg, tox.ini or pyproject.toml), and a module whose name
mentions "test" and which defines test cases counts too: unittest's discovery (`test*.py`, a
root `tests.py`) and scripts run by name (`flaskr_tests.py`).
"""

from __future__ import annotations

import configparser
import fnmatch
import sys
from pathlib import PurePosixPath

import libcst as cst

from flaskmod.project import Project

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10
    import tomli as tomllib

#: pytest's own default for `python_files`
PYTEST_DEFAULT = ("test_*.py", "*_test.py")
#: folders whose Python files are tests whatever their names (and `conftest.py` anywhere)
TEST_FOLDERS = frozenset({"tests", "test"})


def find_test_modules(project: Project) -> frozenset[str]:
    """Every Python file of the project that its test runner would collect, or that is a test
    support module (conftest.py, anything under a tests/ folder)."""
    patterns = pytest_patterns(project)
    found = set()
    for path in project.python_paths():
        pure = PurePosixPath(path)
        if (
            pure.name == "conftest.py"
            or TEST_FOLDERS.intersection(pure.parts[:-1])
            or any(fnmatch.fnmatch(pure.name, pattern) for pattern in patterns)
            or ("test" in pure.name.lower() and _defines_tests(project, path))
        ):
            found.add(path)
    return frozenset(found)


def pytest_patterns(project: Project) -> tuple[str, ...]:
    """`python_files` from the project's pytest configuration, else pytest's default."""
    for path, reader in (
        ("pytest.ini", _ini_patterns),
        ("pyproject.toml", _pyproject_patterns),
        ("tox.ini", _ini_patterns),
        ("setup.cfg", _ini_patterns),
    ):
        if path in project.files:
            patterns = reader(project.text(path), path)
            if patterns:
                return patterns
    return PYTEST_DEFAULT


def _ini_patterns(text: str, path: str) -> tuple[str, ...]:
    section = "pytest" if path == "pytest.ini" else "tool:pytest"
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error:
        return ()
    for name in (section, "pytest"):
        if parser.has_option(name, "python_files"):
            return tuple(parser.get(name, "python_files").split())
    return ()


def _pyproject_patterns(text: str, path: str) -> tuple[str, ...]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return ()
    value = data.get("tool", {}).get("pytest", {}).get("ini_options", {}).get("python_files")
    if isinstance(value, str):
        return tuple(value.split())
    return tuple(str(pattern) for pattern in value) if isinstance(value, list) else ()


def _defines_tests(project: Project, path: str) -> bool:
    """A `unittest.TestCase` subclass, or a module-level `test_*` function (pytest style)."""
    text = project.text(path)
    if "TestCase" not in text and "def test" not in text:
        return False
    return any(_is_test(statement) for statement in project.module(path).body)


def _is_test(statement: cst.BaseStatement) -> bool:
    if isinstance(statement, cst.FunctionDef):
        return statement.name.value.startswith("test")
    if isinstance(statement, cst.ClassDef):
        return any(_names_a_test_case(base.value) for base in statement.bases)
    return False


def _names_a_test_case(base: cst.BaseExpression) -> bool:
    last = base.attr.value if isinstance(base, cst.Attribute) else getattr(base, "value", "")
    return isinstance(last, str) and last.endswith("TestCase")
