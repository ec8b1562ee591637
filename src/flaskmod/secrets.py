"""Secret values seen during a run: shown masked on a terminal and in reports, never in full.

The patch written to a pipe stays exact (it must apply with `git apply`); everything meant for
eyes (the highlighted preview, notes, JSON and Markdown reports) shows `'dev-****'` instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable


def mask(value: str) -> str:
    """`'dev-secret-key'` → `'dev-****'`: enough to recognise, not enough to use."""
    keep = 4 if len(value) >= 12 else 2 if len(value) >= 8 else 0
    return value[:keep] + "****"


_QUOTE = r"""(?P<quote>'''|\"\"\"|'|")"""


def _masked(hidden: str) -> Callable[[re.Match[str]], str]:
    def replace(found: re.Match[str]) -> str:
        return f"{found['quote']}{hidden}{found['quote']}"

    return replace


def redact(text: str, secrets: Iterable[str]) -> str:
    """Mask each secret where it is a whole string literal (`'default'`, `b"k3y"`), whatever its
    length; the same letters elsewhere (`development_default`, `app.secret_key`) are code, not
    the secret, and stay as they are."""
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        literal = re.compile(_QUOTE + re.escape(secret) + r"(?P=quote)")
        text = literal.sub(_masked(mask(secret)), text)
    return text
