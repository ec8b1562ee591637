"""What the snapshot reads, what it leaves out, and that nothing left out is lost (issue 13).

Ignored files are not read, but they exist: a codemod's "new" file never replaces one (a
git-ignored `config.py` holding the production secret, `.env.example` under `.env*`). Inside git,
git decides: tracked files always count. A `.gitignore` that ignores itself is still read.
Symbolic links stay links; every file flaskmod would read but did not is reported with the
reason, and a write refuses when such a file calls `url_for()`.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from click.testing import CliRunner

from flaskmod.cli import main
from flaskmod.project import scan
from tests.conftest import FIXTURES
from tests.test_gitops import git, isolated_git  # noqa: F401  (the fixture isolates git)

SECRET = 'SECRET_KEY = "REAL-PRODUCTION-SECRET"\n'
GITIGNORE = "".join(f"pattern{n}/\n" for n in range(57))  # a real one is long


def upgrade(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["upgrade", *args], catch_exceptions=False)
    return result.exit_code, result.stderr


def minimal(tmp_path: Path, name: str = "m") -> Path:
    return shutil.copytree(FIXTURES / "minimal" / "before", tmp_path / name)


def commit_all(root: Path, *forced: str) -> None:
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    if forced:
        git(root, "add", "-f", *forced)
    git(root, "commit", "-q", "-m", "initial")


def one_error_line(err: str, *words: str) -> bool:
    return err.startswith("error: ") and err.count("\n") == 1 and all(w in err for w in words)


# ------------------------------------------------------------------ outside git
def test_a_gitignore_that_ignores_itself_is_read_and_kept_whole(tmp_path: Path) -> None:
    root = minimal(tmp_path)
    old = ".*\n" + GITIGNORE + (root / ".gitignore").read_text()
    (root / ".gitignore").write_text(old)
    assert ".gitignore" in scan(root).files
    code, _ = upgrade(str(root), "--apply")
    assert code == 0
    new = (root / ".gitignore").read_text()
    assert new.startswith(old) and new.count("\n") > old.count("\n")


def test_occupied_knows_ignored_files_and_folders(tmp_path: Path) -> None:
    root = minimal(tmp_path)
    (root / "instance").mkdir()
    (root / "instance" / "config.py").write_text(SECRET)
    (root / "static" / "logo.png").write_bytes(b"\x89PNG")
    with (root / ".gitignore").open("a") as handle:
        handle.write("instance/\n")
    project = scan(root)
    assert "instance/" in project.hidden
    assert project.occupied("instance/config.py") and project.occupied("static/logo.png")
    assert project.occupied("app.py") and not project.occupied("config.py")


# ------------------------------------------------------------------ inside git
def test_in_git_tracked_files_count_whatever_gitignore_says(tmp_path: Path) -> None:
    root = minimal(tmp_path)
    old = ".*\n" + GITIGNORE + "settings.py\n" + (root / ".gitignore").read_text()
    (root / ".gitignore").write_text(old)
    (root / "settings.py").write_text("DEBUG = False\n")
    (root / "local.py").write_text("x = 1\n")
    with (root / ".gitignore").open("a") as handle:
        handle.write("local.py\n")
    commit_all(root, ".gitignore", "settings.py")
    project = scan(root)
    assert ".gitignore" in project.files and "settings.py" in project.files
    assert "local.py" not in project.files and "local.py" in project.hidden
    code, _ = upgrade(str(root), "--from-head")
    assert code == 0
    code, _ = upgrade(str(root), "--apply")
    assert code == 0
    assert (root / ".gitignore").read_text().startswith(old)


def test_in_git_an_untracked_ignored_config_py_is_refused(tmp_path: Path) -> None:
    root = minimal(tmp_path)
    with (root / ".gitignore").open("a") as handle:
        handle.write("config.py\n")
    commit_all(root)
    (root / "config.py").write_text(SECRET)
    code, err = upgrade(str(root), "--apply")
    assert code == 2 and one_error_line(err, "config.py")
    assert (root / "config.py").read_text() == SECRET


def test_from_head_reads_tracked_files_that_gitignore_matches(tmp_path: Path) -> None:
    from flaskmod import gitops

    root = minimal(tmp_path)
    (root / ".gitignore").write_text(".*\n*.txt\n")
    commit_all(root, ".gitignore", "requirements.txt")
    with gitops.open_tree(root) as tree:
        assert tree is not None
        project = gitops.head_snapshot(tree, root)
    assert ".gitignore" in project.files and "requirements.txt" in project.files


# ------------------------------------------------------------------ links and skipped files
def test_loops_and_special_files_are_skipped_not_fatal(tmp_path: Path) -> None:
    root = minimal(tmp_path)
    (root / "templates" / "a.html").symlink_to("b.html")
    (root / "templates" / "b.html").symlink_to("a.html")
    os.mkfifo(root / "templates" / "pipe.html")  # reading it would block forever
    reasons = dict(scan(root).skipped)
    assert reasons["templates/a.html"] == "symbolic link loop: left as it is"
    assert reasons["templates/pipe.html"] == "not a regular file: left as it is"
    code, _ = upgrade(str(root))
    assert code == 0
