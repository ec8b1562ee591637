"""The snapshot reads what git would track, never environments, caches or ignored files."""

from __future__ import annotations

import codecs
import os
from pathlib import Path

import pytest

from flaskmod.errors import FlaskmodError
from flaskmod.project import decode, module_name, scan


def test_ignored_and_environment_files_are_never_read(project) -> None:
    root = project(
        {
            "app.py": "x = 1\n",
            ".gitignore": "secret_dir/\n*.log\n",
            "secret_dir/a.py": "x = 1\n",
            "debug.log": "x\n",
            ".git/config.py": "x\n",
            "venv/lib/site.py": "x\n",
            "env2/pyvenv.cfg": "home = /usr\n",
            "env2/lib/x.py": "x\n",
            "node_modules/a.js": "x\n",
            "__pycache__/app.py": "x\n",
            "migrations/versions/001_init.py": "x\n",
            "migrations/env.py": "x = 1\n",
            "templates/index.html": "<p>hi</p>\n",
        }
    )
    assert sorted(scan(root).files) == [
        ".gitignore",
        "app.py",
        "migrations/env.py",
        "templates/index.html",
    ]


def test_symlink_outside_project_is_not_followed(project, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "evil.py").write_text("x = 1\n")
    root = project({"app.py": "x = 1\n"})
    os.symlink(outside, root / "linked")
    os.symlink(outside / "evil.py", root / "evil.py")
    assert sorted(scan(root).files) == ["app.py"]


def test_missing_path_and_file_path_are_errors(tmp_path: Path) -> None:
    with pytest.raises(FlaskmodError, match="no such file"):
        scan(tmp_path / "nope")
    (tmp_path / "f.py").write_text("")
    with pytest.raises(FlaskmodError, match="not a directory"):
        scan(tmp_path / "f.py")


def test_encodings_round_trip() -> None:
    latin = "# -*- coding: latin-1 -*-\nname = 'café'\n".encode("latin-1")
    text = decode("a.py", latin)
    assert text.encoding == "iso-8859-1" and "café" in text.text
    assert text.to_bytes() == latin
    bom = codecs.BOM_UTF8 + b"x = 1\r\n"
    text = decode("b.py", bom)
    assert text.bom and text.text == "x = 1\r\n" and text.to_bytes() == bom


def test_undecodable_python_file_is_an_error_with_line() -> None:
    with pytest.raises(FlaskmodError) as error:
        decode("a.py", b"x = 1\ny = '\xff'\n")
    assert str(error.value).startswith("a.py:2: not decodable")


def test_syntax_error_names_file_and_line(project) -> None:
    root = project({"app.py": "from flask import Flask\napp = Flask(__name__\n"})
    with pytest.raises(FlaskmodError) as error:
        scan(root).module("app.py")
    assert str(error.value).startswith("app.py:")
    assert "syntax error" in str(error.value)


def test_trees_are_parsed_once_and_handed_along(project) -> None:
    root = project({"a.py": "x = 1\n", "b.py": "y = 2\n"})
    snapshot = scan(root)
    tree = snapshot.module("a.py")
    assert snapshot.module("a.py") is tree
    edited = snapshot.with_changes(texts={"b.py": "y = 3\n"})
    assert edited.module("a.py") is tree
    assert snapshot.metadata("a.py") is snapshot.metadata("a.py")


def test_moves_record_their_origin(project) -> None:
    root = project({"app.py": "x = 1\n"})
    moved = scan(root).with_changes(moves={"app.py": "app/__init__.py"})
    assert moved.source_of("app/__init__.py") == "app.py"
    assert "app.py" not in moved


@pytest.mark.parametrize(
    "path, name", [("app.py", "app"), ("app/__init__.py", "app"), ("a/b/c.py", "a.b.c")]
)
def test_module_name(path: str, name: str) -> None:
    assert module_name(path) == name
