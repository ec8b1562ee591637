"""A batch from start to end: which repositories, which of them `--resume` skips, an executor
to run the rest, the patches and reports written as results arrive.

The report is written again when the batch is interrupted, so `--resume` carries on from the
repositories that finished.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from flaskmod.batch import html
from flaskmod.batch import report as reports
from flaskmod.batch.display import Display
from flaskmod.batch.jobs import Spec, head_of
from flaskmod.errors import FlaskmodError, Location


class Executor(Protocol):
    """Runs `jobs.run_job` for every spec, yielding entries in the order they finish."""

    def results(self, specs: Sequence[Spec]) -> Iterator[dict[str, Any]]: ...


@dataclass(frozen=True)
class Repo:
    name: str
    path: str


@dataclass(frozen=True)
class Plan:
    """What to write where: patches in `out`, the report (and .md, .html beside it)."""

    out: Path
    report: Path | None
    resume: Path | None
    run: dict[str, Any]  # how the batch runs, recorded in the report


# ------------------------------------------------------------------------ repositories
def repositories(
    given: Iterable[str], from_file: Path | None = None, discover: bool = False
) -> list[Repo]:
    """The repositories, in order, each once, each with a name unique in the batch."""
    paths = list(given) + (_read_list(from_file) if from_file else [])
    if discover:
        paths = [child for path in paths for child in _subfolders(path)]
    seen: dict[str, str] = {}
    for path in paths:
        seen.setdefault(_absolute(path), path)
    if not seen:
        raise FlaskmodError("no repositories: give paths, --from-file FILE, or --discover DIR")
    return _named(list(seen))


def _read_list(path: Path) -> list[str]:
    """One path (or git URL) a line; blank lines and `#` comments ignored."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        where = Location(str(path))
        raise FlaskmodError(f"--from-file: {error.strerror or error}", where) from None
    lines = [_uncommented(line) for line in text.splitlines()]
    return [line if _is_url(line) else str(path.parent / line) for line in lines if line]


def _uncommented(line: str) -> str:
    """A line without its `# comment` (a URL keeps a `#fragment`: only ` #` starts one)."""
    line = line.strip()
    if line.startswith("#"):
        return ""
    return line.split(" #", 1)[0].strip() if _is_url(line) else line.split("#", 1)[0].strip()


def _subfolders(path: str) -> list[str]:
    folder = Path(path)
    if _is_url(path) or not folder.is_dir():
        raise FlaskmodError("--discover needs folders", Location(path))
    return sorted(str(c) for c in folder.iterdir() if c.is_dir() and not c.name.startswith("."))


def _absolute(path: str) -> str:
    return path if _is_url(path) else str(Path(path).expanduser().absolute())


def _is_url(path: str) -> bool:
    return "://" in path or path.startswith("git@")


def _named(paths: list[str]) -> list[Repo]:
    used: set[str] = set()
    repos = []
    for path in paths:
        stem = re.sub(r"\.git$", "", path.rstrip("/").rsplit("/", 1)[-1]) or "repo"
        stem = re.sub(r"[^A-Za-z0-9._-]", "_", stem)
        name, number = stem, 1
        while name in used:
            number += 1
            name = f"{stem}-{number}"
        used.add(name)
        repos.append(Repo(name, path))
    return repos


# ----------------------------------------------------------------------------- resume
def resumable(
    repos: Sequence[Repo], previous: dict[str, Any], mode: str
) -> dict[str, dict[str, Any]]:
    """Entries of `previous` to keep, by path: finished, at the same commit (git only)."""
    if previous.get("mode") != mode:
        raise FlaskmodError(
            f"--resume: that report was made with {previous.get('mode')}, not {mode}; "
            "resume with the same mode"
        )
    by_path = {entry["path"]: entry for entry in previous["repositories"]}
    kept = {}
    for repo in repos:
        entry = by_path.get(repo.path)
        if entry is None or entry["outcome"] in reports.RETRIED or _is_url(repo.path):
            continue
        head = head_of(Path(repo.path))
        if head is not None and head in (entry.get("commit"), entry.get("commit_after")):
            kept[repo.path] = entry
    return kept


# ------------------------------------------------------------------------------- run
def run_batch(
    repos: Sequence[Repo],
    template: Spec,
    executor: Executor,
    plan: Plan,
    display: Display,
    faults: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Run every repository not resumed; return the report (also written, when asked).

    `faults` (test-only) makes the named repositories' jobs hang or crash their worker."""
    faults = faults or {}
    started, clock = _now(), time.monotonic()
    previous = reports.load(plan.resume) if plan.resume else None
    kept = resumable(repos, previous, template.mode) if previous else {}
    entries: dict[str, dict[str, Any]] = {}
    specs = [
        replace(template, name=r.name, path=r.path, fault=faults.get(r.name))
        for r in repos
        if r.path not in kept
    ]
    try:
        with display:
            for path, entry in kept.items():
                entries[path] = {**entry, "resumed": True}
                display.finished(entry, resumed=True)
            for entry in executor.results(specs):
                entries[entry["path"]] = _with_patch(entry, plan.out)
                display.finished(entry)
    finally:  # interrupted too: what finished is reported, and --resume carries on from it
        ordered = [entries[r.path] for r in repos if r.path in entries]
        run = {**plan.run, "started": started, "finished": _now()}
        run["seconds"] = round(time.monotonic() - clock, 3)
        document = reports.document(ordered, run)
        if plan.report is not None:
            write_reports(plan.report, document)
    return document


def _with_patch(entry: dict[str, Any], out: Path) -> dict[str, Any]:
    """The patch a worker returned, written as `out/<name>.patch`; the entry names its path."""
    patch = entry.pop("patch_bytes", None)
    entry["resumed"] = False
    if patch:
        out.mkdir(parents=True, exist_ok=True)
        target = out / f"{entry['name']}.patch"
        target.write_bytes(patch)
        entry["patch"] = str(target.absolute())
    return entry


def write_reports(path: Path, document: dict[str, Any]) -> None:
    """`report.json`, and `report.md` and `report.html` beside it."""
    reports.write_json(path, document)
    reports.write_markdown(path.with_suffix(".md"), document)
    html.write_html(path.with_suffix(".html"), document)


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
