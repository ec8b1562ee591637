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
from ._imports import add_import_line
from ._literals import quote
from ._moving import ImportPlan

DOC = "Settings for each environment; `create_app(config_name)` picks one by name."
EXTENDS = "# Environments built on the class the app loaded (added by flaskmod)."
DEFAULTS_COMMENT = (
    "# Development defaults of the settings production must read from the environment.",
    "# ProductionConfig refuses to start while any of them is missing or unchanged.",
)

_CLASSES = cst.parse_module('''\
class BaseConfig:
    @classmethod
    def validate(cls):
        """Called at start-up; only production insists on real secrets."""


class DevelopmentConfig(BaseConfig):
    pass


class TestingConfig(BaseConfig):
    TESTING = True
    SQLALCHEMY_DATABASE_URI = "sqlite:///:memory:"
    WTF_CSRF_ENABLED = False


class ProductionConfig(BaseConfig):
    DEBUG = False

    @classmethod
    def validate(cls):
        for name, development_default in _DEVELOPMENT_DEFAULTS.items():
            value = getattr(cls, name)
            if not value or value == development_default:
                raise RuntimeError(
                    "{} must be set in the environment for production "
                    "(it is missing or still the development default)".format(name)
                )


config_by_name = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
''')

GET_CONFIG = """\
def get_config(name=None):
    {doc}
    config_class = config_by_name[name or os.environ.get({env}, "development")]
    config_class.validate()
    return config_class
"""


@dataclass(frozen=True)
class ConfigContents:
    """What config.py holds: imports, carried helpers, secrets' defaults, the moved settings."""

    imports: ImportPlan
    helpers: tuple[cst.BaseStatement, ...]
    #: setting → its development default, for the settings read from the environment
    defaults: tuple[tuple[str, str], ...]
    #: BaseConfig's body: setting → value (a later assignment of a key replaced the earlier)
    attributes: tuple[tuple[str, cst.BaseExpression], ...]
    env_var: str
    base: str | None = None
    #: the project's own config module, extended in place
    existing: cst.Module | None = None
    in_memory_database: bool = False


def build_config(contents: ConfigContents) -> cst.Module:
    """config.py: a new module, or the project's own config module with our classes added."""
    body = _spaced(
        [
            *((helper, 0) for helper in contents.helpers),
            *([(_defaults(contents.defaults), 1)] if contents.defaults else []),
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
    return _extended(tree, body)


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


def _defaults(defaults: Sequence[tuple[str, str]]) -> cst.BaseStatement:
    elements = [
        cst.DictElement(cst.SimpleString(quote(key)), cst.SimpleString(quote(value)))
        for key, value in defaults
    ]
    (statement,) = template("_DEVELOPMENT_DEFAULTS = {mapping}\n", mapping=_multiline(elements))
    return statement.with_changes(leading_lines=[_comment(line) for line in DEFAULTS_COMMENT])


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
    production, blank_lines = _production(cst.ensure_type(production, cst.ClassDef), contents)
    return [(development, 2), (testing, 2), (production, 2), (registry, blank_lines)]


def _production(skeleton: cst.ClassDef, contents: ConfigContents) -> tuple[cst.ClassDef, int]:
    """ProductionConfig: DEBUG off if the settings turned it on; validate if there are secrets.

    Returns it with the blank lines the registry gets after it (three after a lone `DEBUG`).
    """
    block = cst.ensure_type(skeleton.body, cst.IndentedBlock)
    debug, validate = block.body
    debug_on = any(
        key == "DEBUG" and not m.matches(value, m.Name("False"))
        for key, value in contents.attributes
    )
    body: list[cst.BaseStatement] = [debug] if debug_on else []
    if contents.defaults:
        body.append(validate if debug_on else validate.with_changes(leading_lines=[]))
    if not body:
        body = [cst.SimpleStatementLine([cst.Pass()])]
    blank_lines = 3 if debug_on and not contents.defaults else 2
    return skeleton.with_changes(body=block.with_changes(body=body)), blank_lines


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
    doc = f'"""The class for `name` (default: ${env_var}, else "development"), validated."""'
    (function,) = template(
        GET_CONFIG, doc=cst.SimpleString(doc), env=cst.SimpleString(quote(env_var))
    )
    return function
