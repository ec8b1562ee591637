"""Bodies the two apps answered differently, checked against a second start of the original.

The probe saves each whole body as `<bodies>/<sha256>` (its JSON keeps only the start). When
two stable bodies differ, the original is started once more, in a fresh process, and GETs its
routes once (`--single-round`): where its two bodies differ, the value is fixed per process (see
`volatile`), and the migrated body only has to agree elsewhere. The second start imports at
least the probe's round gap (a second) after the first did, which waited that long between its
rounds: a stamp to the second differs. The extra start costs nothing when every body is equal.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from flaskmod.errors import FlaskmodError
from flaskmod.verify.model import BodyCheck, Description, Row, Status
from flaskmod.verify.responses import Response, body_diff, diff_at
from flaskmod.verify.volatile import TooDifferent, template


def recheck(
    old: Description, new: Description, sample: Callable[[], Description], bodies: Path
) -> tuple[dict[str, BodyCheck], list[Row]]:
    """A `BodyCheck` for each path whose stable bodies differ; the second start only then.

    A second start that fails (a timeout under load) leaves the differences as they were, and
    a row says why."""
    paths = differing(old.get("responses") or {}, new.get("responses") or {})
    if not paths:
        return {}, []
    try:
        second = sample().get("responses") or {}
    except FlaskmodError as error:
        message = f"responses: the original did not start a second time ({error}); "
        message += "a value it fixes per process is reported as a difference"
        return {}, [Row("response", "second start", status=Status.INFO, message=message)]
    checks = {}
    for path in paths:
        check = check_body(old["responses"][path], second.get(path), new["responses"][path], bodies)
        if check is not None:
            checks[path] = check
    return checks, []


def differing(old: Mapping[str, Response], new: Mapping[str, Response]) -> list[str]:
    """Paths both apps answer with a body stable within their process, each a different one."""
    return sorted(
        path
        for path in old.keys() & new.keys()
        if old[path].get("stable", True)
        and new[path].get("stable", True)
        and old[path].get("sha256") != new[path].get("sha256")
    )


def check_body(
    first: Response, second: Response | None, migrated: Response, bodies: Path
) -> BodyCheck | None:
    """The migrated body against the original's two; None when a body was not saved (too
    large) or the original's two differ too widely to say which values vary."""
    texts = [_saved(response, bodies) for response in (first, second, migrated)]
    old, again, new = texts
    if old is None or again is None or new is None:
        return None
    if old == again:
        return BodyCheck(0, body_diff(old, new))
    try:
        shape = template(old, again)
    except TooDifferent:
        return None
    if shape.fits(new):
        return BodyCheck(len(shape.holes), None)
    return BodyCheck(len(shape.holes), diff_at(old, new, *shape.first_difference(new)))


def _saved(response: Response | None, bodies: Path) -> str | None:
    """A whole body the probe saved, as text (bytes that are not UTF-8 kept, as escapes)."""
    digest = None if response is None else response.get("sha256")
    if not isinstance(digest, str):
        return None
    path = bodies / digest
    if not path.is_file():
        return None
    return path.read_bytes().decode("utf-8", "surrogateescape")
