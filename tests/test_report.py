"""What people see: secrets masked on a terminal; the piped patch exact."""

from __future__ import annotations

from flaskmod import report
from flaskmod.changeset import compute
from flaskmod.pipeline import discover, run, select
from flaskmod.project import scan
from flaskmod.secrets import mask, redact


def test_mask_and_redact() -> None:
    assert mask("dev-secret-key") == "dev-****"
    assert mask("abc") == "****"
    assert redact("a='hunter22' b='hunter22x'", ["hunter22", "hunter22x"]) == (
        "a='hu****' b='hu****'"
    )


def test_terminal_preview_masks_secrets_and_pipe_keeps_them(project, capsys) -> None:
    root = project(
        {
            "app.py": "from flask import Flask\napp = Flask(__name__)\napp.secret_key = 'sup3r-s3cret'\n"
        }
    )
    snapshot = scan(root)
    outcome = run(snapshot, select(discover(), only=["config-classes"]))
    assert outcome.secrets == {"sup3r-s3cret"}
    changes = compute(snapshot, outcome.final)

    report.diff(changes, color=True, secrets=outcome.secrets)
    shown = capsys.readouterr().out
    assert "sup3r-s3cret" not in shown and "sup3****" in shown

    report.diff(changes, color=False, secrets=outcome.secrets)
    assert "sup3r-s3cret" in capsys.readouterr().out
    assert all("sup3r-s3cret" not in str(f) for f in outcome.findings)


def test_findings_print_their_brackets_as_written() -> None:
    """The findings go out in one print with markup for the headings: the findings' own text
    (`config["KEY"]`, `[tool.flaskmod]`) is not markup."""
    from io import StringIO
    from types import SimpleNamespace

    from rich.console import Console

    from flaskmod.errors import Finding, Location, Severity

    said = [
        Finding(Location("app.py", 3), 'config["KEY"] read [bold]twice[/]', Severity.NOTE),
        Finding(Location("app.py", 9), "set [tool.flaskmod] app", Severity.MANUAL),
    ]
    out = StringIO()
    console = Console(file=out, no_color=True, width=200)
    report.findings(console, SimpleNamespace(findings=said, secrets=frozenset()))
    assert out.getvalue() == (
        "Notes:\n"
        '  app.py:3: config["KEY"] read [bold]twice[/]\n'
        "Manual steps (1):\n"
        "  app.py:9: set [tool.flaskmod] app\n"
    )
