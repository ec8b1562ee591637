"""Kill `flaskmod upgrade --apply` at random moments of its write phase and check the recovery.

The test suite kills a fixture's apply at every step; this script does what a user, CI or
`docker stop` does to a big generated app (`bench_pipeline.generate`): each trial copies the
pristine app, starts a subprocess that writes the migration, and ends it with SIGKILL or SIGTERM
(chosen at random), either at an exact filesystem step (`FLASKMOD_TEST_KILL_AT`) or from outside,
at a random moment after the journal appears (a real signal at an unplanned moment). Then it runs
`flaskmod upgrade PATH` (which must refuse when a journal was left), `flaskmod recover PATH`, and
compares the tree with the pristine and the fully migrated ones: every byte, mode and link,
nothing extra. A tree equal to neither is a MIXED failure.

The writing subprocess is `flaskmod upgrade PATH --apply` with `--cli`; by default, to spend the
time on the write phase rather than on re-running the codemods, it is a small driver that applies
the migration's changeset (computed once, pickled) with SIGTERM handled as the CLI handles it.

By hand, not part of the suite. From the repository root::

    .venv/bin/python benchmarks/kill_trials.py [--trials 50] [--routes 100] [--models 12]
        [--seed 13] [--cli]

Prints one line per trial and a summary; exits 1 if any trial ended in a mixed tree or a
recovery that failed.
"""

from __future__ import annotations

import argparse
import collections
import os
import pickle
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_pipeline import generate

from flaskmod import journal
from flaskmod.apply import apply
from flaskmod.changeset import compute
from flaskmod.pipeline import discover, run
from flaskmod.project import scan
from tests.trees import snapshot

FLASKMOD = [sys.executable, "-m", "flaskmod"]
ROOT = "{root}"  # replaced by each trial's copy of the app


def flaskmod(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*FLASKMOD, *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )


DRIVER = """\
import pickle, sys
from pathlib import Path
from flaskmod import interrupts
from flaskmod.apply import apply
changes = pickle.loads(Path(sys.argv[2]).read_bytes())
try:
    with interrupts.handled():
        apply(Path(sys.argv[1]), changes)
except KeyboardInterrupt as interrupt:
    sys.exit(interrupts.exit_code(interrupt))
"""


@dataclass(frozen=True)
class Setup:
    pristine: Path
    scratch: Path
    before: dict[str, tuple[bytes, int]]
    after: dict[str, tuple[bytes, int]]
    steps: int
    seconds: float  # how long the write phase takes
    command: list[str]  # the writer, with ROOT where the project goes


def prepare(pristine: Path, scratch: Path, cli: bool) -> Setup:
    """Count the steps of a full apply, time it, keep its result and the changeset (in-process)."""
    target = shutil.copytree(pristine, scratch / "count", symlinks=True)
    project = scan(target)
    changes = compute(project, run(project, discover()).final)
    journal.reset_steps()
    started = time.perf_counter()
    apply(target, changes)
    seconds = time.perf_counter() - started
    (scratch / "changes.pickle").write_bytes(pickle.dumps(changes))
    if cli:
        command = [*FLASKMOD, "upgrade", ROOT, "--apply"]
    else:
        command = [sys.executable, "-c", DRIVER, ROOT, str(scratch / "changes.pickle")]
    before = snapshot(pristine)
    return Setup(
        pristine, scratch, before, snapshot(target), journal.steps_taken(), seconds, command
    )


def writer(setup: Setup, target: Path) -> list[str]:
    return [str(target) if part == ROOT else part for part in setup.command]


def kill_from_outside(setup: Setup, target: Path, name: str, rng: random.Random) -> tuple[int, str]:
    """Start the writer; once its journal appears, wait a random part of the write phase and
    send the signal."""
    process = subprocess.Popen(
        writer(setup, target), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    journal_folder = target / ".flaskmod-journal"
    while process.poll() is None and not journal_folder.exists():
        time.sleep(0.0002)
    delay = rng.uniform(0, setup.seconds * 1.2)
    time.sleep(delay)
    if process.poll() is None:
        process.send_signal(getattr(signal, f"SIG{name}"))
    process.wait()
    return process.returncode, f"outside +{delay * 1000:.1f}ms"


def trial(number: int, setup: Setup, rng: random.Random) -> str:
    target = setup.scratch / f"trial{number}"
    shutil.copytree(setup.pristine, target, symlinks=True)
    name = rng.choice(["KILL", "TERM"])
    if rng.random() < 0.5:
        step = rng.randint(1, setup.steps)
        done = subprocess.run(
            writer(setup, target),
            env={**os.environ, journal.KILL_AT: f"{step}:{name}"},
            capture_output=True,
            check=False,
        )
        code, how = done.returncode, f"step {step}/{setup.steps}"
    else:
        code, how = kill_from_outside(setup, target, name, rng)
    left = (target / ".flaskmod-journal" / journal.MANIFEST).exists()
    refused = True
    if left:  # refused before any codemod runs, so cheap
        preview = flaskmod("upgrade", str(target))
        refused = preview.returncode == 2 and "interrupted" in preview.stderr
    recovered = flaskmod("recover", str(target))
    state = snapshot(target)
    outcome = "prior" if state == setup.before else "migrated" if state == setup.after else "MIXED"
    if not refused:
        outcome = "NOT-REFUSED"
    if recovered.returncode != 0:
        outcome = "RECOVER-FAILED"
    shutil.rmtree(target)
    print(
        f"{number:3d} SIG{name:4s} {how:18s} exit {code:4d}  journal left: "
        f"{'yes' if left else 'no':3s}  next run refused: {'yes' if left and refused else 'n/a':3s}"
        f"  -> {outcome}",
        flush=True,
    )
    return f"SIG{name} {'journal left, recovered' if left else 'no journal':23s} {outcome}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=50)
    parser.add_argument("--routes", type=int, default=100)
    parser.add_argument("--models", type=int, default=12)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--cli", action="store_true", help="kill the real `upgrade --apply`")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        pristine = generate(scratch / "pristine", args.routes, args.models).root
        first = min((pristine / "templates").rglob("*.html"))
        (pristine / "templates" / "alias.html").symlink_to(
            first.relative_to(pristine / "templates")
        )
        setup = prepare(pristine, scratch, args.cli)
        print(
            f"{args.routes} routes: {len(setup.before)} paths, {setup.steps} write steps, "
            f"write phase {setup.seconds * 1000:.0f} ms",
            flush=True,
        )
        outcomes = collections.Counter(trial(n, setup, rng) for n in range(1, args.trials + 1))
    for outcome, count in sorted(outcomes.items()):
        print(f"{count:3d}  {outcome}")
    bad = sum(count for outcome, count in outcomes.items() if outcome.split()[-1].isupper())
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
