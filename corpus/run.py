"""Run flaskmod over the corpus of legacy Flask apps and tabulate what happened.

    python corpus/run.py [NAME...] [--jobs 2] [--flaskmod PATH] [--json out.json]

Per app, in corpus/work/<name>/ (ignored): `original/` and `migrated/`, fresh copies of
corpus/apps/<name>/ (restored first if missing), each a new git repository with one commit.
The checks, each PASS / FAIL / SKIP (/ REFUSED) with a one-line reason:

  baseline    the app's own tests (or scenario) on the original: the corpus itself is sound
  refused     `flaskmod upgrade .` (preview) exits 0; 2 (a refusal) or 1 with "Migration
              incomplete" (stops short of a factory, saying why) count as REFUSED, with the
              reason; anything else is FAIL
  patch       the preview's stdout applies with `git apply --check` to the original copy
  apply       `flaskmod upgrade . --apply` exits 0
  verify      `flaskmod verify . --python <stack python> --json` (against HEAD) exits 0
  tests       the app's tests on the migrated tree: at least `tests_pass` passes, no failures
              (or `scenario`: the scenario's expectations hold on the migrated app)
  production  wsgi.application imports with FLASK_CONFIG=production and every .env.example
              variable set to a random value (values arrive in app.config, DEBUG falsy), and
              refuses to start with them unset
  idempotent  `flaskmod upgrade . --check` after the apply exits 0

flaskmod is told the stack's Flask version (`--flask-version`), as a user on that stack would;
with `--detect-flask` it reads the version from the project's files, as it does by default.
An app passes when none of its flaskmod checks is FAIL or REFUSED (SKIP means "not
applicable", e.g. nothing to migrate in an already-factory control).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import re
import secrets
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import tomllib
from manifest import CORPUS, App, ManifestError, interpreter, load, select
from restore import RestoreError, restore

#: the copies each run works on: outside the repository, so that flaskmod's own configuration
#: (pytest's addopts in pyproject.toml, found by walking up from an app) never applies to an app
WORK = Path(os.environ.get("FLASKMOD_CORPUS_WORK", Path(tempfile.gettempdir()) / "flaskmod-corpus"))
STACK_ENVS = CORPUS / ".stacks"
RESULTS = CORPUS / "RESULTS.md"
DRIVER = CORPUS / "scenario_driver.py"
PRODUCTION = CORPUS / "production_check.py"

CHECKS = ("refused", "patch", "apply", "verify", "tests", "production", "idempotent")
PASS, FAIL, SKIP, REFUSED = "PASS", "FAIL", "SKIP", "REFUSED"
# Variables of the runner's own environment that must not leak into the apps' processes.
SCRUBBED = ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "FLASK_APP", "FLASK_ENV")
SCRUBBED_PREFIXES = ("FLASK_",)


@dataclass
class Check:
    status: str
    reason: str
    detail: dict[str, object] = field(default_factory=dict)


@dataclass
class Outcome:
    name: str
    layout: str
    lines: int
    stack: str
    kind: str
    checks: dict[str, Check] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return all(
            self.checks.get(name, Check(SKIP, "")).status not in (FAIL, REFUSED) for name in CHECKS
        ) and all(name in self.checks for name in CHECKS)


@dataclass
class Done:
    returncode: int
    stdout: str
    stderr: str
    timed_out: bool = False

    def last_line(self) -> str:
        for text in (self.stderr, self.stdout):
            lines = [line.strip() for line in text.splitlines() if line.strip()]
            if lines:
                return lines[-1][:300]
        return f"exit {self.returncode}, no output"


def run(
    args: list[str],
    cwd: Path,
    env: dict[str, str],
    timeout: float,
    stdin: str | None = None,
) -> Done:
    """Run with a deadline; on expiry kill the process group (servers, reloaders)."""
    try:
        process = subprocess.Popen(
            args,
            cwd=cwd,
            env=env,
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    except OSError as error:
        return Done(127, "", f"cannot run {args[0]}: {error}")
    try:
        out, err = process.communicate(stdin.encode() if stdin else None, timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, 9)
        out, err = process.communicate()
        return Done(
            -9, out.decode(errors="replace"), f"timed out after {timeout:g} s", timed_out=True
        )
    return Done(process.returncode, out.decode(errors="replace"), err.decode(errors="replace"))


# --- stacks -----------------------------------------------------------------------------


class Stacks:
    """One virtual environment per stack, built once from stacks/<stack>.txt."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.locks: dict[str, threading.Lock] = {}
        self.errors: dict[str, str] = {}
        self.guard = threading.Lock()

    @staticmethod
    def python(stack: str) -> Path:
        return STACK_ENVS / stack / "bin" / "python"

    def ensure(self, app: App) -> str | None:
        """Build the app's stack if missing or stale; the error line, or None."""
        with self.guard:
            lock = self.locks.setdefault(app.stack, threading.Lock())
        with lock:
            if app.stack in self.errors:
                return self.errors[app.stack]
            error = self._build(app)
            if error:
                self.errors[app.stack] = error
            return error

    def _build(self, app: App) -> str | None:
        base = interpreter(app.python)
        requirements = app.stack_file.read_bytes()
        stamp = hashlib.sha256(requirements + str(base).encode()).hexdigest()
        target = STACK_ENVS / app.stack
        marker = target / ".corpus-stamp"
        if marker.is_file() and marker.read_text().strip() == stamp:
            return None
        shutil.rmtree(target, ignore_errors=True)
        STACK_ENVS.mkdir(exist_ok=True)
        log = STACK_ENVS / f"{app.stack}.log"
        env = clean_env()
        print(f"building stack {app.stack} (Python {app.python}) ...", file=sys.stderr)
        steps = [
            [str(base), "-m", "venv", str(target)],
            [str(self.python(app.stack)), "-m", "pip", "install", "-q", "-r", str(app.stack_file)],
        ]
        with log.open("w") as handle:
            for step in steps:
                done = run(step, CORPUS, env, self.timeout)
                handle.write(f"$ {shlex.join(step)}\n{done.stdout}{done.stderr}\n")
                if done.returncode != 0:
                    return f"stack {app.stack} did not build: {done.last_line()} (see {log.name})"
        marker.write_text(stamp + "\n")
        return None


# --- helpers ------------------------------------------------------------------------------


def clean_env() -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in SCRUBBED and not key.startswith(SCRUBBED_PREFIXES)
    }
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def app_env(app: App, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment app code runs in: the stack first on PATH, the manifest's env."""
    env = clean_env()
    stack_bin = Stacks.python(app.stack).parent
    env["PATH"] = f"{stack_bin}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(stack_bin.parent)
    env.update(app.env)
    env.update(extra or {})
    return env


def stack_flask_version(app: App) -> str | None:
    """X.Y of the Flask pinned by the app's stack."""
    for line in app.stack_file.read_text().splitlines():
        match = re.match(r"^\s*flask\s*==\s*(\d+)\.(\d+)", line, re.IGNORECASE)
        if match:
            return f"{match.group(1)}.{match.group(2)}"
    return None


def count_lines(root: Path) -> int:
    """Lines of Python in the project, tests excluded."""
    total = 0
    for path in root.rglob("*.py"):
        relative = path.relative_to(root)
        parts = relative.parts
        if (
            "tests" in parts
            or "test" in parts
            or re.search(r"(^test_|_tests?\.py$|^tests?\.py$)", path.name)
        ):
            continue
        if any(part in ("migrations", "docs", ".venv", "venv") for part in parts):
            continue
        total += len(path.read_bytes().splitlines())
    return total


def git_repository(path: Path, source: Path) -> None:
    """A fresh copy of `source` at `path`, committed as one commit of a new repository."""
    shutil.rmtree(path, ignore_errors=True)
    shutil.copytree(source, path, symlinks=True)
    env = clean_env()
    for args in (
        ["git", "init", "-q", "-b", "main"],
        ["git", "config", "user.name", "flaskmod corpus"],
        ["git", "config", "user.email", "corpus@flaskmod.invalid"],
        ["git", "config", "commit.gpgsign", "false"],
        # -f: every restored file was tracked upstream, even where its .gitignore says not.
        ["git", "add", "-A", "-f"],
        ["git", "commit", "-q", "-m", "original", "--no-verify"],
    ):
        done = run(args, path, env, 120)
        if done.returncode != 0:
            raise RuntimeError(f"{shlex.join(args)} failed: {done.last_line()}")


@dataclass
class TestCounts:
    passed: int
    failed: int
    summary: str


def parse_tests(output: str) -> TestCounts | None:
    """Counts from pytest's last summary line, else from unittest's `Ran N tests` block."""
    pytest_line = None
    for line in output.splitlines():
        if re.search(r"\b\d+ (passed|failed|errors?)\b", line) or re.search(r"no tests ran", line):
            pytest_line = line.strip(" =")
    if pytest_line is not None:
        counts = {
            word: int(number)
            for number, word in re.findall(r"(\d+) (passed|failed|errors?|xpassed)", pytest_line)
        }
        failed = counts.get("failed", 0) + counts.get("error", 0) + counts.get("errors", 0)
        return TestCounts(counts.get("passed", 0), failed, pytest_line)
    ran = re.findall(r"^Ran (\d+) tests? in", output, re.MULTILINE)
    if not ran:
        return None
    total = int(ran[-1])
    verdict = re.findall(r"^(OK|FAILED)\b(.*)$", output, re.MULTILINE)
    details = dict(re.findall(r"(\w+)=(\d+)", verdict[-1][1])) if verdict else {}
    failed = int(details.get("failures", 0)) + int(details.get("errors", 0))
    not_run = sum(
        int(details.get(key, 0)) for key in ("skipped", "expected_failures", "unexpected_successes")
    )
    summary = f"Ran {total}: {verdict[-1][0] + verdict[-1][1] if verdict else '?'}"
    return TestCounts(total - failed - not_run, failed, summary.strip())


# --- one app ------------------------------------------------------------------------------


class AppRun:
    def __init__(
        self, app: App, flaskmod: Path, stacks: Stacks, timeout: float, tell_version: bool = True
    ) -> None:
        self.app = app
        self.flaskmod = flaskmod
        self.stacks = stacks
        self.timeout = timeout
        self.work = WORK / app.name
        self.original = self.work / "original"
        self.migrated = self.work / "migrated"
        self.python = Stacks.python(app.stack)
        self.flask_version = stack_flask_version(app) if tell_version else None

    def log(self, name: str, done: Done) -> None:
        (self.work / f"{name}.out").write_text(done.stdout)
        (self.work / f"{name}.err").write_text(done.stderr)

    def flaskmod_args(self, *args: str) -> list[str]:
        extra = ["--flask-version", self.flask_version] if self.flask_version else []
        if self.app.choose:
            extra += ["--app", self.app.choose]
        return [str(self.flaskmod), "upgrade", ".", "--no-color", *extra, *args]

    def execute(self) -> Outcome:
        app = self.app
        outcome = Outcome(app.name, app.layout, 0, app.stack, app.check_kind)
        checks = outcome.checks
        try:
            source = restore(app)
        except RestoreError as error:
            checks["baseline"] = Check(FAIL, str(error))
            return outcome
        outcome.lines = count_lines(source)
        self.work.mkdir(parents=True, exist_ok=True)
        error = self.stacks.ensure(app)
        if error:
            checks["baseline"] = Check(FAIL, error)
            return outcome
        git_repository(self.original, source)
        git_repository(self.migrated, source)

        preview = run(self.flaskmod_args(), self.migrated, app_env(app), self.timeout)
        self.log("preview", preview)
        patch_file = self.work / "preview.patch"
        patch_file.write_text(preview.stdout)
        checks["refused"] = self.refused(preview)
        checks["patch"] = self.patch(preview, patch_file)
        # The baseline runs after the patch check: test runs leave files behind.
        checks["baseline"] = self.app_check(self.original, migrated=False, baseline=None)
        if checks["refused"].status != PASS:
            for name in CHECKS[2:]:
                checks[name] = Check(SKIP, f"upgrade {checks['refused'].status.lower()}")
            return outcome
        nothing = not preview.stdout.strip()
        checks["apply"] = self.apply()
        if checks["apply"].status != PASS:
            for name in CHECKS[3:]:
                checks[name] = Check(SKIP, "apply failed")
            return outcome
        checks["verify"] = self.verify()
        checks["tests"] = self.app_check(
            self.migrated, migrated=not nothing, baseline=checks["baseline"]
        )
        checks["production"] = Check(SKIP, "nothing migrated") if nothing else self.production()
        checks["idempotent"] = self.idempotent()
        return outcome

    def refused(self, preview: Done) -> Check:
        if preview.returncode == 0:
            files = len(re.findall(r"^diff --git ", preview.stdout, re.MULTILINE))
            return Check(PASS, f"exit 0, {files} file(s) in the patch")
        lines = [line for line in preview.stderr.splitlines() if line.strip()]
        if preview.returncode == 2:
            message = next((line for line in lines if line.startswith("error:")), None) or next(
                (line for line in lines if "error" in line.lower()), None
            )
            return Check(REFUSED, (message or preview.last_line()).strip()[:300])
        if preview.returncode == 1 and any("Migration incomplete" in line for line in lines):
            # flaskmod stops short of a factory and says why (the lines after the verdict)
            verdict = next(i for i, line in enumerate(lines) if "Migration incomplete" in line)
            reason = lines[verdict + 1 :]
            return Check(
                REFUSED, ("incomplete: " + " ".join(r.strip() for r in reason[:1])).strip()[:300]
            )
        return Check(FAIL, f"exit {preview.returncode}: {preview.last_line()}")

    def patch(self, preview: Done, patch_file: Path) -> Check:
        if preview.returncode != 0:
            return Check(SKIP, "no preview")
        if not preview.stdout.strip():
            return Check(SKIP, "empty patch: nothing to migrate")
        done = run(
            ["git", "apply", "--check", str(patch_file)], self.original, clean_env(), self.timeout
        )
        self.log("git-apply-check", done)
        if done.returncode == 0:
            return Check(PASS, "git apply --check: clean")
        return Check(FAIL, f"git apply --check: {done.last_line()}")

    def apply(self) -> Check:
        done = run(self.flaskmod_args("--apply"), self.migrated, app_env(self.app), self.timeout)
        self.log("apply", done)
        if done.returncode == 0:
            summary = re.findall(r"^Applied: .*$", done.stderr, re.MULTILINE)
            return Check(PASS, summary[-1] if summary else "exit 0")
        if "Traceback" in done.stderr:
            return Check(FAIL, f"crash (exit {done.returncode}): {done.last_line()}")
        return Check(FAIL, f"exit {done.returncode}: {done.last_line()}")

    def verify(self) -> Check:
        args = [
            str(self.flaskmod), "verify", ".", "--python", str(self.python), "--json",
            "--timeout", "120",
        ]  # fmt: skip
        if self.app.choose:
            args += ["--app", self.app.choose]
        done = run(args, self.migrated, app_env(self.app), self.timeout)
        self.log("verify", done)
        try:
            report = json.loads(done.stdout)
        except json.JSONDecodeError:
            report = None
        if done.returncode == 0:
            return Check(PASS, "equivalent", {"report": report})
        if isinstance(report, dict) and report.get("differences"):
            differences = [str(item) for item in report["differences"]]
            reason = f"{len(differences)} difference(s): " + "; ".join(differences[:3])
            return Check(FAIL, reason[:400], {"differences": differences})
        return Check(FAIL, f"exit {done.returncode}: {done.last_line()}")

    def app_check(self, tree: Path, migrated: bool, baseline: Check | None) -> Check:
        """The app's tests or scenario in `tree`; for the migrated tree, against the baseline."""
        if self.app.tests:
            return self.tests(tree, baseline)
        return self.scenario(tree, migrated)

    def tests(self, tree: Path, baseline: Check | None) -> Check:
        assert self.app.tests is not None and self.app.tests_pass is not None
        args = shlex.split(self.app.tests)
        if args and args[0] == "python":
            args[0] = str(self.python)
        done = run(args, tree, app_env(self.app), self.timeout)
        self.log("tests-" + ("baseline" if baseline is None else "migrated"), done)
        if done.timed_out:
            return Check(FAIL, f"tests timed out after {self.timeout:g} s")
        counts = parse_tests(done.stdout + "\n" + done.stderr)
        if counts is None:
            return Check(FAIL, f"no test summary (exit {done.returncode}): {done.last_line()}")
        detail: dict[str, object] = {"passed": counts.passed, "failed": counts.failed}
        expected = self.app.tests_pass
        ok = done.returncode == 0 and counts.failed == 0 and counts.passed >= expected
        if baseline is None:
            if counts.passed != expected:
                return Check(
                    FAIL,
                    f"manifest mismatch: tests_pass = {expected}, original: {counts.summary}",
                    detail,
                )
            return Check(PASS if ok else FAIL, counts.summary, detail)
        return Check(PASS if ok else FAIL, f"{counts.summary} (baseline {expected})", detail)

    def scenario(self, tree: Path, migrated: bool) -> Check:
        scenario = self.app.scenario_file
        assert scenario is not None
        requests = tomllib.loads(scenario.read_text(encoding="utf-8")).get("request", [])
        requests_file = self.work / "scenario.json"
        requests_file.write_text(json.dumps(requests))
        target = self.app.app
        extra: dict[str, str] = {}
        if migrated and (tree / "wsgi.py").is_file():
            target, extra = "wsgi:application", {"FLASK_CONFIG": "development"}
        args = [str(self.python), str(DRIVER), target, str(requests_file)]
        done = run(args, tree, app_env(self.app, extra), self.timeout)
        self.log("scenario-" + ("migrated" if migrated else "baseline"), done)
        try:
            report = json.loads(done.stdout.strip().splitlines()[-1])
        except (json.JSONDecodeError, IndexError):
            return Check(FAIL, f"driver: {done.last_line()}")
        if "error" in report:
            return Check(FAIL, f"{target} does not load: {report['error']}", report)
        bad = [r for r in report["results"] if r["problems"]]
        if bad:
            first = bad[0]
            reason = f"{len(bad)}/{len(report['results'])} request(s) fail; {first['request']}: "
            return Check(FAIL, reason + "; ".join(first["problems"]), report)
        return Check(PASS, f"{len(report['results'])} request(s) as expected ({target})")

    def production(self) -> Check:
        example = self.migrated / ".env.example"
        if not (self.migrated / "wsgi.py").is_file():
            return Check(FAIL, "no wsgi.py after the migration")
        names = []
        if example.is_file():
            for line in example.read_text().splitlines():
                match = re.match(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=", line)
                if match and match.group(1) != "FLASK_CONFIG":
                    names.append(match.group(1))
        values = {name: random_value(name) for name in names}
        args = [str(self.python), str(PRODUCTION), *names]
        base = {"FLASK_CONFIG": "production"}
        done = run(args, self.migrated, app_env(self.app, {**base, **values}), self.timeout)
        self.log("production-set", done)
        try:
            report = json.loads(done.stdout.strip().splitlines()[-1])
        except (json.JSONDecodeError, IndexError):
            return Check(FAIL, f"production check: {done.last_line()}")
        if not report["imported"]:
            return Check(FAIL, f"wsgi does not import in production: {report['error']}", report)
        wrong = [name for name, same in report["config"].items() if not same]
        if wrong:
            return Check(FAIL, f"config ignores the environment for {', '.join(wrong)}", report)
        if report["debug"]:
            return Check(FAIL, "DEBUG is on in production", report)
        if not names:
            return Check(PASS, "imports, DEBUG off; no secrets in .env.example")
        unset_env = app_env(self.app, base)
        for name in names:
            unset_env.pop(name, None)
        done = run(args, self.migrated, unset_env, self.timeout)
        self.log("production-unset", done)
        try:
            refused = json.loads(done.stdout.strip().splitlines()[-1])
        except (json.JSONDecodeError, IndexError):
            return Check(FAIL, f"production check (unset): {done.last_line()}")
        if refused["imported"]:
            return Check(FAIL, f"starts without {', '.join(names)} set", refused)
        checked = ", ".join(report["config"]) or "no config keys"
        return Check(PASS, f"{checked} from the environment; refuses without them", report)

    def idempotent(self) -> Check:
        done = run(self.flaskmod_args("--check"), self.migrated, app_env(self.app), self.timeout)
        self.log("check", done)
        if done.returncode == 0:
            return Check(PASS, "--check: nothing to do")
        if done.returncode == 1:
            plan = [
                line.strip()
                for line in done.stderr.splitlines()
                if re.match(r"^\s+\d+\. [\w-]+: (?!nothing to do)", line)
            ]
            return Check(FAIL, "second run would change: " + "; ".join(plan)[:300])
        return Check(FAIL, f"--check exit {done.returncode}: {done.last_line()}")


def random_value(name: str) -> str:
    """A fresh value the app can still start with (URLs stay URLs)."""
    token = secrets.token_hex(12)
    if name.endswith(("_URL", "_URI")):
        return f"sqlite:////tmp/corpus-{token}.db"
    return f"corpus-{token}"


def run_one(
    app: App, flaskmod: Path, stacks: Stacks, timeout: float, tell_version: bool = True
) -> Outcome:
    try:
        return AppRun(app, flaskmod, stacks, timeout, tell_version).execute()
    except Exception as error:  # one app never stops the others
        outcome = Outcome(app.name, app.layout, 0, app.stack, app.check_kind)
        outcome.checks["baseline"] = Check(FAIL, f"runner error: {type(error).__name__}: {error}")
        return outcome


# --- report -------------------------------------------------------------------------------


def flaskmod_commit(flaskmod: Path) -> str:
    """`git rev-parse HEAD` of the checkout the measured flaskmod was installed from."""
    shebang = flaskmod.read_text(errors="replace").splitlines()[0].removeprefix("#!").strip()
    done = run(
        [shebang, "-c", "import flaskmod; print(flaskmod.__file__)"], CORPUS, clean_env(), 60
    )
    package = Path(done.stdout.strip()).parent if done.returncode == 0 else CORPUS
    top = run(["git", "rev-parse", "--show-toplevel"], package, clean_env(), 60).stdout.strip()
    where = Path(top) if top else package
    head = run(["git", "rev-parse", "HEAD"], where, clean_env(), 60).stdout.strip()
    engine_paths = ["--", "src", "codemods", "pyproject.toml"]
    engine = run(
        ["git", "log", "-1", "--format=%H", *engine_paths], where, clean_env(), 60
    ).stdout.strip()
    dirty = run(["git", "status", "--porcelain", *engine_paths], where, clean_env(), 60)
    text = f"`{head or 'unknown'}`"
    if engine and engine != head:
        text += f" (its engine, src/ codemods/ pyproject.toml, last changed in `{engine}`)"
    return text + (" with uncommitted engine changes" if dirty.stdout.strip() else "")


def cell(outcome: Outcome, name: str) -> str:
    check = outcome.checks.get(name)
    return check.status if check else "-"


def table(outcomes: list[Outcome]) -> list[str]:
    header = ["app", "layout", "lines", "stack", "baseline", *CHECKS]
    rows = [header, ["---"] * len(header)]
    for outcome in outcomes:
        rows.append(
            [
                outcome.name,
                outcome.layout,
                str(outcome.lines),
                outcome.stack,
                cell(outcome, "baseline"),
                *[
                    cell(outcome, name)
                    + ("*" if name == "tests" and outcome.kind == "scenario" else "")
                    for name in CHECKS
                ],
            ]
        )
    return ["| " + " | ".join(row) + " |" for row in rows]


def summary_line(outcomes: list[Outcome]) -> str:
    return f"{sum(o.passed for o in outcomes)}/{len(outcomes)} apps pass every check"


def counts(outcomes: list[Outcome]) -> list[str]:
    total = len(outcomes)
    lines = []
    for name in ("baseline", *CHECKS):
        passed = sum(cell(o, name) == PASS for o in outcomes)
        refused = sum(cell(o, name) == REFUSED for o in outcomes)
        skipped = sum(cell(o, name) == SKIP for o in outcomes)
        extra = f", {refused} refused" if refused else ""
        extra += f", {skipped} skipped" if skipped else ""
        lines.append(f"- `{name}`: {passed}/{total}{extra}")
    return lines


def first_failure(outcome: Outcome) -> tuple[str, Check] | None:
    for name in ("baseline", *CHECKS):
        check = outcome.checks.get(name)
        if check and check.status in (FAIL, REFUSED):
            return name, check
    return None


def write_results(
    outcomes: list[Outcome], commit: str, path: Path, when: dt.datetime | None = None
) -> None:
    date = (when or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Corpus results",
        "",
        f"flaskmod commit: {commit}  ",
        f"date: {date}  ",
        "generated by `python corpus/run.py` (see corpus/README.md for what each check means)",
        "",
        *table(outcomes),
        "",
        "`tests` marked `*` ran the app's scenario (corpus/scenarios/) instead of its own tests.",
        "",
        "## Per check",
        "",
        *counts(outcomes),
        "",
        "## Failures",
        "",
    ]
    for outcome in outcomes:
        found = first_failure(outcome)
        if found:
            name, check = found
            reason = check.reason.replace("|", "\\|")
            lines.append(f"- **{outcome.name}** `{name}` {check.status}: {reason}")
    lines += ["", summary_line(outcomes), ""]
    path.write_text("\n".join(lines))


def load_outcomes(path: Path) -> list[Outcome]:
    """Outcomes from a file written by --json."""
    outcomes = []
    for raw in json.loads(path.read_text()):
        checks = {name: Check(**check) for name, check in raw.pop("checks").items()}
        outcomes.append(Outcome(**raw, checks=checks))
    return outcomes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help="apps (default: all)")
    parser.add_argument("--jobs", type=int, default=2, help="apps run at once (default 2)")
    parser.add_argument(
        "--flaskmod",
        type=Path,
        default=Path(sys.executable).parent / "flaskmod",
        help="flaskmod executable to measure (default: the one next to this Python)",
    )
    parser.add_argument("--timeout", type=float, default=300, help="seconds per subprocess")
    parser.add_argument("--json", type=Path, help="write the raw per-app results here")
    parser.add_argument(
        "--results", type=Path, default=None, help="write the table here (default: RESULTS.md "
        "when the whole corpus ran, else nothing)",
    )  # fmt: skip
    parser.add_argument(
        "--detect-flask",
        action="store_true",
        help="do not pass --flask-version: flaskmod reads it from the project, as by default",
    )
    parser.add_argument(
        "--stacks-only", action="store_true", help="build the stacks of the apps, then stop"
    )
    parser.add_argument(
        "--report-from",
        type=Path,
        metavar="JSON",
        help="rewrite RESULTS.md (or --results) from a saved --json file; run nothing",
    )
    args = parser.parse_args(argv)
    if args.report_from:
        outcomes = load_outcomes(args.report_from)
        when = dt.datetime.fromtimestamp(args.report_from.stat().st_mtime, dt.UTC)
        commit = flaskmod_commit(args.flaskmod.resolve())
        write_results(outcomes, commit, args.results or RESULTS, when)
        print(summary_line(outcomes))
        return 0
    try:
        apps = select(load(), args.names)
    except ManifestError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    flaskmod = args.flaskmod.resolve()
    if not flaskmod.is_file():
        print(f"error: no flaskmod at {flaskmod} (--flaskmod)", file=sys.stderr)
        return 2
    WORK.mkdir(exist_ok=True)
    stacks = Stacks(max(args.timeout, 900))
    if args.stacks_only:
        firsts = list({app.stack: app for app in apps}.values())
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            errors = [error for error in pool.map(stacks.ensure, firsts) if error]
        for error in errors:
            print(error, file=sys.stderr)
        return 1 if errors else 0
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [
            pool.submit(run_one, app, flaskmod, stacks, args.timeout, not args.detect_flask)
            for app in apps
        ]
        outcomes = []
        for future in futures:
            outcome = future.result()
            outcomes.append(outcome)
            print(f"{outcome.name}: " + " ".join(
                f"{name}={cell(outcome, name)}" for name in ("baseline", *CHECKS)
            ), file=sys.stderr, flush=True)  # fmt: skip
    print("\n".join(table(outcomes)))
    print()
    print("\n".join(counts(outcomes)))
    results = args.results or (RESULTS if not args.names else None)
    if results:
        write_results(outcomes, flaskmod_commit(flaskmod), results)
    if args.json:
        args.json.write_text(json.dumps([asdict(o) for o in outcomes], indent=2, default=str))
    print(summary_line(outcomes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
