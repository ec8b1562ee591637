"""Apply is all-or-nothing: a failure at any step leaves the tree exactly as it was.

In-process failures (an exception, Ctrl-C) are undone by `apply` itself; a process that dies is
covered by the journal (tests/test_journal.py). Here: every step failing in turn, the Ctrl-C that
lands between a rename and its record, compare-and-swap, and files that exist unread.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from flaskmod import apply as apply_module
from flaskmod import journal
from flaskmod.apply import apply
from flaskmod.changeset import Changeset, FileChange, Kind, compute
from flaskmod.errors import FlaskmodError
from flaskmod.pipeline import discover, run
from flaskmod.project import FileText, scan
from tests.conftest import FIXTURES
from tests.e2e.test_fixtures import copy, tree
from tests.trees import snapshot


def _changes(root: Path) -> Changeset:
    project = scan(root)
    return compute(project, run(project, discover()).final)


@pytest.fixture(scope="module")
def blog(tmp_path_factory: pytest.TempPathFactory) -> tuple[Changeset, int]:
    """The blog fixture's changeset and how many filesystem steps applying it takes."""
    root = copy(FIXTURES / "blog" / "before", tmp_path_factory.mktemp("count") / "blog")
    changes = _changes(root)
    journal.reset_steps()
    apply(root, changes)
    return changes, journal.steps_taken()


def test_apply_writes_everything_and_leaves_no_journal(tmp_path: Path) -> None:
    root = copy(FIXTURES / "blog" / "before", tmp_path / "blog")
    apply(root, _changes(root))
    assert tree(root) == tree(FIXTURES / "blog" / "after")
    leftovers = [p.name for p in root.rglob("*") if "flaskmod" in p.name]
    assert leftovers == []


def _fail_at_step(patch: pytest.MonkeyPatch, failing: int, error: BaseException) -> None:
    """Make the `failing`-th filesystem step of apply (journal, stage, swap, commit) raise."""
    real = journal.checkpoint
    count = 0

    def step() -> None:
        nonlocal count
        real()
        count += 1
        if count == failing:
            raise error

    patch.setattr(journal, "checkpoint", step)


@pytest.mark.parametrize(
    "error", [OSError(errno.ENOSPC, "No space left on device"), KeyboardInterrupt()]
)
def test_failure_at_every_step_restores_the_tree(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    error: BaseException,
    blog: tuple[Changeset, int],
) -> None:
    changes, steps = blog
    assert steps > 2 * len(changes) > 30
    migrated = None
    for failing in range(1, steps + 1):
        root = copy(FIXTURES / "blog" / "before", tmp_path / f"run{failing}")
        before = snapshot(root)
        with monkeypatch.context() as patch:
            _fail_at_step(patch, failing, error)
            with pytest.raises((FlaskmodError, KeyboardInterrupt)) as raised:
                apply(root, changes)
        after = snapshot(root)
        if after != before:  # only once the journal is gone: the apply was complete
            migrated = migrated or snapshot(_applied(tmp_path / "full", changes))
            assert after == migrated, f"failure at step {failing} left a mixed tree"
        elif isinstance(error, OSError):
            assert isinstance(raised.value, FlaskmodError)
            assert "No space left on device" in str(raised.value)


def _applied(root: Path, changes: Changeset) -> Path:
    if not root.exists():
        copy(FIXTURES / "blog" / "before", root)
        apply(root, changes)
    return root


def test_interrupt_right_after_a_rename_is_undone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C between `os.replace` and the bookkeeping after it (issue 13, item 3)."""
    root = copy(FIXTURES / "blog" / "before", tmp_path / "blog")
    changes = _changes(root)
    before = snapshot(root)
    real = os.replace
    renames = 0

    def replace_then_interrupt(source: str | Path, target: str | Path) -> None:
        nonlocal renames
        real(source, target)
        if str(source).endswith(journal.TEMP_SUFFIX):  # a new content onto the user's file
            renames += 1
            if renames == 2:
                raise KeyboardInterrupt

    monkeypatch.setattr(apply_module.os, "replace", replace_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        apply(root, changes)
    assert snapshot(root) == before


def test_failure_while_staging_restores_the_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy(FIXTURES / "minimal" / "before", tmp_path / "m")
    changes = _changes(root)
    before = snapshot(root)
    real = journal.write_synced
    count = 0

    def flaky(path: Path, data: bytes, mode: int | None = None) -> None:
        nonlocal count
        count += 1
        if count == 3:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        real(path, data, mode)

    monkeypatch.setattr(journal, "write_synced", flaky)
    with pytest.raises(FlaskmodError, match="cannot write: No space left on device"):
        apply(root, changes)
    assert snapshot(root) == before


def test_executable_bit_survives_a_move(tmp_path: Path) -> None:
    root = copy(FIXTURES / "minimal" / "before", tmp_path / "m")
    (root / "app.py").chmod(0o755)
    apply(root, _changes(root))
    assert (root / "app" / "__init__.py").stat().st_mode & stat.S_IXUSR


# ------------------------------------------------------------------ compare-and-swap
def test_a_file_edited_after_the_preview_is_never_overwritten(tmp_path: Path) -> None:
    root = copy(FIXTURES / "blog" / "before", tmp_path / "blog")
    changes = _changes(root)
    with (root / "app.py").open("a") as handle:
        handle.write("\n# added by the user while flaskmod ran\n")
    before = snapshot(root)
    with pytest.raises(FlaskmodError) as error:
        apply(root, changes)
    assert str(error.value).startswith("app.py: changed on disk after flaskmod read it")
    assert snapshot(root) == before


def test_an_edit_during_the_write_phase_aborts_and_keeps_the_edit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The route a user appends to a template mid-apply survives; every other file is put back."""
    root = copy(FIXTURES / "blog" / "before", tmp_path / "blog")
    changes = _changes(root)
    modified = [c.path for c in changes if c.kind is Kind.MODIFIED]
    victim = root / modified[-1]
    before = snapshot(root)
    real = journal.checkpoint
    edited = False

    def edit_once_writing_began() -> None:
        nonlocal edited
        real()
        if not edited and any(root.rglob(f"*{journal.TEMP_SUFFIX}")):
            edited = True
            with victim.open("a") as handle:
                handle.write("<!-- user edit -->\n")

    monkeypatch.setattr(journal, "checkpoint", edit_once_writing_began)
    with pytest.raises(FlaskmodError) as error:
        apply(root, changes)
    assert str(error.value).startswith(f"{modified[-1]}: changed on disk")
    expected = dict(before)
    data, mode = before[modified[-1]]
    expected[modified[-1]] = (data + b"<!-- user edit -->\n", mode)
    assert snapshot(root) == expected


def test_a_removed_file_that_changed_is_not_removed(tmp_path: Path) -> None:
    root = tmp_path / "p"
    root.mkdir()
    (root / "old.py").write_text("x = 2\n")
    change = FileChange(Kind.DELETED, "old.py", "old.py", FileText("x = 1\n"), None)
    with pytest.raises(FlaskmodError, match=r"old\.py: changed on disk"):
        apply(root, Changeset((change,)))
    assert (root / "old.py").read_text() == "x = 2\n"


# ------------------------------------------------------------------ never over an unread file
@pytest.mark.parametrize("existing", ["file", "link", "folder"])
def test_a_new_file_never_replaces_one_that_exists(tmp_path: Path, existing: str) -> None:
    root = tmp_path / "p"
    root.mkdir()
    target = root / "config.py"
    if existing == "file":
        target.write_text('SECRET_KEY = "REAL-PRODUCTION-SECRET"\n')
    elif existing == "link":
        (root / "real.py").write_text("x = 1\n")
        target.symlink_to("real.py")
    else:
        target.mkdir()
    before = snapshot(root)
    harmless = FileChange(Kind.ADDED, "wsgi.py", None, None, FileText("x = 1\n"))
    change = FileChange(Kind.ADDED, "config.py", None, None, FileText("class Config: ...\n"))
    with pytest.raises(FlaskmodError) as error:
        apply(root, Changeset((harmless, change)))
    assert str(error.value).startswith("config.py: exists on disk, but flaskmod did not read it")
    assert "\n" not in str(error.value)
    assert snapshot(root) == before
