"""Every bundled fixture, end to end: golden output, same behaviour, its own tests still pass.

New fixtures under `fixtures/<name>/{before,after}` are picked up automatically. To regenerate
the golden trees after an intended change, run with FLASKMOD_UPDATE_GOLDEN=1 and review the diff.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from flaskmod.analysis import analyze
from flaskmod.apply import apply
from flaskmod.changeset import compute
from flaskmod.pipeline import discover, run, select
from flaskmod.project import scan
from tests.conftest import FIXTURES

PROBE = Path(__file__).resolve().parents[2] / "src" / "flaskmod" / "probe.py"
NAMES = sorted(
    p.name for p in FIXTURES.iterdir() if (p / "before").is_dir() and (p / "after").is_dir()
)
IGNORED = {"__pycache__", ".pytest_cache", "instance"}
_PINNED_FLASK = re.compile(
    r"^\s*flask\s*(?:\[[^\]]*\])?\s*==\s*v?(\d+)\.", re.IGNORECASE | re.MULTILINE
)


def pinned_stack(name: str) -> bool:
    """Whether the fixture pins `Flask==` below 3: its app cannot be imported with flaskmod's own
    Flask, so test_pinned_stacks.py runs it in a virtual environment with exactly its stack."""
    requirements = FIXTURES / name / "before" / "requirements.txt"
    if not requirements.is_file():
        return False
    match = _PINNED_FLASK.search(requirements.read_text(encoding="utf-8"))
    return match is not None and int(match.group(1)) < 3


def tree(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
        and not IGNORED & set(path.relative_to(root).parts)
        and not path.name.endswith(".db")
    }


def copy(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(*IGNORED, "*.db"))
    return target


def migrated(name: str, tmp_path: Path) -> Path:
    target = copy(FIXTURES / name / "before", tmp_path / "migrated")
    project = scan(target)
    apply(target, compute(project, run(project, discover()).final))
    return target


def probe(root: Path, spec: str, config: str | None = None) -> dict[str, Any]:
    command = [sys.executable, str(PROBE), spec, "--responses"]
    if config:
        command += ["--config", config]
    done = subprocess.run(
        command, cwd=root, capture_output=True, text=True, timeout=120, env=_clean_env()
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "SECRET_KEY"))}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def own_tests(root: Path) -> tuple[int, int]:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "ignore"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
        env=_clean_env(),
    )
    summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr
    passed = int(m.group(1)) if (m := re.search(r"(\d+) passed", summary)) else 0
    failed = sum(int(n) for n in re.findall(r"(\d+) (?:failed|error)", summary))
    return passed, failed


def endpoint_mapping(
    old: dict[str, Any], new: dict[str, Any], rule_key: Callable[[dict[str, Any]], Any]
) -> dict[str, str]:
    """Old endpoint → new, asserting the same rules exist and each old endpoint maps to one new
    one that ends in its old name (`index` → `main.index`)."""
    old_rules = {rule_key(r): r["endpoint"] for r in old["rules"]}
    new_rules = {rule_key(r): r["endpoint"] for r in new["rules"]}
    assert set(old_rules) == set(new_rules)
    mapping: dict[str, str] = {}
    for key, endpoint in old_rules.items():
        renamed = new_rules[key]
        # An extension's own blueprint (`bootstrap.static`) keeps its endpoint as it is.
        assert renamed == endpoint or renamed.rsplit(".", 1)[-1] == endpoint, (
            key,
            endpoint,
            renamed,
        )
        assert mapping.setdefault(endpoint, renamed) == renamed
    assert len(set(mapping.values())) == len(mapping)
    return mapping


def rule_shape(rule: dict[str, Any]) -> tuple[Any, ...]:
    """A rule as users see it: path, methods, defaults, strict slashes."""
    return (
        rule["rule"],
        tuple(rule["methods"]),
        tuple(sorted(rule["defaults"].items())),
        rule["strict_slashes"],
    )


def assert_same_behaviour(old: dict[str, Any], new: dict[str, Any]) -> None:
    """Two probe descriptions (`probe.py --responses`) describe apps users cannot tell apart."""
    endpoint_mapping(old, new, rule_shape)
    # Same app-wide registrations (by function name), filters, commands.
    for key in ("error_handlers", "template_filters", "template_tests", "cli_commands"):
        assert set(new[key]) >= set(old[key]), key
    for key in ("before_request", "after_request", "teardown_request"):
        assert sorted(n for names in new[key].values() for n in names) == sorted(
            n for names in old[key].values() for n in names
        ), key
    # Same answer to every parameterless GET.
    assert new["responses"].keys() == old["responses"].keys()
    for rule, response in old["responses"].items():
        assert new["responses"][rule] == response, rule


@pytest.mark.parametrize("name", NAMES)
def test_golden_output(name: str, tmp_path: Path) -> None:
    result = migrated(name, tmp_path)
    after = FIXTURES / name / "after"
    if os.environ.get("FLASKMOD_UPDATE_GOLDEN"):
        shutil.rmtree(after, ignore_errors=True)
        copy(result, after)
    expected, actual = tree(after), tree(result)
    assert sorted(actual) == sorted(expected)
    for path in expected:
        assert actual[path] == expected[path], f"{name}: {path} differs from the golden output"


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_behaviour_is_preserved(name: str, tmp_path: Path) -> None:
    if pinned_stack(name):
        pytest.skip("pinned to an old Flask: covered by test_pinned_stacks.py")
    before = copy(FIXTURES / name / "before", tmp_path / "before")
    model = analyze(scan(before))
    old = probe(before, f"{model.import_name}:{model.app_name}")
    new = probe(
        copy(FIXTURES / name / "after", tmp_path / "after"),
        f"{model.import_name}:create_app",
        "testing",
    )

    assert_same_behaviour(old, new)


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_the_projects_own_tests_still_pass(name: str, tmp_path: Path) -> None:
    if pinned_stack(name):
        pytest.skip("pinned to an old Flask: covered by test_pinned_stacks.py")
    before_passed, before_failed = own_tests(copy(FIXTURES / name / "before", tmp_path / "b"))
    after_passed, after_failed = own_tests(copy(FIXTURES / name / "after", tmp_path / "a"))
    assert before_failed == 0 and before_passed > 0
    assert (after_passed, after_failed) == (before_passed, 0)


@pytest.mark.parametrize("name", NAMES)
def test_second_run_is_empty(name: str) -> None:
    after = scan(FIXTURES / name / "after")
    assert not compute(after, run(after, discover()).final)
    for codemod in discover():
        assert not compute(after, run(after, [codemod]).final), codemod.name


@pytest.mark.parametrize("name", NAMES)
def test_each_codemod_alone_is_idempotent(name: str) -> None:
    project = scan(FIXTURES / name / "before")
    for codemod in discover():
        once = run(project, [codemod]).final
        twice = run(once, [codemod]).final
        assert once.files == twice.files, codemod.name
        project = once  # next codemod starts where this one left off


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_preview_patch_applies_with_git(name: str, tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git not installed")
    work = copy(FIXTURES / name / "before", tmp_path / "repo")
    project = scan(work)
    patch = compute(project, run(project, select(discover())).final).patch()
    env = {**_clean_env(), "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}
    subprocess.run(["git", "init", "-q"], cwd=work, check=True, env=env)
    done = subprocess.run(
        ["git", "apply", "--whitespace=nowarn", "-"],
        cwd=work,
        input=patch,
        text=True,
        env=env,
        capture_output=True,
    )
    assert done.returncode == 0, done.stderr
    shutil.rmtree(work / ".git")
    assert tree(work) == tree(FIXTURES / name / "after")
