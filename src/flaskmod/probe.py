"""Describe a Flask app as JSON: what a migration must preserve.

Run as a script in a subprocess, with the *target project's* interpreter and working directory, so
flaskmod never imports user code into its own process and does not need to be installed where the
app is. It uses only the standard library and Flask, and works from Flask 0.12 on.

    python probe.py app:app                      # a module-level app
    python probe.py app:create_app --config testing   # a factory, called with one argument
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import importlib
import io
import json
import os
import re
import sys
from contextlib import redirect_stdout
from typing import Any

SECRET = re.compile(r"SECRET|PASSWORD|PASSWD|TOKEN|API_KEY|PRIVATE_KEY")
URL_PASSWORD = re.compile(r"(://[^:/@\s]*:)[^/@\s]+@")  # postgresql://user:password@host/db


def load(spec: str, config: str | None) -> Any:
    module_name, _, attribute = spec.partition(":")
    module = importlib.import_module(module_name)
    target = getattr(module, attribute or "app")
    if config is not None:
        return target(config)
    return target


def _name(function: Any) -> str:
    return str(getattr(function, "__name__", type(function).__name__))


def _handlers(app: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    for scope, by_code in app.error_handler_spec.items():
        for code, by_class in by_code.items():
            for cls, handler in by_class.items():
                key = str(code) if code is not None else cls.__name__
                out[key if scope is None else f"{scope}:{key}"] = _name(handler)
    return out


def _hooks(registry: Any) -> dict[str, list[str]]:
    return {
        str(scope): sorted(_name(f) for f in funcs) for scope, funcs in registry.items() if funcs
    }


def _names(funcs: Any) -> list[str]:
    return sorted(_name(f) for f in funcs or ())


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
    extension = app.extensions.get("sqlalchemy")
    if extension is None:
        return
    db = getattr(extension, "db", extension)  # Flask-SQLAlchemy 2 keeps a state object
    with app.app_context():
        db.create_all()


def _responses(app: Any) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    app.config["PROPAGATE_EXCEPTIONS"] = False  # both apps answer errors the same way
    client = app.test_client()
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.arguments or "GET" not in (rule.methods or ()) or rule.endpoint == "static":
            continue
        response = client.get(rule.rule)
        body = response.get_data()
        out[rule.rule] = {
            "status": response.status_code,
            "location": response.headers.get("Location"),
            "sha256": hashlib.sha256(body).hexdigest(),
            "body": body[:300].decode("utf-8", "replace"),
        }
    return out


def describe(app: Any, with_responses: bool, salt: str | None = None) -> dict[str, Any]:
    rules = [
        {
            "rule": rule.rule,
            "methods": sorted(rule.methods or ()),
            "endpoint": rule.endpoint,
            "defaults": {k: repr(v) for k, v in (rule.defaults or {}).items()},
            "strict_slashes": rule.strict_slashes,
        }
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))
    ]
    jinja = app.jinja_env
    result: dict[str, Any] = {
        "rules": rules,
        "error_handlers": _handlers(app),
        "before_request": _hooks(app.before_request_funcs),
        "after_request": _hooks(app.after_request_funcs),
        "teardown_request": _hooks(app.teardown_request_funcs),
        "teardown_appcontext": _names(app.teardown_appcontext_funcs),
        # Removed in Flask 2.3; an app relying on it must keep it.
        "before_first_request": _names(getattr(app, "before_first_request_funcs", ())),
        "context_processors": _hooks(app.template_context_processors),
        "template_filters": sorted(jinja.filters),
        "template_globals": sorted(jinja.globals),
        "template_tests": sorted(jinja.tests),
        "cli_commands": sorted(getattr(app.cli, "commands", {})),
        "blueprints": sorted(app.blueprints),
        "config": {key: _mask(key, value, salt) for key, value in sorted(app.config.items())},
    }
    if with_responses:
        _create_tables(app)
        result["responses"] = _responses(app)
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


def _import_from_cwd_only() -> None:
    """Put the project first and drop this file's folder: flaskmod's own modules (`cli`,
    `errors`, `report`, ...) must not shadow the user's top-level modules of the same name."""
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
    sys.path.insert(0, ".")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("spec", help="module:attribute of the app, or of the factory")
    parser.add_argument("--config", help="call the factory with this config name")
    parser.add_argument("--responses", action="store_true", help="GET every parameterless rule")
    parser.add_argument("--salt", help="key for the digests appended to masked secrets")
    parser.add_argument("--templates", action="store_true", help="render every app template")
    args = parser.parse_args(argv)
    _import_from_cwd_only()
    noise = io.StringIO()
    with redirect_stdout(noise):  # an app printing at import must not corrupt the JSON
        app = load(args.spec, args.config)
        description = describe(app, args.responses, args.salt)
        if args.templates:
            description["templates"] = _templates(app)
    json.dump(description, sys.stdout, indent=1, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
