"""`flaskmod batch`: a mixed batch ends each repository with its own outcome, the reports say
so, `--resume` skips what finished, writing modes behave as `upgrade`, and the exit codes.

A hang and a worker crash are simulated with the test-only FLASKMOD_BATCH_TEST_FAULTS
(`name=hang,other=crash`): the job of the repository with that name sleeps forever or kills its
worker process, as a runaway parse or a segfaulting extension would.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from rich.console import Console

from flaskmod.batch.display import Display
from flaskmod.batch.runner import repositories
from flaskmod.cli import main
from tests.conftest import FIXTURES, write_tree
from tests.test_gitops import GIT_ENV, git

HANG_TIMEOUT = "20"  # generous: the machine is shared; a tiny repository takes a few seconds

REFUSED_APP = """\
from flask import Flask

app = Flask(__name__)


def setup(application):
    application.debug = False


setup(app)


@app.route("/")
def index():
    return "hi"
"""

MANUAL_APP = """\
from flask import Flask, render_template

app = Flask(__name__)


@app.route("/")
def index():
    return render_template("index.html", pages=["index"])
"""
MANUAL_TEMPLATE = (
    '<ul>{% for page in pages %}<li><a href="{{ url_for(page) }}">{{ page }}</a></li>'
    "{% endfor %}</ul>\n"
)


# ------------------------------------------------------------------------ projects
def good(root: Path) -> Path:
    return Path(shutil.copytree(FIXTURES / "minimal" / "before", root))


def factory(root: Path) -> Path:
    return Path(shutil.copytree(FIXTURES / "minimal" / "after", root))


def not_flask(root: Path) -> Path:
    return write_tree(root, {"tool.py": "print('no web here')\n"})


def syntax_error(root: Path) -> Path:
    return write_tree(root, {"app.py": "from flask import Flask\napp = Flask(__name__)\ndef f(:\n"})


def refused(root: Path) -> Path:
    return write_tree(root, {"app.py": REFUSED_APP})


def manual(root: Path) -> Path:
    return write_tree(root, {"app.py": MANUAL_APP, "templates/index.html": MANUAL_TEMPLATE})


def committed(root: Path) -> Path:
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "initial")
    return root


@pytest.fixture(scope="module", autouse=True)
def git_identity() -> Iterator[None]:
    """For the whole module: the pool's forkserver keeps the environment it started with."""
    with pytest.MonkeyPatch.context() as patch:
        for key, value in GIT_ENV.items():
            patch.setenv(key, value)
        yield


def batch(*args: str, faults: str = "") -> tuple[int, str]:
    env = {"FLASKMOD_BATCH_TEST_FAULTS": faults} if faults else {}
    result = CliRunner(env=env).invoke(main, ["batch", *args], catch_exceptions=False)
    return result.exit_code, result.stdout


def outcomes(report: dict[str, Any]) -> dict[str, str]:
    return {entry["name"]: entry["outcome"] for entry in report["repositories"]}


def load(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text())
    return loaded


# --------------------------------------------------------------------- a mixed batch
@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("mixed")
    makers = {
        "good": good,
        "factory": factory,
        "syntax": syntax_error,
        "plain": not_flask,
        "hang": good,
        "crash": good,
        "refused": refused,
        "manual": manual,
    }
    for name, make in makers.items():
        make(root / "repos" / name)
    args = ["--discover", str(root / "repos"), "--jobs", "2", "--timeout", HANG_TIMEOUT]
    args += ["--out", str(root / "out"), "--report", str(root / "report" / "report.json")]
    code, output = batch(*args, faults="hang=hang,crash=crash")
    report = load(root / "report" / "report.json")
    return {"root": root, "code": code, "output": output, "report": report}


def test_a_mixed_batch_gives_each_repository_its_outcome(mixed: dict[str, Any]) -> None:
    assert outcomes(mixed["report"]) == {
        "crash": "error",
        "factory": "already-factory",
        "good": "migrated",
        "hang": "timeout",
        "manual": "needs-manual-steps",
        "plain": "not-flask",
        "refused": "refused",
        "syntax": "error",
    }
    assert mixed["code"] == 2 and mixed["report"]["exit_code"] == 2
    lines = [line for line in mixed["output"].splitlines() if line.startswith("[")]
    assert len(lines) == 8, mixed["output"]  # piped: one plain line per repository


def test_each_entry_says_why(mixed: dict[str, Any]) -> None:
    by_name = {entry["name"]: entry for entry in mixed["report"]["repositories"]}
    assert "worker was killed" in by_name["hang"]["reason"]
    assert "died" in by_name["crash"]["reason"]
    assert by_name["syntax"]["reason"].startswith("app.py:3: syntax error")
    assert "no Flask application found" in by_name["plain"]["reason"]
    assert "setup(app)" in by_name["refused"]["reason"]
    assert by_name["refused"]["manual_steps"][0]["line"] == 10
    step = by_name["manual"]["manual_steps"][0]
    assert (step["file"], step["line"]) == ("templates/index.html", 1)
    assert "computed endpoint" in step["message"]


def test_the_report_json_has_the_documented_fields(mixed: dict[str, Any]) -> None:
    report = mixed["report"]
    assert report["schema"] == "flaskmod-batch/1" and report["flaskmod"]
    assert report["mode"] == "preview" and report["total"] == 8
    assert sum(report["counts"].values()) == 8 and report["counts"]["migrated"] == 1
    good_entry = next(e for e in report["repositories"] if e["name"] == "good")
    assert good_entry["flask"] == "2.0-3.1"
    assert "factory" in good_entry["codemods_applied"]
    assert good_entry["files_changed"] == len(good_entry["result"]["files"]["added"]) + sum(
        len(good_entry["result"]["files"][kind]) for kind in ("modified", "moved", "deleted")
    )
    assert good_entry["result"]["status"] == "migrated"  # upgrade --json's document
    assert set(good_entry["timings"]) == {"analysis", "codemods", "deliver"}
    assert good_entry["seconds"] > 0 and good_entry["worker"]["peak_rss_kb"] > 0
    assert good_entry["written"] is False


def test_preview_patches_apply_to_the_repository(mixed: dict[str, Any], tmp_path: Path) -> None:
    root = mixed["root"]
    entry = next(e for e in mixed["report"]["repositories"] if e["name"] == "good")
    patch = Path(entry["patch"])
    assert patch == root / "out" / "good.patch"
    copy = committed(Path(shutil.copytree(root / "repos" / "good", tmp_path / "good")))
    git(copy, "apply", "--check", str(patch))
    assert sorted(p.name for p in (root / "out").iterdir()) == ["good.patch", "manual.patch"]


def test_markdown_and_html_are_written_beside_the_json(mixed: dict[str, Any]) -> None:
    folder = mixed["root"] / "report"
    markdown = (folder / "report.md").read_text()
    assert "| good | migrated | 2.0-3.1 |" in markdown
    assert "[patch](../out/good.patch)" in markdown
    assert "- `templates/index.html:1`: url_for with a computed endpoint" in markdown
    page = (folder / "report.html").read_text()
    assert "<svg" in page and 'href="../out/good.patch"' in page
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")


# ------------------------------------------------------------------------ exit codes
def test_exit_0_when_every_repository_is_done(tmp_path: Path) -> None:
    paths = [good(tmp_path / "a"), factory(tmp_path / "b"), not_flask(tmp_path / "c")]
    code, output = batch(*map(str, paths), "--out", str(tmp_path / "out"))
    assert code == 0, output
    assert "migrated" in output and "already-factory" in output and "not-flask" in output


def test_exit_1_when_some_need_a_person(tmp_path: Path) -> None:
    paths = [good(tmp_path / "a"), manual(tmp_path / "b"), refused(tmp_path / "c")]
    code, output = batch(*map(str, paths), "--out", str(tmp_path / "out"))
    assert code == 1, output


def test_bad_input_is_exit_2_before_anything_runs(tmp_path: Path) -> None:
    code, _ = batch("--from-file", str(tmp_path / "missing.txt"))
    assert code == 2
    code, _ = batch(str(tmp_path), "--apply", "--commit")
    assert code == 2


# ---------------------------------------------------------------------------- resume
def test_resume_skips_what_finished_at_the_same_commit(tmp_path: Path) -> None:
    one = committed(good(tmp_path / "one"))
    two = committed(factory(tmp_path / "two"))
    broken = committed(syntax_error(tmp_path / "broken"))
    report = tmp_path / "report.json"
    paths = [str(one), str(two), str(broken)]
    first, _ = batch(*paths, "--out", str(tmp_path / "out"), "--report", str(report))
    assert first == 2
    code, output = batch(*paths, "--out", str(tmp_path / "out"), "--report", str(report),
                         "--resume", str(report))  # fmt: skip
    again = load(report)
    resumed = {e["name"]: e["resumed"] for e in again["repositories"]}
    assert resumed == {"one": True, "two": True, "broken": False}, output
    assert outcomes(again) == {"one": "migrated", "two": "already-factory", "broken": "error"}
    assert code == 2 and output.count("resumed") == 2

    (one / "README.md").write_text("changed\n")
    git(one, "commit", "-qam", "a new commit")
    batch(*paths, "--out", str(tmp_path / "out"), "--report", str(report), "--resume", str(report))
    resumed = {e["name"]: e["resumed"] for e in load(report)["repositories"]}
    assert resumed == {"one": False, "two": True, "broken": False}


# ---------------------------------------------------------------- writing, as upgrade
def test_apply_writes_clean_repositories_and_refuses_dirty_ones(tmp_path: Path) -> None:
    clean = committed(good(tmp_path / "clean"))
    dirty = committed(good(tmp_path / "dirty"))
    (dirty / "app.py").write_text((dirty / "app.py").read_text() + "# local edit\n")
    report = tmp_path / "report.json"
    code, output = batch(str(clean), str(dirty), "--apply", "--out", str(tmp_path / "out"),
                         "--report", str(report))  # fmt: skip
    entries = {e["name"]: e for e in load(report)["repositories"]}
    assert entries["clean"]["outcome"] == "migrated" and entries["clean"]["written"]
    assert (clean / "app" / "__init__.py").exists() and not (clean / "app.py").exists()
    assert entries["dirty"]["outcome"] == "error" and "uncommitted" in entries["dirty"]["reason"]
    assert (dirty / "app.py").read_text().endswith("# local edit\n")
    assert code == 2, output


def test_commit_makes_the_branch_in_each_repository(tmp_path: Path) -> None:
    repo = committed(good(tmp_path / "repo"))
    code, output = batch(str(repo), "--commit", "--branch", "factory-wave-1",
                         "--out", str(tmp_path / "out"))  # fmt: skip
    assert code == 0, output
    log = git(repo, "log", "--format=%s", "main..factory-wave-1")
    assert log.count("flaskmod: ") >= 3
    assert git(repo, "status", "--porcelain") == ""


def test_verify_runs_in_the_repository_interpreter(tmp_path: Path) -> None:
    """Its own .venv/bin/python, here one that only says it ran: the comparison fails on it."""
    repo = good(tmp_path / "repo")
    python = repo / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text('#!/bin/sh\necho "the repository interpreter ran" >&2\nexit 3\n')
    python.chmod(0o755)
    report = tmp_path / "report.json"
    code, output = batch(str(repo), "--verify", "--out", str(tmp_path / "out"),
                         "--report", str(report))  # fmt: skip
    (entry,) = load(report)["repositories"]
    assert entry["outcome"] == "error" and "the repository interpreter ran" in entry["reason"]
    assert code == 2, output


def test_a_git_url_is_cloned_and_previewed(tmp_path: Path) -> None:
    repo = committed(good(tmp_path / "shop"))
    report = tmp_path / "report.json"
    code, output = batch(repo.as_uri(), "--out", str(tmp_path / "out"), "--report", str(report))
    (entry,) = load(report)["repositories"]
    assert (entry["name"], entry["outcome"], code) == ("shop", "migrated", 0), output
    assert entry["commit"] == git(repo, "rev-parse", "HEAD").strip()
    assert (tmp_path / "out" / "shop.patch").read_bytes()
    code, output = batch(repo.as_uri(), "--apply", "--out", str(tmp_path / "out"))
    assert code == 2 and "can only be previewed" in output


def test_the_live_display_on_a_terminal() -> None:
    console = Console(file=io.StringIO(), force_terminal=True, width=120)
    entries = [
        {"name": "shop", "outcome": "migrated", "files_changed": 3, "manual_steps": []},
        {"name": "blog", "outcome": "timeout", "reason": "still running", "manual_steps": []},
    ]
    with Display(console, 3) as display:
        for entry in entries:
            display.finished({"files_changed": 0, **entry})
    shown = console.file.getvalue()  # type: ignore[attr-defined]
    assert "2/3" in shown and "migrated: 1" in shown and "timeout: 1" in shown
    assert "blog" in shown and "still running" in shown and "repos/min" in shown


def test_each_repository_keeps_its_own_settings(tmp_path: Path) -> None:
    """Its `[tool.flaskmod]`, as `upgrade PATH` reads it; the batch's command line wins."""
    plain = good(tmp_path / "plain")
    configured = good(tmp_path / "configured")
    (configured / "pyproject.toml").write_text('[tool.flaskmod]\nskip = ["wsgi"]\n')
    report = tmp_path / "report.json"
    batch(str(plain), str(configured), "--out", str(tmp_path / "out"), "--report", str(report))
    applied = {e["name"]: e["codemods_applied"] for e in load(report)["repositories"]}
    assert "wsgi" in applied["plain"] and "wsgi" not in applied["configured"]
    batch(str(configured), "--only", "config-classes", "--out", str(tmp_path / "out"),
          "--report", str(report))  # fmt: skip
    assert load(report)["repositories"][0]["codemods_applied"] == ["config-classes"]


def test_recycled_workers_are_replaced(tmp_path: Path) -> None:
    """A worker leaves after --max-per-worker repositories and another takes over (CPython
    gh-115634 left none on Python 3.11: the batch waited forever, hence the subprocess timeout)."""
    for number in range(7):
        not_flask(tmp_path / "repos" / f"tool{number}")
    report = tmp_path / "report.json"
    command = [sys.executable, "-m", "flaskmod", "batch", "--discover", str(tmp_path / "repos")]
    command += ["--jobs", "1", "--max-per-worker", "2", "--report", str(report)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    workers = {e["worker"]["pid"] for e in load(report)["repositories"]}
    assert len(workers) == 4  # 2 + 2 + 2 + 1


# ------------------------------------------------------------------- repository lists
def test_from_file_reads_paths_and_skips_comments(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "list.txt").write_text(
        "# the first wave\na  # the shop\n\nhttps://example.com/x/b.git\n"
    )
    found = repositories((), tmp_path / "list.txt")
    assert [(r.name, r.path) for r in found] == [
        ("a", str(tmp_path / "a")),
        ("b", "https://example.com/x/b.git"),
    ]


def test_discover_takes_subfolders_and_names_stay_unique(tmp_path: Path) -> None:
    for name in ("x/app", "y/app", "y/.hidden", "y/shop"):
        (tmp_path / name).mkdir(parents=True)
    found = repositories((str(tmp_path / "x"), str(tmp_path / "y")), discover=True)
    assert [r.name for r in found] == ["app", "app-2", "shop"]


# ---------------------------------------------------------------------------- dask
@pytest.mark.slow
def test_the_dask_executor_gives_the_same_report_as_the_local_pool(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    from flaskmod.batch.cluster import DaskCluster

    makers = (good, factory, not_flask, syntax_error, manual, refused)
    for make in makers:
        make(tmp_path / "repos" / make.__name__)
    local = tmp_path / "local.json"
    batch(
        "--discover", str(tmp_path / "repos"), "--out", str(tmp_path / "o1"), "--report", str(local)
    )
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, dashboard_address=None
    ) as cluster:
        code, output = batch("--discover", str(tmp_path / "repos"), "--executor", "dask",
                             "--scheduler", cluster.scheduler_address,
                             "--out", str(tmp_path / "o2"), "--report", str(tmp_path / "dask.json"))  # fmt: skip
        assert code == 2, output  # the syntax error
        with distributed.Client(cluster) as client:
            faulty = [good(tmp_path / "more" / "hang"), good(tmp_path / "more" / "crash")]
            specs = _specs(faulty)
            found = {e["name"]: e for e in DaskCluster(client, 15.0).results(specs)}
    assert _comparable(load(local)) == _comparable(load(tmp_path / "dask.json"))
    assert found["hang"]["outcome"] == "timeout" and found["crash"]["outcome"] == "error"


def _specs(paths: list[Path]) -> list[Any]:
    from flaskmod.batch.jobs import Spec

    return [Spec(name=p.name, path=str(p), fault=p.name) for p in paths]


def _comparable(report: dict[str, Any]) -> list[dict[str, Any]]:
    """What must not depend on the executor: everything but timings and workers."""
    keep = ("name", "outcome", "reason", "flask", "codemods_applied", "files_changed")
    return [
        {**{k: e[k] for k in keep}, "steps": e["manual_steps"], "patch": bool(e["patch"])}
        for e in report["repositories"]
    ]


# ------------------------------------------------------------------ helpers for others
def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def dump_dom(browser: str, url: str) -> str:
    """The page's DOM after its scripts ran, from a real headless browser."""
    args = [browser, "--headless", "--disable-gpu", "--no-sandbox", "--virtual-time-budget=3000"]
    done = subprocess.run(
        [*args, "--dump-dom", url],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "HOME": str(Path(url.split("#")[0].removeprefix("file://")).parent)},
    )
    return done.stdout
