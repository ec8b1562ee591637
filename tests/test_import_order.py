"""flaskmod.import_order: isort's layout (ruff's defaults) for the imports codemods write."""

from __future__ import annotations

import libcst as cst

from flaskmod.import_order import is_sorted, sort_imports, tidy_imports
from flaskmod.project import FileText
from tests.codemods.tools import project_of
from tests.conftest import dedent

FIRST_PARTY = {"app", "config"}


def tidy(code: str) -> str:
    return sort_imports(cst.parse_module(dedent(code)), FIRST_PARTY).code


def test_sections_order_and_members() -> None:
    code = """
        from .extensions import migrate, db
        from config import get_config
        import os
        from flask import Flask, request, abort, URL_RULE
        from __future__ import annotations
        import sys
        from .. import helpers
        x = 1
        """
    assert tidy(code) == dedent(
        """
        from __future__ import annotations

        import os
        import sys

        from flask import URL_RULE, Flask, abort, request

        from config import get_config

        from .. import helpers
        from .extensions import db, migrate

        x = 1
        """
    )


def test_aliases_stay_apart_long_lines_wrap_and_defs_get_two_blank_lines() -> None:
    names = ", ".join(f"name_{n}" for n in range(12))
    code = f"from a import b as c, d\nfrom m import {names}\ndef f():\n    pass\n"
    wrapped = "".join(f"    name_{n},\n" for n in range(12))
    assert tidy(code) == (
        f"from a import b as c\nfrom a import d\nfrom m import (\n{wrapped})\n\n\ndef f():\n    pass\n"
    )


def test_comments_move_with_their_import_and_directives_are_left_alone() -> None:
    assert (
        tidy("import sys\n# the web\nimport flask\n") == "import sys\n\n# the web\nimport flask\n"
    )
    untouched = "import sys\nimport os  # isort: skip\n"
    assert tidy(untouched) == untouched
    inside = "from b import (\n    y,  # why y\n    x,\n)\nimport a\n"
    assert tidy(inside) == inside  # never re-rendered: the comment would be lost


def test_a_sorted_module_is_the_same_object() -> None:
    tree = cst.parse_module("import os\n\nfrom flask import Flask\n\nfrom app import db\n")
    assert is_sorted(tree, FIRST_PARTY)
    assert sort_imports(tree, FIRST_PARTY) is tree


def test_a_module_whose_imports_were_not_sorted_keeps_its_order() -> None:
    """flaskmod sorts what it creates and what was sorted; it does not restyle the rest."""
    before = project_of(
        {"app.py": "import sys\nimport os\n\nx = 1\n", "b.py": "import sys\nimport os\n"}
    )
    after = before.with_changes(
        texts={
            "app.py": "import sys\nimport os\nimport json\n\nx = 1\n",
            "new.py": "import sys\nimport os\n",
        }
    )
    tidied = tidy_imports(before, after)
    assert tidied.files["app.py"] == after.files["app.py"]
    assert tidied.files["new.py"] == FileText("import os\nimport sys\n")
