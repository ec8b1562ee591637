"""What a run changes, file by file, as a patch `git apply` accepts.

Moves are recorded by the codemods (`Project.origin`), not guessed from similarity, so a module
that moved and changed is still shown as a rename and `git apply` recreates it as one.

A patch is bytes, like git's: `patch_bytes()` gives each file's lines in that file's own encoding
(a latin-1 module stays latin-1, a BOM stays on line 1), which is what `git apply` needs to match
them; `patch()` is the same patch as text, for reading on a terminal.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from enum import Enum

from flaskmod.project import FileText, Project


class Kind(str, Enum):
    ADDED = "added"
    MODIFIED = "modified"
    MOVED = "moved"
    DELETED = "deleted"


@dataclass(frozen=True)
class FileChange:
    kind: Kind
    path: str  # the path after the change (the old path for deletions)
    old_path: str | None
    old: FileText | None
    new: FileText | None

    @property
    def old_text(self) -> str:
        return self.old.text if self.old else ""

    @property
    def new_text(self) -> str:
        return self.new.text if self.new else ""

    def patch(self) -> str:
        return render_patch(self)

    def patch_bytes(self) -> bytes:
        return render_patch(self, exact=True).encode("latin-1")


@dataclass(frozen=True)
class Changeset:
    changes: tuple[FileChange, ...]

    def __bool__(self) -> bool:
        return bool(self.changes)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.changes)

    def __len__(self) -> int:
        return len(self.changes)

    def patch(self) -> str:
        return "".join(change.patch() for change in self.changes)

    def patch_bytes(self) -> bytes:
        """The patch for `git apply`: every file's lines exactly as its bytes on disk."""
        return b"".join(change.patch_bytes() for change in self.changes)

    def paths(self, kind: Kind) -> list[str]:
        return [c.path for c in self.changes if c.kind is kind]

    def counts(self) -> dict[Kind, int]:
        return {kind: len(self.paths(kind)) for kind in Kind}


def compute(before: Project, after: Project) -> Changeset:
    changes: list[FileChange] = []
    sources = {after.source_of(path): path for path in after.files}
    for path in sorted(after.files):
        source = after.source_of(path)
        new = after.files[path]
        if source != path and source in before.files and path not in before.files:
            changes.append(FileChange(Kind.MOVED, path, source, before.files[source], new))
        elif path not in before.files:
            changes.append(FileChange(Kind.ADDED, path, None, None, new))
        elif before.files[path] != new:
            changes.append(FileChange(Kind.MODIFIED, path, path, before.files[path], new))
    for path in sorted(before.files):
        if path not in after.files and path not in sources:
            changes.append(FileChange(Kind.DELETED, path, path, before.files[path], None))
    return Changeset(tuple(changes))


# ------------------------------------------------------------------- patches
def _lines(text: str) -> list[str]:
    """Split on `\\n` only, as git does (`str.splitlines` also splits on form feeds)."""
    if not text:
        return []
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def _hunks(old: str, new: str, old_name: str, new_name: str) -> str:
    out = []
    for line in difflib.unified_diff(
        _lines(old), _lines(new), fromfile=old_name, tofile=new_name, lineterm=""
    ):
        if (line.startswith(("---", "+++")) and not line.endswith("\n")) or line.startswith("@@"):
            out.append(line + "\n")
        elif not line.endswith("\n"):
            out.append(line + "\n\\ No newline at end of file\n")
        else:
            out.append(line)
    return "".join(out)


def _mode(text: FileText | None) -> str:
    return "100755" if text is not None and text.executable else "100644"


def similarity(old: str, new: str) -> int:
    return round(100 * difflib.SequenceMatcher(None, _lines(old), _lines(new)).ratio())


def _wire(text: FileText | None) -> str:
    """The file's bytes as a latin-1 string: diffed like text, encoded back byte for byte."""
    return text.to_bytes().decode("latin-1") if text is not None else ""


def render_patch(change: FileChange, exact: bool = False) -> str:
    """The patch as text, or with `exact` as the latin-1 image of its bytes (see `patch_bytes`)."""
    if exact:
        change = FileChange(
            change.kind,
            change.path.encode().decode("latin-1"),
            change.old_path.encode().decode("latin-1") if change.old_path else None,
            change.old and FileText(_wire(change.old), executable=change.old.executable),
            change.new and FileText(_wire(change.new), executable=change.new.executable),
        )
    if change.kind is Kind.ADDED:
        header = f"diff --git a/{change.path} b/{change.path}\nnew file mode {_mode(change.new)}\n"
        return header + _hunks("", change.new_text, "/dev/null", f"b/{change.path}")
    if change.kind is Kind.DELETED:
        header = (
            f"diff --git a/{change.path} b/{change.path}\ndeleted file mode {_mode(change.old)}\n"
        )
        return header + _hunks(change.old_text, "", f"a/{change.path}", "/dev/null")
    old_path = change.old_path or change.path
    header = f"diff --git a/{old_path} b/{change.path}\n"
    if change.kind is Kind.MOVED:
        header += (
            f"similarity index {similarity(change.old_text, change.new_text)}%\n"
            f"rename from {old_path}\nrename to {change.path}\n"
        )
    if _mode(change.old) != _mode(change.new):
        header += f"old mode {_mode(change.old)}\nnew mode {_mode(change.new)}\n"
    if change.old_text == change.new_text:
        return header
    return header + _hunks(change.old_text, change.new_text, f"a/{old_path}", f"b/{change.path}")
