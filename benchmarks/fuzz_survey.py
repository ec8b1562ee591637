"""A long fuzz run that counts every outcome instead of stopping at the first failure.

`tests/test_fuzz.py` stops (and shrinks) at its first failing example, which is what a test
should do; a long run by hand wants the whole picture: how many examples migrated, how many were
refused and why, and every failure, kept for later. Each example goes through the same
`tests.test_fuzz.outcome` as the test (migrate, compile, run again, start in production).

    nice -n 10 .venv/bin/python benchmarks/fuzz_survey.py 500 /tmp/fuzz-run

writes `counts.json` (updated as it goes) and, for each failure or refusal, the generated
`app.py` (and any other module) with the traceback or reason beside it.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hypothesis import HealthCheck, Phase, given, settings

from tests.test_fuzz import Generated, flask_apps, outcome


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("examples", type=int)
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    counts: Counter[str] = Counter()
    start = time.monotonic()

    def save(kind: str, app: Generated, text: str) -> None:
        stem = out / f"{kind}-{sum(counts.values()):05d}"
        stem.with_suffix(".py").write_text(app.source, encoding="utf-8")
        for path, source in app.others.items():
            stem.with_suffix(f".{path}").write_text(source, encoding="utf-8")
        stem.with_suffix(".txt").write_text(f"{text}\nsecrets={sorted(app.secrets)}\n")

    def report(done: bool = False) -> None:
        data = {
            "examples": sum(counts.values()),
            "seconds": round(time.monotonic() - start),
            "outcomes": counts.most_common(),
            "done": done,
        }
        (out / "counts.json").write_text(json.dumps(data, indent=1), encoding="utf-8")

    @settings(
        max_examples=args.examples,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(app=flask_apps())
    def survey(app: Generated) -> None:
        with tempfile.TemporaryDirectory() as directory:
            try:
                result = outcome(app, Path(directory))
            except Exception as error:
                first = (str(error).splitlines() or [""])[0][:150]
                result = f"FAILED {type(error).__name__}: {first}"
                save("fail", app, traceback.format_exc())
        counts[result] += 1
        if result != "migrated" and not result.startswith("FAILED"):
            save("refused", app, result)
        if sum(counts.values()) % 10 == 0 or result.startswith("FAILED"):
            report()

    survey()
    report(done=True)
    print(json.dumps(counts.most_common(), indent=1))
    return 1 if any(key.startswith("FAILED") for key in counts) else 0


if __name__ == "__main__":
    raise SystemExit(main())
