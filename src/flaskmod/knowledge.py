"""What flaskmod knows about Flask and its extensions, as tables.

Every rule the codemods and the analysis apply to Flask code comes from here: which calls create an
app, which decorators and methods register something on it and what the same registration is on
a blueprint, which extensions follow the `init_app` protocol and where their arguments go, which
settings are secrets, and from which Flask version each generated idiom exists. Adding a known
extension or a registration method is a one-line change here (see CONTRIBUTING.md).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Final

import libcst as cst
import libcst.matchers as m

Version = tuple[int, int]

# --------------------------------------------------------------------------- the app
#: qualified names of the class whose instance is the app
FLASK_CLASSES: Final = frozenset({"flask.Flask", "flask.app.Flask"})

#: `app.<attribute>` used as a decorator → the blueprint attribute with the same app-wide effect.
#: A blueprint's own `errorhandler`, `before_request`... only see that blueprint's requests; the
#: `app_*` forms keep the effect the legacy code had.
DECORATORS: Final = {
    "route": "route",
    "get": "get",
    "post": "post",
    "put": "put",
    "delete": "delete",
    "patch": "patch",
    "errorhandler": "app_errorhandler",
    "before_request": "before_app_request",
    "after_request": "after_app_request",
    "teardown_request": "teardown_app_request",
    "context_processor": "app_context_processor",
    "template_filter": "app_template_filter",
    "template_global": "app_template_global",
    "template_test": "app_template_test",
    "url_value_preprocessor": "app_url_value_preprocessor",
    "url_defaults": "app_url_defaults",
    "cli.command": "cli.command",
    "cli.group": "cli.group",
}
#: decorators that register a view (its endpoint defaults to the function's name)
ROUTES: Final = frozenset({"route", "get", "post", "put", "delete", "patch"})
CLI: Final = frozenset({"cli.command", "cli.group", "cli.add_command"})

#: `app.<method>(...)` called as a statement → the blueprint method with the same effect
CALLS: Final = {
    **DECORATORS,
    "add_url_rule": "add_url_rule",
    "add_template_filter": "add_app_template_filter",
    "add_template_global": "add_app_template_global",
    "add_template_test": "add_app_template_test",
    "cli.add_command": "cli.add_command",
}

#: `app.jinja_env.<registry>["name"] = f` → the blueprint method that registers it app-wide
JINJA_REGISTRIES: Final = {
    "filters": "add_app_template_filter",
    "globals": "add_app_template_global",
    "tests": "add_app_template_test",
}

#: removed in Flask 2.3; flaskmod runs such functions once inside the factory instead
FIRST_REQUEST: Final = "before_first_request"

#: registrations only the app has (no blueprint form): the factory keeps them on the app
FACTORY_ONLY: Final = frozenset({"teardown_appcontext", "shell_context_processor"})

#: functions that take the app and are as safe inside the factory as at import time: the
#: extension protocol's `init_app`, Flask-Login's older name for it, Flask-Uploads' set-up.
APP_SAFE_CALLS: Final = frozenset(
    {"init_app", "setup_app", "configure_uploads", "patch_request_class"}
)

#: attributes of the app object that are shortcuts for config keys
APP_ATTRIBUTE_KEYS: Final = {"secret_key": "SECRET_KEY", "debug": "DEBUG", "testing": "TESTING"}

#: methods of the app whose result keeps the app object (a context, a test client): reached
#: through `current_app` they must get the real app, not the proxy
APP_OBJECT_METHODS: Final = frozenset(
    {"app_context", "request_context", "test_request_context", "test_client", "test_cli_runner"}
)

# ----------------------------------------------------------------------- endpoint names
#: a keyword, attribute or setting whose string value is an endpoint name: `url_for`'s
#: `endpoint=`, Flask-Login's `login_view`, Flask-Dropzone's `action_view=`, settings such as
#: Flask-CKEditor's `CKEDITOR_FILE_UPLOADER` or any `*_ENDPOINT`
ENDPOINT_NAME: Final = re.compile(r"^(?:endpoint|\w+_(?:view|endpoint|uploader))$", re.IGNORECASE)
#: calls whose `endpoint=` gives a new endpoint its name instead of naming an existing one (so do
#: class constructors: Flask-Admin's `ModelView(..., endpoint="users")`)
ENDPOINT_DEFINERS: Final = ROUTES | frozenset({"add_url_rule", "add_resource", "add_view"})

MAIN_GUARD: Final = m.If(
    test=m.Comparison(
        left=m.Name("__name__"),
        comparisons=[
            m.ComparisonTarget(
                m.Equal(), m.SimpleString('"__main__"') | m.SimpleString("'__main__'")
            )
        ],
    )
)


def is_main_guard(statement: cst.CSTNode) -> bool:
    """`if __name__ == "__main__":` — code that runs only as `python app.py`."""
    return m.matches(statement, MAIN_GUARD)


# ----------------------------------------------------------------------- old spellings
_FLASK_EXT = re.compile(r"^flask\.ext\.(\w+)(.*)$")


def modern_module(module: str) -> str | None:
    """`flask.ext.sqlalchemy` (gone in Flask 1.0) → `flask_sqlalchemy`; None if not `flask.ext`."""
    match = _FLASK_EXT.match(module)
    return f"flask_{match.group(1)}{match.group(2)}" if match else None


def canonical(qualified: str) -> str:
    """A qualified name with the pre-1.0 `flask.ext.` spelling normalised."""
    return modern_module(qualified) or qualified


# --------------------------------------------------------------------------- extensions
ALL, NONE = "all", "none"


@dataclass(frozen=True)
class Extension:
    """An extension class following the `init_app` protocol.

    `init_takes` says which arguments given next to the app go to `init_app(app, ...)` rather
    than staying in the constructor: ALL, NONE, or the keyword names. `bind_last`: its `init_app`
    registers only what was added to the instance before it (Flask-RESTful's `add_resource` on an
    unbound `Api` is kept for `init_app`; after it, nothing registers it), so in the module that
    creates the app the binding goes after the module's last use of the instance.
    """

    qualified: str
    init_takes: str | frozenset[str] = NONE
    bind_last: bool = False


def _table(
    *entries: tuple[str, str | frozenset[str]] | tuple[str, str, bool],
) -> dict[str, Extension]:
    return {entry[0]: Extension(*entry) for entry in entries}


#: qualified class name → how its arguments split between the constructor and `init_app`.
#: Each split is read from the extension's own `__init__` and `init_app` signatures.
KNOWN_EXTENSIONS: Final = _table(
    ("flask_sqlalchemy.SQLAlchemy", NONE),
    ("flask_migrate.Migrate", ALL),
    ("flask_login.LoginManager", NONE),
    ("flask_wtf.CSRFProtect", NONE),
    ("flask_wtf.csrf.CSRFProtect", NONE),
    ("flask_cors.CORS", ALL),
    ("flask_limiter.Limiter", NONE),
    ("flask_talisman.Talisman", ALL),
    ("flask_mail.Mail", NONE),
    ("flask_jwt_extended.JWTManager", NONE),
    ("flask_bcrypt.Bcrypt", NONE),
    ("flask_caching.Cache", NONE),
    ("flask_admin.Admin", NONE),
    (
        "flask_babel.Babel",
        frozenset(
            {
                "default_locale",
                "default_domain",
                "default_translation_directories",
                "default_timezone",
                "locale_selector",
                "timezone_selector",
            }
        ),
    ),
    ("flask_moment.Moment", NONE),
    ("flask_socketio.SocketIO", ALL),
    ("flask_marshmallow.Marshmallow", NONE),
    ("flask_session.Session", NONE),
    # Flask-Bootstrap (`Bootstrap`) and Bootstrap-Flask (`Bootstrap4`, `Bootstrap5`, and its
    # deprecated `Bootstrap`): `__init__(app=None)`, `init_app(app)`.
    ("flask_bootstrap.Bootstrap", NONE),
    ("flask_bootstrap.Bootstrap4", NONE),
    ("flask_bootstrap.Bootstrap5", NONE),
    # Flask-RESTful 0.3: `__init__(app=None, prefix=..., errors=...)` keeps every option;
    # `init_app(app)` registers the resources added so far, `add_resource` after it does not.
    ("flask_restful.Api", NONE, True),
    # Flask-RESTX 1.x: `init_app(app, **kwargs)` sets `self.app`, so later resources register;
    # its kwargs default to what the constructor stored.
    ("flask_restx.Api", NONE),
    # Flasgger: `__init__(app=None, config=None, template=None, ...)`, `init_app(app, decorators=None)`
    # falling back to the constructor's decorators.
    ("flasgger.Swagger", NONE),
    ("flask_debugtoolbar.DebugToolbarExtension", NONE),
    ("flask_compress.Compress", NONE),
    # Flask-PyMongo: `__init__(app=None, uri=None, *args, **kwargs)` passes all of them on to
    # `init_app(app, uri=None, *args, **kwargs)`, the MongoClient's arguments.
    ("flask_pymongo.PyMongo", ALL),
    ("flask_mysqldb.MySQL", NONE),
    ("flask_seasurf.SeaSurf", NONE),
    ("flask_ckeditor.CKEditor", NONE),
    ("flask_dropzone.Dropzone", NONE),
)

#: classes of `flask_*` packages that take the app but have no `init_app`, so the extension
#: convention does not hold for them. Flask-Script's `Manager(app_or_factory)` keeps the app, or
#: calls a factory with its command-line options when a command runs.
NOT_INIT_APP: Final = frozenset({"flask_script.Manager"})

SQLALCHEMY_CLASSES: Final = frozenset({"flask_sqlalchemy.SQLAlchemy"})

#: decorators of auth extensions whose function looks a model up: it moves with the models
MODEL_LOADERS: Final = frozenset(
    {
        "user_loader",
        "request_loader",
        "header_loader",
        "user_identity_loader",
        "user_lookup_loader",
        "token_in_blocklist_loader",
    }
)

FORM_CLASSES: Final = frozenset(
    {"flask_wtf.FlaskForm", "flask_wtf.Form", "flask_wtf.form.FlaskForm", "wtforms.Form"}
)


def known_extension(qualified: str | None) -> Extension | None:
    return KNOWN_EXTENSIONS.get(canonical(qualified)) if qualified else None


def follows_convention(qualified: str | None) -> bool:
    """A class of a `flask_*` package (`flask_foo.Foo`) not known to lack `init_app`.

    The Flask extension convention (Flask docs, "Flask Extension Development") is that
    `Foo(app)` is `foo = Foo()` + `foo.init_app(app)`: flaskmod assumes it for such a class
    when the app is its only argument (with other arguments, where each goes is unknown).
    """
    if not qualified:
        return False
    qualified = canonical(qualified)
    package, _, rest = qualified.partition(".")
    return (
        package.startswith("flask_")
        and bool(rest)
        and rest.rsplit(".", 1)[-1][:1].isupper()
        and qualified not in NOT_INIT_APP
    )


def extension_for(qualified: str | None, only_app: bool) -> Extension | None:
    """How a call binding the app is migrated: the table's entry, or the convention's (an
    `Extension` not in the table) when the app is the call's only argument; None: left alone."""
    known = known_extension(qualified)
    if known is not None or not (only_app and follows_convention(qualified)):
        return known
    assert qualified is not None
    return Extension(canonical(qualified))


# ------------------------------------------------------------------------------ secrets
SECRET_NAME: Final = re.compile(r"SECRET|PASSWORD|PASSWD|TOKEN|API_KEY|PRIVATE_KEY")
URL_WITH_CREDENTIALS: Final = re.compile(r"^[a-z][a-z0-9+.-]*://[^/@:\s]+:[^/@\s]+@", re.IGNORECASE)

#: the environment variable a setting is read from when it is not named after the key itself
ENV_NAMES: Final = {"SQLALCHEMY_DATABASE_URI": "DATABASE_URL"}

#: how issued credentials start, whatever the setting is called: Stripe secret and restricted
#: keys, GitHub tokens, Slack bot/user/app tokens; AWS access key ids, Google API keys, PEM keys
SECRET_PREFIXES: Final = (
    "sk_live_",
    "sk_test_",
    "rk_live_",
    "rk_test_",
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "xoxb-",
    "xoxp-",
    "xoxa-",
    "xoxr-",
)
SECRET_SHAPES: Final = re.compile(
    r"^(?:AKIA|ASIA)[0-9A-Z]{16}$|^AIza[0-9A-Za-z_-]{35}$|-----BEGIN [A-Z ]*PRIVATE KEY-----"
)
#: values that are long and varied without being random: URLs, emails, paths and file names,
#: dotted names (`app.config.ProductionConfig`), host names, version numbers
NOT_RANDOM: Final = re.compile(
    r"^[a-z][a-z0-9+.-]*://"  # a URL (one with credentials is caught above)
    r"|^[^@\s]+@[\w-]+(\.[\w-]+)+$"  # an email address
    r"|^(/|\.{1,2}/|~/|[A-Za-z]:\\)"  # an absolute or relative path
    r"|^[\w.-]+(/[\w.-]+)+/?$"  # folders and files: `admin/index.html`, `Europe/Paris`
    r"|^[\w-]+\.[A-Za-z0-9]{1,5}$"  # a file name
    r"|^[A-Za-z_]\w*(\.[A-Za-z_]\w*)+$"  # a dotted name
    r"|^([a-z0-9-]+\.)+[a-z]{2,}$"  # a host name
    r"|^v?\d+(\.\d+)+([-+.][\w.+-]*)?$",  # a version
    re.IGNORECASE,
)
_PARTS: Final = re.compile(r"[-_.+/:]")
#: a random-looking value: this long, letters and digits mixed, this many bits per character
RANDOM_MIN_LENGTH: Final = 20
RANDOM_MIN_ENTROPY: Final = 3.5


def shannon_entropy(value: str) -> float:
    """Bits per character of `value`, from its own character frequencies."""
    counts = [value.count(char) for char in set(value)]
    return -sum(count / len(value) * math.log2(count / len(value)) for count in counts)


def _words(value: str) -> bool:
    """Words and numbers joined by `-_.+/:` (`Content-Security-Policy`, `MAX_SIZE_2`)."""
    return all(part.isalpha() or part.isdigit() for part in _PARTS.split(value) if part)


def looks_like_credential(value: str) -> bool:
    """A value that is a credential whatever its setting is called: an issued token's known
    prefix or shape, or a long random string (letters and digits mixed, high entropy, no spaces,
    not a URL, path, email, dotted name or words)."""
    if value.startswith(SECRET_PREFIXES) or SECRET_SHAPES.search(value):
        return True
    if len(value) < RANDOM_MIN_LENGTH or any(char.isspace() for char in value):
        return False
    if NOT_RANDOM.search(value) or _words(value):
        return False
    mixed = any(char.isdigit() for char in value) and any(char.isalpha() for char in value)
    return mixed and shannon_entropy(value) >= RANDOM_MIN_ENTROPY


def is_secret(key: str, literal: str | bytes | None) -> bool:
    """A setting production must take from the environment: by its name (SECRET_KEY,
    MAIL_PASSWORD, `secret` in a nested dict), or by its value (a database URL with
    credentials, a known token prefix, a random-looking string)."""
    if SECRET_NAME.search(key.upper()):
        return True
    if isinstance(literal, bytes):
        return looks_like_credential(literal.decode("latin-1"))
    if literal is None:
        return False
    return bool(URL_WITH_CREDENTIALS.match(literal)) or looks_like_credential(literal)


# ----------------------------------------------------------------------- version gates
#: the first Flask version that has each idiom flaskmod may generate
GATES: Final[dict[str, Version]] = {
    "root_path_argument": (0, 11),
    "app_cli": (0, 11),
    "test_cli_runner": (1, 0),
    "blueprint_cli": (1, 1),
    "route_shortcuts": (2, 0),
    "from_prefixed_env": (2, 1),
    "flask_app_option": (2, 2),
}
#: the first Flask version without each legacy idiom
REMOVED: Final[dict[str, Version]] = {
    "flask.ext": (1, 0),
    "before_first_request": (2, 3),
    "_app_ctx_stack": (2, 3),
}
