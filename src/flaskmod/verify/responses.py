"""The responses check: the same GET of every parameterless route answers the same way.

Both apps run on copies of their trees holding the same data files, under one environment (see
`api`), so a difference can only come from the migration. The probe GETs each route twice with
fresh clients: a body that differs between its own two requests (a CSRF token, a timestamp, a
counter) is compared by status and redirect only, and the row says so. A value fixed once per
process (a stamp taken at import) differs between the apps but not between the rounds: bodies
that differ are checked against a second start of the original (`recheck`), and the values that
differ between its two starts are not compared.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from flaskmod.verify.model import BodyCheck, Row, Status

Response = Mapping[str, Any]
#: characters of context shown on each side of the first difference in a body
CONTEXT = 40
DIFF_LINES = 3


def response_rows(
    old: Mapping[str, Response],
    new: Mapping[str, Response],
    checks: Mapping[str, BodyCheck] | None = None,
) -> list[Row]:
    """One row per difference and per body that could not be compared, and a count of the rest.

    `checks`: what a second start of the original said about the bodies that differ (see
    `recheck`). A path only one app answers is the routes check's business (route dropped or
    added)."""
    rows: list[Row] = []
    equal = 0
    for path in sorted(old.keys() & new.keys()):
        row = _response_row(path, old[path], new[path], (checks or {}).get(path))
        if row is None:
            equal += 1
        else:
            rows.append(row)
    return ([Row("response", f"{equal} GET responses equal")] if equal else []) + rows


def _response_row(path: str, old: Response, new: Response, check: BodyCheck | None) -> Row | None:
    before, after = _status(old), _status(new)
    comparable = bool(old.get("stable", True) and new.get("stable", True))
    body = _body_problem(old, new, check) if comparable else None
    problems = ([f"{before} → {after}"] if before != after else []) + ([body] if body else [])
    if problems:
        message = f"response changed: GET {path}: {'; '.join(problems)}"
        return Row("response", path, before, after, Status.DIFFERENT, message)
    if not comparable:
        return Row("response", path, before, f"{after} (body varies per request: not compared)")
    if check is not None and check.varying:
        return Row("response", path, before, f"{after} (equal but for {_varying(check.varying)})")
    return None


def _body_problem(old: Response, new: Response, check: BodyCheck | None) -> str | None:
    """How two comparable bodies differ, or None; with a second start of the original, only
    outside the values that differ between its two starts."""
    if old.get("sha256") == new.get("sha256"):
        return None
    if check is None:
        return f"body: {body_diff(str(old.get('body', '')), str(new.get('body', '')))}"
    if check.difference is None:
        return None
    if check.varying:
        return f"body: {check.difference} (outside {_varying(check.varying)})"
    return f"body: {check.difference}"


def _varying(count: int) -> str:
    values = "value that differs" if count == 1 else "values that differ"
    return f"{count} {values} between two starts of the original"


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


def diff_at(old: str, new: str, old_at: int, new_at: int) -> str:
    """Two bodies shown around a known first difference: at `old_at` in one, `new_at` in the
    other (they need not be at the same offset: a value before it may differ in length)."""
    a = _window(old, max(0, old_at - CONTEXT))
    b = _window(new, max(0, new_at - CONTEXT))
    return f"-{a!r} +{b!r}"


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
