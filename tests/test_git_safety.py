"""Git states the README promises to refuse, and the hooks `--commit` promises not to run."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_gitops import files, git, invoke, isolated_git, make_repo, refused  # noqa: F401


def detached_state(repo: Path) -> tuple[str, str, str, dict[str, bytes]]:
    return (
        git(repo, "rev-parse", "HEAD"),
        git(repo, "ls-files", "-s"),
        git(repo, "status", "--porcelain", "--untracked-files=all"),
        files(repo),
    )


HOOKS = ("post-checkout", "prepare-commit-msg", "post-commit", "pre-commit", "commit-msg")


@pytest.mark.parametrize("flags", [("--apply",), ("--step",), ("--apply", "--allow-dirty")])
def test_writing_on_a_detached_head_is_refused(tmp_path: Path, flags: tuple[str, ...]) -> None:
    repo = make_repo(tmp_path)
    git(repo, "checkout", "-q", "--detach")
    before = detached_state(repo)
    code, out, err = invoke(str(repo), *flags)
    assert code == 2 and out == ""
    assert refused(err, "HEAD is detached", "git switch")
    assert detached_state(repo) == before


def test_previewing_a_detached_head_still_works(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    git(repo, "checkout", "-q", "--detach")
    code, out, err = invoke(str(repo))
    assert code == 0 and "rename from app.py" in out and "detached HEAD" in err


def _install_hooks(folder: Path, marker: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for hook in HOOKS:
        script = folder / hook
        script.write_text(f"#!/bin/sh\necho {hook} >> '{marker}'\n")
        script.chmod(0o755)


@pytest.mark.parametrize("where", ["hooks-dir", "core.hooksPath"])
def test_commit_runs_no_hook_of_the_repository(tmp_path: Path, where: str) -> None:
    repo = make_repo(tmp_path / "repo")
    marker = tmp_path / "hooks-that-ran"
    if where == "hooks-dir":
        _install_hooks(repo / ".git" / "hooks", marker)
    else:  # as husky and pre-commit frameworks set it up
        _install_hooks(tmp_path / "shared-hooks", marker)
        git(repo, "config", "core.hooksPath", str(tmp_path / "shared-hooks"))
    git(repo, "checkout", "-q", "-b", "probe")  # the hooks work when git runs them
    assert marker.read_text() == "post-checkout\n"
    git(repo, "checkout", "-q", "main")
    marker.unlink()
    code, _, err = invoke(str(repo), "--commit")
    assert code == 0 and "Committed" in err
    assert not marker.exists(), marker.read_text()
