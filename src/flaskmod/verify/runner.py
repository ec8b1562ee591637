"""Running the apps: the interpreter, one environment, subprocesses with deadlines, the probe."""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from flaskmod.analysis import Layout, analyze
from flaskmod.errors import FlaskmodError, Location
from flaskmod.project import scan
from flaskmod.verify.model import Description, Interpreter, LoadError, Target

PROBE = Path(__file__).resolve().parent.parent / "probe.py"
TRACEBACK_LINES = 5


def choose_interpreter(
    project: Path, explicit: Path | None, also: Sequence[Path] = ()
) -> Interpreter:
    """The project's own Python where there is one: flaskmod's may lack the app's packages.

    `also`: folders to look in after `project` (the original tree, for a migrated copy that
    lives in a temporary folder).
    """
    if explicit is not None:
        found = shutil.which(str(explicit))
        if found is None:
            raise FlaskmodError("no such Python interpreter", Location(str(explicit)))
        return Interpreter(os.path.abspath(found), "--python")
    binary = Path("Scripts", "python.exe") if os.name == "nt" else Path("bin", "python")
    for root in (project, *also):
        for folder in (".venv", "venv"):
            candidate = root / folder / binary
            if candidate.is_file():
                # absolute, not resolved: a venv's python finds its packages through its own path
                return Interpreter(str(candidate.absolute()), f"the project's {folder}/")
    return Interpreter(
        sys.executable, "flaskmod's own interpreter: no --python, no .venv/ or venv/ in PATH"
    )


def environment(interpreter: Interpreter) -> dict[str, str]:
    """One environment for both sides; the interpreter's folder first so `pytest` is its own."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    env["PATH"] = os.pathsep.join([os.path.dirname(interpreter.path), env.get("PATH", "")])
    return env


def run(
    command: Sequence[str], cwd: Path, env: Mapping[str, str], timeout: float
) -> subprocess.CompletedProcess[str]:
    """Run with a deadline; on expiry kill the whole process group (a reloader's child too)."""
    with subprocess.Popen(
        list(command),
        cwd=cwd,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
        start_new_session=os.name == "posix",
    ) as process:
        try:
            out, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill(process)
            process.communicate()
            raise
        return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def _kill(process: subprocess.Popen[str]) -> None:
    if os.name == "posix":
        try:
            os.killpg(process.pid, signal.SIGKILL)
            return
        except ProcessLookupError:
            pass
    process.kill()


def tail(output: str) -> str:
    """The last lines of a traceback or a test run, indented under the message."""
    lines = [line for line in output.splitlines() if line.strip()]
    return "\n".join(f"  {line}" for line in lines[-TRACEBACK_LINES:]) or "  (no output)"


def target(label: str, root: Path, where: str, config: str, choice: str | None = None) -> Target:
    """A factory is called with the config name; a global app is imported as it is. `choice`
    is `--app PATH[:NAME]` for a folder of several apps."""
    try:
        model = analyze(scan(root), choice)
    except FlaskmodError as error:
        raise FlaskmodError(f"no {label} app: {error}", Location(where)) from error
    if model.layout is Layout.FACTORY:
        return Target(label, root, where, f"{model.import_name}:create_app", config, model.layout)
    return Target(label, root, where, f"{model.import_name}:{model.app_name}", None, model.layout)


def invoke(
    interpreter: Interpreter,
    root: Path,
    arguments: Sequence[str],
    env: Mapping[str, str],
    timeout: float,
    failure: tuple[str, str],
) -> dict[str, Any]:
    """`probe.py ARGUMENTS` in `root`: its JSON, or a `LoadError` saying what went wrong.

    `failure` is (what was loaded, e.g. "the migrated app (app:create_app(...))", where).
    """
    what, where = failure
    try:
        done = run([interpreter.path, str(PROBE), *arguments], root, env, timeout)
    except subprocess.TimeoutExpired:
        raise LoadError(
            f"{what} did not load within {timeout:g} s; does it start a server at import?",
            Location(where),
        ) from None
    except OSError as error:
        raise FlaskmodError(f"cannot run {interpreter.path}: {error}") from error
    output = _json(done.stdout)
    if done.returncode == 0 and output is not None and "error" not in output:
        return output
    if output is not None and isinstance(output.get("error"), dict):
        raise _load_error(output["error"], interpreter, what, where)
    lines = tuple(line for line in done.stderr.splitlines() if line.strip())
    if done.returncode == 0:
        raise LoadError(f"{what}: the probe printed no description", Location(where), lines)
    message = f"{what} failed to import:\n{tail(done.stderr)}"
    raise LoadError(message, Location(where), lines[-TRACEBACK_LINES:])


def _json(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


NO_FLASK = "no Flask in {}: pass --python PATH to the project's interpreter"


def _load_error(
    error: Mapping[str, Any], interpreter: Interpreter, what: str, where: str
) -> LoadError:
    """The probe's own account of a failure (see probe.py's `_failure`)."""
    lines = tuple(str(line) for line in error.get("traceback") or ())[-TRACEBACK_LINES:]
    if error.get("kind") == "no-flask" or error.get("module") == "flask":
        return LoadError(NO_FLASK.format(interpreter.path), None, lines)
    if error.get("call"):
        label, _, _ = what.partition(" (")
        what = f"{label} ({error['call']})"
    message = f"{what} failed to import:\n{tail(chr(10).join(lines))}"
    if error.get("type") == "ModuleNotFoundError" and interpreter.source.startswith("flaskmod"):
        message += f"\n  ({interpreter.source}; pass --python PATH to the project's interpreter)"
    return LoadError(message, Location(where), lines)


@dataclass(frozen=True)
class Sampling:
    """How the probe GETs the routes: the folder where it saves whole bodies (None: it does
    not), and whether it makes one round only (a second sample of the original, see `recheck`)."""

    bodies: Path | None = None
    single_round: bool = False

    def arguments(self) -> list[str]:
        arguments = ["--responses"]
        if self.bodies is not None:
            arguments += ["--bodies", str(self.bodies)]
        return arguments + (["--single-round"] if self.single_round else [])


def probe(
    target: Target,
    interpreter: Interpreter,
    env: Mapping[str, str],
    timeout: float,
    salt: str,
    responses: Sampling | None = None,
) -> tuple[Any, Target]:
    """The app's description from `probe.py`, and the target saying how it was really called."""
    arguments = [target.spec, "--salt", salt]
    if target.config is not None:
        arguments += ["--config", target.config]
    if responses is not None:
        arguments += responses.arguments()
    failure = (f"the {target.label} app ({target.call})", target.where)
    description = invoke(interpreter, target.root, arguments, env, timeout, failure)
    description["config"] = normalise_config(description["config"], target.root)
    called = description.get("call")
    return description, replace(target, called=called if isinstance(called, str) else None)


def probe_again(
    target: Target, interpreter: Interpreter, env: Mapping[str, str], timeout: float, bodies: Path
) -> Description:
    """A second sample of an app's responses, from a fresh process started later than the
    first: one round of GETs, the whole bodies saved in `bodies` (see `recheck`)."""
    description: Description = probe(
        target, interpreter, env, timeout, "", Sampling(bodies, single_round=True)
    )[0]
    return description


def normalise_config(config: Mapping[str, str], root: Path) -> dict[str, str]:
    """Paths under each project's own folder and object addresses are not differences."""
    return {key: normalise(value, root) for key, value in config.items()}


def normalise(text: str, root: Path) -> str:
    """`root` (however spelled) → `<project>`, `at 0x7f3a…` → `at 0x…`."""
    variants = {str(root.absolute()), str(root.resolve())}
    variants |= {v.replace("\\", "\\\\") for v in variants}  # repr() doubles Windows separators
    for variant in sorted(variants, key=len, reverse=True):
        text = text.replace(variant, "<project>")
    return re.sub(r" at 0x[0-9a-fA-F]+", " at 0x…", text)


def probe_both(
    targets: tuple[Target, Target],
    interpreter: Interpreter,
    env: Mapping[str, str],
    timeout: float,
    responses: Sampling | None = None,
) -> tuple[tuple[Any, Target], tuple[Any, Target]]:
    """Both at once (each is a fresh interpreter); the original's failure is reported first.

    One random salt for both: masked secrets compare equal only when the secrets are equal, and
    the digests mean nothing after the run.
    """
    salt = secrets.token_hex(16)
    with ThreadPoolExecutor(max_workers=2) as pool:
        old, new = (
            pool.submit(probe, t, interpreter, env, timeout, salt, responses) for t in targets
        )
        return old.result(), new.result()
