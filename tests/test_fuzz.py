"""Property tests: random single-file Flask apps, composed from the idioms legacy apps use.

Each generated `app.py` imports (one line or parenthesised over several, dotted stdlib modules
such as `import xml.etree.ElementTree`), configures (every form `config-classes` reads: items,
attributes, and whole mappings, `update(dict(...))`, `update({...})`, `update(**{...})`,
`from_mapping(...)`, keywords, that mix values reading the app or calling a module function with
secrets written as str, bytes, concatenations, f-strings, module constants, or named outside the
secret pattern with a credential-looking value), binds known extensions with and without the
app, registers views (stacked decorators, `endpoint=`, methods, converters, multi-line decorator
arguments with trailing commas), hooks, error handlers, template filters, helpers, constants and
comments in random order and spacing. For each one:

- the whole pipeline runs without an unhandled exception and every produced module compiles;
- a second run changes nothing;
- (slower, in subprocesses) the migrated app has the same URL rules with the same methods, and
  each old endpoint is the last dotted part of the new one;
- (slower, in subprocesses) the migrated app is either refused with a reason (self-check,
  incomplete factory, a codemod that declined: counted) or, loaded as production would with
  fresh values for every variable of `.env.example`, holds them in `app.config` for each secret,
  runs with DEBUG off, and refuses to start without them.

`FLASKMOD_FUZZ_EXAMPLES=N` runs N examples in each test (long runs by hand); the defaults keep
the suite fast. The generator only writes input flaskmod accepts, so any unexpected
`FlaskmodError` is a failure too.
"""

from __future__ import annotations

import builtins
import json
import keyword
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flaskmod.analysis import Layout, analyze
from flaskmod.changeset import compute
from flaskmod.errors import BlockedError
from flaskmod.pipeline import Driver, discover, run
from flaskmod.project import Project, scan
from flaskmod.upgrade import Modes, whole_run
from flaskmod.verify import production
from flaskmod.verify.model import Interpreter, Status
from tests.e2e.test_fixtures import PROBE, _clean_env, endpoint_mapping

# Names the generated module binds itself; views and helpers must not shadow them.
IMPORTED = {
    "Flask",
    "render_template_string",
    "request",
    "url_for",
    "redirect",
    "jsonify",
    "abort",
    "os",
    "json",
}
EXTENSIONS = {
    # name: (import line, bound creation, unbound creation, needs the database URI)
    "db": ("from flask_sqlalchemy import SQLAlchemy", "SQLAlchemy(app)", "SQLAlchemy()", True),
    "login_manager": (
        "from flask_login import LoginManager",
        "LoginManager(app)",
        "LoginManager()",
        False,
    ),
    "csrf": ("from flask_wtf.csrf import CSRFProtect", "CSRFProtect(app)", "CSRFProtect()", False),
    "mail": ("from flask_mail import Mail", "Mail(app)", "Mail()", False),
    "bcrypt": ("from flask_bcrypt import Bcrypt", "Bcrypt(app)", "Bcrypt()", False),
    "cache": (
        "from flask_caching import Cache",
        'Cache(app, config={"CACHE_TYPE": "SimpleCache"})',
        'Cache(config={"CACHE_TYPE": "SimpleCache"})',
        False,
    ),
}
RESERVED = IMPORTED | set(EXTENSIONS) | {"app", "migrate", "basedir", "CORS", "Migrate"}
RESERVED |= {"build_value", "xml", "email", "urllib"}  # the settings' function, dotted imports
RESERVED |= {"basename", "dirname", "join"}  # from os.path import (...)
RESERVED |= {"wtforms", "flask_wtf", "views", "extra_view"}
RESERVED |= {line.split()[-1] for line, *_ in EXTENSIONS.values()}

# Names real apps use that collide with what the migration writes (modules, factory, blueprint).
TRICKY = ["main", "config", "routes", "bp", "create_app", "current_app", "get_config", "index"]
TRICKY += ["extensions", "settings", "views", "wsgi", "application", "home", "models", "Blueprint"]
identifiers = st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True).filter(
    lambda name: (
        not keyword.iskeyword(name)
        and not keyword.issoftkeyword(name)
        and not hasattr(builtins, name)
        and name not in RESERVED
    )
) | st.sampled_from(TRICKY)
FORMS = ["route", "route", "multiline", "get", "post", "spaced", "commented", "strict"]
FORMS += ["add_url_rule"]  # last: only for single-rule views
VARIABLES = ["id", "slug", "name", "page", "user_id", "post_id"]
segments = st.from_regex(r"[a-z][a-z0-9-]{0,6}", fullmatch=True)
converters = st.sampled_from(["", "int:", "string:", "path:"])
blank = st.sampled_from(["\n", "\n\n", "\n\n\n", "\n\n\n\n"])
comments = st.sampled_from(
    ["", "# A comment.\n", "# TODO: tidy up\n", "#no space comment\n", "# Ünïcödé comment\n"]
)


@dataclass
class View:
    name: str
    rules: list[tuple[str, list[str] | None, str]]  # rule, methods (None: default), form
    endpoint: str | None
    variables: list[str] = field(default_factory=list)

    @property
    def registered_as(self) -> str:
        return self.endpoint or self.name


@st.composite
def rules(draw: st.DrawFn, taken: set[str]) -> tuple[str, list[str]]:
    parts: list[str] = []
    variables: list[str] = []
    for _ in range(draw(st.integers(0, 3))):
        if draw(st.booleans()) and len(variables) < 2:
            variable = draw(st.sampled_from([v for v in VARIABLES if v not in variables]))
            variables.append(variable)
            parts.append(f"<{draw(converters)}{variable}>")
        else:
            parts.append(draw(segments))
    rule = "/" + "/".join(parts) + draw(st.sampled_from(["", "/"]) if parts else st.just(""))
    if rule in taken:
        rule = rule.rstrip("/") + "/" + draw(segments) + str(len(taken))
    taken.add(rule)
    return rule, variables


def _arguments(rule: str, methods: list[str] | None, form: str, endpoint: str | None) -> list[str]:
    args = [repr(rule) if form in ("get", "post") else f'"{rule}"']
    if methods is not None and form not in ("get", "post"):
        args.append(f"methods={methods!r}")
    if endpoint:
        args.append(f'endpoint="{endpoint}"')
    if form == "strict":
        args.append("strict_slashes=False")
    return args


def _decorator(rule: str, methods: list[str] | None, form: str, endpoint: str | None) -> str:
    args = _arguments(rule, methods, form, endpoint)
    call = f"app.{form}" if form in ("get", "post") else "app.route"
    if form == "multiline":
        inner = "".join(f"    {arg},\n" for arg in args)
        return f"@{call}(\n{inner})\n"
    if form == "spaced":
        return f"@{call}( {' , '.join(a.replace('=', ' = ', 1) for a in args)} )\n"
    if form == "commented":
        return f"@{call}({', '.join(args)})  # {rule}\n# between decorators\n"
    return f"@{call}({', '.join(args)})\n"


@st.composite
def views(draw: st.DrawFn, names: list[str], taken_rules: set[str]) -> list[View]:
    found: list[View] = []
    endpoints: set[str] = set()
    for name in names:
        endpoint = None
        if draw(st.integers(0, 4)) == 0:
            endpoint = f"{name}_{draw(st.sampled_from(['page', 'view', 'alias']))}"
            if endpoint in endpoints or endpoint in names:
                endpoint = None
        endpoints.add(endpoint or name)
        count = draw(st.sampled_from([1, 1, 1, 2]))
        view_rules = []
        variables: list[str] = []
        for _ in range(count):
            rule, found_variables = draw(rules(taken_rules))
            variables += [v for v in found_variables if v not in variables]
            form = draw(st.sampled_from(FORMS if count == 1 else FORMS[:-1]))
            methods = None
            if form not in ("get", "post") and draw(st.booleans()):
                methods = draw(
                    st.lists(
                        st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH"]),
                        min_size=1,
                        max_size=3,
                        unique=True,
                    )
                )
            view_rules.append((rule, methods, form))
        found.append(View(name, view_rules, endpoint, variables))
    return found


def _view_code(view: View, body: str, comment: str) -> str:
    params = "**kwargs" if len(view.rules) > 1 else ", ".join(view.variables)
    if view.rules[0][2] == "add_url_rule":
        rule, methods, _ = view.rules[0]
        args = [f'"{rule}"', f'"{view.endpoint}"' if view.endpoint else "None", view.name]
        if methods is not None:
            args.append(f"methods={methods!r}")
        registration = f"app.add_url_rule({', '.join(args)})\n"
        return f"{comment}def {view.name}({params}):\n    {body}\n\n\n{registration}"
    decorators = "".join(_decorator(r, m, f, view.endpoint) for r, m, f in view.rules)
    return f"{comment}{decorators}def {view.name}({params}):  # view\n    {body}\n"


HOOKS = [
    "@app.before_request\ndef {n}():\n    pass\n",
    "@app.after_request\ndef {n}(response):\n    return response\n",
    "@app.teardown_request\ndef {n}(exc):\n    pass\n",
    "@app.context_processor\ndef {n}():\n    return dict(site_name='x')\n",
    "@app.errorhandler(404)\ndef {n}(error):\n    return 'not found', 404\n",
    "@app.errorhandler(500)\ndef {n}(error):\n    return 'oops', 500\n",
    "@app.template_filter()\ndef {n}(value):\n    return str(value).upper()\n",
    '@app.template_filter("{n}_f")\ndef {n}(value):\n    return value\n',
    "@app.template_global()\ndef {n}():\n    return 42\n",
    "@app.template_test()\ndef {n}(value):\n    return bool(value)\n",
    '@app.cli.command("{n}")\ndef {n}():\n    """A command."""\n    print(LIMIT)\n',
    "@app.errorhandler(ValueError)\ndef {n}(error):\n    return str(error), 400\n",
]


# -------------------------------------------------------------------- settings
#: settings whose value reads the app or calls the module's own function: they cannot move to
#: config.py as written (issue 13: a whole mapping holding one was kept whole, secrets and all)
APP_READING = {
    "DATABASE": 'os.path.join(app.root_path, "x.db")',
    "UPLOAD_FOLDER": 'os.path.join(app.instance_path, "uploads")',
    "INSTANCE_DIR": "app.instance_path",
    "LOG_DIR": 'os.path.join(app.root_path, "logs")',
    "BUILT": "build_value()",
}
#: secrets by name, and two outside the name pattern that production must read all the same
SECRET_VALUES = {
    "SECRET_KEY": ["dev-key-a1", "development key", '_5#y2L"F4Q8z\n\xec]/'],
    "MAIL_PASSWORD": ["hunter2hunter2", "pw", "pa'ss\"w{0}rd\\", "ünïcödé-sécret"],
    "API_TOKEN": ["tok-en-dev", "t0k3n-4b7c", "{{token}}"],
    "STRIPE_KEY": ["sk_live_4eC39HqLyjWDarjtT1zdp7dc"],
    "PAYMENTS_KEY": ["q8Zr4Lm2Xw9Tn6Vb3Kc7Hy5J"],
}
BY_VALUE = {"STRIPE_KEY", "PAYMENTS_KEY"}  # secrets only by their value
SECRET_FORMS = ["str", "str", "bytes", "plus", "implicit", "fstring", "constant", "same-name"]
SECRET_FORMS += ["environ-default", "getenv-or"]  # read from the environment, a literal fallback
MAPPING_FORMS = ["dict-call", "dict", "star", "from_mapping", "keywords", "from_mapping-kw"]
PLAIN_VALUES = ['"text"', "42", "True", "False", "None", 'os.environ.get("X_VALUE", "d")']


@dataclass
class Settings:
    prelude: list[str]  # constants and functions the settings read, before the app exists
    lines: list[str]
    secrets: set[str]  # config keys production must read from the environment
    shared: bool = False  # PER_PAGE_DEFAULT, which views may read too


def _split(value: str) -> tuple[str, str]:
    cut = max(1, len(value) // 2)
    return value[:cut], value[cut:]


@st.composite
def secret_value(draw: st.DrawFn, key: str, prelude: list[str]) -> str:
    """One secret's value in one of the forms legacy apps write it."""
    value = draw(st.sampled_from(SECRET_VALUES[key]))
    forms = [f for f in SECRET_FORMS if key not in BY_VALUE or f != "fstring"]
    form = draw(st.sampled_from(forms))
    if form == "bytes":
        return repr(value.encode("latin-1"))  # the form Flask's own docs use
    if form in ("plus", "implicit"):
        first, second = _split(value)
        return f"{first!r} {'+ ' if form == 'plus' else ''}{second!r}"
    if form == "environ-default":
        return f'os.environ.get("{key}", {value!r})'
    if form == "getenv-or":
        return f'os.getenv("APP_{key}") or {value!r}'
    if form == "fstring":
        prelude.append('PREFIX = "dev"\n')
        return f'f"{{PREFIX}}-{key.lower()}"'
    if form in ("constant", "same-name"):
        name = key if form == "same-name" else f"_{key}_VALUE"
        prelude.append(f"{name} = {value!r}\n")
        return name
    return repr(value)


def _mapping(form: str, entries: list[tuple[str, str]], layout: str) -> str:
    """`app.config.update(...)` / `from_mapping(...)` of several settings in one statement."""
    keywords = [f"{key}={value}" for key, value in entries]
    items = [f'"{key}": {value}' for key, value in entries]
    parts, opening, closing = {
        "dict-call": (keywords, "update(dict(", "))"),
        "dict": (items, "update({", "})"),
        "star": (items, "update(**{", "})"),
        "from_mapping": (items, "from_mapping({", "})"),
        "keywords": (keywords, "update(", ")"),
        "from_mapping-kw": (keywords, "from_mapping(", ")"),
    }[form]
    if layout == "line":
        return f"app.config.{opening}{', '.join(parts)}{closing}\n"
    lines = [f"    {part},\n" for part in parts]
    if layout == "no-trailing-comma":
        lines[-1] = lines[-1].replace(",\n", "\n")
    elif layout == "comments":
        lines = [line.replace(",\n", f",  # {i}\n") for i, line in enumerate(lines)]
        lines.insert(len(lines) // 2, "    # between\n")
    return f"app.config.{opening}\n{''.join(lines)}{closing}\n"


@st.composite
def config_block(
    draw: st.DrawFn, needs_db: bool, dotted: list[str], from_path: bool = False
) -> Settings:
    """Every form `config-classes` reads: one setting a statement, and whole mappings that mix
    secrets (in every literal form) with values that read the app or call a module function."""
    prelude: list[str] = []
    entries: list[tuple[str, str]] = []
    keys = draw(st.lists(st.from_regex(r"[A-Z][A-Z_]{1,10}", fullmatch=True), max_size=3))
    if needs_db:
        keys = ["SQLALCHEMY_DATABASE_URI", *keys]
    keys = [k for k in keys if k not in SECRET_VALUES and k not in APP_READING]
    for key in dict.fromkeys(keys):
        value = (
            '"sqlite://"'
            if key == "SQLALCHEMY_DATABASE_URI"
            else draw(st.sampled_from(PLAIN_VALUES))
        )
        entries.append((key, value))
    for key in draw(st.lists(st.sampled_from(sorted(APP_READING)), unique=True, max_size=3)):
        entries.append((key, APP_READING[key]))
        if key == "BUILT":
            prelude.append('def build_value():\n    return "built"\n')
    if "urllib.parse" in dotted and draw(st.booleans()):
        entries.append(("QUOTED", 'urllib.parse.quote("a b")'))
    if from_path and draw(st.booleans()):
        entries.append(("LOG_FILE", 'join("logs", "x.log")'))
    shared = draw(st.booleans())  # a constant the settings and a view both read
    if shared:
        prelude.append("PER_PAGE_DEFAULT = 10\n")
        entries.append(("PER_PAGE", "PER_PAGE_DEFAULT"))
    secrets = draw(st.lists(st.sampled_from(sorted(SECRET_VALUES)), unique=True, max_size=3))
    for key in secrets:
        entries.append((key, draw(secret_value(key, prelude))))
    entries = draw(st.permutations(entries))

    lines: list[str] = []
    while entries:
        size = draw(st.integers(1, min(4, len(entries))))
        group, entries = entries[:size], entries[size:]
        if size == 1 and draw(st.booleans()):
            ((key, value),) = group
            form = draw(st.sampled_from(["item", "item1", "attribute"]))
            if form == "attribute" and key == "SECRET_KEY":
                lines.append(f"app.secret_key = {value}\n")
            elif form == "item1":
                lines.append(f"app.config['{key}'] = {value}\n")
            else:
                lines.append(f'app.config["{key}"] = {value}\n')
            continue
        form = draw(st.sampled_from(MAPPING_FORMS))
        layout = draw(st.sampled_from(["line", "line", "lines", "no-trailing-comma", "comments"]))
        lines.append(_mapping(form, group, layout))
    unset = "SECRET_KEY" not in secrets
    where = draw(st.sampled_from(["", "", "attribute", "module"])) if unset else ""
    if where == "attribute":
        secrets.append("SECRET_KEY")
        secret = draw(st.sampled_from(['"dev"', '"s3cr3t-key"']))
        lines.append(f"app.secret_key = {secret}\n")
    elif where == "module":  # `from_object(__name__)` loads every UPPERCASE name above it
        secrets.append("SECRET_KEY")
        secret = draw(st.sampled_from(['"development key"', "b'_5#y2L\"F4Q8z\\n\\xec]/'"]))
        prelude.append(f"SECRET_KEY = {secret}\n")
        if draw(st.booleans()):
            prelude.append("DEBUG = True\n")
        lines.append("app.config.from_object(__name__)\n")
    if draw(st.booleans()):
        lines.append(f"app.debug = {draw(st.sampled_from(['True', 'False']))}\n")
    lines = draw(st.permutations(lines))
    if len(lines) > 1 and draw(st.integers(0, 3)) == 0:  # two on one line
        first, second = lines[0], lines[1]
        if first.count("\n") == 1 and second.count("\n") == 1:
            lines[:2] = [first.rstrip("\n") + "; " + second]
    return Settings(list(dict.fromkeys(prelude)), lines, set(secrets), shared)


@dataclass
class Generated:
    source: str
    views: list[View]
    app_name: str = "app"
    secrets: set[str] = field(default_factory=set)
    #: other modules of the project: {path: source}
    others: dict[str, str] = field(default_factory=dict)


#: stdlib modules imported by their dotted name (`import xml.etree.ElementTree`), each with an
#: expression that reads it; a migration must never write `from app import xml.etree...`
DOTTED = {
    "xml.etree.ElementTree": 'xml.etree.ElementTree.fromstring("<a/>").tag',
    "email.mime.text": 'email.mime.text.MIMEText("x").get_content_type()',
    "urllib.parse": 'urllib.parse.quote("a b")',
    "os.path": 'os.path.basename("/a/b")',
    "xml.etree.ElementTree as ET": 'ET.fromstring("<b/>").tag',
}
FLASK_NAMES = sorted(IMPORTED - {"os", "json"})


@st.composite
def flask_import(draw: st.DrawFn) -> str:
    """`from flask import ...` on one line or in parentheses over several, in any order (the
    first names are often the ones that move to the views module), with trailing commas and
    comments as people leave them."""
    names = draw(st.permutations(FLASK_NAMES))
    layout = draw(st.sampled_from(["line", "line", "each", "each-no-comma", "packed", "comment"]))
    if layout == "line":
        return f"from flask import {', '.join(names)}\n"
    if layout == "packed":
        cut = draw(st.integers(1, len(names) - 1))
        first, rest = ", ".join(names[:cut]), ", ".join(names[cut:])
        return f"from flask import ({first},\n    {rest})\n"
    lines = [f"    {name},\n" for name in names]
    if layout == "each-no-comma":
        lines[-1] = f"    {names[-1]}\n"
    if layout == "comment":
        at = draw(st.integers(0, len(names) - 1))
        lines[at] = lines[at].replace(",\n", ",  # used here\n")
    return "from flask import (\n" + "".join(lines) + ")\n"


@st.composite
def flask_apps(draw: st.DrawFn) -> Generated:
    chosen = draw(st.lists(st.sampled_from(sorted(EXTENSIONS)), unique=True, max_size=3))
    names = draw(st.lists(identifiers, min_size=1, max_size=6, unique=True))
    view_names = names[: max(1, len(names) - draw(st.integers(0, 2)))]
    helper_names = names[len(view_names) :]
    hook_names = [f"{name}_hook" for name in draw(st.lists(identifiers, max_size=3, unique=True))]
    hook_names = [name for name in hook_names if name not in names]
    taken_rules: set[str] = set()
    all_views = draw(views(view_names, taken_rules))

    head = ['"""A legacy app."""\n'] if draw(st.booleans()) else []
    head.append("import os\n")
    dotted = draw(st.lists(st.sampled_from(sorted(DOTTED)), unique=True, max_size=3))
    head += [f"import {module}\n" for module in dotted]
    # names of one parenthesised import used by the settings, the views and a helper
    from_path = draw(st.booleans())
    if from_path:
        names = draw(st.permutations(["basename", "dirname", "join"]))
        head.append("from os.path import (\n" + "".join(f"    {n},\n" for n in names) + ")\n")
    head.append(draw(flask_import()))
    use_migrate = "db" in chosen and draw(st.booleans())
    use_cors = draw(st.booleans())
    for name in chosen:
        head.append(EXTENSIONS[name][0] + "\n")
    if use_migrate:
        head.append("from flask_migrate import Migrate\n")
    if use_cors:
        head.append("from flask_cors import CORS\n")
    use_models = "db" in chosen and draw(st.booleans())
    use_forms = draw(st.integers(0, 2)) == 0
    if use_forms:  # the field imports parenthesised: they go to forms.py, not the views
        head.append("from flask_wtf import FlaskForm\n")
        head.append("from wtforms import (\n    PasswordField,\n    StringField,\n)\n")
    head.append(draw(blank))
    head.append(draw(comments))
    head.append(
        draw(
            st.sampled_from(
                [
                    "app = Flask(__name__)\n",
                    "import flask\napp = flask.Flask(__name__)\n",
                    "from flask import Flask as F\napp = F(__name__)\n",
                    'app = Flask(__name__, static_folder="static")\n',
                ]
            )
        )
    )
    settings = draw(config_block("db" in chosen, dotted, from_path))
    head[-1:-1] = settings.prelude  # before the app: the settings read them
    # Some settings come after the extensions are bound (not the database URI they read).
    movable = [line for line in settings.lines if "SQLALCHEMY" not in line]
    late_settings = draw(st.lists(st.sampled_from(movable), unique=True)) if movable else []
    head += [line for line in settings.lines if line not in late_settings]
    head.append(draw(blank))
    late_init: list[str] = []
    for name in chosen:
        _, bound, unbound, _ = EXTENSIONS[name]
        if draw(st.booleans()):
            head.append(f"{name} = {bound}\n")
        else:
            head.append(f"{name} = {unbound}\n")
            late_init.append(f"{name}.init_app(app)\n")
    head += late_init
    if use_migrate:
        head.append("migrate = Migrate(app, db)\n")
    if use_cors:
        head.append("CORS(app)\n")
    head += late_settings

    endpoints = [view.registered_as for view in all_views]
    items: list[str] = []
    for view in all_views:
        body = draw(
            st.sampled_from(
                [
                    'return "hello"',
                    "return jsonify(ok=True, method=request.method)",
                    f'return url_for("{draw(st.sampled_from(endpoints))}"'
                    + (", **kwargs)" if len(view.rules) > 1 else ")"),
                    f'return redirect(url_for("{draw(st.sampled_from(endpoints))}"))',
                    'return render_template_string("{{ 1 }}")',
                    'return str(app.config.get("DEBUG"))',
                    "abort(404)",
                ]
                + [f"return str({helper}(1))" for helper in helper_names]
                + [f"return str({DOTTED[module]})" for module in dotted]
                + (["return str(PER_PAGE_DEFAULT)"] if settings.shared else [])
                + (['return basename("/a/b")'] if from_path else [])
                + (["return str(Item.query.count())"] if use_models else [])
                + (["return LoginForm.__name__"] if use_forms else [])
                + ["return str(LIMIT)"]
            )
        )
        items.append(_view_code(view, body, draw(comments)))
    for helper in helper_names:
        body = draw(
            st.sampled_from(
                [
                    "return value * LIMIT",
                    'return app.config.get("DEBUG") or value',  # reads the app: current_app
                    "STATE.append(value)\n    return len(STATE)",
                ]
                + [f"return {DOTTED[module]} * value" for module in dotted]
                + (['return dirname("/a/b") * value'] if from_path else [])
            )
        )
        items.append(f"{draw(comments)}def {helper}(value):\n    {body}\n")
    items.append("STATE = []\n")
    if use_models:
        label = draw(st.sampled_from(["self.name", "self.name", "self.name or str(LIMIT)"]))
        items.append(
            "class Item(db.Model):\n    id = db.Column(db.Integer, primary_key=True)\n"
            "    name = db.Column(db.String(80))\n\n    def label(self):\n"
            f"        return {label}\n"
        )
    if use_forms:
        items.append(
            'class LoginForm(FlaskForm):\n    name = StringField("name")\n'
            '    password = PasswordField("password")\n'
        )
    if draw(st.booleans()):
        items.append("class Thing:\n    def size(self):\n        return LIMIT\n")
    if draw(st.booleans()):
        items.append("FIRST = 1; SECOND = 2  # two on a line\n")
    if "login_manager" in chosen and draw(st.booleans()):
        items.append(f'login_manager.login_view = "{draw(st.sampled_from(endpoints))}"\n')
    if "db" in chosen and draw(st.booleans()):
        items.append("with app.app_context():\n    db.create_all()\n")
    for hook in hook_names:
        items.append(draw(st.sampled_from(HOOKS)).format(n=hook))
    items.append(f"{draw(comments)}LIMIT = {draw(st.integers(1, 99))}\n")
    ordered = draw(st.permutations(items))
    body = "".join(draw(blank) + item for item in ordered)
    tail = ""
    if draw(st.booleans()):
        run_call = draw(
            st.sampled_from(
                ["app.run(debug=True)", 'app.run(host="0.0.0.0", port=5000)', "app.run()"]
            )
        )
        before = "db.create_all()\n    " if "db" in chosen and draw(st.booleans()) else ""
        tail = f'\n\nif __name__ == "__main__":\n    {before}{run_call}\n'
    views_module = draw(st.integers(0, 3)) == 0  # views registered on the app in views.py
    views_module &= not re.search(r"\bviews\b", "".join(head) + body)  # a view called so
    if views_module:
        body += "\n\nimport views  # noqa: E402,F401\n"
    source = "".join(head) + body + tail
    app_name = draw(st.sampled_from(["app", "app", "application", "server", "flask_app"]))
    if re.search(rf"\b{app_name}\b", source):  # a view or helper already has that name
        app_name = "app"
    source = re.sub(r"\bapp\b", app_name, source)
    # Indentation and line endings as editors leave them; codemods must follow, not mix.
    indent = draw(st.sampled_from(["    ", "    ", "  ", "\t"]))
    source = re.sub(r"(?m)^((?:    )+)", lambda found: indent * (len(found[1]) // 4), source)
    if draw(st.integers(0, 4)) == 0:
        source = source.replace("\n", "\r\n")
    others = {}
    if draw(st.integers(0, 2)) == 0:  # a script that imports the app and what moves
        names = [app_name, "LIMIT", *(["db"] if "db" in chosen else [])]
        names = draw(st.permutations(names))
        if draw(st.booleans()):
            imported = "(\n" + "".join(f"    {name},\n" for name in names) + ")"
        else:
            imported = ", ".join(names)
        reads = " + ".join(
            [f"{app_name}.name", "str(LIMIT)", *(["str(db)"] if "db" in chosen else [])]
        )
        others["helpers.py"] = (
            f"from app import {imported}\n\n\ndef describe():\n    return {reads}\n"
        )
    if views_module:  # imports the app: the blueprint takes its place, the rest stays
        names = draw(st.permutations([app_name, "LIMIT", "STATE"]))
        imported = "(\n" + "".join(f"    {name},\n" for name in names) + ")"
        others["views.py"] = (
            f'from app import {imported}\n\n\n@{app_name}.route("/extra-view")\n'
            "def extra_view():\n    return str(LIMIT) + str(len(STATE))\n"
        )
    return Generated(source, all_views, app_name, settings.secrets, others)


def _write_sources(app: Generated, root: Path) -> None:
    compile(app.source, "app.py", "exec")  # the generator's own sanity
    (root / "app.py").write_bytes(app.source.encode())
    for path, text in app.others.items():
        compile(text, path, "exec")
        (root / path).write_text(text, encoding="utf-8")


def _migrate(app: Generated, root: Path) -> tuple[Project, Project]:
    _write_sources(app, root)
    project = scan(root)
    return project, run(project, discover()).final


def _check(app: Generated, root: Path) -> Project:
    """The cheap properties: no crash, everything compiles, a second run is empty."""
    project, final = _migrate(app, root)
    assert compute(project, final), "nothing migrated"
    for path in final.python_paths():
        compile(final.text(path), path, "exec")
    again = run(final, discover()).final
    assert not compute(final, again), [c.path for c in compute(final, again)]
    return final


SETTINGS = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
}
#: `FLASKMOD_FUZZ_EXAMPLES=500` for a long run: every fuzz test then draws that many examples
LONG_RUN = int(os.environ.get("FLASKMOD_FUZZ_EXAMPLES", "0"))


def examples(default: int) -> int:
    return LONG_RUN or default


@pytest.mark.slow
@settings(max_examples=examples(50), **SETTINGS)  # type: ignore[arg-type]
@given(app=flask_apps())
def test_pipeline_never_crashes_compiles_and_is_idempotent(app: Generated) -> None:
    with tempfile.TemporaryDirectory() as directory:
        _check(app, Path(directory))


def _probe(root: Path, spec: str, config: str | None = None) -> subprocess.Popen[str]:
    command = [sys.executable, str(PROBE), spec]
    if config:
        command += ["--config", config]
    return subprocess.Popen(
        command,
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_clean_env(),
    )


def _result(process: subprocess.Popen[str]) -> dict[str, Any]:
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err[-2000:]
    return json.loads(out)  # type: ignore[no-any-return]


@pytest.mark.slow
@settings(max_examples=examples(15), **SETTINGS)  # type: ignore[arg-type]
@given(app=flask_apps())
def test_url_map_is_kept(app: Generated) -> None:
    with tempfile.TemporaryDirectory() as directory:
        before, after = Path(directory, "before"), Path(directory, "after")
        before.mkdir()
        final = _check(app, before)
        for path, text in final.files.items():
            target = after / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(text.to_bytes())
        # A codemod that declined (a name clash, reported) leaves a global app to probe instead.
        if analyze(final).layout is Layout.FACTORY:
            new_run = _probe(after, "app:create_app", "testing")
        else:
            new_run = _probe(after, f"app:{app.app_name}")
        old_run = _probe(before, f"app:{app.app_name}")
        old, new = _result(old_run), _result(new_run)

    mapping = endpoint_mapping(old, new, lambda r: (r["rule"], tuple(r["methods"])))
    assert {v.registered_as for v in app.views} <= set(mapping)


# ------------------------------------------------------------------- production
def _reason(message: str) -> str:
    """A refusal's reason without what varies between examples (names, lines), to count it."""
    first = message.splitlines()[0]
    first = re.sub(r"`[^`]*`|'[^']*'|\"[^\"]*\"", "…", first)
    return re.sub(r"\b[\w/.-]+\.py(:\d+)?", "FILE", first)[:160]


def _write(project: Project, root: Path) -> None:
    for path, text in project.files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.to_bytes())


def _starts_in_production(app: Generated, root: Path) -> None:
    """`production.production_rows` (what `flaskmod verify` checks): with fresh values for every
    variable of `.env.example` and FLASK_CONFIG=production, each of the app's secrets reaches
    `app.config` from the environment and DEBUG is off; without them the app refuses to start."""
    interpreter = Interpreter(sys.executable, "the fuzz test's interpreter")
    rows = production.production_rows(interpreter, root, _clean_env(), 120, "fuzz")
    files = {p.name: p.read_text(encoding="utf-8") for p in [root / "config.py"] if p.is_file()}
    different = [row.message for row in rows if row.status is Status.DIFFERENT]
    assert not different, (different, files)
    reached = {
        key
        for row in rows
        if row.migrated.startswith("config ")
        for key in row.migrated.removeprefix("config ").split(", ")
    }
    assert app.secrets <= reached, (app.secrets - reached, files)
    assert any(row.item == "DEBUG" and row.migrated == "off" for row in rows)
    if app.secrets:
        refusal = next(row for row in rows if row.item.startswith("without "))
        assert refusal.migrated.startswith("refuses"), refusal


def outcome(app: Generated, directory: Path) -> str:
    """Migrated (valid Python, idempotent, safe in production), or refused with a reason: the
    self-check's or the factory's. A crash or broken output written is a failure."""
    root = directory / "project"
    root.mkdir()
    _write_sources(app, root)
    try:
        result = whole_run(Driver(scan(root), discover()), Modes(write=True))
    except BlockedError as error:
        return "refused (blocked): " + _reason(str(error))
    if result.violations:
        return "refused (self-check): " + _reason(str(result.violations[0].message))
    if result.incomplete:
        return "refused (incomplete): " + _reason(result.incomplete[0].message)
    final = result.run.final
    assert result.changes, "nothing migrated"
    for path in final.python_paths():
        compile(final.text(path), path, "exec")
    again = run(final, discover()).final
    assert not compute(final, again), [c.path for c in compute(final, again)]
    # The factory is built; a codemod may have left its part to a human, with its reason.
    declined = sorted(
        (step for step in result.run.steps if step.declined),
        key=lambda step: step.codemod.name != "config-classes",
    )
    said = [f"declined ({s.codemod.name}): " + _reason(s.findings[-1].message) for s in declined]
    if declined and declined[0].codemod.name == "config-classes":
        return said[0]  # no config classes: production has nothing to read the secrets with
    migrated = directory / "migrated"
    _write(final, migrated)
    _starts_in_production(app, migrated)
    return said[0] if said else "migrated"


@pytest.mark.slow
def test_every_example_migrates_or_refuses_and_production_reads_the_environment() -> None:
    """Each example: migrated (valid, idempotent, secrets from the environment in production,
    DEBUG off, no start without them), or refused with a reason. The outcomes are counted;
    `FLASKMOD_FUZZ_REPORT=path.json` keeps them."""
    outcomes: Counter[str] = Counter()

    @settings(max_examples=examples(10), **SETTINGS)  # type: ignore[arg-type]
    @given(app=flask_apps())
    def check(app: Generated) -> None:
        with tempfile.TemporaryDirectory() as directory:
            outcomes[outcome(app, Path(directory))] += 1

    check()
    report = os.environ.get("FLASKMOD_FUZZ_REPORT")
    if report:
        Path(report).write_text(json.dumps(outcomes.most_common(), indent=1), encoding="utf-8")
    print(f"\nfuzz outcomes ({sum(outcomes.values())} examples):", dict(outcomes))
