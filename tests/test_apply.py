"""Apply is all-or-nothing: a failure at any write leaves the tree exactly as it was."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from flaskmod import apply as apply_module
from flaskmod.apply import apply
from flaskmod.changeset import compute
from flaskmod.pipeline import discover, run
from flaskmod.project import scan
from tests.conftest import FIXTURES
from tests.e2e.test_fixtures import copy, tree


def _changes(root: Path):  # type: ignore[no-untyped-def]
    project = scan(root)
    return compute(project, run(project, discover()).final)


def test_apply_writes_everything(tmp_path: Path) -> None:
    root = copy(FIXTURES / "blog" / "before", tmp_path / "blog")
    apply(root, _changes(root))
    assert tree(root) == tree(FIXTURES / "blog" / "after")


def _snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mode)
        for p in root.rglob("*")
        if p.is_file()
    } | {p.relative_to(root).as_posix() + "/": (b"", 0) for p in root.rglob("*") if p.is_dir()}


def _count_operations(root: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    """How many renames and deletions a full apply performs (each is a point of failure)."""
    calls = 0
    real_replace, real_unlink = os.replace, Path.unlink

    def counting_replace(*args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        return real_replace(*args, **kwargs)

    def counting_unlink(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        return real_unlink(self, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(apply_module.os, "replace", counting_replace)
        patch.setattr(Path, "unlink", counting_unlink)
        apply(root, _changes(root))
    return calls


def _fail_at(patch: pytest.MonkeyPatch, failing: int, error: BaseException) -> None:
    """Make the `failing`-th rename or deletion of the user's files raise `error`."""
    calls = 0
    real_replace, real_unlink = os.replace, Path.unlink

    def failing_replace(*args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        if calls == failing:
            raise error
        return real_replace(*args, **kwargs)

    def failing_unlink(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal calls
        if not self.name.endswith(apply_module.TEMP_SUFFIX):
            calls += 1
            if calls == failing:
                raise error
        return real_unlink(self, *args, **kwargs)

    patch.setattr(apply_module.os, "replace", failing_replace)
    patch.setattr(Path, "unlink", failing_unlink)


@pytest.mark.parametrize("error", [OSError("disk full"), KeyboardInterrupt()])
def test_failure_at_every_write_restores_the_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: BaseException
) -> None:
    probe_root = copy(FIXTURES / "blog" / "before", tmp_path / "count")
    changes = _changes(probe_root)  # relative paths: the same changeset fits every copy
    operations = _count_operations(probe_root, monkeypatch)
    assert operations >= len(changes) > 5
    for failing in range(1, operations + 1):
        root = copy(FIXTURES / "blog" / "before", tmp_path / f"run{failing}")
        before = _snapshot(root)
        with monkeypatch.context() as patch:
            _fail_at(patch, failing, error)
            with pytest.raises(type(error)):
                apply(root, changes)
        assert _snapshot(root) == before, f"failure at operation {failing} left changes behind"


def test_failure_while_staging_restores_the_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy(FIXTURES / "minimal" / "before", tmp_path / "m")
    changes = _changes(root)
    before = _snapshot(root)
    real = Path.write_bytes
    count = 0

    def flaky(self: Path, data: bytes) -> int:
        nonlocal count
        count += 1
        if count == 3:
            raise OSError("no space left on device")
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", flaky)
    with pytest.raises(OSError):
        apply(root, changes)
    assert _snapshot(root) == before


def test_executable_bit_survives_a_move(tmp_path: Path) -> None:
    root = copy(FIXTURES / "minimal" / "before", tmp_path / "m")
    (root / "app.py").chmod(0o755)
    apply(root, _changes(root))
    assert (root / "app" / "__init__.py").stat().st_mode & stat.S_IXUSR
