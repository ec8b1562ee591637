"""How generated code spells literals: one style for every module flaskmod writes."""

from __future__ import annotations

import json


def quote(value: str) -> str:
    """A double-quoted Python literal (what ruff format would produce)."""
    return json.dumps(value, ensure_ascii=False) if value.isprintable() else repr(value)
