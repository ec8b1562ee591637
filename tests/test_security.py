"""The project folder is a boundary: nothing outside it is read through a link, or written.

A symlink inside the project may point anywhere (a shared checkout, a home directory). Reading
through it would migrate files that belong to someone else; writing through it, or to a path
with `..`, would change them. `scan` does not follow links out, and `apply` checks every target
before it stages anything.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from flaskmod.apply import apply
from flaskmod.changeset import Changeset, FileChange, Kind, compute
from flaskmod.errors import FlaskmodError
from flaskmod.pipeline import discover, run
from flaskmod.project import FileText, scan
from tests.conftest import write_tree
from tests.e2e.test_fixtures import tree

APP = 'from flask import Flask, url_for\n\napp = Flask(__name__)\n\n\n@app.route("/")\ndef index():\n    return url_for("index")\n'
# Would be rewritten (it imports the global app and names an endpoint) if flaskmod read it.
FOREIGN = "from app import app\n\n\ndef link():\n    return app.url_for('index')\n"


def _outside(tmp_path: Path) -> Path:
    return write_tree(
        tmp_path / "elsewhere",
        {"views.py": FOREIGN, "templates/page.html": "{{ url_for('index') }}\n"},
    )


def test_scan_does_not_follow_links_out_of_the_project(tmp_path: Path) -> None:
    outside = _outside(tmp_path)
    root = write_tree(tmp_path / "proj", {"app.py": APP})
    (root / "shared").symlink_to(outside, target_is_directory=True)
    (root / "views.py").symlink_to(outside / "views.py")
    (root / "templates").mkdir()
    (root / "templates" / "page.html").symlink_to(outside / "templates" / "page.html")
    project = scan(root)
    assert sorted(project.files) == ["app.py"]

    before = tree(outside)
    apply(root, compute(project, run(project, discover()).final))
    assert tree(outside) == before
    assert (root / "shared").is_symlink() and (root / "views.py").is_symlink()


def test_a_link_inside_the_project_to_inside_is_kept_as_a_link(tmp_path: Path) -> None:
    """Its target is read at its own path; the link itself is reported, never rewritten into a
    file (issue 13; tests/test_scan.py applies a migration through such a link)."""
    root = write_tree(tmp_path / "proj", {"app.py": APP, "notes/a.txt": "x\n"})
    (root / "b.txt").symlink_to(root / "notes" / "a.txt")
    project = scan(root)
    assert "b.txt" not in project.files and "notes/a.txt" in project.files
    assert [path for path, _ in project.skipped] == ["b.txt"]


def _added(path: str) -> FileChange:
    return FileChange(Kind.ADDED, path, None, None, FileText("x = 1\n"))


@pytest.mark.parametrize(
    "change",
    [
        _added("../escaped.py"),
        _added("pkg/../../escaped.py"),
        _added("shared/escaped.py"),  # through the link
        FileChange(Kind.DELETED, "../victim.py", "../victim.py", FileText("v\n"), None),
        FileChange(
            Kind.MOVED, "moved.py", "../victim.py", FileText("v\n"), FileText("v\n", "utf-8")
        ),
    ],
    ids=["dotdot", "nested-dotdot", "symlink", "delete-outside", "move-from-outside"],
)
def test_apply_refuses_to_write_outside_the_root(tmp_path: Path, change: FileChange) -> None:
    outside = _outside(tmp_path)
    (tmp_path / "victim.py").write_text("v\n")
    root = write_tree(tmp_path / "proj", {"app.py": APP})
    (root / "shared").symlink_to(outside, target_is_directory=True)
    everything = tree(tmp_path)
    harmless = _added("harmless.py")
    with pytest.raises(FlaskmodError, match="refusing to write outside the project"):
        apply(root, Changeset((harmless, change)))
    # Refused before staging: not even the harmless file in the same changeset was written.
    assert tree(tmp_path) == everything
    assert not (tmp_path / "escaped.py").exists() and not (outside / "escaped.py").exists()
