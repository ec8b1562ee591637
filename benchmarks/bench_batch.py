"""`flaskmod batch` on a generated fleet: speed-up with workers, memory per worker, Dask.

Not part of the test suite (nothing here is timed by pytest); run by hand from the repository
root, with the worktree's venv::

    .venv/bin/python benchmarks/bench_batch.py generate --count 200 --out /tmp/fleet
    .venv/bin/python benchmarks/bench_batch.py speedup --count 200     # --jobs 1 vs --jobs 2 [--rounds N]
    .venv/bin/python benchmarks/bench_batch.py memory --counts 50 500  # peak RSS per worker
    .venv/bin/python benchmarks/bench_batch.py dask --count 100        # 2-worker LocalCluster

The fleet is built from the bundled fixtures (`fixtures/*/before`): each repository is one
fixture with 5 to 200 routes in all (generated views appended to its app module), some
templates linking to them with url_for, and a test module calling them. A seeded mix: about
3% have a syntax error, 5% are already factories (`fixtures/*/after`), 3% are not Flask at all.

Each measurement runs `flaskmod batch` as a user would (a subprocess, preview mode, patches
and report in a scratch folder) and reads its report: wall time of the whole command, outcome
counts, and each worker's peak RSS (`worker.peak_rss_kb`, ru_maxrss of the worker process
when it finished a job; workers are recycled after `--max-per-worker` repositories).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
FLASKMOD = [sys.executable, "-m", "flaskmod"]


# ------------------------------------------------------------------------ the fleet
def app_module(root: Path) -> Path:
    """The fixture module that creates the app (`app = Flask(...)` at module level)."""
    for path in sorted(root.rglob("*.py")):
        if re.search(r"^app = Flask\(", path.read_text(encoding="utf-8"), re.M):
            return path
    raise SystemExit(f"no app module in {root}")


def routes_in(root: Path) -> int:
    return sum(
        len(re.findall(r"\.route\(", p.read_text(encoding="utf-8"))) for p in root.rglob("*.py")
    )


def add_routes(module: Path, count: int, start: int) -> None:
    """`count` views appended before the `__main__` block (or at the end)."""
    text = module.read_text(encoding="utf-8")
    views = "".join(
        f'\n\n@app.route("/generated/{start + i}/<int:item_id>")\n'
        f"def generated_{start + i}(item_id):\n"
        f'    return "generated {start + i}: %d" % item_id\n'
        for i in range(count)
    )
    main = re.search(r"^if __name__ == .__main__.:", text, re.M)
    cut = main.start() if main else len(text)
    module.write_text(text[:cut].rstrip("\n") + views + "\n\n\n" + text[cut:], encoding="utf-8")


def add_templates(root: Path, routes: list[int], rng: random.Random) -> None:
    folder = root / "templates" / "generated"
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(rng.randint(1, 6)):
        links = "\n".join(
            f"<a href=\"{{{{ url_for('generated_{r}', item_id={r}) }}}}\">{r}</a>"
            for r in rng.sample(routes, min(len(routes), 8))
        )
        (folder / f"page{number}.html").write_text(f"<nav>\n{links}\n</nav>\n", encoding="utf-8")


def add_tests(root: Path, routes: list[int], rng: random.Random) -> None:
    """A test module in the style of the fixtures' own (they provide an `app` fixture)."""
    chosen = rng.sample(routes, min(len(routes), 10))
    body = "".join(
        f"\n\ndef test_generated_{r}(client):\n"
        f'    assert client.get("/generated/{r}/1").status_code == 200\n'
        for r in chosen
    )
    folder = root / "tests"
    folder.mkdir(exist_ok=True)
    (folder / "test_generated.py").write_text(body.lstrip("\n"), encoding="utf-8")


def legacy(root: Path, fixture: Path, rng: random.Random, max_routes: int = 200) -> None:
    shutil.copytree(fixture, root)
    target = rng.randint(5, max_routes)
    have = routes_in(root)
    extra = max(0, target - have)
    if extra:
        add_routes(app_module(root), extra, 1)
        routes = list(range(1, extra + 1))
        add_templates(root, routes, rng)
        if (root / "tests").is_dir() or (root / "conftest.py").exists():
            add_tests(root, routes, rng)


def broken(root: Path, fixture: Path, rng: random.Random) -> None:
    shutil.copytree(fixture, root)
    module = app_module(root)
    module.write_text(module.read_text(encoding="utf-8") + "\ndef broken(:\n", encoding="utf-8")


def not_flask(root: Path, rng: random.Random) -> None:
    root.mkdir(parents=True)
    (root / "tool.py").write_text("import sys\n\nprint(sys.argv)\n", encoding="utf-8")
    (root / "README.md").write_text("A command-line tool.\n", encoding="utf-8")


def generate(count: int, out: Path, seed: int = 1, max_routes: int = 200) -> list[str]:
    """`count` repositories in `out` (replaced); returns what each is."""
    rng = random.Random(seed)
    fixtures = sorted(p for p in FIXTURES.iterdir() if (p / "before").is_dir())
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    kinds = []
    for number in range(count):
        fixture = rng.choice(fixtures)
        root = out / f"repo{number:04d}-{fixture.name}"
        roll = rng.random()
        if roll < 0.03:
            broken(root, fixture / "before", rng)
            kinds.append("broken")
        elif roll < 0.08 and (fixture / "after").is_dir():
            shutil.copytree(fixture / "after", root)
            kinds.append("factory")
        elif roll < 0.11:
            not_flask(root, rng)
            kinds.append("not-flask")
        else:
            legacy(root, fixture / "before", rng, max_routes)
            kinds.append("legacy")
    return kinds


# ---------------------------------------------------------------------- measuring
def run_batch(fleet: Path, *args: str) -> dict[str, Any]:
    """`flaskmod batch --discover FLEET ...`: wall time, and what its report says."""
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as scratch:
        report = Path(scratch) / "report.json"
        command = [*FLASKMOD, "batch", "--discover", str(fleet), "--out", f"{scratch}/out"]
        command += ["--report", str(report), "--timeout", "600", *args]
        began = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True)
        seconds = time.perf_counter() - began
        if not report.exists():
            raise SystemExit(f"batch failed ({done.returncode}): {done.stderr[-2000:]}")
        document = json.loads(report.read_text())
    peaks: dict[int, int] = {}
    for entry in document["repositories"]:
        worker = entry.get("worker") or {}
        if worker.get("pid"):
            peaks[worker["pid"]] = max(peaks.get(worker["pid"], 0), worker["peak_rss_kb"])
    return {
        "seconds": round(seconds, 1),
        "exit": done.returncode,
        "counts": {k: v for k, v in document["counts"].items() if v},
        "workers": len(peaks),
        "peak_rss_mb_max": round(max(peaks.values(), default=0) / 1024, 1),
        "peak_rss_mb_median": round(statistics.median(peaks.values()) / 1024, 1) if peaks else 0,
        "job_seconds": round(sum(e.get("seconds") or 0 for e in document["repositories"]), 1),
    }


def speedup(count: int, seed: int, max_routes: int, rounds: int = 1) -> dict[str, Any]:
    """`--jobs 1` then `--jobs 2`, `rounds` times alternately (load on a shared machine drifts)."""
    found: dict[str, Any] = {"repos": count, "rounds": []}
    with tempfile.TemporaryDirectory(prefix="bench-fleet-") as tmp:
        fleet = Path(tmp) / "fleet"
        generate(count, fleet, seed, max_routes)
        for _ in range(rounds):
            one = run_batch(fleet, "--jobs", "1")
            two = run_batch(fleet, "--jobs", "2")
            ratio = round(one["seconds"] / two["seconds"], 2)
            found["rounds"].append({"jobs1": one, "jobs2": two, "speedup": ratio})
    found["speedup"] = statistics.median(r["speedup"] for r in found["rounds"])
    return found


def memory(counts: list[int], seed: int, per_worker: int, max_routes: int) -> dict[str, Any]:
    found = {}
    for count in counts:
        with tempfile.TemporaryDirectory(prefix="bench-fleet-") as tmp:
            fleet = Path(tmp) / "fleet"
            generate(count, fleet, seed, max_routes)
            found[str(count)] = run_batch(fleet, "--jobs", "2", "--max-per-worker", str(per_worker))
    return found


def dask(count: int, seed: int, max_routes: int) -> dict[str, Any]:
    from distributed import LocalCluster

    with tempfile.TemporaryDirectory(prefix="bench-fleet-") as tmp:
        fleet = Path(tmp) / "fleet"
        generate(count, fleet, seed, max_routes)
        local = run_batch(fleet, "--jobs", "2")
        with LocalCluster(
            n_workers=2, threads_per_worker=1, dashboard_address=None, silence_logs=40
        ) as cluster:
            on_dask = run_batch(
                fleet, "--executor", "dask", "--scheduler", cluster.scheduler_address
            )
    ratio = round(on_dask["seconds"] / local["seconds"], 2)
    return {"repos": count, "local_jobs2": local, "dask_2_workers": on_dask, "dask/local": ratio}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    gen = commands.add_parser("generate")
    gen.add_argument("--count", type=int, default=200)
    gen.add_argument("--out", type=Path, required=True)
    fast = commands.add_parser("speedup")
    fast.add_argument("--count", type=int, default=200)
    fast.add_argument("--rounds", type=int, default=1)
    mem = commands.add_parser("memory")
    mem.add_argument("--counts", type=int, nargs="+", default=[50, 500])
    mem.add_argument("--max-per-worker", type=int, default=20)
    cluster = commands.add_parser("dask")
    cluster.add_argument("--count", type=int, default=100)
    for sub in (gen, fast, mem, cluster):
        sub.add_argument("--seed", type=int, default=1)
        sub.add_argument("--max-routes", type=int, default=200, help="routes per repo: 5 to this")
    args = parser.parse_args()
    if args.command == "generate":
        kinds = generate(args.count, args.out, args.seed, args.max_routes)
        result: Any = {kind: kinds.count(kind) for kind in sorted(set(kinds))}
    elif args.command == "speedup":
        result = speedup(args.count, args.seed, args.max_routes, args.rounds)
    elif args.command == "memory":
        result = memory(args.counts, args.seed, args.max_per_worker, args.max_routes)
    else:
        result = dask(args.count, args.seed, args.max_routes)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
