"""Whole-tree snapshots for the data-safety tests: what must come back byte for byte."""

from __future__ import annotations

import os
from pathlib import Path


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file and folder with bytes and mode, symbolic links as links (their target)."""
    found: dict[str, tuple[bytes, int]] = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        info = path.lstat()
        if path.is_symlink():
            found[relative] = (os.readlink(path).encode(), info.st_mode)
        elif path.is_dir():
            found[relative + "/"] = (b"", info.st_mode)
        else:
            found[relative] = (path.read_bytes(), info.st_mode)
    return found
