"""Restore corpus apps from their git snapshots into `corpus/apps/<name>/`.

    python corpus/restore.py [NAME...] [--force]

Each app is `git archive <commit> <subpath>` (only the manifest's `include` paths, when it
lists some) of the snapshot that the agent tool `fetch`
brought to /work/.mirror/<owner>+<name>/, with the subpath stripped. Nothing of the apps is
committed to this repository: `corpus/apps/` is ignored.
"""

from __future__ import annotations

import argparse
import io
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

from manifest import APPS, App, ManifestError, load, select

MIRRORS = Path("/work/.mirror")


class RestoreError(Exception):
    """One app could not be restored; the message says what to do."""


def git_dir(repo: str) -> Path:
    """The git directory of the snapshot of `owner/name` (bare, or a checkout's .git)."""
    base = MIRRORS / repo.replace("/", "+")
    for candidate in (base / "repo", base / "repo" / ".git", base):
        if candidate.is_dir() and (candidate / "HEAD").is_file():
            return candidate
    raise RestoreError(
        f"no snapshot of {repo}: fetch github:{repo} first (an agent tool), then rerun"
    )


def _included(path: str, include: list[str]) -> bool:
    """Whether `path` is one of the `include` paths or lies under one of them."""
    return any(path == item or path.startswith(item.rstrip("/") + "/") for item in include)


def restore(app: App, force: bool = False) -> Path:
    """Write the app's files at its commit into apps/<name>/ and return that folder."""
    target = app.source
    if target.is_dir() and not force:
        return target
    gitdir = git_dir(app.repo)
    args = ["git", f"--git-dir={gitdir}", "archive", "--format=tar", app.commit]
    if app.subpath:
        args.append(app.subpath)
    done = subprocess.run(args, capture_output=True, timeout=300, check=False)
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip().splitlines()
        raise RestoreError(
            f"{app.name}: git archive {app.commit[:12]} {app.subpath or '.'} failed: "
            f"{message[-1] if message else done.returncode}"
        )
    staging = target.with_name(f".{target.name}.partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    prefix = f"{app.subpath.strip('/')}/" if app.subpath else ""
    with tarfile.open(fileobj=io.BytesIO(done.stdout)) as archive:
        members = []
        for member in archive.getmembers():
            if not member.name.startswith(prefix) or member.name == prefix.rstrip("/"):
                continue
            member.name = member.name[len(prefix) :]
            if app.include and not _included(member.name, app.include):
                continue
            if member.name and (member.isfile() or member.isdir() or member.issym()):
                members.append(member)
        archive.extractall(staging, members=members, filter="tar")
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help="apps (default: all)")
    parser.add_argument("--force", action="store_true", help="restore again over apps/NAME/")
    args = parser.parse_args(argv)
    try:
        apps = select(load(), args.names)
    except ManifestError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    APPS.mkdir(exist_ok=True)
    failures = 0
    for app in apps:
        try:
            path = restore(app, force=args.force)
        except RestoreError as error:
            failures += 1
            print(f"{app.name}: {error}", file=sys.stderr)
            continue
        print(f"{app.name}: {path}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
