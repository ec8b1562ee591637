"""`config.py` as a LibCST tree: the environment classes, `config_by_name` and `get_config`.

The fixed part (the Development/Testing/Production classes and the registry) is one template
parsed once at import; `get_config` and the class holding the moved settings are filled per run
with nodes: the moved values as the app module wrote them, never re-parsed text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import libcst as cst
import libcst.matchers as m

from ._building import new_module, template
from ._imports import add_import_line, add_statements_after_imports
from ._literals import quote
from ._moving import ImportPlan

DOC = "Settings for each environment; `create_app(config_name)` picks one by name."
EXTENDS = "# Environments built on the class the app loaded (added by flaskmod)."
DEFAULTS_COMMENT = (
    "# Development defaults of the settings production must read from the environment, by",
    "# variable, and where each lands in the app's settings. ProductionConfig refuses to start",
    "# while any of them is missing or still the development default.",
)

_CLASSES = cst.parse_module('''\
class BaseConfig:
    @classmethod
    def validate(cls, config=None):
        """Called with the app's final settings once it is configured; only production checks."""


class DevelopmentConfig(BaseConfig):
    pass


class TestingConfig(BaseConfig):
    TESTING = True
    SQLALCHEMY_DATABASE_URI = "sqlite:///:memory:"
    WTF_CSRF_ENABLED = False


class ProductionConfig(BaseConfig):
    DEBUG = False
    TESTING = False
    ENV = "production"

    @classmethod
    def validate(cls, config=None):
        """Refuse to run on a development secret or with DEBUG on.

        `config` is what the app really got (`app.config`, once every config statement ran);
        without it, this class's own settings are checked.
        """
        if config is None:
            config = {name: getattr(cls, name) for name in dir(cls) if name.isupper()}
        for variable, path in _SETTING_PATHS.items():
            value = config
            for key in path:
                value = value.get(key) if isinstance(value, dict) else None
            if not value or value == _DEVELOPMENT_DEFAULTS[variable]:
                raise RuntimeError(
                    "{} must be set in the environment for production "
                    "(it is missing or still the development default)".format(variable)
                )
        if config.get("DEBUG"):
            raise RuntimeError("DEBUG must be off in production")


config_by_name = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
''')

GET_CONFIG = """\
def get_config(name=None):
    {doc}
    return config_by_name[name or os.environ.get({env}, "development")]
"""

_DOTENV = cst.parse_module("""\
try:  # python-dotenv: the settings below see the variables of .env
    from dotenv import load_dotenv
except ImportError:
    pass
else:
    load_dotenv()
""").body[0]

#: what production must not inherit from the settings: (key, safe value)
PRODUCTION_OVERRIDES = (("DEBUG", "False"), ("TESTING", "False"), ("ENV", '"production"'))


@dataclass(frozen=True)
class ConfigContents:
    """What config.py holds: imports, carried helpers, secrets' defaults, the moved settings."""

    imports: ImportPlan
    helpers: tuple[cst.BaseStatement, ...]
    #: variable → development default, for the settings production reads from the environment
    defaults: tuple[tuple[str, str | bytes], ...]
    #: variable → where its value lands: the setting, then keys of the dicts it is nested in
    paths: tuple[tuple[str, tuple[str, ...]], ...]
    #: BaseConfig's body: setting → value (a later assignment of a key replaced the earlier)
    attributes: tuple[tuple[str, cst.BaseExpression], ...]
    env_var: str
    base: str | None = None
    #: the project's own config module, extended in place
    existing: cst.Module | None = None
    in_memory_database: bool = False
    #: `load_dotenv(...)`'s arguments when the project uses python-dotenv, else None
    dotenv: tuple[cst.Arg, ...] | None = None


def build_config(contents: ConfigContents) -> cst.Module:
    """config.py: a new module, or the project's own config module with our classes added."""
    dotenv = [(_dotenv(contents.dotenv), 1)] if contents.dotenv is not None else []
    body = _spaced(
        [
            *(dotenv if contents.existing is None else []),
            *((helper, 0 if n else 1) for n, helper in enumerate(contents.helpers)),
            *(_defaults(contents) if contents.defaults else []),
            (_base_config(contents), 2),
            *_environments(contents),
            (_get_config(contents.env_var), 2),
        ]
    )
    if contents.existing is None:
        return new_module(DOC, contents.imports, body, gap=_blanks(body[0]))
    tree = contents.existing
    for line in contents.imports.lines + contents.imports.local:
        tree = add_import_line(tree, line)
    if dotenv:
        tree = add_statements_after_imports(
            tree, [dotenv[0][0].with_changes(leading_lines=[cst.EmptyLine()])]
        )
    return _extended(tree, body)


def environment_read(env: str) -> cst.Call:
    """`os.environ.get("VARIABLE", _DEVELOPMENT_DEFAULTS["VARIABLE"])`."""
    variable = cst.SimpleString(quote(env))
    default = cst.Subscript(
        cst.Name("_DEVELOPMENT_DEFAULTS"), [cst.SubscriptElement(cst.Index(variable))]
    )
    get = cst.Attribute(cst.Attribute(cst.Name("os"), cst.Name("environ")), cst.Name("get"))
    return cst.Call(get, [cst.Arg(variable), cst.Arg(default)])


def _spaced(items: Sequence[tuple[cst.BaseStatement, int]]) -> list[cst.BaseStatement]:
    """Statements with `n` blank lines above each (above its comments); the first: at least 1."""
    out: list[cst.BaseStatement] = []
    for position, (statement, blanks) in enumerate(items):
        blanks = max(blanks, 1) if position == 0 else blanks
        comments = [line for line in leading_lines(statement) if line.comment is not None]
        out.append(statement.with_changes(leading_lines=[cst.EmptyLine()] * blanks + comments))
    return out


def leading_lines(statement: cst.BaseStatement) -> Sequence[cst.EmptyLine]:
    """The blank and comment lines above a statement (every statement class has them)."""
    assert isinstance(statement, cst.SimpleStatementLine | cst.BaseCompoundStatement)
    return statement.leading_lines


def _blanks(statement: cst.BaseStatement) -> int:
    return sum(line.comment is None for line in leading_lines(statement))


def _extended(tree: cst.Module, body: list[cst.BaseStatement]) -> cst.Module:
    """The project's module, two blank lines, a comment saying what follows, then `body`."""
    kept_footer = list(tree.footer)
    while kept_footer and kept_footer[-1].comment is None:
        kept_footer.pop()
    first = body[0]
    lines = list(leading_lines(first))[1:]  # the comment line stands in for one blank
    heading = [*kept_footer, cst.EmptyLine(), cst.EmptyLine(), _comment(EXTENDS)]
    body = [first.with_changes(leading_lines=heading + lines), *body[1:]]
    return tree.with_changes(body=[*tree.body, *body], footer=(), has_trailing_newline=True)


def _comment(text: str) -> cst.EmptyLine:
    return cst.EmptyLine(comment=cst.Comment(text))


def _dotenv(args: Sequence[cst.Arg]) -> cst.BaseStatement:
    """The guarded `load_dotenv(...)`, with the app module's own arguments."""
    statement = _DOTENV.visit(_LoadDotenvArgs(args))
    assert isinstance(statement, cst.BaseStatement)  # the transformer removes nothing
    return statement


class _LoadDotenvArgs(cst.CSTTransformer):
    def __init__(self, args: Sequence[cst.Arg]) -> None:
        self.args = args

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        return updated_node.with_changes(args=self.args)


def _literal(value: str | bytes) -> cst.SimpleString:
    return cst.SimpleString(quote(value) if isinstance(value, str) else repr(value))


def _defaults(contents: ConfigContents) -> list[tuple[cst.BaseStatement, int]]:
    """`_DEVELOPMENT_DEFAULTS` and `_SETTING_PATHS`, under a comment saying what they are for."""
    defaults = [cst.DictElement(_literal(env), _literal(value)) for env, value in contents.defaults]
    paths = [cst.DictElement(_literal(env), _path(path)) for env, path in contents.paths]
    first, second = template(
        "_DEVELOPMENT_DEFAULTS = {defaults}\n_SETTING_PATHS = {paths}\n",
        defaults=_multiline(defaults),
        paths=_multiline(paths),
    )
    comments = [_comment(line) for line in DEFAULTS_COMMENT]
    return [(first.with_changes(leading_lines=comments), 1), (second, 0)]


def _path(path: Sequence[str]) -> cst.Tuple:
    """`("KEY",)`, `("KEY", "nested")`."""
    elements = [cst.Element(_literal(key)) for key in path]
    if len(elements) == 1:
        elements[0] = elements[0].with_changes(comma=cst.Comma())
    return cst.Tuple(elements)


def _multiline(elements: Sequence[cst.DictElement]) -> cst.Dict:
    """`{` then one element per line, each with a trailing comma, then `}`."""
    indent = cst.ParenthesizedWhitespace(indent=True, last_line=cst.SimpleWhitespace("    "))
    close = cst.ParenthesizedWhitespace(indent=True)
    items = [e.with_changes(comma=cst.Comma(whitespace_after=indent)) for e in elements]
    if items:
        items[-1] = items[-1].with_changes(comma=cst.Comma(whitespace_after=close))
    return cst.Dict(items, lbrace=cst.LeftCurlyBrace(whitespace_after=indent))


def _base_config(contents: ConfigContents) -> cst.ClassDef:
    skeleton = cst.ensure_type(_CLASSES.body[0], cst.ClassDef)
    block = cst.ensure_type(skeleton.body, cst.IndentedBlock)
    validate = block.body[0].with_changes(leading_lines=[cst.EmptyLine(indent=False)])
    assignments = [_assignment(key, value) for key, value in contents.attributes]
    bases = [cst.Arg(cst.Name(contents.base))] if contents.base else []
    return skeleton.with_changes(
        bases=bases, body=block.with_changes(body=[*assignments, validate])
    )


def _assignment(key: str, value: cst.BaseExpression) -> cst.SimpleStatementLine:
    return cst.SimpleStatementLine([cst.Assign([cst.AssignTarget(cst.Name(key))], value)])


def _environments(contents: ConfigContents) -> list[tuple[cst.BaseStatement, int]]:
    """Development, Testing (in-memory SQLite if Flask-SQLAlchemy is used), Production, registry."""
    development, testing, production, registry = _CLASSES.body[1:5]
    if not contents.in_memory_database:
        testing = _without(cst.ensure_type(testing, cst.ClassDef), "SQLALCHEMY_DATABASE_URI")
    production = _production(cst.ensure_type(production, cst.ClassDef), contents)
    return [(development, 2), (testing, 2), (production, 2), (registry, 2)]


def _production(skeleton: cst.ClassDef, contents: ConfigContents) -> cst.ClassDef:
    """ProductionConfig: DEBUG, TESTING and ENV back to production values where the settings
    changed them; `validate` checks the secrets (if any) and DEBUG."""
    block = cst.ensure_type(skeleton.body, cst.IndentedBlock)
    *overrides, validate = block.body
    settings = dict(contents.attributes)
    kept = [
        line
        for line, (key, safe) in zip(overrides, PRODUCTION_OVERRIDES, strict=True)
        if _unsafe(settings.get(key), safe)
    ]
    function = cst.ensure_type(validate, cst.FunctionDef)
    if not contents.defaults:  # no secrets: only DEBUG is checked
        steps = cst.ensure_type(function.body, cst.IndentedBlock)
        function = function.with_changes(
            body=steps.with_changes(body=[*steps.body[:2], steps.body[3]])
        )
    if not kept:
        function = function.with_changes(leading_lines=[])
    return skeleton.with_changes(body=block.with_changes(body=[*kept, function]))


def _unsafe(value: cst.BaseExpression | None, safe: str) -> bool:
    """Whether a setting's value differs from the production one (`False`, `"production"`)."""
    if value is None:
        return False
    if isinstance(value, cst.SimpleString):
        return value.evaluated_value != safe.strip('"')
    return not m.matches(value, m.Name(safe))


def _without(klass: cst.ClassDef, name: str) -> cst.ClassDef:
    block = cst.ensure_type(klass.body, cst.IndentedBlock)
    kept = [
        s
        for s in block.body
        if not m.matches(
            s, m.SimpleStatementLine(body=[m.Assign(targets=[m.AssignTarget(m.Name(name))])])
        )
    ]
    return klass.with_changes(body=block.with_changes(body=kept))


def _get_config(env_var: str) -> cst.BaseStatement:
    doc = (
        f'"""The class for `name` (default: ${env_var}, else "development"); once every config\n'
        "    statement ran, the app calls its `validate(app.config)`.\n"
        '    """'
    )
    (function,) = template(
        GET_CONFIG, doc=cst.SimpleString(doc), env=cst.SimpleString(quote(env_var))
    )
    return function
