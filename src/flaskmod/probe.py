"""Describe a Flask app as JSON: what a migration must preserve.

Run as a script in a subprocess, with the *target project's* interpreter and working directory, so
flaskmod never imports user code into its own process and does not need to be installed where the
app is. It uses only the standard library and Flask, and runs on Python 3.7+ with every Flask from
0.10 to 3.x: whatever differs between versions is read with a default.

    python probe.py app:app                           # a module-level app
    python probe.py app:create_app --config testing   # a factory (see `factory_arguments`)
    python probe.py wsgi:application,app --environ SECRET_KEY,DATABASE_URL   # production check
    python probe.py app:app --responses --bodies DIR --single-round   # a second sample

Exit 0 with the description on stdout; exit 3 with {"error": {...}} on stdout when the app cannot
be loaded or described (the exception, its traceback's last lines, and what was called); kind
"no-flask" when the interpreter has no Flask at all.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import importlib
import importlib.util
import inspect
import io
import json
import os
import re
import sys
import time
import traceback
from contextlib import redirect_stdout
from typing import Any

SECRET = re.compile(r"SECRET|PASSWORD|PASSWD|TOKEN|API_KEY|PRIVATE_KEY")
URL_PASSWORD = re.compile(r"(://[^:/@\s]*:)[^/@\s]+@")  # postgresql://user:password@host/db
#: a factory's first parameter with one of these names takes the config name
CONFIG_PARAMETERS = frozenset(
    {
        "config_name",
        "configname",
        "config",
        "cfg",
        "conf",
        "env",
        "env_name",
        "environment",
        "name",
        "mode",
        "stage",
        "profile",
    }
)
BODY_CHARACTERS = 2000
#: bodies larger than this are not saved whole (`--bodies`)
SAVED_BODY_BYTES = 4 * 1024 * 1024
TRACEBACK_LINES = 8
EXIT_ERROR = 3


class ProbeError(Exception):
    """A failure the probe explains itself (`kind`), not an exception from the app."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


# ------------------------------------------------------------------------------ loading
def factory_arguments(factory: Any, config: str) -> tuple[list[Any], dict[str, Any]]:
    """How to call a factory with a config name, if it takes one.

    The name is passed when the first parameter is named like a config name (`config_name`,
    `env`, ...), has a string default, or is required (there is no other way to call it);
    otherwise (`create_app(test_config=None)`, Flask's tutorial) the factory is called bare.
    """
    try:
        parameters = list(inspect.signature(factory).parameters.values())
    except (TypeError, ValueError):  # no signature to read: assume the convention
        return [config], {}
    variadic = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    named = [p for p in parameters if p.kind not in variadic]
    if not named:
        return [], {}
    first = named[0]
    required = first.default is inspect.Parameter.empty
    if not (required or first.name.lower() in CONFIG_PARAMETERS or isinstance(first.default, str)):
        return [], {}
    if first.kind is inspect.Parameter.KEYWORD_ONLY:
        return [], {first.name: config}
    return [config], {}


def _call_text(name: str, args: list[Any], kwargs: dict[str, Any]) -> str:
    shown = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()]
    return "{}({})".format(name, ", ".join(shown))


def resolve(spec: str, config: str | None) -> tuple[Any, Any, str]:
    """What to load and how it will be called: (object, (args, kwargs) or None, shown call).

    `module:a,b` takes the first attribute that exists; with a config name it is a factory.
    """
    module_name, _, attributes = spec.partition(":")
    module = importlib.import_module(module_name)
    names = [a for a in (attributes or "app").split(",") if a]
    attribute = next((a for a in names if hasattr(module, a)), names[0])
    target = getattr(module, attribute)
    shown = f"{module_name}:{attribute}"
    if config is None:
        return target, None, shown
    args, kwargs = factory_arguments(target, config)
    return target, (args, kwargs), _call_text(shown, args, kwargs)


def load(spec: str, config: str | None, state: dict[str, Any] | None = None) -> Any:
    """The app; `state["call"]` says how it was obtained, also when the factory raises."""
    target, arguments, shown = resolve(spec, config)
    if state is not None:
        state["call"] = shown
    if arguments is None:
        return target
    args, kwargs = arguments
    return target(*args, **kwargs)


# ------------------------------------------------------------------------------ describing
def _name(function: Any) -> str:
    return str(getattr(function, "__name__", type(function).__name__))


def _handler_entries(entry: Any) -> list[tuple[Any, Any]]:
    """(exception class or None, handler) from one code's entry, in every Flask's shape:
    {class: handler} (0.11+), a bare handler (0.10, by code), [(class, handler)] (0.10, None)."""
    if isinstance(entry, dict):
        return list(entry.items())
    if isinstance(entry, (list, tuple)):
        return [tuple(pair) for pair in entry if isinstance(pair, (list, tuple)) and len(pair) == 2]
    return [(None, entry)] if callable(entry) else []


def _handlers(app: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    for scope, by_code in (getattr(app, "error_handler_spec", None) or {}).items():
        for code, entry in (by_code or {}).items():
            for cls, handler in _handler_entries(entry):
                key = str(code) if code is not None else _name(cls)
                out[key if scope is None else f"{scope}:{key}"] = _name(handler)
    return out


def _hooks(app: Any, attribute: str) -> dict[str, list[str]]:
    registry = getattr(app, attribute, None) or {}
    return {
        str(scope): sorted(_name(f) for f in funcs) for scope, funcs in registry.items() if funcs
    }


def _names(app: Any, attribute: str) -> list[str]:
    return sorted(_name(f) for f in getattr(app, attribute, None) or ())


def _repr(value: Any) -> str:
    """repr() with set elements sorted: their order changes from one process to the next."""
    kind = type(value)
    if kind in (set, frozenset):
        items = ", ".join(sorted(_repr(v) for v in value))
        if kind is set:
            return "{" + items + "}" if items else "set()"
        return "frozenset({" + items + "})" if items else "frozenset()"
    if kind is dict:
        return "{" + ", ".join(_repr(k) + ": " + _repr(v) for k, v in value.items()) + "}"
    if kind is list:
        return "[" + ", ".join(_repr(v) for v in value) + "]"
    if kind is tuple:
        return "(" + ", ".join(_repr(v) for v in value) + (",)" if len(value) == 1 else ")")
    return repr(value)


def _mask(key: str, value: Any, salt: str | None = None) -> str:
    """The value's repr with secrets hidden; with a salt, a keyed digest of the whole value lets
    two probes of one run tell whether their secrets are equal without showing them."""
    try:
        text = _repr(value)
    except RecursionError:  # a value that contains itself
        text = repr(value)
    if SECRET.search(key) and isinstance(value, str):
        masked = repr(value[: min(4, len(value) // 4)] + "****")
    else:
        masked = URL_PASSWORD.sub(r"\1****@", text)
    if salt and masked != text:
        digest = hmac.new(salt.encode(), text.encode(), hashlib.sha256).hexdigest()
        masked += " #" + digest[:8]
    return masked


def _create_tables(app: Any) -> None:
    extension = (getattr(app, "extensions", None) or {}).get("sqlalchemy")
    if extension is None:
        return
    db = getattr(extension, "db", extension)  # Flask-SQLAlchemy 2 keeps a state object
    with app.app_context():
        db.create_all()


def _get(app: Any, path: str, bodies: str | None = None) -> dict[str, Any]:
    """One GET with a fresh client (no cookies from earlier requests)."""
    response = app.test_client().get(path)
    body = _canonical(_without_root(response.get_data()), response.mimetype or "")
    digest = hashlib.sha256(body).hexdigest()
    if bodies is not None:
        _save_body(body, digest, bodies)
    return {
        "status": response.status_code,
        "location": response.headers.get("Location"),
        "sha256": digest,
        "body": body[:BODY_CHARACTERS].decode("utf-8", "replace"),
    }


def _save_body(body: bytes, digest: str, folder: str) -> None:
    """The whole body as `folder/<sha256>`: the JSON keeps only its start, and a difference
    further on can be told from a value fixed per process only by reading all of it. Both
    apps may save the same body at once: written aside, then renamed."""
    path = os.path.join(folder, digest)
    if len(body) > SAVED_BODY_BYTES or os.path.exists(path):
        return
    partial = f"{path}.{os.getpid()}.part"
    with open(partial, "wb") as handle:
        handle.write(body)
    os.replace(partial, path)


def _canonical(body: bytes, mimetype: str) -> bytes:
    """A JSON body by its content, keys sorted: an object's key order may follow a set's
    iteration order (Flask-RESTX lists a resource's methods from one), which differs between
    two processes without meaning anything. Lists keep their order."""
    if "json" not in mimetype:
        return body
    try:
        return json.dumps(
            json.loads(body.decode("utf-8")), sort_keys=True, separators=(",", ":")
        ).encode()
    except ValueError:  # not JSON after all (UnicodeDecodeError is one)
        return body


def _without_root(body: bytes) -> bytes:
    """The project's folder (the working directory) as `<project>`: two copies of a project
    answering with their own paths answer the same."""
    roots = {os.getcwd(), os.path.realpath(os.getcwd())}
    for root in sorted(roots, key=len, reverse=True):
        body = body.replace(root.encode(), b"<project>")
    return body


#: seconds between the two rounds of GETs: a body stamped with the time to the second (a gzip
#: header, a date in a form) must differ between them to be seen as unstable
ROUND_GAP = 1.05


def _responses(
    app: Any, bodies: str | None = None, single_round: bool = False
) -> dict[str, dict[str, Any]]:
    """Each parameterless GET, in two rounds a second apart: `stable` says whether the body can
    be compared at all (a CSRF token, a timestamp or a counter differs from one to the next).

    `single_round`: the first round only, for a second sample of an app from a fresh process
    (a value fixed at import differs between processes, not between rounds); its stability
    was measured by the first probe. `bodies`: the folder where the first round's whole
    bodies are saved (see `_save_body`)."""
    app.config["PROPAGATE_EXCEPTIONS"] = False  # both apps answer errors the same way
    rules = [
        rule.rule
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule)
        if not rule.arguments and "GET" in (rule.methods or ()) and rule.endpoint != "static"
    ]
    first = {rule: _get(app, rule, bodies) for rule in rules}
    if single_round:
        return first
    if rules:
        time.sleep(ROUND_GAP)
    for rule in rules:
        first[rule]["stable"] = first[rule] == _get(app, rule)
    return first


def _rules(app: Any) -> list[dict[str, Any]]:
    return [
        {
            "rule": rule.rule,
            "methods": sorted(rule.methods or ()),
            "endpoint": rule.endpoint,
            "defaults": {k: repr(v) for k, v in (rule.defaults or {}).items()},
            "strict_slashes": rule.strict_slashes,
        }
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))
    ]


def _registrations(app: Any) -> dict[str, Any]:
    """What each Flask version keeps: anything missing from an old one reads as empty."""
    jinja = app.jinja_env
    return {
        "error_handlers": _handlers(app),
        "before_request": _hooks(app, "before_request_funcs"),
        "after_request": _hooks(app, "after_request_funcs"),
        "teardown_request": _hooks(app, "teardown_request_funcs"),
        "teardown_appcontext": _names(app, "teardown_appcontext_funcs"),  # Flask 0.9+
        # Removed in Flask 2.3; an app relying on it must keep it.
        "before_first_request": _names(app, "before_first_request_funcs"),
        "context_processors": _hooks(app, "template_context_processors"),
        "url_value_preprocessors": _hooks(app, "url_value_preprocessors"),
        "url_default_functions": _hooks(app, "url_default_functions"),
        "shell_context_processors": _names(app, "shell_context_processors"),  # Flask 0.11+
        "template_filters": sorted(getattr(jinja, "filters", None) or {}),
        "template_globals": sorted(getattr(jinja, "globals", None) or {}),
        "template_tests": sorted(getattr(jinja, "tests", None) or {}),
        "cli_commands": sorted(getattr(getattr(app, "cli", None), "commands", None) or {}),
        "blueprints": sorted(getattr(app, "blueprints", None) or {}),
    }


def describe(
    app: Any,
    with_responses: bool,
    salt: str | None = None,
    bodies: str | None = None,
    single_round: bool = False,
) -> dict[str, Any]:
    result: dict[str, Any] = {"rules": _rules(app), **_registrations(app)}
    result["config"] = {key: _mask(key, value, salt) for key, value in sorted(app.config.items())}
    if with_responses:
        _create_tables(app)
        result["responses"] = _responses(app, bodies, single_round)
    return result


def _templates(app: Any) -> dict[str, str]:
    """Each of the app's own templates rendered with no context: its output digest, or the error.

    Undefined variables fail the same way before and after a migration; a broken `url_for`
    (an endpoint that lost its prefix) fails differently, and so does a moved template folder.
    """
    out: dict[str, str] = {}
    loader = app.jinja_loader
    if loader is None:
        return out
    with app.test_request_context("/"):
        for name in sorted(loader.list_templates()):
            try:
                body = app.jinja_env.get_template(name).render()
            except Exception as error:  # the kind of failure is the observation
                out[name] = f"{type(error).__name__}: {error}"
            else:
                out[name] = hashlib.sha256(body.encode()).hexdigest()
    return out


def environ_report(app: Any, names: list[str]) -> dict[str, Any]:
    """Which config keys hold each variable's value (compared here: values never leave)."""
    config = app.config
    found = {}
    for name in names:
        value = os.environ.get(name)
        found[name] = sorted(
            key for key in config if value is not None and str(config[key]) == value
        )
    return {"debug": bool(config.get("DEBUG")), "config_keys": sorted(config), "environ": found}


# ------------------------------------------------------------------------------ running
def _import_from_cwd_only() -> None:
    """Put the project first and drop this file's folder: flaskmod's own modules (`cli`,
    `errors`, `report`, ...) must not shadow the user's top-level modules of the same name."""
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
    sys.path.insert(0, ".")


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("spec", help="module:attribute of the app or factory (a,b: first found)")
    parser.add_argument("--config", help="config name for a factory that takes one")
    parser.add_argument("--responses", action="store_true", help="GET every parameterless rule")
    parser.add_argument("--salt", help="key for the digests appended to masked secrets")
    parser.add_argument("--bodies", help="folder where --responses saves each whole body")
    parser.add_argument(
        "--single-round", action="store_true", help="--responses: one round of GETs, no `stable`"
    )
    parser.add_argument("--templates", action="store_true", help="render every app template")
    parser.add_argument("--environ", help="comma-separated variables to find in app.config")
    return parser.parse_args(argv)


def _observe(args: argparse.Namespace, state: dict[str, Any]) -> dict[str, Any]:
    if importlib.util.find_spec("flask") is None:
        raise ProbeError("no-flask", "No module named 'flask'")
    app = load(args.spec, args.config, state)
    if args.environ is not None:
        return environ_report(app, [n for n in args.environ.split(",") if n])
    description = describe(app, args.responses, args.salt, args.bodies, args.single_round)
    if args.templates:
        description["templates"] = _templates(app)
    return description


def _failure(error: BaseException, state: dict[str, Any]) -> dict[str, Any]:
    lines = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    return {
        "kind": getattr(error, "kind", "exception"),
        "type": type(error).__name__,
        "message": str(error),
        "module": getattr(error, "name", None) if isinstance(error, ImportError) else None,
        "call": state.get("call"),
        "traceback": [line for line in lines.splitlines() if line.strip()][-TRACEBACK_LINES:],
    }


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    _import_from_cwd_only()
    state: dict[str, Any] = {}
    noise = io.StringIO()
    try:
        with redirect_stdout(noise):  # an app printing at import must not corrupt the JSON
            output = _observe(args, state)
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # SystemExit at import too: the app did not load
        traceback.print_exc()  # for whoever reads stderr, as if the probe had crashed
        json.dump({"error": _failure(error, state)}, sys.stdout, indent=1, sort_keys=True)
        return EXIT_ERROR
    output["call"] = state.get("call")
    json.dump(output, sys.stdout, indent=1, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
