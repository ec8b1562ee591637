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
from pathlib import Path
from typing import Any

from flaskmod.analysis import Layout, analyze
from flaskmod.errors import FlaskmodError, Location
from flaskmod.project import scan
from flaskmod.verify.model import Interpreter, Target

PROBE = Path(__file__).resolve().parent.parent / "probe.py"
TRACEBACK_LINES = 5


def choose_interpreter(project: Path, explicit: Path | None) -> Interpreter:
    """The project's own Python where there is one: flaskmod's may lack the app's packages."""
    if explicit is not None:
        found = shutil.which(str(explicit))
        if found is None:
            raise FlaskmodError("no such Python interpreter", Location(str(explicit)))
        return Interpreter(os.path.abspath(found), "--python")
    binary = Path("Scripts", "python.exe") if os.name == "nt" else Path("bin", "python")
    for folder in (".venv", "venv"):
        candidate = project / folder / binary
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


def target(label: str, root: Path, where: str, config: str) -> Target:
    """A factory is called with the config name; a global app is imported as it is."""
    try:
        model = analyze(scan(root))
    except FlaskmodError as error:
        raise FlaskmodError(f"no {label} app: {error}", Location(where)) from error
    if model.layout is Layout.FACTORY:
        return Target(label, root, where, f"{model.import_name}:create_app", config, model.layout)
    return Target(label, root, where, f"{model.import_name}:{model.app_name}", None, model.layout)


def probe(
    target: Target, interpreter: Interpreter, env: Mapping[str, str], timeout: float, salt: str
) -> Any:
    """The app's description from `probe.py`, or an error with the traceback's last lines."""
    command = [interpreter.path, str(PROBE), target.spec, "--salt", salt]
    if target.config is not None:
        command += ["--config", target.config]
    failure = f"the {target.label} app ({target.call})"
    try:
        done = run(command, target.root, env, timeout)
    except subprocess.TimeoutExpired:
        raise FlaskmodError(
            f"{failure} did not load within {timeout:g} s; does it start a server at import?",
            Location(target.where),
        ) from None
    except OSError as error:
        raise FlaskmodError(f"cannot run {interpreter.path}: {error}") from error
    if done.returncode != 0:
        raise FlaskmodError(
            f"{failure} failed to import:\n{tail(done.stderr)}", Location(target.where)
        )
    try:
        description = json.loads(done.stdout)
    except ValueError:
        message = f"{failure}: the probe printed no description"
        raise FlaskmodError(message, Location(target.where)) from None
    description["config"] = normalise_config(description["config"], target.root)
    return description


def normalise_config(config: Mapping[str, str], root: Path) -> dict[str, str]:
    """Paths under each project's own folder and object addresses are not differences."""
    variants = {str(root.absolute()), str(root.resolve())}
    variants |= {v.replace("\\", "\\\\") for v in variants}  # repr() doubles Windows separators
    out: dict[str, str] = {}
    for key, value in config.items():
        for variant in sorted(variants, key=len, reverse=True):
            value = value.replace(variant, "<project>")
        out[key] = re.sub(r" at 0x[0-9a-fA-F]+", " at 0x…", value)
    return out


def probe_both(
    targets: tuple[Target, Target], interpreter: Interpreter, env: Mapping[str, str], timeout: float
) -> tuple[Any, Any]:
    """Both at once (each is a fresh interpreter); the original's failure is reported first.

    One random salt for both: masked secrets compare equal only when the secrets are equal, and
    the digests mean nothing after the run.
    """
    salt = secrets.token_hex(16)
    with ThreadPoolExecutor(max_workers=2) as pool:
        old, new = (pool.submit(probe, t, interpreter, env, timeout, salt) for t in targets)
        return old.result(), new.result()
