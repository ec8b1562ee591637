"""Byte fidelity: a migration changes what it must and keeps the rest of every byte.

Each project differs from a plain UTF-8 one in one way that editors and old tooling leave behind
(BOM, a PEP 263 latin-1 coding line, CRLF, no final newline, an executable bit). The full pipeline
runs and is applied; files it did not change must be byte-identical, the files it moved or
modified keep their encoding, BOM, line endings and mode, and the preview patch, piped, is bytes
that `git apply` turns into exactly what `--apply` writes.

Decision for a latin-1 module: the piped preview carries its lines in latin-1 (as `git diff` would),
so the patch is not valid UTF-8 as a whole but applies; on a terminal the patch is shown decoded.
"""

from __future__ import annotations

import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from flaskmod.apply import apply
from flaskmod.changeset import Kind, compute
from flaskmod.cli import main
from flaskmod.pipeline import discover, run
from flaskmod.project import scan

GIT_ENV = {"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "PATH": "/usr/bin:/bin"}

APP = '''\
"""Café: a legacy app."""
# Header comment, in a region no codemod touches.
import os

from flask import Flask, render_template, url_for

app = Flask(__name__)
app.config["GREETING"] = "Grüß dich"
app.config["SECRET_KEY"] = "dev-secret"

# Signed at the bottom of every page.
SIGNATURE = "l'équipe"


@app.route("/")
def index():
    # The home page keeps this comment.
    return render_template("index.html", signature=SIGNATURE, here=os.getcwd())


@app.route("/about")
def about():
    return "À propos " + url_for("index")
'''

# A template the blueprint codemod rewrites (url_for) and one it must leave alone.
INDEX = "<a href=\"{{ url_for('about') }}\">À propos</a>\n<p>{{ signature }}</p>\n"
PLAIN = "<p>no endpoints here</p>\n"
# Files no codemod has a reason to touch, in forms a careless rewrite would damage.
UNTOUCHED = {
    "README.md": "Café\r\nsecond line without newline".encode(),
    "static/logo.png": bytes(range(256)),
    "templates/legacy.html": "<p>caf\xe9</p>\n".encode("latin-1"),  # not UTF-8: skipped
    "notes.txt": b"\xef\xbb\xbfBOM and\ttabs  \n",
}


def _app_bytes(variant: str) -> bytes:
    if variant == "bom":
        return b"\xef\xbb\xbf" + APP.encode()
    if variant == "latin1":
        return ("# -*- coding: latin-1 -*-\n" + APP).encode("latin-1")
    if variant == "crlf":
        return APP.replace("\n", "\r\n").encode()
    if variant == "no-eol":
        return APP.rstrip("\n").encode()
    return APP.encode()


def _project(root: Path, variant: str) -> Path:
    files = {
        "app.py": _app_bytes(variant),
        "templates/index.html": INDEX.encode(),
        "templates/plain.html": PLAIN.encode(),
        **UNTOUCHED,
    }
    if variant == "crlf":
        files["templates/index.html"] = INDEX.replace("\n", "\r\n").encode()
        files["templates/plain.html"] = PLAIN.replace("\n", "\r\n").encode()
    for relative, data in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    (root / "app.py").chmod(0o755 if variant == "exec" else 0o644)
    return root


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


VARIANTS = ["bom", "latin1", "crlf", "no-eol", "exec"]


@pytest.mark.parametrize("variant", VARIANTS)
def test_migration_keeps_every_byte_it_does_not_own(tmp_path: Path, variant: str) -> None:
    root = _project(tmp_path / "p", variant)
    before = _snapshot(root)
    project = scan(root)
    changes = compute(project, run(project, discover()).final)
    apply(root, changes)
    after = _snapshot(root)
    touched = {c.path for c in changes} | {c.old_path for c in changes if c.old_path}
    assert {"app.py", "app/__init__.py", "templates/index.html"} <= touched
    for path, data in before.items():
        if path not in touched:
            assert after[path] == data, f"{path} changed but is not in the changeset"

    module = after["app/__init__.py"]
    for path, data in after.items():
        if path.endswith(".py"):
            compile(data, path, "exec")  # honours the BOM and the coding line, like Python
    if variant == "bom":
        assert module.startswith(b"\xef\xbb\xbf") and module.count(b"\xef\xbb\xbf") == 1
        assert not after["config.py"].startswith(b"\xef\xbb\xbf")  # new files: plain UTF-8
    if variant == "latin1":
        assert module.startswith(b"# -*- coding: latin-1 -*-\n")
        assert '"""Café: a legacy app."""'.encode("latin-1") in module
        # Moved code lands in new UTF-8 modules (no coding line needed) with the same strings.
        assert "l'équipe".encode() in after["app/main/routes.py"]
        assert "Grüß dich".encode() in after["config.py"]
    if variant == "crlf":
        # Every file the migration writes uses CRLF only: no `\n` added by a codemod on its own.
        for path in touched:
            data = after.get(path)
            if data is not None:
                assert data.count(b"\n") == data.count(b"\r\n") > 0, path
    else:
        assert b"\r\n" not in module and b"\r\n" not in after["app/main/routes.py"]
    if variant == "no-eol":
        assert not module.endswith(b"\n")  # the file keeps its style
        assert after["app/main/routes.py"].endswith(b'url_for("main.index")\n')
    if variant == "exec":
        assert (root / "app" / "__init__.py").stat().st_mode & stat.S_IXUSR
        assert not (root / "config.py").stat().st_mode & stat.S_IXUSR
    # Comments outside the moved statements, and inside moved functions, survive.
    header = b"# Header comment, in a region no codemod touches."
    assert header in module
    assert b"# The home page keeps this comment." in after["app/main/routes.py"]
    assert b"# Signed at the bottom of every page." in after["app/main/routes.py"]
    template = after["templates/index.html"]
    assert b"url_for('main.about')" in template
    assert (b"\r\n" in template) == (variant == "crlf")
    assert [c.kind for c in changes if c.path == "app/__init__.py"] == [Kind.MOVED]


@pytest.mark.parametrize("variant", VARIANTS)
def test_piped_preview_applies_to_the_same_bytes(tmp_path: Path, variant: str) -> None:
    applied = _project(tmp_path / "applied", variant)
    previewed = _project(tmp_path / "previewed", variant)
    before = _snapshot(previewed)
    result = CliRunner().invoke(main, ["upgrade", str(previewed)], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    patch = result.stdout_bytes
    assert _snapshot(previewed) == before  # a preview writes nothing
    if variant == "latin1":
        assert '-SIGNATURE = "l\'équipe"'.encode("latin-1") in patch  # from the latin-1 module
        assert '+SIGNATURE = "l\'équipe"'.encode() in patch  # into routes.py, new and UTF-8
    result = CliRunner().invoke(main, ["upgrade", str(applied), "--apply"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    if shutil.which("git") is None:
        pytest.skip("git not installed")
    subprocess.run(["git", "init", "-q"], cwd=previewed, check=True, env=GIT_ENV)
    done = subprocess.run(
        ["git", "apply", "-"], cwd=previewed, input=patch, env=GIT_ENV, capture_output=True
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    shutil.rmtree(previewed / ".git")
    assert _snapshot(previewed) == _snapshot(applied)
    mode = (previewed / "app" / "__init__.py").stat().st_mode & stat.S_IXUSR
    assert bool(mode) == (variant == "exec")


def test_terminal_preview_of_a_latin1_module_is_decoded_text(tmp_path: Path) -> None:
    root = _project(tmp_path / "p", "latin1")
    result = CliRunner().invoke(main, ["upgrade", str(root), "--color"], catch_exceptions=False)
    assert result.exit_code == 0
    assert '-SIGNATURE = "l\'équipe"' in result.stdout  # shown as text, not as latin-1 bytes


def test_patch_keeps_the_bom_on_line_one(tmp_path: Path) -> None:
    """git sees a BOM as part of line 1: a hunk touching it must carry it, or it does not apply."""
    (tmp_path / "a.py").write_bytes(b"\xef\xbb\xbfx = 1\r\ny = 2\r\n")
    before = scan(tmp_path)
    after = before.with_changes(texts={"a.py": "x = 3\ny = 2\n"})
    assert after.files["a.py"].to_bytes() == b"\xef\xbb\xbfx = 3\r\ny = 2\r\n"
    patch = compute(before, after).patch_bytes()
    assert b"-\xef\xbb\xbfx = 1\r\n+\xef\xbb\xbfx = 3\r\n" in patch
    assert "-x = 1\r\n" in compute(before, after).patch()  # the text form has no BOM
    if shutil.which("git") is None:
        pytest.skip("git not installed")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True, env=GIT_ENV)
    done = subprocess.run(["git", "apply", "-"], cwd=tmp_path, input=patch, env=GIT_ENV)
    assert done.returncode == 0
    assert (tmp_path / "a.py").read_bytes() == after.files["a.py"].to_bytes()
