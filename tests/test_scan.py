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
from tests.trees import snapshot

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
def test_an_ignored_config_py_is_never_overwritten(tmp_path: Path) -> None:
    root = minimal(tmp_path)
    (root / "config.py").write_text(SECRET)
    with (root / ".gitignore").open("a") as handle:
        handle.write("config.py\n")
    before = snapshot(root)
    assert "config.py" in scan(root).hidden and "config.py" not in scan(root).files
    code, err = upgrade(str(root), "--apply")
    assert code == 2
    assert one_error_line(err, "config.py: exists on disk", "move or rename it")
    assert snapshot(root) == before


def test_an_env_example_ignored_by_a_wildcard_is_never_overwritten(tmp_path: Path) -> None:
    root = minimal(tmp_path)
    (root / ".env.example").write_text("# my own notes\nSECRET_KEY=keep-me\n")
    with (root / ".gitignore").open("a") as handle:
        handle.write(".env*\n")
    before = snapshot(root)
    code, err = upgrade(str(root), "--apply")
    assert code == 2 and one_error_line(err, ".env.example: exists on disk")
    assert snapshot(root) == before


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
def test_a_template_link_stays_a_link_and_its_target_is_migrated(tmp_path: Path) -> None:
    root = minimal(tmp_path)
    (root / "templates" / "alias.html").symlink_to("index.html")
    code, err = upgrade(str(root))
    assert code == 0 and "templates/alias.html: symbolic link to templates/index.html" in err
    code, _ = upgrade(str(root), "--apply")
    assert code == 0
    alias = root / "templates" / "alias.html"
    assert alias.is_symlink() and os.readlink(alias) == "index.html"
    assert "main." in (root / "templates" / "index.html").read_text()


def test_a_link_to_a_module_the_migration_moves_is_refused(tmp_path: Path) -> None:
    root = minimal(tmp_path)
    (root / "manage.py").symlink_to("app.py")
    before = snapshot(root)
    code, err = upgrade(str(root), "--apply")
    assert code == 2 and one_error_line(err, "manage.py: a symbolic link to app.py")
    assert snapshot(root) == before


def test_a_skipped_template_calling_url_for_refuses_a_write_unless_forced(
    tmp_path: Path,
) -> None:
    root = minimal(tmp_path)
    latin = "<p>café</p>\n<a href=\"{{ url_for('about') }}\">about</a>\n".encode("latin-1")
    (root / "templates" / "legacy.html").write_bytes(latin)
    code, err = upgrade(str(root))
    assert code == 0 and "templates/legacy.html: not UTF-8" in err
    before = snapshot(root)
    code, err = upgrade(str(root), "--apply")
    assert code == 2
    assert one_error_line(err, "templates/legacy.html: not read (not UTF-8", "--force")
    assert snapshot(root) == before
    code, _ = upgrade(str(root), "--apply", "--force")
    assert code == 0 and (root / "templates" / "legacy.html").read_bytes() == latin


def test_a_python_file_over_the_size_limit_is_reported_and_guards_writes(
    tmp_path: Path,
) -> None:
    root = minimal(tmp_path)
    big = "# padding\n" * 210_000 + "LINK = url_for('index')\n"
    (root / "generated.py").write_text(big)
    project = scan(root)
    assert [path for path, _ in project.skipped] == ["generated.py"]
    assert "larger than 2,000,000 bytes" in project.skipped[0].reason
    code, err = upgrade(str(root), "--apply")
    assert code == 2 and one_error_line(err, "generated.py: not read (larger than")


def test_templates_through_a_link_out_of_the_project_are_reported(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "nav.html").write_text("<a href=\"{{ url_for('index') }}\">home</a>\n")
    root = minimal(tmp_path)
    (root / "templates" / "shared").symlink_to(shared, target_is_directory=True)
    project = scan(root)
    assert project.skipped[0].path == "templates/shared/"
    assert "outside the project: not read, not changed" in project.skipped[0].reason
    code, err = upgrade(str(root), "--apply")
    assert code == 2 and one_error_line(err, "templates/shared/: not read", "url_for()")
    assert (shared / "nav.html").read_text().count("url_for('index')") == 1


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
