"""Secret values seen during a run: shown masked on a terminal and in reports, never in full.

The patch written to a pipe stays exact (it must apply with `git apply`); everything meant for
eyes (the highlighted preview, notes, JSON and Markdown reports) shows `'dev-****'` instead.
"""

from __future__ import annotations

from collections.abc import Iterable


def mask(value: str) -> str:
    """`'dev-secret-key'` → `'dev-****'`: enough to recognise, not enough to use."""
    keep = 4 if len(value) >= 12 else 2 if len(value) >= 8 else 0
    return value[:keep] + "****"


def redact(text: str, secrets: Iterable[str]) -> str:
    """Replace every occurrence of each secret (longest first, so none hides inside another)."""
    for secret in sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True):
        text = text.replace(secret, mask(secret))
    return text
