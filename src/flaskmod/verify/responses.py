"""The responses check: the same GET of every parameterless route answers the same way.

Both apps run on copies of their trees holding the same data files, under one environment (see
`api`), so a difference can only come from the migration. The probe GETs each route twice with
fresh clients: a body that differs between its own two requests (a CSRF token, a timestamp, a
counter) is compared by status and redirect only, and the row says so.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from flaskmod.verify.model import Row, Status

Response = Mapping[str, Any]
#: characters of context shown on each side of the first difference in a body
CONTEXT = 40
DIFF_LINES = 3


def response_rows(old: Mapping[str, Response], new: Mapping[str, Response]) -> list[Row]:
    """One row per difference and per body that could not be compared, and a count of the rest.

    A path only one app answers is the routes check's business (route dropped or added)."""
    rows: list[Row] = []
    equal = 0
    for path in sorted(old.keys() & new.keys()):
        row = _response_row(path, old[path], new[path])
        if row is None:
            equal += 1
        else:
            rows.append(row)
    return ([Row("response", f"{equal} GET responses equal")] if equal else []) + rows


def _response_row(path: str, old: Response, new: Response) -> Row | None:
    before, after = _status(old), _status(new)
    comparable = bool(old.get("stable", True) and new.get("stable", True))
    problems = []
    if before != after:
        problems.append(f"{before} → {after}")
    if comparable and old.get("sha256") != new.get("sha256"):
        problems.append(f"body: {body_diff(str(old.get('body', '')), str(new.get('body', '')))}")
    if problems:
        message = f"response changed: GET {path}: {'; '.join(problems)}"
        return Row("response", path, before, after, Status.DIFFERENT, message)
    if comparable:
        return None
    return Row("response", path, before, f"{after} (body varies per request: not compared)")


def _status(response: Response) -> str:
    location = response.get("location")
    return f"{response.get('status')}" + (f" → {location}" if location else "")


def body_diff(old: str, new: str) -> str:
    """A short account of how two bodies differ: the first changed lines, each clipped around
    the first character that differs."""
    if old == new:
        return "differs after the part the probe keeps"
    removed, added = _changed_lines(old, new)
    changed = max(len(removed), len(added))
    parts = []
    for index in range(min(DIFF_LINES, changed)):
        before = removed[index] if index < len(removed) else None
        after = added[index] if index < len(added) else None
        a, b = _clip(before or "", after or "")
        parts.append(
            " ".join(
                f"{sign}{text!r}"
                for sign, text, line in (("-", a, before), ("+", b, after))
                if line is not None
            )
        )
    more = f" (+{changed - DIFF_LINES} more changed lines)" if changed > DIFF_LINES else ""
    return " / ".join(parts) + more


def _changed_lines(old: str, new: str) -> tuple[list[str], list[str]]:
    removed: list[str] = []
    added: list[str] = []
    for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0):
        if line.startswith(("---", "+++", "@@")):
            continue
        (removed if line.startswith("-") else added).append(line[1:])
    return removed, added


def _clip(old: str, new: str) -> tuple[str, str]:
    """Both lines cut to a window around their first differing character."""
    start = next(
        (i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b),
        min(len(old), len(new)),
    )
    begin = max(0, start - CONTEXT)
    return _window(old, begin), _window(new, begin)


def _window(text: str, begin: int) -> str:
    end = begin + 2 * CONTEXT
    return ("…" if begin else "") + text[begin:end] + ("…" if end < len(text) else "")
