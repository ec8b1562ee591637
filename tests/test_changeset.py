"""Patches are what git produces and accepts: new files, renames, modes, missing newlines."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flaskmod.changeset import Kind, _lines, compute
from flaskmod.project import scan

GIT_ENV = {"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "PATH": "/usr/bin:/bin"}


def test_kinds(project) -> None:
    root = project({"a.py": "x = 1\n", "b.py": "y = 1\n", "c.py": "z = 1\n"})
    before = scan(root)
    after = before.with_changes(
        moves={"a.py": "pkg/__init__.py"},
        texts={"pkg/__init__.py": "x = 2\n", "new.py": "n = 1\n", "b.py": "y = 2\n"},
        deletions=["c.py"],
    )
    changes = {c.path: c.kind for c in compute(before, after)}
    assert changes == {
        "pkg/__init__.py": Kind.MOVED,
        "new.py": Kind.ADDED,
        "b.py": Kind.MODIFIED,
        "c.py": Kind.DELETED,
    }


def test_patch_headers(project) -> None:
    root = project({"a.py": "x = 1\n"})
    before = scan(root)
    after = before.with_changes(moves={"a.py": "p/__init__.py"}, texts={"n.txt": "no newline"})
    patch = compute(before, after).patch()
    assert "diff --git a/n.txt b/n.txt\nnew file mode 100644\n--- /dev/null\n+++ b/n.txt\n" in patch
    assert "+no newline\n\\ No newline at end of file\n" in patch
    assert (
        "diff --git a/a.py b/p/__init__.py\nsimilarity index 100%\nrename from a.py\nrename to p/__init__.py\n"
        in patch
    )


def test_lines_split_only_on_newline() -> None:
    assert _lines("a\x0cb\nc") == ["a\x0cb\n", "c"]
    assert _lines("") == []


texts = st.text(alphabet=st.sampled_from(list("ab \t\r\n\x0c#é")), max_size=60)


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
@settings(max_examples=40, deadline=None)
@given(old=texts, new=texts, renamed=st.booleans())
def test_git_apply_reproduces_the_change(
    tmp_path_factory, old: str, new: str, renamed: bool
) -> None:
    root = tmp_path_factory.mktemp("repo")
    (root / "f.txt").write_bytes(old.encode())
    before = scan(root)
    path = "d/g.txt" if renamed else "f.txt"
    after = before.with_changes(moves={"f.txt": path} if renamed else None, texts={path: new})

    # The snapshot gives new lines the old file's line-ending style when it had only one (a
    # lone CR just before a line ending is indistinguishable from CRLF, so compare without it).
    def endings(text: str) -> str:
        return re.sub(r"\r+\n", "\n", text)

    assert endings(after.text(path)) == endings(new)
    patch = compute(before, after).patch_bytes()
    if not patch:
        return
    subprocess.run(["git", "init", "-q"], cwd=root, check=True, env=GIT_ENV)
    done = subprocess.run(
        ["git", "apply", "-"], cwd=root, input=patch, env=GIT_ENV, capture_output=True
    )
    assert done.returncode == 0, done.stderr
    target = root / path
    assert target.read_bytes() == after.files[path].to_bytes()
    assert not renamed or not (root / "f.txt").exists()


def test_no_change_no_patch(project) -> None:
    root = project({"a.py": "x = 1\n"})
    before = scan(root)
    assert not compute(before, before.with_changes(texts={"a.py": "x = 1\n"}))
    assert Path(root).exists()
