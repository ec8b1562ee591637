"""The codemod pages (`docs/codemods/`) are what the code renders, and their examples are true.

A page that differs from `flaskmod.docs.pages()` fails here with the command that regenerates it;
an example whose "after" is not what the codemod writes on its "before" fails here too, so neither
the pages nor the examples declared next to each codemod can drift from the code.
"""

from __future__ import annotations

import re
from pathlib import Path

import libcst as cst
import pytest
from click.testing import CliRunner

from flaskmod import docs
from flaskmod.cli import main
from flaskmod.codemod import Codemod
from flaskmod.knowledge import GATES, REMOVED
from flaskmod.pipeline import discover
from tests.codemods.tools import project_of, run_one
from tests.conftest import write_tree

ROOT = Path(__file__).resolve().parents[1]
CODEMODS = discover()


def test_pages_on_disk_are_what_the_code_renders() -> None:
    stale = docs.stale(ROOT)
    assert not stale, f"regenerate with `{docs.COMMAND}`: {', '.join(stale)}"


def test_check_mode_agrees() -> None:
    assert docs.main(["--check", "--root", str(ROOT)]) == 0


def test_check_mode_names_a_page_that_differs(tmp_path: Path) -> None:
    (tmp_path / "codemods").mkdir()
    assert docs.main(["--root", str(tmp_path)]) == 0
    page = tmp_path / "docs/codemods/wsgi.md"
    page.write_text(page.read_text() + "edited by hand\n")
    (tmp_path / "docs/codemods/gone.md").write_text("a codemod that no longer exists\n")
    assert docs.stale(tmp_path) == ["docs/codemods/wsgi.md", "docs/codemods/gone.md"]
    assert docs.main(["--check", "--root", str(tmp_path)]) == 1
    assert docs.main(["--root", str(tmp_path)]) == 0
    assert docs.stale(tmp_path) == []


@pytest.mark.parametrize("codemod", CODEMODS, ids=[c.name for c in CODEMODS])
def test_every_codemod_has_a_page_with_an_example(codemod: Codemod) -> None:
    assert codemod.example is not None, f"declare example=Example(...) in {codemod.name}"
    page = docs.pages()[f"docs/codemods/{codemod.name}.md"]
    for section in ("## What it matches", "## Options", "## Version gates", "## What it refuses"):
        assert section in page
    assert "## Example" in page


@pytest.mark.parametrize("codemod", CODEMODS, ids=[c.name for c in CODEMODS])
def test_example_is_what_the_codemod_writes(codemod: Codemod) -> None:
    example = codemod.example
    assert example is not None
    project = project_of(dict(example.before))
    outcome = run_one(codemod.name, project, example.flask, **example.settings)
    assert outcome.declined is None
    written = {
        path: outcome.project.text(path)
        for path, text in outcome.project.files.items()
        if project.files.get(path) != text
    }
    shown = {path: docs.example_text(text) for path, text in example.after.items()}
    assert {p: t for p, t in written.items() if p not in example.elided} == shown
    assert set(example.elided) <= set(written)
    removed = {path for path in project.files if path not in outcome.project.files}
    assert removed == set(example.moved)
    assert set(example.moved.values()) <= set(written)
    assert tuple(f.message for f in outcome.findings) == example.reports
    for path, text in written.items():
        if path.endswith(".py"):
            cst.parse_module(text)


@pytest.mark.parametrize("codemod", CODEMODS, ids=[c.name for c in CODEMODS])
def test_example_command_gives_the_after(codemod: Codemod, tmp_path: Path) -> None:
    """The page says `flaskmod upgrade PATH --only NAME --flask-version X.Y` gives `after`: the
    whole command, self-check included, on the example written to disk."""
    example = codemod.example
    assert example is not None
    write_tree(tmp_path, {path: docs.example_text(text) for path, text in example.before.items()})
    args = ["upgrade", str(tmp_path), "--only", codemod.name, "--flask-version", example.flask]
    for name, value in example.settings.items():
        args += [f"--{name.replace('_', '-')}", value]
    result = CliRunner().invoke(main, [*args, "--apply", "-q"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    for path, text in example.after.items():
        assert (tmp_path / path).read_text(encoding="utf-8") == docs.example_text(text), path
    assert not any((tmp_path / path).exists() for path in example.moved)


def test_scan_reads_refusals_manual_steps_options_and_gates() -> None:
    source = '''
"""Docstring."""
from flaskmod.codemod import Context


def plan(context: Context):
    name = context.option("blueprint")
    if context.has("from_prefixed_env"):
        pass
    message = f"{name} already exists"
    if name:
        context.decline(message, "app.py")
    context.warn("left " + ("a" if name else "b"), "app.py")
'''
    found = docs.scan(source)
    assert found.docstring == "Docstring."
    assert found.options == ("blueprint",)
    assert [(g.idiom, g.version) for g in found.gates] == [("from_prefixed_env", (2, 1))]
    assert [(m.kind, m.text) for m in found.messages] == [
        (docs.Kind.REFUSES, "{name} already exists"),
        (docs.Kind.MANUAL, "left a"),
        (docs.Kind.MANUAL, "left b"),
    ]


def test_every_gate_has_a_description() -> None:
    assert set(docs.IDIOMS) == set(GATES) | set(REMOVED)


DOCUMENTS = ["README.md", "CONTRIBUTING.md", "CHANGELOG.md", "docs/ARCHITECTURE.md"]
DOCUMENTS += ["docs/target-layout.md", "docs/json-schema.md", "docs/codemods/README.md"]
LINK = re.compile(r"\]\(([^)\s]+)\)")


@pytest.mark.parametrize("document", DOCUMENTS)
def test_links_stay_inside_the_repository_and_resolve(document: str) -> None:
    """The README is read where the repository is (a checkout, an sdist): no page outside it."""
    path = ROOT / document
    text = path.read_text(encoding="utf-8")
    assert "../shared" not in text
    for target in LINK.findall(text):
        assert not re.match(r"[a-z]+:", target), f"{document}: link outside the repository"
        file = (path.parent / target.split("#", 1)[0]).resolve()
        assert file.is_relative_to(ROOT) and file.exists(), f"{document}: {target}"
