"""Issue 11's performance targets, measured: what `flaskmod upgrade PATH` (the preview) costs.

Run by hand from the repository root (never as a test; the machine is shared and noisy, so
every ratio compares things measured in one process, interleaved, in CPU time)::

    .venv/bin/python benchmarks/bench_pipeline.py [--sizes flaskr,100,300,1000] [--repeat 3]
        [--baseline OTHER/.venv/bin/python] [--skip-rss] [--skip-startup]

For each app (fixtures/flaskr_secrets/before, and generated 100-, 300- and 1,000-route legacy
apps from `generate_app.py`), one worker process measures, interleaved and `--repeat` times
(medians reported):

* the preview exactly as the user runs it: `flaskmod upgrade PATH --no-color` through the click
  command, in-process (scan, analysis, every codemod, the self-check, summary, plan, findings
  and the diff rendered to a scratch file), against `libcst.parse_module(text).code` of the same
  Python files. Target: preview ≤ 5x parse + render at every size;
* LibCST's own scope-using `RemoveUnusedImportsCommand` (parse, transform, render) over the same
  files, per 1,000 lines, once (after the first preview). Target: the preview cheaper per line.

Then, in fresh processes (`ru_maxrss` of `RUSAGE_CHILDREN` in a wrapper whose only child is the
measured one): peak RSS of the preview and of parsing the same files. Target: ≤ 2x. And
start-up, interleaved over `--repeat`x3 runs (medians of wall and child CPU time):
`flaskmod --help` and `flaskmod list` against `python -c pass`. Target: ≤ 4x.

`--baseline PYTHON` measures another checkout's interpreter (a venv with that flaskmod
installed) the same way, each worker alternating with ours, so "before" and "after" come from
one run. Progress goes to stderr; the table to stdout. Nothing is saved.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
FLASKR = HERE.parent / "fixtures" / "flaskr_secrets" / "before"

#: a process whose only child is the command given to it; prints the child's peak RSS (KiB)
RSS_WRAPPER = (
    "import resource, subprocess, sys\n"
    "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


# ------------------------------------------------------------------ in the worker
def python_files(root: Path) -> dict[Path, str]:
    """The project's Python files (what both the preview and the baselines read)."""
    skip = {".git", ".venv", "__pycache__"}
    return {
        path: path.read_text(encoding="utf-8")
        for path in sorted(root.rglob("*.py"))
        if not skip & set(path.relative_to(root).parts)
    }


def parse_render(texts: Sequence[str]) -> None:
    """The floor: every file parsed by LibCST and rendered back."""
    import libcst

    for text in texts:
        libcst.parse_module(text).code  # noqa: B018 - rendering is what is measured


def remove_unused_imports(texts: Sequence[str]) -> None:
    """LibCST's RemoveUnusedImportsCommand over every file: parse, scope analysis, render."""
    import libcst
    from libcst.codemod import CodemodContext
    from libcst.codemod.commands.remove_unused_imports import RemoveUnusedImportsCommand

    for text in texts:
        command = RemoveUnusedImportsCommand(CodemodContext())
        command.transform_module(libcst.parse_module(text)).code  # noqa: B018


def preview(root: Path) -> tuple[int, str]:
    """`flaskmod upgrade ROOT --no-color` in-process: (exit code, the last line of stderr)."""
    from flaskmod.cli import main

    err = io.StringIO()
    with tempfile.TemporaryFile() as raw:
        out = io.TextIOWrapper(raw, encoding="utf-8")  # the diff is written to `.buffer`
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main.main(["upgrade", str(root), "--no-color"], "flaskmod", standalone_mode=False)
                code = 0
            except SystemExit as exit:
                code = int(exit.code or 0)
        out.flush()
    lines = [line for line in err.getvalue().splitlines() if line.strip()]
    return code, lines[-1] if lines else ""


def cpu(action: Callable[[], object]) -> float:
    """Process CPU seconds of one call (what other load on a shared machine does not inflate)."""
    start = time.process_time()
    action()
    return time.process_time() - start


def work(root: Path, repeat: int, unused: bool = True) -> dict[str, Any]:
    """One app, in this process: preview, parse + render and RemoveUnusedImports, interleaved."""
    texts = list(python_files(root).values())
    code, status = preview(root)  # warm-up: lazy imports, and what the preview says
    samples: dict[str, list[float]] = {"preview": [], "parse": [], "unused": []}
    for number in range(repeat):
        samples["parse"].append(cpu(lambda: parse_render(texts)))
        samples["preview"].append(cpu(lambda: preview(root)))
        if number == 0 and unused:  # a reference, and slow: once, between the others
            samples["unused"].append(cpu(lambda: remove_unused_imports(texts)))
    medians = {name: statistics.median(values) for name, values in samples.items() if values}
    lines = sum(text.count("\n") for text in texts)
    return {**medians, "lines": lines, "exit": code, "status": status}


# ------------------------------------------------------------------ in the parent
@dataclass(frozen=True)
class Interpreter:
    """A Python with some flaskmod installed: ours, or the baseline's."""

    label: str
    python: Path

    @property
    def flaskmod(self) -> Path:
        return self.python.parent / "flaskmod"


def run_worker(interpreter: Interpreter, root: Path, repeat: int, unused: bool) -> dict[str, Any]:
    command = [str(interpreter.python), __file__, "--worker", str(root), "--repeat", str(repeat)]
    command += [] if unused else ["--skip-unused"]
    done = subprocess.run(command, check=True, capture_output=True, text=True, cwd=HERE.parent)
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def peak_rss(interpreter: Interpreter, root: Path, what: str) -> float:
    """Peak RSS (MiB) of one fresh process: the preview of ROOT, or parsing its Python files."""
    child = [str(interpreter.python), __file__, f"--rss-{what}", str(root)]
    done = subprocess.run(
        [sys.executable, "-c", RSS_WRAPPER, *child], check=True, capture_output=True, text=True
    )
    return int(done.stdout.split()[-1]) / 1024


def child_times(command: Sequence[str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one subprocess; CPU from RUSAGE_CHILDREN before and after."""
    import resource

    def used() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    before, start = used(), time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start, used() - before


def startup(interpreters: Sequence[Interpreter], repeat: int) -> dict[str, tuple[float, float]]:
    """Median (wall, CPU) of `python -c pass`, `flaskmod --help` and `flaskmod list`."""
    commands: dict[str, list[str]] = {"python -c pass": [sys.executable, "-c", "pass"]}
    for it in interpreters:
        commands[f"{it.label}: flaskmod --help"] = [str(it.flaskmod), "--help"]
        commands[f"{it.label}: flaskmod list"] = [str(it.flaskmod), "list"]
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, command in commands.items():
            samples[name].append(child_times(command))
    return {
        name: (statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs))
        for name, runs in samples.items()
    }


def apps(tmp: Path, sizes: Sequence[str]) -> dict[str, Path]:
    """The apps to measure, by label: flaskr (a copy of the fixture) and generated ones."""
    sys.path.insert(0, str(HERE))
    from generate_app import generate

    found = {}
    for size in sizes:
        root = tmp / f"app-{size}"
        if size == "flaskr":
            shutil.copytree(FLASKR, root)
        else:
            generate(root, routes=int(size), models=max(4, int(size) // 8))
        found[size if size == "flaskr" else f"{size} routes"] = root
    return found


def progress(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------------ the table
def pipeline_rows(results: dict[tuple[str, str], dict[str, Any]]) -> list[str]:
    head = (
        f"{'app':<12}{'build':<8}{'py lines':>9}{'parse+render':>13}{'preview':>9}"
        f"{'ratio':>7}{'  ≤5':<5}{'s/1k lines':>11}{'RUIC/1k':>9}{'÷RUIC':>7}{'  <1':<5}"
        f"{'RSS parse':>10}{'preview':>9}{'ratio':>7}{'  ≤2':<5}  status"
    )
    rows = [head, "-" * len(head)]
    for (app, label), r in results.items():
        ratio = r["preview"] / r["parse"]
        per_k = r["preview"] / r["lines"] * 1000
        unused_k = r["unused"] / r["lines"] * 1000 if "unused" in r else float("nan")
        rss = r.get("rss_preview", 0.0) / r["rss_parse"] if r.get("rss_parse") else 0.0
        rows.append(
            f"{app:<12}{label:<8}{r['lines']:>9}{r['parse']:>12.2f}s{r['preview']:>8.2f}s"
            f"{ratio:>7.1f}{_ok(ratio <= 5):<5}{per_k:>10.2f}s{unused_k:>8.2f}s"
            f"{per_k / unused_k:>7.2f}{_ok(per_k < unused_k) if 'unused' in r else '':<5}"
            f"{r.get('rss_parse', 0):>8.0f}Mi{r.get('rss_preview', 0):>7.0f}Mi"
            f"{rss:>7.2f}{_ok(rss <= 2) if rss else '':<5}  exit {r['exit']}: {r['status'][:40]}"
        )
    return rows


def startup_rows(times: dict[str, tuple[float, float]]) -> list[str]:
    base_wall, base_cpu = times["python -c pass"]
    rows = [f"{'command':<34}{'wall':>9}{'CPU':>9}{'÷ wall':>8}{'÷ CPU':>8}  ≤4"]
    for name, (wall, used) in times.items():
        rows.append(
            f"{name:<34}{wall * 1000:>7.0f}ms{used * 1000:>7.0f}ms{wall / base_wall:>8.1f}"
            f"{used / base_cpu:>8.1f}  {_ok(used / base_cpu <= 4)}"
        )
    return rows


def _ok(met: bool) -> str:
    return "  ok" if met else "  NO"


# --------------------------------------------------------------------------- main
def measure(args: argparse.Namespace, interpreters: Sequence[Interpreter]) -> list[str]:
    """Every measurement, interleaved between the interpreters; the table's lines."""
    results: dict[tuple[str, str], dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="flaskmod-bench-") as tmp:
        for app, root in apps(Path(tmp), args.sizes.split(",")).items():
            for it in interpreters:
                progress(f"{app}: {it.label} worker")
                results[(app, it.label)] = run_worker(it, root, args.repeat, not args.skip_unused)
            for it in [] if args.skip_rss else interpreters:
                progress(f"{app}: {it.label} peak RSS")
                for what in ("parse", "preview"):
                    results[(app, it.label)][f"rss_{what}"] = peak_rss(it, root, what)
    lines = ["CPU seconds, medians; ratios within one worker process", *pipeline_rows(results)]
    if not args.skip_startup:
        progress("start-up")
        lines += ["", *startup_rows(startup(interpreters, args.repeat * 3))]
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="flaskr,100,300,1000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline", type=Path, help="another flaskmod's Python, as 'before'")
    parser.add_argument("--skip-rss", action="store_true")
    parser.add_argument("--skip-unused", action="store_true", help="no RemoveUnusedImports run")
    parser.add_argument("--skip-startup", action="store_true")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--rss-parse", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--rss-preview", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(work(args.worker, args.repeat, not args.skip_unused)))
    elif args.rss_parse:
        parse_render(list(python_files(args.rss_parse).values()))
    elif args.rss_preview:
        preview(args.rss_preview)
    else:
        ours = Interpreter("after" if args.baseline else "now", Path(sys.executable))
        baseline = [Interpreter("before", args.baseline)] if args.baseline else []
        print("\n".join(measure(args, [*baseline, ours])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
