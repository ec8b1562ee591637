"""Values an app fixes once per process (a stamp taken at import): a second start of the original
tells them from changes made by the migration, which are still reported."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from flaskmod.cli import main
from flaskmod.errors import FlaskmodError
from flaskmod.verify import volatile
from flaskmod.verify.model import BodyCheck, Description, Status
from flaskmod.verify.recheck import check_body, recheck
from flaskmod.verify.responses import response_rows
from flaskmod.verify.volatile import ANYTHING, WORD, TooDifferent, template
from tests.conftest import write_tree

FORM = (
    '<form>\n<input name="created" value="2026-11-28 13:35:{}">\n<button>Save</button>\n</form>\n'
)


# ------------------------------------------------------------------------------ the template
def test_a_value_that_differs_between_two_starts_is_a_hole_of_one_word() -> None:
    shape = template(FORM.format("15"), FORM.format("18"))
    [hole] = shape.holes
    assert shape.first[hole.start : hole.end] == "13:35:15" and hole.pattern == WORD
    assert shape.fits(FORM.format("20"))


def test_the_whole_word_is_free_not_only_the_characters_that_differed() -> None:
    """Both starts showed minute 35; a migrated app started across a minute shows 36."""
    shape = template(FORM.format("15"), FORM.format("18"))
    assert shape.fits(FORM.format("15").replace("13:35:15", "13:36:02"))


def test_a_change_outside_the_holes_does_not_fit_and_is_located() -> None:
    shape = template(FORM.format("15"), FORM.format("18"))
    changed = FORM.format("20").replace("Save", "Send")
    assert not shape.fits(changed)
    old_at, new_at = shape.first_difference(changed)
    assert shape.first[old_at:].startswith("ave</button>")
    assert changed[new_at:].startswith("end</button>")


def test_a_hole_of_one_word_does_not_take_markup() -> None:
    """An attribute added after the value is a change, not part of the value."""
    shape = template(FORM.format("15"), FORM.format("18"))
    added = FORM.format("20").replace('20">', '20" disabled>')
    assert not shape.fits(added)
    old_at, new_at = shape.first_difference(added)
    assert (shape.first[old_at], added[new_at]) == (">", " ")


def test_where_the_markup_itself_varies_anything_fits() -> None:
    shape = template("<p>a</p><ul><li>1</li></ul>", "<p>a</p><ul><li>2</li><li>3</li></ul>")
    assert [hole.pattern for hole in shape.holes] == [ANYTHING]
    listed = "<ul><li>4</li><li>5</li><li>6</li></ul>"
    assert shape.fits(f"<p>a</p>{listed}") and not shape.fits(f"<p>b</p>{listed}")


def test_a_body_longer_or_shorter_at_the_end_is_located() -> None:
    shape = template("stamp 1\nend", "stamp 2\nend")
    assert shape.first_difference("stamp 3\nend, more") == (11, 11)
    assert shape.first_difference("stamp 3\ne") == (9, 9)


def test_bodies_too_far_apart_are_not_diffed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(volatile, "MAX_WORK", 3)
    with pytest.raises(TooDifferent):
        template("a b", "c d")


# ------------------------------------------------------------------------------ the recheck
def saved(bodies: Path, text: str, stable: bool = True) -> dict[str, Any]:
    """A probe's answer whose whole body is saved in `bodies`, as `--bodies` does."""
    digest = hashlib.sha256(text.encode()).hexdigest()
    (bodies / digest).write_text(text, encoding="utf-8")
    return {"status": 200, "location": None, "sha256": digest, "body": text[:10], "stable": stable}


def test_check_body_masks_what_the_original_changes_between_starts(tmp_path: Path) -> None:
    first, second = saved(tmp_path, FORM.format("15")), saved(tmp_path, FORM.format("18"))
    same = saved(tmp_path, FORM.format("20"))
    assert check_body(first, second, same, tmp_path) == BodyCheck(1, None)
    changed = saved(tmp_path, FORM.format("20").replace("Save", "Send"))
    check = check_body(first, second, changed, tmp_path)
    assert check is not None and check.varying == 1
    assert check.difference is not None and "Send</button>" in check.difference


def test_check_body_with_two_equal_starts_shows_the_whole_body_diff(tmp_path: Path) -> None:
    """The JSON holds a body's first characters; the saved files show what differs after."""
    first = saved(tmp_path, "x" * 3000 + "\nold\n")
    migrated = saved(tmp_path, "x" * 3000 + "\nnew\n")
    assert check_body(first, first, migrated, tmp_path) == BodyCheck(0, "-'old' +'new'")


def test_check_body_without_a_saved_body_says_nothing(tmp_path: Path) -> None:
    first, migrated = saved(tmp_path, "a 1"), saved(tmp_path, "a 2")
    assert check_body(first, None, migrated, tmp_path) is None
    too_large = {**first, "sha256": "0" * 64}  # larger than the probe saves
    assert check_body(too_large, first, migrated, tmp_path) is None


def sampler(answer: Description | FlaskmodError) -> tuple[Callable[[], Description], list[int]]:
    """A stand-in for the second start of the original, counting its calls."""
    calls: list[int] = []

    def sample() -> Description:
        calls.append(1)
        if isinstance(answer, FlaskmodError):
            raise answer
        return answer

    return sample, calls


def test_the_original_starts_again_only_when_a_stable_body_differs(tmp_path: Path) -> None:
    old = {"responses": {"/": saved(tmp_path, "a"), "/csrf": saved(tmp_path, "t 1", False)}}
    new = {"responses": {"/": saved(tmp_path, "a"), "/csrf": saved(tmp_path, "t 2")}}
    sample, calls = sampler({"responses": {}})
    assert recheck(old, new, sample, tmp_path) == ({}, []) and not calls


def test_recheck_checks_each_differing_path(tmp_path: Path) -> None:
    old = {"responses": {"/a": saved(tmp_path, "id 1"), "/b": saved(tmp_path, "b")}}
    new = {"responses": {"/a": saved(tmp_path, "id 3"), "/b": saved(tmp_path, "B")}}
    again = {"responses": {"/a": saved(tmp_path, "id 2"), "/b": saved(tmp_path, "b")}}
    sample, calls = sampler(again)
    checks, notes = recheck(old, new, sample, tmp_path)
    assert calls == [1] and not notes
    assert checks == {"/a": BodyCheck(1, None), "/b": BodyCheck(0, "-'b' +'B'")}


def test_a_second_start_that_fails_leaves_the_difference(tmp_path: Path) -> None:
    old = {"responses": {"/": saved(tmp_path, "id 1")}}
    new = {"responses": {"/": saved(tmp_path, "id 2")}}
    sample, _ = sampler(FlaskmodError("did not load within 60 s"))
    checks, [note] = recheck(old, new, sample, tmp_path)
    assert checks == {} and note.status is Status.INFO and "did not load" in note.message
    [row] = response_rows(old["responses"], new["responses"], checks)
    assert row.status is Status.DIFFERENT


def test_rows_say_what_a_second_start_found() -> None:
    old = {"/form": {"status": 200, "sha256": "1", "body": "v 1"}}
    new = {"/form": {"status": 200, "sha256": "2", "body": "v 2"}}
    [same] = response_rows(old, new, {"/form": BodyCheck(2, None)})
    assert same.status is Status.SAME
    assert (
        same.migrated
        == "200 (equal but for 2 values that differ between two starts of the original)"
    )
    [changed] = response_rows(old, new, {"/form": BodyCheck(1, "-'a' +'b'")})
    assert changed.message == (
        "response changed: GET /form: body: -'a' +'b' "
        "(outside 1 value that differs between two starts of the original)"
    )


# ------------------------------------------------------------------------------ end to end
STAMPED_APP = """\
    import time
    import uuid

    from flask import Flask

    STAMP = {stamp}
    app = Flask(__name__)


    @app.route("/")
    def index():
        return "<p>Started: %s</p>\\n<p>Welcome</p>\\n" % STAMP
    """


def verify_json(original: Path, migrated: Path) -> dict[str, Any]:
    arguments = ["verify", str(migrated), "--original", str(original), "--json"]
    result = CliRunner().invoke(main, arguments, catch_exceptions=False)
    report: dict[str, Any] = json.loads(result.stdout)
    return report


@pytest.mark.parametrize("stamp", ["time.time_ns()", "uuid.uuid4()"])
def test_a_value_fixed_at_import_is_not_a_difference(tmp_path: Path, stamp: str) -> None:
    app = STAMPED_APP.format(stamp=stamp)
    original = write_tree(tmp_path / "original", {"app.py": app})
    migrated = write_tree(tmp_path / "migrated", {"app.py": app})
    report = verify_json(original, migrated)
    assert report["status"] == "same", report["differences"]
    [row] = [r for r in report["checks"] if r["check"] == "response"]
    assert row["migrated"].startswith("200 (equal but for 1 value that differs")


def test_a_changed_body_beside_a_value_fixed_at_import_is_still_reported(tmp_path: Path) -> None:
    app = STAMPED_APP.format(stamp="time.time_ns()")
    original = write_tree(tmp_path / "original", {"app.py": app})
    migrated = write_tree(tmp_path / "migrated", {"app.py": app.replace("Welcome", "Hello")})
    report = verify_json(original, migrated)
    assert report["status"] == "different"
    [message] = report["differences"]
    assert message.startswith("response changed: GET /: body: -'")
    assert "<p>Hello</p>" in message
    assert message.endswith("(outside 1 value that differs between two starts of the original)")
