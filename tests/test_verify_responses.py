"""The responses check: statuses, redirects and bodies of parameterless GETs, on shared data."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from flaskmod.cli import main
from flaskmod.verify.checkout import scratch_copies
from flaskmod.verify.model import Status
from flaskmod.verify.responses import body_diff, response_rows
from tests.conftest import write_tree


def answer(status: int, body: str, stable: bool = True, location: str | None = None) -> Any:
    return {"status": status, "body": body, "sha256": body, "stable": stable, "location": location}


def test_equal_responses_are_counted_differences_named() -> None:
    old = {
        "/": answer(200, "<h1>Hi</h1>"),
        "/about": answer(200, "about"),
        "/go": answer(302, "", location="/login"),
    }
    new = {
        "/": answer(200, "<h1>Hi</h1>"),
        "/about": answer(500, "Internal Server Error"),
        "/go": answer(302, "", location="/signin"),
    }
    rows = response_rows(old, new)
    assert rows[0].item == "1 GET responses equal" and rows[0].status is Status.SAME
    assert [r.message for r in rows[1:]] == [
        "response changed: GET /about: 200 → 500; body: -'about' +'Internal Server Error'",
        "response changed: GET /go: 302 → /login → 302 → /signin",
    ]


def test_a_body_that_varies_per_request_is_compared_by_status_only() -> None:
    old = {"/form": answer(200, "csrf=abc", stable=False)}
    new = {"/form": answer(200, "csrf=xyz", stable=True)}
    [row] = response_rows(old, new)
    assert row.status is Status.SAME
    assert row.migrated == "200 (body varies per request: not compared)"
    [row] = response_rows(old, {"/form": answer(404, "gone")})
    assert row.status is Status.DIFFERENT


def test_body_diff_shows_the_first_changed_lines_around_the_change() -> None:
    assert body_diff("<p>a</p>\n<p>x</p>", "<p>a</p>\n<p>y</p>") == "-'<p>x</p>' +'<p>y</p>'"
    long_line = '{"items": [' + "1, " * 40
    assert body_diff(long_line + "2]}", long_line + "3]}").startswith("-'…")
    assert body_diff("a\nb\nc\nd\ne", "A\nB\nC\nD\nE").endswith("(+2 more changed lines)")


COUNTER_APP = """\
    import sqlite3

    from flask import Flask

    app = Flask(__name__)


    @app.route("/")
    def index():
        rows = sqlite3.connect("data.db").execute("select count(*) from notes").fetchone()
        return "notes: %d" % rows[0]
    """


def with_notes(root: Path) -> Path:
    connection = sqlite3.connect(root / "data.db")
    with connection:
        connection.executescript("create table notes (x); insert into notes values (1), (2);")
    connection.close()
    return root


def test_both_apps_read_the_same_data_and_the_trees_stay_untouched(tmp_path: Path) -> None:
    """The original copy has no data.db (an untracked file): it gets the migrated tree's."""
    original = write_tree(tmp_path / "original", {"app.py": COUNTER_APP})
    migrated = with_notes(write_tree(tmp_path / "migrated", {"app.py": COUNTER_APP}))
    arguments = ["verify", str(migrated), "--original", str(original), "--json"]
    result = CliRunner().invoke(main, arguments)
    report = json.loads(result.stdout)
    assert report["status"] == "same", report["differences"]
    assert "1 GET responses equal" in [row["item"] for row in report["checks"]]
    assert not (original / "data.db").exists()


def test_scratch_copies_share_data_and_leave_out_venvs_and_git(tmp_path: Path) -> None:
    original = write_tree(tmp_path / "o", {"app.py": "", "instance/old.cfg": "A = 1\n"})
    migrated = write_tree(
        tmp_path / "m",
        {"app.py": "", "blog.db": "data", ".git/HEAD": "", "env/pyvenv.cfg": "", "x/y.sqlite": ""},
    )
    with scratch_copies(original, migrated) as (old, new):
        names = {
            side: sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
            for side, root in (("old", old), ("new", new))
        }
        assert (
            names["old"] == names["new"] == ["app.py", "blog.db", "instance/old.cfg", "x/y.sqlite"]
        )
    assert not old.exists() and not (migrated / "instance").exists()


def test_no_responses_switches_the_check_off(tmp_path: Path) -> None:
    original = write_tree(tmp_path / "original", {"app.py": COUNTER_APP})
    changed = COUNTER_APP.replace("notes: ", "n: ")
    migrated = with_notes(write_tree(tmp_path / "migrated", {"app.py": changed}))
    arguments = ["verify", str(migrated), "--original", str(original), "--json"]
    on = json.loads(CliRunner().invoke(main, arguments).stdout)
    assert [m.split(":")[0] for m in on["differences"]] == ["response changed"]
    off = json.loads(CliRunner().invoke(main, [*arguments, "--no-responses"]).stdout)
    assert off["status"] == "same" and not any(r["check"] == "response" for r in off["checks"])
