"""Every failure is one line with a distinct exit code, and the tree is as it was (issue 13).

2: bad input, a refusal or an I/O error, naming the file; 3: an internal error (a bug, with a
hint to report it; `FLASKMOD_DEBUG=1` adds the traceback); 130/143: Ctrl-C/SIGTERM. Never a raw
traceback, never 1, which `--check` uses for "would change". The crash classes come from real
runs: a 400-operand expression (RecursionError), a full disk, `ulimit -f` (EFBIG; Python ignores
SIGXFSZ), an immutable file (EPERM).
"""

from __future__ import annotations

import errno
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from flaskmod import cli, journal
from flaskmod import upgrade as upgrade_module
from flaskmod.cli import main
from tests.conftest import FIXTURES
from tests.test_gitops import clean_env
from tests.trees import snapshot


def upgrade(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner(env=env).invoke(main, ["upgrade", *args], catch_exceptions=False)
    return result.exit_code, result.stderr


def minimal(tmp_path: Path) -> Path:
    return shutil.copytree(FIXTURES / "minimal" / "before", tmp_path / "m")


def last_line(err: str) -> str:
    assert "Traceback" not in err
    return err.splitlines()[-1]


def test_a_400_operand_expression_migrates(tmp_path: Path) -> None:
    """It used to crash LibCST's recursive visitors (issue 13); the name index and the codemods
    walk it, and the self-check's pyflakes gets the stack it needs."""
    root = minimal(tmp_path)
    long_sum = " + ".join(f"x{n}" for n in range(400))
    with (root / "app.py").open("a") as handle:
        handle.write(f"\n\ndef total():\n    return {long_sum}\n")
    code, err = upgrade(str(root), "--apply")
    assert code == 0, err
    assert long_sum in (root / "app" / "__init__.py").read_text()


def test_a_recursion_error_is_an_internal_error_naming_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flaskmod.codemods import factory

    def too_deep(context: object) -> None:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(factory.codemod, "_plan", too_deep)
    root = minimal(tmp_path)
    before = snapshot(root)
    code, err = upgrade(str(root), "--apply")
    assert code == cli.EXIT_INTERNAL == 3
    assert err.count("\n") == 1
    assert last_line(err).startswith("error: app.py: internal error: RecursionError")
    assert "please report it" in err and "FLASKMOD_DEBUG=1" in err
    assert snapshot(root) == before
    code, err = upgrade(str(root), env={"FLASKMOD_DEBUG": "1"})
    assert code == 3 and "Traceback (most recent call last)" in err


def test_any_unexpected_exception_is_exit_3_not_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise ValueError("unexpected\nsecond line")

    monkeypatch.setattr(upgrade_module, "compute", broken)
    code, err = upgrade(str(minimal(tmp_path)), "--check")
    assert code == 3
    assert last_line(err).startswith("error: internal error: ValueError: unexpected. This is")


def test_a_full_disk_names_the_file_and_rolls_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = minimal(tmp_path)
    before = snapshot(root)
    real = journal.write_synced

    def full(path: Path, data: bytes, mode: int | None = None) -> None:
        if path.name == ".index.html.flaskmod-tmp":
            raise OSError(errno.ENOSPC, "No space left on device")
        real(path, data, mode)

    monkeypatch.setattr(journal, "write_synced", full)
    code, err = upgrade(str(root), "--apply")
    assert code == 2
    assert last_line(err) == (
        "error: templates/index.html: cannot write: No space left on device; nothing was changed"
    )
    assert snapshot(root) == before


def test_a_file_size_limit_is_exit_2_and_rolls_back(tmp_path: Path) -> None:
    """`ulimit -f 4`: the kernel refuses the journal's write with EFBIG (SIGXFSZ is ignored)."""
    root = minimal(tmp_path)
    before = snapshot(root)

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

    done = subprocess.run(
        [sys.executable, "-m", "flaskmod", "upgrade", str(root), "--apply"],
        env=clean_env(),
        preexec_fn=limit,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 2
    assert "File too large; nothing was changed" in last_line(done.stderr)
    assert snapshot(root) == before


def test_an_immutable_file_is_exit_2_naming_it(tmp_path: Path) -> None:
    root = minimal(tmp_path)
    target = root / "templates" / "index.html"
    if subprocess.run(["chattr", "+i", str(target)], capture_output=True).returncode:
        pytest.skip("chattr +i needs root and a filesystem that supports it")
    try:
        before = snapshot(root)
        code, err = upgrade(str(root), "--apply")
        assert code == 2
        assert last_line(err) == (
            "error: templates/index.html: cannot write: Operation not permitted; nothing was "
            "changed"
        )
        assert snapshot(root) == before
    finally:
        subprocess.run(["chattr", "-i", str(target)], check=True)


def test_ctrl_c_is_exit_130_after_the_undo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = minimal(tmp_path)
    before = snapshot(root)
    real = journal.checkpoint
    count = 0

    def interrupt_midway() -> None:
        nonlocal count
        real()
        count += 1
        if count == 20:
            raise KeyboardInterrupt

    monkeypatch.setattr(journal, "checkpoint", interrupt_midway)
    code, err = upgrade(str(root), "--apply")
    assert code == 130
    assert last_line(err) == "error: interrupted (SIGINT); nothing half-written was left"
    assert snapshot(root) == before


def test_reading_errors_are_exit_2_with_the_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flaskmod import modes, project

    def unreadable(*args: object, **kwargs: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", "/srv/app/x.py")

    monkeypatch.setattr(project, "scan", unreadable)
    monkeypatch.setattr(modes, "scan", unreadable)
    code, err = upgrade(str(minimal(tmp_path)))
    assert code == 2 and last_line(err) == "error: /srv/app/x.py: Permission denied"
