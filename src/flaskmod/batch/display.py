"""Progress while a batch runs: a live panel on a terminal, one plain line per repository when
the output is piped or logged (so `flaskmod batch ... | tee log` stays readable)."""

from __future__ import annotations

import time
from collections import Counter, deque
from typing import Any

from rich.console import Console, Group
from rich.live import Live
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from flaskmod.batch.jobs import OUTCOMES
from flaskmod.batch.report import DONE, why

LATEST = 5  # failures kept on the live panel


class Display:
    """Told about each finished repository; shows done/total, rate, ETA, counts, failures."""

    def __init__(self, console: Console, total: int, live: bool | None = None) -> None:
        self.console = console
        self.total = total
        self.done = 0
        self.counts: Counter[str] = Counter()
        self.failures: deque[dict[str, Any]] = deque(maxlen=LATEST)
        self.began = time.monotonic()
        self.live: Live | None = None
        if live if live is not None else console.is_terminal:
            self.progress = Progress(
                TextColumn("[bold]migrating"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rate]}"),
                TimeRemainingColumn(),
                console=console,
            )
            self.task = self.progress.add_task("batch", total=total, rate="")
            self.live = Live(self._panel(), console=console, refresh_per_second=4)

    def __enter__(self) -> Display:
        if self.live is not None:
            self.live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.live is not None:
            self.live.update(self._panel())
            self.live.__exit__(None, None, None)

    def finished(self, entry: dict[str, Any], resumed: bool = False) -> None:
        self.done += 1
        self.counts[entry["outcome"]] += 1
        if entry["outcome"] not in DONE:
            self.failures.append(entry)
        if self.live is None:
            self._line(entry, resumed)
            return
        self.progress.update(self.task, completed=self.done, rate=self.rate())
        self.live.update(self._panel())

    def rate(self) -> str:
        elapsed = time.monotonic() - self.began
        return f"{self.done / elapsed * 60:.1f} repos/min" if elapsed > 0 and self.done else ""

    def _line(self, entry: dict[str, Any], resumed: bool) -> None:
        width = len(str(self.total))
        seconds = "resumed" if resumed else f"{entry.get('seconds') or 0:.1f}s"
        reason = why(entry)
        self.console.print(
            f"[{self.done:>{width}}/{self.total}] {entry['outcome']:<18} {entry['name']} "
            f"({entry['files_changed']} files, {seconds}){': ' + reason if reason else ''}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )

    def _panel(self) -> Group:
        counts = Table.grid(padding=(0, 2))
        counts.add_row(*(f"{o}: {self.counts.get(o, 0)}" for o in OUTCOMES))
        latest = Table.grid(padding=(0, 1))
        for entry in self.failures:
            latest.add_row(entry["outcome"], entry["name"], why(entry)[:120])
        return Group(self.progress, counts, latest)
