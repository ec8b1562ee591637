"""The git-aware `upgrade`: source choice, refusals, --commit, --step and --interactive.

Every test works in a throwaway repository with the user's and the system's git configuration
switched off, and checks with the git binary itself (not GitPython, which the code under test
uses) that nothing changed when flaskmod refused or failed.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NoReturn

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from flaskmod import cli, gitops
from flaskmod.apply import apply
from flaskmod.changeset import compute
from flaskmod.codemod import Codemod, Context
from flaskmod.gitops import pending_steps
from flaskmod.interactive import Hunks
from flaskmod.pipeline import Driver, Options, discover, run
from flaskmod.project import scan
from tests.conftest import FIXTURES, write_tree

GIT_ENV = {
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "Tess Ter",
    "GIT_AUTHOR_EMAIL": "tess@example.com",
    "GIT_COMMITTER_NAME": "Tess Ter",
    "GIT_COMMITTER_EMAIL": "tess@example.com",
}


@functools.cache
def changing(fixture: str) -> list[str]:
    """The codemods that change the fixture, in order, as one full in-memory run sees them."""
    project = scan(FIXTURES / fixture / "before")
    return [s.codemod.name for s in run(project, discover()).steps if s.changed]


def clean_env() -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("FLASK_", "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"))
    }
    return {**env, **GIT_ENV, "PYTHONDONTWRITEBYTECODE": "1"}


@pytest.fixture(autouse=True)
def isolated_git(monkeypatch: pytest.MonkeyPatch) -> None:
    """GitPython runs git with os.environ: give it no user config and a fixed identity."""
    for key in list(os.environ):
        if key not in clean_env():
            monkeypatch.delenv(key)
    for key, value in clean_env().items():
        monkeypatch.setenv(key, value)


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=True, env=clean_env()
    )
    return done.stdout


def make_repo(root: Path, fixture: str = "minimal", sub: str = "") -> Path:
    """The fixture's `before` tree committed on `main` in a new repository; returns PATH."""
    project = root / sub if sub else root
    shutil.copytree(FIXTURES / fixture / "before", project, dirs_exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "initial")
    return project


def files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


def state(repo: Path) -> dict[str, object]:
    """Everything flaskmod must leave exactly as it was when it refuses or fails."""
    return {
        "head": git(repo, "symbolic-ref", "-q", "HEAD").strip(),
        "refs": git(repo, "for-each-ref", "--format=%(refname) %(objectname)"),
        "index": git(repo, "ls-files", "-s"),
        "status": git(repo, "status", "--porcelain", "--untracked-files=all"),
        "files": files(repo),
    }


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli.main, ["upgrade", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def refused(err: str, *words: str) -> bool:
    """Nothing but one `error:` line containing every word: refused before any output."""
    return err.startswith("error: ") and err.count("\n") == 1 and all(w in err for w in words)


def failed(err: str, *words: str) -> bool:
    """A run that ends with one `error:` line containing every word."""
    last = err.splitlines()[-1]
    return last.startswith("error: ") and all(w in last for w in words)


def subjects(repo: Path, revisions: str = "main..HEAD") -> list[str]:
    return git(repo, "log", "--reverse", "--format=%s", revisions).splitlines()


def full_run(fixture: str) -> dict[str, bytes]:
    """The fixture after one `--apply` of every codemod (not the golden tree, which the
    codemods' owners regenerate on their own schedule)."""
    with tempfile.TemporaryDirectory() as scratch:
        target = shutil.copytree(FIXTURES / fixture / "before", Path(scratch) / fixture)
        project = scan(target)
        apply(target, compute(project, run(project, discover()).final))
        return files(target)


# ----------------------------------------------------------------------- reading
def test_preview_reads_the_working_tree_or_head_of_a_subfolder(tmp_path: Path) -> None:
    project = make_repo(tmp_path, sub="services/web")
    with (project / "app.py").open("a") as handle:
        handle.write("# uncommitted edit\n")
    before = state(tmp_path)

    code, out, err = invoke(str(project))
    assert code == 0 and "Reading the working tree (main)" in err
    assert "# uncommitted edit" in out

    code, out, err = invoke(str(project), "--from-head")
    head = git(tmp_path, "rev-parse", "--short=7", "HEAD").strip()
    assert code == 0 and f"Reading the committed state: HEAD {head} (main)" in err
    assert "rename from app.py" in out and "# uncommitted edit" not in out
    assert invoke(str(project), "--from-head", "--check")[0] == 1
    assert state(tmp_path) == before


def test_outside_git_only_commit_and_from_head_refuse(tmp_path: Path) -> None:
    project = shutil.copytree(FIXTURES / "minimal" / "before", tmp_path / "m")
    before = files(project)
    for flag in ("--commit", "--from-head"):
        code, _, err = invoke(str(project), flag)
        assert code == 2 and refused(err, flag, "not inside a git work tree")
    assert files(project) == before
    code, out, err = invoke(str(project))
    assert code == 0 and "Reading" not in err and "rename from app.py" in out


@pytest.mark.parametrize(
    ("flags", "words"),
    [
        (("--check", "--apply"), ["--check only reports"]),
        (("--from-head", "--apply"), ["--from-head only previews"]),
        (("--interactive", "--commit"), ["--interactive cannot be combined"]),
        (("--interactive", "--step"), ["--interactive cannot be combined"]),
    ],
)
def test_contradictory_flags(tmp_path: Path, flags: tuple[str, ...], words: list[str]) -> None:
    project = make_repo(tmp_path)
    before = state(tmp_path)
    code, _, err = invoke(str(project), *flags)
    assert code == 2 and refused(err, *words)
    assert state(tmp_path) == before


# ---------------------------------------------------------------------- refusals
def test_apply_refuses_a_dirty_tree_unless_allowed(tmp_path: Path) -> None:
    project = make_repo(tmp_path)
    (project / "README.md").write_text("edited\n")
    (project / "requirements.txt").write_text("flask\n")
    git(tmp_path, "add", "requirements.txt")
    before = state(tmp_path)
    for flag in ("--apply", "--step", "--commit"):
        code, _, err = invoke(str(project), flag)
        assert code == 2 and refused(err, "uncommitted changes", "README.md", "requirements.txt")
        assert state(tmp_path) == before
    code, _, err = invoke(str(project), "--commit", "--allow-dirty")
    assert code == 2 and refused(err, "--commit needs a clean work tree")

    code, _, err = invoke(str(project), "--apply", "--allow-dirty")
    assert code == 0 and "Applied" in err
    assert (project / "app" / "__init__.py").is_file() and not (project / "app.py").exists()
    assert (project / "README.md").read_text() == "edited\n"


def test_untracked_files_in_the_way_are_always_refused(tmp_path: Path) -> None:
    project = make_repo(tmp_path)
    git(tmp_path, "rm", "-q", "--cached", "templates/about.html")  # blueprints rewrites it
    git(tmp_path, "commit", "-q", "-m", "untrack about.html")
    before = state(tmp_path)
    for flags in (("--apply",), ("--apply", "--allow-dirty")):
        code, _, err = invoke(str(project), *flags)
        assert code == 2 and refused(err, "untracked templates/about.html"), flags
        assert state(tmp_path) == before
    # --commit finds it at the third codemod, after two commits, and undoes them.
    code, _, err = invoke(str(project), "--commit")
    assert code == 2 and failed(err, "at blueprints", "untracked templates/about.html")
    assert "branch flaskmod/factory deleted" in err
    assert state(tmp_path) == before


def test_step_refuses_untracked_files_its_codemod_would_write(tmp_path: Path) -> None:
    project = make_repo(tmp_path)
    git(tmp_path, "rm", "-q", "--cached", ".gitignore")  # config-classes adds `.env` to it
    before = state(tmp_path)
    code, _, err = invoke(str(project), "--step", "--allow-dirty")
    assert code == 2 and refused(err, "untracked .gitignore")
    assert state(tmp_path) == before


def test_untracked_files_out_of_the_way_are_fine(tmp_path: Path) -> None:
    project = make_repo(tmp_path)
    (project / "notes.txt").write_text("mine\n")
    code, _, _ = invoke(str(project), "--commit")
    assert code == 0 and (project / "notes.txt").read_text() == "mine\n"
    assert git(tmp_path, "status", "--porcelain") == "?? notes.txt\n"


def _detach(repo: Path) -> None:
    git(repo, "checkout", "-q", "--detach")


def _mid(name: str) -> Callable[[Path], None]:
    def make(repo: Path) -> None:
        target = repo / ".git" / name
        if name.endswith("HEAD"):
            target.write_text(git(repo, "rev-parse", "HEAD"))
        else:
            target.mkdir()

    return make


@pytest.mark.parametrize(
    ("setup", "flags", "words"),
    [
        (_detach, ("--commit",), ["HEAD is detached"]),
        (_mid("MERGE_HEAD"), ("--commit",), ["middle of a merge"]),
        (_mid("MERGE_HEAD"), ("--apply",), ["middle of a merge"]),
        (_mid("rebase-merge"), ("--apply",), ["middle of a rebase"]),
        (_mid("rebase-apply"), ("--step",), ["middle of a rebase"]),
    ],
    ids=["detached", "merge-commit", "merge-apply", "rebase-merge", "rebase-apply"],
)
def test_unsafe_repository_states_are_refused(
    tmp_path: Path, setup: Callable[[Path], None], flags: tuple[str, ...], words: list[str]
) -> None:
    project = make_repo(tmp_path)
    setup(tmp_path)
    before = files(tmp_path), git(tmp_path, "for-each-ref"), git(tmp_path, "ls-files", "-s")
    code, _, err = invoke(str(project), *flags)
    assert code == 2 and refused(err, *words)
    assert (files(tmp_path), git(tmp_path, "for-each-ref"), git(tmp_path, "ls-files", "-s")) == (
        before
    )


def test_path_inside_a_submodule_is_refused(tmp_path: Path) -> None:
    make_repo(tmp_path / "legacy")
    top = tmp_path / "top"
    top.mkdir()
    git(top, "init", "-q", "-b", "main")
    git(top, "-c", "protocol.file.allow=always", "submodule", "-q", "add", "../legacy", "web")
    git(top, "commit", "-q", "-m", "add web")
    before = state(top), state(top / "web")
    for flags in (("--apply",), ("--commit",)):
        code, _, err = invoke(str(top / "web"), *flags)
        assert code == 2 and refused(err, "inside a submodule")
    assert (state(top), state(top / "web")) == before


def test_branch_name_rules(tmp_path: Path) -> None:
    project = make_repo(tmp_path)
    git(tmp_path, "branch", "elsewhere")
    (project / "README.md").write_text("moved on\n")
    git(tmp_path, "commit", "-q", "-am", "later")
    git(tmp_path, "branch", "here")
    before = state(tmp_path)
    code, _, err = invoke(str(project), "--commit", "--branch", "elsewhere")
    assert code == 2 and refused(err, "branch elsewhere already exists", "not at HEAD")
    code, _, err = invoke(str(project), "--commit", "--branch", "bad..name")
    assert code == 2 and refused(err, "not a valid branch name")
    assert state(tmp_path) == before

    code, _, err = invoke(str(project), "--commit", "--branch", "here")
    assert code == 0 and git(tmp_path, "branch", "--show-current") == "here\n"
    assert len(subjects(tmp_path)) == len(changing("minimal"))


# ------------------------------------------------------------------------ commits
def test_commit_makes_one_commit_per_codemod_with_the_move_as_a_rename(tmp_path: Path) -> None:
    project = make_repo(tmp_path)
    code, _, err = invoke(str(project), "--commit")
    count = len(changing("minimal"))
    assert code == 0 and f"Committed {count} codemod(s) on branch flaskmod/factory" in err
    assert git(tmp_path, "branch", "--show-current") == "flaskmod/factory\n"
    assert git(tmp_path, "status", "--porcelain") == ""
    codemods = {codemod.name: codemod for codemod in discover()}
    expected = [gitops.commit_subject(codemods[n]) for n in changing("minimal")]
    assert subjects(tmp_path) == expected and "package" in changing("minimal")
    assert all(len(subject) <= 72 for subject in expected)
    assert any(" — " not in subject for subject in expected)  # a long summary: in the body
    assert files(project) == full_run("minimal")

    package = git(tmp_path, "log", "-1", "--format=%H", "--grep=flaskmod: package").strip()
    assert git(tmp_path, "show", "-M", "--name-status", "--format=", package).startswith("R")
    body = git(tmp_path, "log", "-1", "--format=%b", package)
    assert "renamed app.py → app/__init__.py" in body
    assert "app.py:45: `python app.py` is gone" in body  # config-classes added the validate call
    follow = git(tmp_path, "log", "--follow", "--format=%s", "--", "app/__init__.py")
    assert follow.splitlines()[-1] == "initial"

    code, _, err = invoke(str(project), "--commit")  # on the branch itself: nothing left
    assert code == 0 and "Nothing to do" in err


def _failing(name: str) -> list[Codemod]:
    def boom(context: Context) -> NoReturn:
        raise RuntimeError("boom")

    codemods = []
    for codemod in discover():
        if codemod.name == name:
            codemod = copy.copy(codemod)
            codemod.plan(boom)
        codemods.append(codemod)
    return codemods


@pytest.mark.parametrize("reuse", [False, True], ids=["new-branch", "reused-branch"])
def test_a_failure_mid_commit_restores_everything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reuse: bool
) -> None:
    project = make_repo(tmp_path)
    (project / "notes.txt").write_text("untracked, must survive\n")
    if reuse:
        git(tmp_path, "branch", "flaskmod/factory")
    before = state(tmp_path)
    middle = changing("minimal")[len(changing("minimal")) // 2]  # after some commits
    from flaskmod import pipeline

    monkeypatch.setattr(pipeline, "discover", lambda: _failing(middle))
    code, _, err = invoke(str(project), "--commit")
    assert code == 2 and failed(err, f"at {middle}", "RuntimeError: boom", "main is checked")
    assert ("branch flaskmod/factory deleted" in err) is not reuse
    assert state(tmp_path) == before
    # It did fail in the middle: the earlier codemods had been committed (the reflog remembers).
    assert "commit: flaskmod: config-classes" in git(tmp_path, "reflog", "--format=%gs")


def test_step_n_times_equals_one_full_run_outside_git(tmp_path: Path) -> None:
    stepped = shutil.copytree(FIXTURES / "minimal" / "before", tmp_path / "stepped")
    applied: list[str] = []
    upcoming: list[str] = []
    while True:
        code, _, err = invoke(str(stepped), "--step")
        assert code == 0
        if "Nothing to do" in err:
            break
        applied += re.findall(r"Applied (\S+):", err)
        upcoming += re.findall(r"Next: (\S+) \(", err) or ["<end>"]
    assert applied == changing("minimal") and upcoming == [*applied[1:], "<end>"]
    assert files(stepped) == full_run("minimal")


def test_step_commit_n_times_equals_commit(tmp_path: Path) -> None:
    project = make_repo(tmp_path / "a")
    for _ in changing("minimal"):
        code, _, err = invoke(str(project), "--commit", "--step")
        assert code == 0 and "Committed 1 codemod(s)" in err
    assert "migration is complete" in err
    assert [s.split(" —")[0] for s in subjects(tmp_path / "a")] == [
        f"flaskmod: {name}" for name in changing("minimal")
    ]
    assert files(project) == full_run("minimal")


# -------------------------------------------------------------------- interactive
def test_interactive_refuses_without_a_terminal(tmp_path: Path) -> None:
    project = make_repo(tmp_path)
    before = state(tmp_path)
    code, _, err = invoke(str(project), "--interactive")
    assert code == 2 and refused(err, "--interactive needs a terminal")
    assert state(tmp_path) == before


TWO_HUNK_TEMPLATE = (
    "<a href=\"{{ url_for('index') }}\">top</a>\n"
    + "".join(f"<p>{n}</p>\n" for n in range(10))
    + "<a href=\"{{ url_for('index') }}\">bottom</a>\n"
)


def drive(argv: list[str], cwd: Path, answer: Callable[[str], str]) -> tuple[int, str]:
    """Run argv on a pseudo-terminal, answering each `[y,n,q]` prompt; return code, transcript."""
    master, slave = os.openpty()
    env = {**clean_env(), "TERM": "dumb", "NO_COLOR": "1", "COLUMNS": "200"}
    proc = subprocess.Popen(argv, cwd=cwd, stdin=slave, stdout=slave, stderr=slave, env=env)
    os.close(slave)
    transcript, unanswered = "", ""
    deadline = time.monotonic() + 30
    try:
        for chunk in _read(master, proc, deadline):
            transcript += chunk
            unanswered = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", unanswered + chunk)
            asked = re.search(r"([^\n]*) \[y,n,q\] $", unanswered)
            if asked:
                os.write(master, (answer(asked.group(1).strip()) + "\n").encode())
                unanswered = ""
    finally:
        os.close(master)
    return proc.wait(timeout=10), transcript


def _read(master: int, proc: subprocess.Popen[bytes], deadline: float) -> Iterator[str]:
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if not ready:
            if proc.poll() is not None:
                return
            continue
        try:
            data = os.read(master, 4096)
        except OSError:  # EIO: the child closed the terminal
            return
        if not data:
            return
        yield data.decode("utf-8", "replace")
    proc.kill()
    raise AssertionError("the interactive session did not finish in time")


def test_interactive_on_a_terminal_accepts_files_and_hunks(tmp_path: Path) -> None:
    project = write_tree(
        tmp_path / "p",
        {
            "app.py": """
                from flask import Flask, render_template

                app = Flask(__name__)


                @app.route("/")
                def index():
                    return render_template("page.html")
            """,
            "templates/page.html": TWO_HUNK_TEMPLATE,
        },
    )
    snapshot = scan(project)
    final = run(snapshot, discover()).final
    script = {
        "move app.py → app/__init__.py?": "y",
        "create app/main/__init__.py?": "y",
        "create app/main/routes.py?": "y",
        "templates/page.html: apply hunk 1/2?": "y",
        "templates/page.html: apply hunk 2/2?": "n",
        "create wsgi.py?": "q",
    }
    asked: list[str] = []

    def answer(question: str) -> str:
        asked.append(question)
        return script[question]

    argv = [sys.executable, "-m", "flaskmod", "upgrade", str(project), "--interactive"]
    code, transcript = drive(argv, tmp_path, answer)
    assert code == 0, transcript
    assert asked == list(script)
    assert "Applied" in transcript
    assert not (project / "app.py").exists() and not (project / "wsgi.py").exists()
    assert (project / "app" / "__init__.py").read_text() == final.text("app/__init__.py")
    page = (project / "templates" / "page.html").read_text()
    assert "url_for('main.index') }}\">top" in page
    assert "url_for('index') }}\">bottom" in page


lines = st.lists(st.sampled_from(["a\n", "b\n", "c\n", "d", "\n"]), max_size=30)


@given(lines, lines)
def test_hunks_rebuild_the_old_and_the_new_text(old: list[str], new: list[str]) -> None:
    old_text, new_text = "".join(old), "".join(new)
    hunks = Hunks.of(old_text, new_text)
    everything = set(range(len(hunks.groups)))
    assert hunks.text(everything) == new_text
    assert hunks.text(set()) == old_text


def test_hunks_are_accepted_independently() -> None:
    new = TWO_HUNK_TEMPLATE.replace("'index'", "'main.index'")
    hunks = Hunks.of(TWO_HUNK_TEMPLATE, new)
    assert len(hunks.groups) == 2 and hunks.render(0).startswith("@@ -1,4 +1,4 @@\n")
    top, bottom = hunks.text({0}), hunks.text({1})
    assert "main.index') }}\">top" in top and "'index') }}\">bottom" in top
    assert "'index') }}\">top" in bottom and "main.index') }}\">bottom" in bottom


# ------------------------------------------------------------------ the blog, end to end
@dataclasses.dataclass(frozen=True)
class Blog:
    repo: Path
    imports: dict[str, str | None]  # codemod → None if `import app` works at its commit, or why not
    own_tests: dict[str, str | None]  # codemod → None if the blog's own tests pass there


@pytest.fixture(scope="module")
def blog(tmp_path_factory: pytest.TempPathFactory) -> Blog:
    """The blog fixture migrated with --commit; each commit checked out and run, in parallel."""
    root = tmp_path_factory.mktemp("blog")
    with pytest.MonkeyPatch.context() as patch:
        for key, value in GIT_ENV.items():
            patch.setenv(key, value)
        project = make_repo(root / "repo", fixture="blog")
        code, _, err = invoke(str(project), "--commit")
    assert code == 0, err
    shas = git(project, "log", "--reverse", "--format=%H", "main..HEAD").split()
    names = [s.split(" —")[0].removeprefix("flaskmod: ") for s in subjects(project)]
    checks = {}
    for name, sha in zip(names, shas, strict=True):
        tree = root / name
        git(project, "worktree", "add", "-q", "--detach", str(tree), sha)
        checks[name] = (
            _start(tree, root / f"{name}-import.log", "-c", "import app"),
            _start(tree, root / f"{name}-tests.log", *OWN_TESTS),
        )
    return Blog(
        repo=project,
        imports={name: _outcome(*imports) for name, (imports, _) in checks.items()},
        own_tests={name: _outcome(*tests) for name, (_, tests) in checks.items()},
    )


OWN_TESTS = ("-m", "pytest", "-q", "-p", "no:cacheprovider")


def _start(cwd: Path, log: Path, *args: str) -> tuple[subprocess.Popen[bytes], Path]:
    """Started, not awaited: the commits are checked in parallel. Output goes to `log`."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, *args], cwd=cwd, env=clean_env(), stdout=out, stderr=out
        )
    return process, log


def _outcome(process: subprocess.Popen[bytes], log: Path) -> str | None:
    return None if process.wait(300) == 0 else log.read_text(errors="replace")[-1500:]


@pytest.mark.slow
def test_blog_commits_follow_the_codemods_and_keep_history(blog: Blog) -> None:
    assert list(blog.imports) == changing("blog")
    log = git(blog.repo, "log", "--follow", "--format=%s", "--", "app/__init__.py")
    assert log.splitlines()[-1] == "initial"
    assert files(blog.repo) == full_run("blog")


@pytest.mark.slow
def test_each_blog_commit_imports_and_passes_its_own_tests(blog: Blog) -> None:
    assert {name: why for name, why in blog.imports.items() if why} == {}
    assert {name: why for name, why in blog.own_tests.items() if why} == {}


def test_lazy_steps_match_one_full_run() -> None:
    """Codemods run one at a time (for --step and --commit) yield what one full run computes."""
    project = scan(FIXTURES / "jsonapi" / "before")
    full = run(project, discover(), Options())
    expected = [(s.codemod.name, compute(s.before, s.after)) for s in full.steps if s.changed]
    lazy = [(p.codemod.name, p.changes) for p in pending_steps(Driver(project, discover()))]
    assert lazy == expected
