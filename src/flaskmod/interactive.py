"""Choosing changes file by file, and hunk by hunk within modified files, like `git add -p`.

The choosing is separate from the terminal (`show` and `ask` are passed in), so the logic is
tested directly and the CLI only supplies click's prompt. The result is a partial `Changeset`
for `flaskmod.apply.apply`, which writes it atomically.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from flaskmod.changeset import Changeset, FileChange, Kind

ACCEPT, REJECT, QUIT = "y", "n", "q"
ANSWERS = (ACCEPT, REJECT, QUIT)
CONTEXT = 3

Show = Callable[[str], None]
Ask = Callable[[str], str]  # a question → one of ANSWERS
Opcode = tuple[str, int, int, int, int]


def split_lines(text: str) -> list[str]:
    """Lines with their `\\n`, split on `\\n` only, as git and the patches do."""
    return re.findall(r"[^\n]*\n|[^\n]+$", text)


@dataclass(frozen=True)
class Hunks:
    """A modified file's differences, grouped with context as a unified diff groups them."""

    old: list[str]
    new: list[str]
    opcodes: Sequence[Opcode]
    groups: Sequence[Sequence[Opcode]]

    @classmethod
    def of(cls, old_text: str, new_text: str) -> Hunks:
        old, new = split_lines(old_text), split_lines(new_text)
        matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
        # Copied first: grouping trims the "equal" opcodes of the matcher's cached list in place.
        # The other opcodes are left as they are, so they key the groups in `text`.
        opcodes = list(matcher.get_opcodes())
        groups = [
            group
            for group in matcher.get_grouped_opcodes(CONTEXT)
            if any(tag != "equal" for tag, *_ in group)
        ]
        return cls(old, new, opcodes, groups)

    def render(self, index: int) -> str:
        """Hunk `index` in unified-diff form, for the user to judge."""
        group = self.groups[index]
        first, last = group[0], group[-1]
        header = (
            f"@@ -{first[1] + 1},{last[2] - first[1]} +{first[3] + 1},{last[4] - first[3]} @@\n"
        )
        lines = [header]
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines += [" " + line for line in self.old[i1:i2]]
                continue
            lines += ["-" + line for line in self.old[i1:i2]]
            lines += ["+" + line for line in self.new[j1:j2]]
        return "".join(line if line.endswith("\n") else line + "\n" for line in lines)

    def text(self, accepted: set[int]) -> str:
        """The file with the accepted hunks' new lines and the rejected hunks' old lines."""
        owner = {
            op: index for index, group in enumerate(self.groups) for op in group if op[0] != "equal"
        }
        out: list[str] = []
        for op in self.opcodes:
            tag, i1, i2, j1, j2 = op
            take_new = tag != "equal" and owner.get(op) in accepted
            out += self.new[j1:j2] if take_new else self.old[i1:i2]
        return "".join(out)


def _describe(change: FileChange) -> str:
    if change.kind is Kind.MOVED:
        return f"move {change.old_path} → {change.path}"
    verb = {Kind.ADDED: "create", Kind.DELETED: "delete", Kind.MODIFIED: "change"}[change.kind]
    return f"{verb} {change.path}"


def _whole_file(change: FileChange, show: Show, ask: Ask) -> tuple[FileChange | None, bool]:
    show(change.patch())
    answer = ask(f"{_describe(change)}?")
    return (change if answer == ACCEPT else None), answer == QUIT


def _by_hunk(change: FileChange, show: Show, ask: Ask) -> tuple[FileChange | None, bool]:
    hunks = Hunks.of(change.old_text, change.new_text)
    show(f"diff --git a/{change.path} b/{change.path}\n")
    accepted: set[int] = set()
    quit_now = False
    for index in range(len(hunks.groups)):
        show(hunks.render(index))
        answer = ask(f"{change.path}: apply hunk {index + 1}/{len(hunks.groups)}?")
        if answer == ACCEPT:
            accepted.add(index)
        if answer == QUIT:
            quit_now = True
            break
    if not accepted:
        return None, quit_now
    assert change.new is not None  # modified files have new content
    text = hunks.text(accepted)
    return replace(change, new=replace(change.new, text=text)), quit_now


def choose(changes: Changeset, show: Show, ask: Ask) -> Changeset:
    """Ask about each file (each hunk of a modified file); `q` keeps what was accepted so far."""
    kept: list[FileChange] = []
    for change in changes:
        by_hunk = change.kind is Kind.MODIFIED and change.old_text != change.new_text
        picked, quit_now = (_by_hunk if by_hunk else _whole_file)(change, show, ask)
        if picked is not None:
            kept.append(picked)
        if quit_now:
            break
    return Changeset(tuple(kept))
