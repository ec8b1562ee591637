"""Crash safety: a flaskmod killed at any step of a write leaves nothing that cannot be undone.

A child process applies a real migration and sends itself SIGKILL or SIGTERM right after its
N-th filesystem step (`journal.KILL_AT`), for every N. After SIGKILL the next run must find the
interrupted apply and refuse, and `recover` must bring back the exact prior tree: bytes, modes,
links, no journal, no lock, no temporary file, no new folder. SIGTERM is undone by the dying
process itself. A kill after the commit point leaves the complete migration instead.

Children are forked (milliseconds each) for the every-step runs; the command line is run in
real subprocesses for a handful of steps. One writer at a time: the lock.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from flaskmod import interrupts, journal, lock
from flaskmod.apply import apply
from flaskmod.changeset import Changeset, compute
from flaskmod.cli import main
from flaskmod.errors import FlaskmodError
from flaskmod.pipeline import discover, run
from flaskmod.project import scan
from tests.conftest import FIXTURES, ROOT
from tests.e2e.test_fixtures import copy
from tests.test_gitops import clean_env, git, isolated_git  # noqa: F401  (isolates git)
from tests.trees import snapshot

#: The step after which the intent is on disk (folder made, manifest written, renamed): a
#: journal folder killed before that holds no manifest, and is removed without a word.
INTENT_WRITTEN = 3


@dataclass(frozen=True)
class Case:
    """A fixture's changeset, the trees before and after it, and where its commit point is."""

    fixture: str
    changes: Changeset
    before: dict[str, tuple[bytes, int]]
    after: dict[str, tuple[bytes, int]]
    steps: int
    commit: int  # the step after which the journal is gone: the migration is complete

    def fresh(self, root: Path) -> Path:
        copy(FIXTURES / self.fixture / "before", root)
        (root / "templates" / "alias.html").symlink_to("index.html")
        os.chmod(root / "requirements.txt", 0o600)  # a mode that must come back
        return root


def _case(fixture: str, scratch: Path) -> Case:
    probe = Case(fixture, Changeset(()), {}, {}, 0, 0).fresh(scratch / "probe")
    project = scan(probe)
    changes = compute(project, run(project, discover()).final)
    before = snapshot(probe)
    real_discard, commit = journal.discard, 0

    def discard(place: journal.Place) -> None:
        nonlocal commit
        real_discard(place)
        commit = journal.steps_taken()

    journal.reset_steps()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(journal, "discard", discard)
        apply(probe, changes)
    case = Case(fixture, changes, before, snapshot(probe), journal.steps_taken(), commit)
    shutil.rmtree(probe)
    return case


@pytest.fixture(scope="module")
def blog(tmp_path_factory: pytest.TempPathFactory) -> Case:
    return _case("blog", tmp_path_factory.mktemp("blog-case"))


def die_at(root: Path, changes: Changeset, step: int, name: str) -> int:
    """Apply in a forked child that sends itself SIG`name` after `step` steps; its wait status."""
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 0
        try:
            os.environ[journal.KILL_AT] = f"{step}:{name}"
            journal.reset_steps()
            with interrupts.handled():
                apply(root, changes)
        except KeyboardInterrupt as interrupt:
            code = interrupts.exit_code(interrupt)
        except BaseException:
            code = 99
        os._exit(code)
    return os.waitpid(pid, 0)[1]


def recover(root: Path) -> journal.Record | None:
    with lock.hold(journal.locate(root).lock):
        return journal.recover(root)


@pytest.mark.slow
def test_sigkill_at_every_step_is_recovered_exactly(blog: Case, tmp_path: Path) -> None:
    assert blog.steps > 40 and blog.commit <= blog.steps
    for step in range(1, blog.steps + 1):
        root = blog.fresh(tmp_path / f"kill{step}")
        status = die_at(root, blog.changes, step, "KILL")
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
        written = (root / ".flaskmod-journal" / journal.MANIFEST).exists()
        assert written == (INTENT_WRITTEN <= step < blog.commit)
        if written:
            with pytest.raises(FlaskmodError, match="interrupted while writing"):
                journal.refuse_interrupted(root)
        recover(root)
        expected = blog.before if step < blog.commit else blog.after
        assert snapshot(root) == expected, f"SIGKILL after step {step}"
        journal.refuse_interrupted(root)  # nothing left to refuse
        shutil.rmtree(root)


@pytest.mark.slow
def test_sigterm_at_every_step_is_undone_by_the_dying_process(blog: Case, tmp_path: Path) -> None:
    for step in range(1, blog.steps + 1):
        root = blog.fresh(tmp_path / f"term{step}")
        status = die_at(root, blog.changes, step, "TERM")
        assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 128 + signal.SIGTERM
        if step < blog.commit:
            assert snapshot(root) == blog.before, f"SIGTERM after step {step}"
        else:  # at the commit point the undo may still run: either whole tree, never a mix
            assert snapshot(root) in (blog.before, blog.after), f"SIGTERM after step {step}"
        shutil.rmtree(root)


def test_a_recovery_killed_part_way_is_finished_by_the_next(blog: Case, tmp_path: Path) -> None:
    middle = blog.commit - 5  # most files renamed into place
    for step in (1, 2, 5, 9, 17):
        root = blog.fresh(tmp_path / f"rec{step}")
        die_at(root, blog.changes, middle, "KILL")
        pid = os.fork()
        if pid == 0:
            os.environ[journal.KILL_AT] = str(step)
            journal.reset_steps()
            recover(root)
            os._exit(0)
        os.waitpid(pid, 0)
        recover(root)
        assert snapshot(root) == blog.before, f"recovery killed after step {step}"
        shutil.rmtree(root)


def test_a_file_changed_after_the_crash_is_not_overwritten_by_recovery(
    blog: Case, tmp_path: Path
) -> None:
    root = blog.fresh(tmp_path / "p")
    die_at(root, blog.changes, blog.commit - 3, "KILL")
    (root / "wsgi.py").write_text("# the user's own\n")
    with pytest.raises(FlaskmodError, match=r"wsgi\.py changed after the interrupted apply"):
        recover(root)
    assert (root / "wsgi.py").read_text() == "# the user's own\n"
    with lock.hold(journal.locate(root).lock):
        journal.recover(root, force=True)
    assert snapshot(root) == blog.before


def test_inside_git_the_journal_lives_in_the_git_directory(blog: Case, tmp_path: Path) -> None:
    root = blog.fresh(tmp_path / "repo")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "initial")
    before = snapshot(root)
    die_at(root, blog.changes, blog.commit // 2, "KILL")
    assert (root / ".git" / "flaskmod-journal" / "journal.json").is_file()
    status = git(root, "status", "--porcelain", "--ignored")
    assert "journal" not in status and "lock" not in status  # only the staged temporary files
    assert recover(root) is not None
    assert snapshot(root) == before


# ------------------------------------------------------------------ the command line
def flaskmod(*args: str, kill_at: str = "") -> subprocess.CompletedProcess[str]:
    env = {**clean_env(), "PYTHONPATH": str(ROOT)}
    if kill_at:
        env[journal.KILL_AT] = kill_at
    return subprocess.run(
        [sys.executable, "-m", "flaskmod", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def minimal(tmp_path_factory: pytest.TempPathFactory) -> Case:
    return _case("minimal", tmp_path_factory.mktemp("minimal-case"))


@pytest.mark.slow
@pytest.mark.parametrize("where", ["first", "staging", "swapping", "last"])
def test_a_killed_apply_is_refused_then_recovered_by_the_cli(
    minimal: Case, tmp_path: Path, where: str
) -> None:
    step = {
        "first": INTENT_WRITTEN,
        "staging": 6,
        "swapping": minimal.commit - 4,
        "last": minimal.commit - 1,
    }
    root = minimal.fresh(tmp_path / "m")
    done = flaskmod("upgrade", str(root), "--apply", kill_at=f"{step[where]}:KILL")
    assert done.returncode == -signal.SIGKILL
    for command in (["upgrade", str(root)], ["plan", str(root)], ["verify", str(root)]):
        refused = CliRunner().invoke(main, command, catch_exceptions=False)
        assert refused.exit_code == 2, command
        assert refused.stderr.startswith("error: an earlier flaskmod run was interrupted")
        assert f"run `flaskmod recover {root}`" in refused.stderr
        assert refused.stderr.count("\n") == 1
    done = flaskmod("recover", str(root))
    assert done.returncode == 0 and "Recovered" in done.stderr
    assert snapshot(root) == minimal.before
    done = flaskmod("recover", str(root))
    assert done.returncode == 0 and "Nothing to recover" in done.stderr


@pytest.mark.slow
@pytest.mark.parametrize("step", [2, 9])
def test_sigterm_rolls_back_and_exits_143(minimal: Case, tmp_path: Path, step: int) -> None:
    root = minimal.fresh(tmp_path / "m")
    done = flaskmod("upgrade", str(root), "--apply", kill_at=f"{step}:TERM")
    assert done.returncode == 128 + signal.SIGTERM
    assert done.stderr.splitlines()[-1].startswith("error: interrupted (SIGTERM)")
    assert "Traceback" not in done.stderr
    assert snapshot(root) == minimal.before


# ------------------------------------------------------------------ one writer at a time
@pytest.fixture
def held(tmp_path: Path) -> Iterator[tuple[Path, subprocess.Popen[str]]]:
    """A project whose lock another process holds until the test ends."""
    root = copy(FIXTURES / "minimal" / "before", tmp_path / "m")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from flaskmod import journal, lock\n"
            "with lock.hold(journal.locate(Path(sys.argv[1])).lock):\n"
            "    print('holding', flush=True); sys.stdin.read()",
            str(root),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**clean_env(), "PYTHONPATH": str(ROOT)},
    )
    assert holder.stdout is not None and holder.stdout.readline() == "holding\n"
    yield root, holder
    holder.kill()
    holder.wait()


@pytest.mark.parametrize("args", [["upgrade", "--apply"], ["upgrade", "--step"], ["recover"]])
def test_a_second_writer_refuses_at_once_naming_the_lock(
    held: tuple[Path, subprocess.Popen[str]], args: list[str]
) -> None:
    root, holder = held
    before = snapshot(root)
    result = CliRunner().invoke(main, [*args[:1], str(root), *args[1:]], catch_exceptions=False)
    assert result.exit_code == 2
    lock_file = root / ".flaskmod.lock"
    assert result.stderr == (
        f"error: another flaskmod (process {holder.pid}) is "
        f"{'recovering' if args == ['recover'] else 'writing'} this project: {lock_file} is "
        "locked; wait for it to finish\n"
    )
    assert snapshot(root) == before


def test_a_reader_waits_for_no_one_but_refuses_a_tree_being_written(
    held: tuple[Path, subprocess.Popen[str]],
) -> None:
    root, holder = held
    assert CliRunner().invoke(main, ["upgrade", str(root)]).exit_code == 0
    (root / ".flaskmod-journal").mkdir()  # as a live apply has it
    result = CliRunner().invoke(main, ["upgrade", str(root)])
    assert result.exit_code == 2
    assert f"another flaskmod (process {holder.pid}) is writing this project" in result.stderr


def test_the_lock_of_a_killed_process_is_never_stale(
    held: tuple[Path, subprocess.Popen[str]],
) -> None:
    root, holder = held
    holder.kill()
    holder.wait()
    assert (root / ".flaskmod.lock").exists()  # the file stays; the kernel released the lock
    result = CliRunner().invoke(main, ["upgrade", str(root), "--apply"], catch_exceptions=False)
    assert result.exit_code == 0 and "Applied" in result.stderr
    assert not (root / ".flaskmod.lock").exists()
