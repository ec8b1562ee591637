"""`app.config[...] = ...`, `app.config.update(...)`, `app.secret_key = ...` → `config.py` classes.

Why: a factory builds apps for several environments, so settings must live in importable classes
(`BaseConfig` and its Development/Testing/Production children) selected by name. Hard-coded secrets
become environment variables whose old literal survives only as a development default, and
`ProductionConfig.validate(app.config)`, called once every config statement ran, refuses to start
on a development secret or with DEBUG on (docs/target-layout.md: production never runs on the
secrets in the code).

A secret is a setting named like one (SECRET_KEY, *PASSWORD*, *TOKEN*...) or holding a value
that is one (a database URL with credentials, a token with a known prefix, a random-looking
string), whether written as a literal, through a module constant, as bytes, as a concatenation or
an f-string, or nested in a dict. Values that read `app.root_path`/`app.instance_path` move with
those folders written out; settings whose value needs something that cannot move (the app
itself, a function) stay where they are and are reported.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import NoReturn, TypeVar

import libcst as cst
import libcst.matchers as m

from flaskmod.analysis import AppModel
from flaskmod.codemod import (
    CONFIG_ENV_VAR,
    CONFIG_MODULE,
    GET_CONFIG,
    Codemod,
    Context,
    Example,
    Needs,
    Option,
)
from flaskmod.errors import Severity
from flaskmod.knowledge import is_main_guard, is_secret
from flaskmod.names import ModuleIndex, code_nodes, find_nodes, imports_of
from flaskmod.project import Project
from flaskmod.secrets import mask

from ._building import template
from ._config_files import (
    SettingsFile,
    dotenv_arguments,
    env_example,
    gitignore_with_env,
    rewrite_settings_file,
    settings_files,
)
from ._config_module import ConfigContents, build_config, environment_read, leading_lines
from ._config_paths import (
    AppFolders,
    StaticPaths,
    app_folders,
    folder_expression,
    reads_app_only_for,
)
from ._config_reading import (
    BaseClass,
    Resolution,
    Secret,
    class_secrets,
    from_object,
    global_reads,
    literal_value,
    loaded_class,
    module_constants,
    nested_secrets,
    resolve,
    secret_of,
    settings_of,
    string_key,
)
from ._file_anchor import reanchor
from ._imports import add_import
from ._moving import ImportPlan, imported_names, prune_imports

#: what the page docs/codemods/config-classes.md shows; tests/test_docs.py runs it
EXAMPLE = Example(
    before={
        "app.py": """
            from flask import Flask

            app = Flask(__name__)
            app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///notes.db"
            app.config["SECRET_KEY"] = "dev"
            app.config["NOTES_PER_PAGE"] = 20


            @app.route("/")
            def index():
                return str(app.config["NOTES_PER_PAGE"])
        """,
    },
    after={
        "app.py": """
            from flask import Flask

            from config import get_config

            app = Flask(__name__)
            app.config.from_object(get_config())
            get_config().validate(app.config)


            @app.route("/")
            def index():
                return str(app.config["NOTES_PER_PAGE"])
        """,
        "config.py": '''
            """Settings for each environment; `create_app(config_name)` picks one by name."""

            import os

            # Development defaults of the settings production must read from the environment, by
            # variable, and where each lands in the app's settings. ProductionConfig refuses to start
            # while any of them is missing or still the development default.
            _DEVELOPMENT_DEFAULTS = {
                "SECRET_KEY": "dev",
            }
            _SETTING_PATHS = {
                "SECRET_KEY": ("SECRET_KEY",),
            }


            class BaseConfig:
                SQLALCHEMY_DATABASE_URI = "sqlite:///notes.db"
                SECRET_KEY = os.environ.get("SECRET_KEY", _DEVELOPMENT_DEFAULTS["SECRET_KEY"])
                NOTES_PER_PAGE = 20

                @classmethod
                def validate(cls, config=None):
                    """Called with the app's final settings once it is configured; only production checks."""


            class DevelopmentConfig(BaseConfig):
                pass


            class TestingConfig(BaseConfig):
                TESTING = True
                WTF_CSRF_ENABLED = False


            class ProductionConfig(BaseConfig):
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


            def get_config(name=None):
                """The class for `name` (default: $FLASK_CONFIG, else "development"); once every config
                statement ran, the app calls its `validate(app.config)`.
                """
                return config_by_name[name or os.environ.get("FLASK_CONFIG", "development")]
        ''',
        ".env.example": """
            # Copy to .env and fill in; never commit .env.
            FLASK_CONFIG=development
            SECRET_KEY=
        """,
        ".gitignore": """
            .env
        """,
    },
    reports=(
        "SECRET_KEY now comes from the environment variable SECRET_KEY; the old value '****' is only the development default",
    ),
)

codemod = Codemod.declare(
    __name__,
    # First of the moves: the settings leave the app module while it is still where the project
    # had it, so `basedir = os.path.dirname(__file__)` lands in config.py beside the old app.py,
    # and every later codemod (package, factory) carries one `from_object(get_config())`.
    order=10,
    summary="Move app.config settings into config.py classes; secrets come from the environment.",
    needs=Needs.GLOBAL_APP,
    options=(
        Option(
            "config_env_var", CONFIG_ENV_VAR, "environment variable that names the config class"
        ),
    ),
    doc=__doc__ or "",
    example=EXAMPLE,
)

#: settings production must not take from a literal written after the config classes load
PRODUCTION_KEYS = frozenset({"DEBUG", "TESTING", "ENV"})


@dataclass(frozen=True)
class Setting:
    """One setting for BaseConfig: its value as config.py writes it, where it was set."""

    key: str
    value: cst.BaseExpression
    statement: int
    #: the value reads `app.root_path`/`app.instance_path`: written out as folders
    static_paths: bool = False
    secrets: tuple[Secret, ...] = ()


@dataclass(frozen=True)
class AppModuleEdit:
    """What happens to the app module: one load, some statements kept in part, some deleted."""

    #: the statement whose place the `from_object(get_config())` load takes
    load_at: int
    #: statements of which only the settings that cannot move stay (`update(A=app.x)`)
    kept: tuple[tuple[int, cst.BaseStatement], ...]
    #: statements deleted: moved settings, and helpers nothing else reads
    removed: frozenset[int]
    unused_imports: frozenset[str]
    #: the last config statement: `get_config().validate(app.config)` follows it
    validate_after: int


@dataclass(frozen=True)
class ConfigPlan:
    """config.py's contents and the app module's edit (None when no setting moves), and the
    settings files loaded with `from_pyfile` that stop importing the app."""

    config_path: str = ""
    contents: ConfigContents | None = None
    secrets: tuple[Secret, ...] = ()
    app_module: AppModuleEdit | None = None
    settings_files: tuple[SettingsFile, ...] = ()


# -------------------------------------------------------------------- findings
class _Report:
    """Findings in the order they were made, handed to the context when the plan is decided.

    A plan that moves nothing but left manual steps declines with the last of them, so the
    driver offers it again once a later step changed the app module.
    """

    def __init__(self, context: Context) -> None:
        self.context = context
        self.items: list[tuple[Severity, str, str, int | None]] = []
        #: literals the findings name: masked in previews and reports
        self.secrets: list[str] = []

    def note(self, message: str, path: str, line: int | None = None) -> None:
        self.items.append((Severity.NOTE, message, path, line))

    def warn(self, message: str, path: str, line: int | None = None) -> None:
        self.items.append((Severity.MANUAL, message, path, line))

    def flush(self) -> None:
        for severity, message, path, line in self.items:
            report = self.context.note if severity is Severity.NOTE else self.context.warn
            report(message, path, line)
        for literal in self.secrets:
            self.context.secret(literal)
        self.items.clear()
        self.secrets.clear()

    def decline(self, message: str, path: str, line: int | None = None) -> NoReturn:
        self.flush()
        self.context.decline(message, path, line)

    def nothing_to_do(self) -> None:
        manual = [item for item in self.items if item[0] is Severity.MANUAL]
        if manual:
            self.items.remove(manual[-1])
            _, message, path, line = manual[-1]
            self.decline(message, path, line)
        self.flush()


# --------------------------------------------------------------------- reading
@dataclass(frozen=True)
class _Item:
    """A key a config statement sets. `names`: the module-level names the value stands for,
    when it is not code of the statement (`from_object(__name__)` loading a rebound name)."""

    key: str
    value: cst.BaseExpression
    names: frozenset[str] | None = None
    constant: int | None = None


@dataclass
class _Found:
    """What the app module's config statements set, and what their values need."""

    settings: list[Setting] = field(default_factory=list)
    moved: set[int] = field(default_factory=set)
    kept: dict[int, cst.BaseStatement] = field(default_factory=dict)
    helpers: set[int] = field(default_factory=set)
    #: UPPERCASE constants `from_object(__name__)` loaded, now class attributes
    constants: set[int] = field(default_factory=set)
    #: constants a secret's literal was read through
    consumed: set[int] = field(default_factory=set)
    imports: set[str] = field(default_factory=set)
    #: names `from_object(__name__)` read from the module that are now read by config.py
    loaded: set[str] = field(default_factory=set)
    base: BaseClass | None = None


class _Reader:
    """Reads the app module's top-level config statements, one at a time."""

    def __init__(self, project: Project, index: ModuleIndex, model: AppModel, report: _Report):
        self.project, self.index, self.report = project, index, report
        self.app = model.app_name
        self.folders = app_folders(index, model)
        self.found = _Found()

    def collect(self) -> _Found:
        for position in range(len(self.index.body)):
            if self.app not in self.index.facts(position).reads:
                continue  # every form read here goes through `app`
            items = self._items_of(position)
            if items:
                self._take(position, items)
        return self.found

    def _items_of(self, position: int) -> list[_Item]:
        """The settings statement `position` sets; `from_object` loads are recorded."""
        statement = self.index.body[position]
        target = from_object(statement, self.app)
        if target is not None and m.matches(target, m.Name("__name__")):
            return self._module_load(position)
        if target is not None and self.found.base is None:
            self.found.base = loaded_class(self.project, self.index, target)
            if self.found.base is None:
                message = "from_object with something other than a class: kept where it is"
                self.report.note(message, self.index.path, self.index.statement_line(position))
            else:
                self.found.moved.add(position)
            return []
        return [_Item(key, value) for key, value in settings_of(statement, self.app) or []]

    def _module_load(self, position: int) -> list[_Item]:
        """`from_object(__name__)`: every UPPERCASE name bound above it. A constant bound once
        by a plain assignment is its value; any other binding is the name itself."""
        plain = {
            name: (where, value) for where, name, value in module_constants(self.index, position)
        }
        items = []
        for name, binders in sorted(self.index.binders.items(), key=lambda item: min(item[1])):
            if not name.isupper() or name == self.app or min(binders) >= position:
                continue
            if name in plain and len(binders) == 1:
                where, value = plain[name]
                items.append(_Item(name, value, constant=where))
            else:
                items.append(_Item(name, cst.Name(name), names=frozenset({name})))
        self.found.constants |= {item.constant for item in items if item.constant is not None}
        if not items:
            self.found.moved.add(position)
        return items

    def _take(self, position: int, items: list[_Item]) -> None:
        """Record the settings whose values can move; those that cannot stay in the statement."""
        earlier = {s.key for s in self.found.settings} | {item.key for item in items}
        blocked: list[_Item] = []
        for item in items:
            setting, resolution = self._setting(position, item, earlier)
            if resolution.blocker:
                blocked.append(item)
                message = f"setting {item.key} kept in place: its value {resolution.blocker}"
                self.report.warn(message, self.index.path, self.index.statement_line(position))
                continue
            self.found.settings.append(setting)
            # a constant that became a class attribute is also a helper when a helper reads it
            self.found.helpers |= resolution.helpers
            self.found.imports |= resolution.imports
            self.found.consumed |= {c for s in setting.secrets for c in s.constants}
            self.found.loaded |= item.names or set()
            if setting.secrets and item.constant is not None:
                self.found.consumed.add(item.constant)  # the constant holds the literal
        if len(blocked) == len(items):
            return
        if blocked:
            keys = [item.key for item in blocked]
            self.found.kept[position] = _kept(self.index.body[position], keys, self.app)
            self.found.constants -= {item.constant for item in blocked if item.constant is not None}
        self.found.moved.add(position)

    def _setting(self, position: int, item: _Item, earlier: set[str]) -> tuple[Setting, Resolution]:
        """The setting as config.py writes it, and what its value needs there."""
        index, app = self.index, self.app
        secret = secret_of(index, (item.key,), item.value) if item.names is None else None
        if secret is not None:
            read = environment_read(secret.env)
            return Setting(item.key, read, position, secrets=(secret,)), Resolution()
        value, nested = nested_secrets(index, (item.key,), item.value)
        reads = set(item.names) if item.names is not None else global_reads(index, value)
        if self.found.constants and item.names is None:
            reads -= earlier  # a constant may read an earlier one (`B = A`): both attributes
        static = app in reads and reads_app_only_for(index, value, app, self.folders.known())
        if static:
            reads.discard(app)
        if item.names is not None and is_secret(item.key, None):
            resolution = Resolution(
                blocker=f"is `{item.key}` bound more than once: set it from the environment by hand"
            )
        else:
            resolution = resolve(index, reads, app, position)
        return Setting(item.key, value, position, static, tuple(nested)), resolution


def _kept(statement: cst.BaseStatement, keys: list[str], app: str) -> cst.BaseStatement:
    """The statement reduced to the settings `keys`; `from_object(__name__)` becomes
    `app.config.update(KEY=KEY)` for them, read from the module as it did."""
    line = cst.ensure_type(statement, cst.SimpleStatementLine)
    expr = cst.ensure_type(line.body[0], cst.Expr)
    call = cst.ensure_type(expr.value, cst.Call)
    if from_object(statement, app) is not None:
        config = cst.Attribute(cst.Name(app), cst.Name("config"))
        call = cst.Call(cst.Attribute(config, cst.Name("update")))
        args = [cst.Arg(cst.Name(key), keyword=cst.Name(key), equal=_EQUAL) for key in keys]
    else:
        args = _only_args(call.args, set(keys))
    return line.with_changes(body=[expr.with_changes(value=call.with_changes(args=args))])


_EQUAL = cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace(""))


def _only_args(args: Sequence[cst.Arg], keys: set[str]) -> list[cst.Arg]:
    """Keyword arguments in `keys`, and mappings (`{...}`, `dict(...)`, `**{...}`) reduced to
    their `keys`; the last one keeps the original last argument's comma."""
    out = []
    for arg in args:
        if arg.keyword is not None:
            if arg.keyword.value in keys:
                out.append(arg)
            continue
        mapping = _only_mapping(arg.value, keys)
        if mapping is not None:
            out.append(arg.with_changes(value=mapping))
    return _recomma(out, args)


def _only_mapping(node: cst.BaseExpression, keys: set[str]) -> cst.BaseExpression | None:
    if isinstance(node, cst.Dict):
        elements = [
            e for e in node.elements if isinstance(e, cst.DictElement) and string_key(e.key) in keys
        ]
        return node.with_changes(elements=_recomma(elements, node.elements)) if elements else None
    if isinstance(node, cst.Call):
        args = _only_args(node.args, keys)
        return node.with_changes(args=args) if args else None
    return None


#: an argument or a dict element: what `_recomma` gives back the original's last comma
Separated = TypeVar("Separated", cst.Arg, cst.DictElement)


def _recomma(
    kept: list[Separated], original: Sequence[cst.Arg | cst.BaseDictElement]
) -> list[Separated]:
    """The kept items, the last with the comma the original last item had (none, usually)."""
    if kept and original and kept[-1] is not original[-1]:
        kept[-1] = kept[-1].with_changes(comma=original[-1].comma)
    return kept


# ------------------------------------------------------------------------ plan
@codemod.plan
def plan(context: Context) -> ConfigPlan | None:
    context = _one_setting_a_line(context)
    model = context.model
    index = context.project.index(model.app_path)
    report = _Report(context)
    reader = _Reader(context.project, index, model, report)
    found = reader.collect()
    files = tuple(settings_files(context.project, index, model, reader.folders, report.warn))
    if not found.settings and found.base is None:
        if not files:
            report.nothing_to_do()
            return None
        report.flush()
        return ConfigPlan(settings_files=files)
    for position in sorted(found.helpers & found.consumed):
        message = (
            "holds a secret's literal that another setting is computed from: config.py carries "
            "it, and production would use it there; compute that setting from the environment"
        )
        report.warn(message, index.path, index.statement_line(position))
    config_path, existing = _config_module(context, index, found, report)
    contents, secrets = _contents(context, index, found, reader.folders, existing, report)
    for secret in secrets:
        message = (
            f"{secret.setting} now comes from the environment variable {secret.env}; the old "
            f"value {secret.shown()!r} is only the development default"
        )
        report.note(message, config_path)
        for text in secret.texts():
            context.secret(text)
    imported = imported_names(context.project, model.import_name, model.app_path)
    app_module = _app_module_edit(index, model.app_name, found, report, imported)
    report.flush()
    return ConfigPlan(config_path, contents, tuple(secrets), app_module, files)


def _one_setting_a_line(context: Context) -> Context:
    """`app.config["X"] = 1; app.secret_key = "..."`: each statement of a top-level line that
    configures the app goes on a line of its own (what the plan reads and the edit changes), so
    that every setting moves, or stays, on its own."""
    path, app = context.model.app_path, context.model.app_name
    if ";" not in context.project.text(path):
        return context
    tree = context.project.module(path)
    body: list[cst.BaseStatement] = []
    for statement in tree.body:
        if not _configures_among_others(statement, app):
            body.append(statement)
            continue
        line = cst.ensure_type(statement, cst.SimpleStatementLine)
        last = len(line.body) - 1
        for number, small in enumerate(line.body):
            body.append(
                cst.SimpleStatementLine(
                    [small.with_changes(semicolon=cst.MaybeSentinel.DEFAULT)],
                    leading_lines=line.leading_lines if number == 0 else (),
                    trailing_whitespace=(
                        line.trailing_whitespace if number == last else cst.TrailingWhitespace()
                    ),
                )
            )
    if len(body) == len(tree.body):
        return context
    project = context.project.with_changes(modules={path: tree.with_changes(body=body)})
    return replace(context, project=project)


def _configures_among_others(statement: cst.BaseStatement, app: str) -> bool:
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) < 2:
        return False
    return any(
        settings_of(one, app) is not None or from_object(one, app) is not None
        for one in (cst.SimpleStatementLine([small]) for small in statement.body)
    )


def config_dir(model: AppModel) -> str:
    """Where `config.py` goes: the folder from which the app module is imported (its import
    root), so that `from config import get_config` resolves wherever the app's own import does:
    beside `app.py` or `app/`, and at the top of `project/` for `project/app.py` in a package."""
    return model.import_root


def _config_module(
    context: Context, index: ModuleIndex, found: _Found, report: _Report
) -> tuple[str, cst.Module | None]:
    """config.py's path, and the project's own module there if the app loads its class from it;
    declines when the name `get_config` or the file is taken by something else."""
    model = context.model
    if GET_CONFIG in index.binders and GET_CONFIG not in index.imports:
        # The app module's own `get_config` would shadow the loader this codemod imports.
        line = index.statement_line(min(index.binders[GET_CONFIG]))
        message = "`get_config` is already defined here; rename it, then run again"
        report.decline(message, index.path, line)
    directory = config_dir(model)
    path = f"{directory}/{CONFIG_MODULE}.py" if directory else f"{CONFIG_MODULE}.py"
    if path not in context.project:
        return path, None
    existing = context.project.module(path)
    base = found.base
    if base is None or base.module != CONFIG_MODULE or _defines(existing, GET_CONFIG):
        report.decline(
            f"{path} already exists and is not the module the app loads its settings from; "
            f"settings left in {model.app_path}",
            path,
        )
    return path, existing


def _defines(tree: cst.Module, name: str) -> bool:
    return any(
        m.matches(s, m.FunctionDef(name=m.Name(name)) | m.ClassDef(name=m.Name(name)))
        for s in tree.body
    )


def _contents(
    context: Context,
    index: ModuleIndex,
    found: _Found,
    folders: AppFolders,
    existing: cst.Module | None,
    report: _Report,
) -> tuple[ConfigContents, list[Secret]]:
    """config.py's parts: imports, the carried helpers (re-anchored), the class attributes."""
    model = context.model
    directory = config_dir(model)
    helpers = [_carried(index, h, model.app_dir, directory, report) for h in sorted(found.helpers)]
    inherited, attributes = _inherited(context.project, found.base)
    mine = [secret for setting in found.settings for secret in setting.secrets]
    # a setting assigned twice is the later value, as at run time: one secret per setting
    secrets = list({secret.path: secret for secret in [*inherited, *mine]}.values())
    written = _folders(folders, directory)
    for setting in found.settings:
        value = reanchor(setting.value, model.app_dir, directory)[0]
        if setting.static_paths:
            static = value.visit(StaticPaths(model.app_name, written))
            assert isinstance(static, cst.BaseExpression)  # the transformer removes nothing
            value = static
        attributes[setting.key] = value  # a later assignment of the same key wins, as at run time
    contents = ConfigContents(
        imports=_imports(index, found),
        helpers=tuple(helpers),
        defaults=tuple({s.env: s.default for s in secrets}.items()),
        paths=tuple({s.env: s.path for s in secrets}.items()),
        attributes=tuple(attributes.items()),
        env_var=context.option("config_env_var"),
        base=found.base.name if found.base else None,
        existing=existing,
        in_memory_database=_uses_module(context.project, "flask_sqlalchemy"),
        dotenv=None if existing and _loads_dotenv(existing) else _dotenv(context, index, directory),
    )
    return contents, secrets


def _dotenv(context: Context, index: ModuleIndex, directory: str) -> tuple[cst.Arg, ...] | None:
    return dotenv_arguments(context.project, index, context.model.app_dir, directory)


def _loads_dotenv(module: cst.Module) -> bool:
    """The project's own config module already loads `.env` (at its top level)."""
    imports = imports_of(module.body)
    return any(imported.module == "dotenv" for imported in imports.values())


def _inherited(
    project: Project, base: BaseClass | None
) -> tuple[list[Secret], dict[str, cst.BaseExpression]]:
    """The secrets of the project's class our classes extend, and BaseConfig attributes reading
    from the environment those the class holds as plain literals."""
    if base is None:
        return [], {}
    secrets: list[Secret] = []
    attributes: dict[str, cst.BaseExpression] = {}
    for key, (env, default, read) in class_secrets(project, base).items():
        secrets.append(Secret((key,), env, default))
        if not read:
            attributes[key] = environment_read(env)
    return secrets, attributes


def _folders(folders: AppFolders, directory: str) -> dict[str, cst.BaseExpression]:
    """`root_path`/`instance_path` → their folder, written from config.py."""
    known = {"root_path": folders.root_path, "instance_path": folders.instance_path}
    return {name: folder_expression(f, directory) for name, f in known.items() if f is not None}


def _imports(index: ModuleIndex, found: _Found) -> ImportPlan:
    """`os`, what the moved values import, and the project's class our classes extend."""
    imports = ImportPlan()
    imports.add("import os")
    for name in sorted(found.imports):
        imports.add(index.imports[name].statement())
    if found.base is not None and found.base.module != CONFIG_MODULE:
        imports.add(f"from {found.base.module} import {found.base.name}", local=True)
    return imports


def _carried(
    index: ModuleIndex, helper: int, app_dir: str, directory: str, report: _Report
) -> cst.BaseStatement:
    """A helper statement as config.py gets it: `__file__` paths re-anchored, no comments."""
    statement, unhandled = reanchor(index.body[helper], app_dir, directory)
    line = index.statement_line(helper)
    if unhandled:
        message = "uses __file__ in a way flaskmod cannot re-anchor; check the path in config.py"
        report.warn(message, index.path, line)
    for literal in _credentials(statement):
        message = (
            f"carries what looks like a credential ({mask(literal)!r}) into config.py, where "
            "production would fall back to it; read it from the environment"
        )
        report.warn(message, index.path, line)
        report.secrets.append(literal)
    return statement.with_changes(leading_lines=[])


def _credentials(statement: cst.CSTNode) -> list[str]:
    """String literals in a statement that are credentials by their value."""
    found = []
    for node in code_nodes(statement, literals=True):
        if not isinstance(node, cst.SimpleString):
            continue
        value = node.evaluated_value
        if isinstance(value, str) and is_secret("", value):
            found.append(value)
    return found


def _uses_module(project: Project, module: str) -> bool:
    return any(module in project.text(path) for path in project.python_paths())


# ----------------------------------------------------------- the app module
def _app_module_edit(
    index: ModuleIndex, app: str, found: _Found, report: _Report, imported: set[str]
) -> AppModuleEdit:
    removed = _removed(index, found, imported)
    load_at = min(found.moved)
    _report_secret_constants(index, app, found.consumed - removed, removed, report)
    validate_after = _last_config_statement(index, app, load_at)
    _report_literals_after_load(index, app, load_at, removed | set(found.kept), report)
    still_read = _still_read(found)
    unused = {
        name
        for name in index.imports
        if (index.readers.get(name) or name in found.loaded)
        and not _read_outside(index, name, removed, still_read)
    }
    return AppModuleEdit(
        load_at=load_at,
        kept=tuple(sorted(found.kept.items())),
        removed=frozenset(removed),
        unused_imports=frozenset(unused),
        validate_after=validate_after,
    )


def _removed(index: ModuleIndex, found: _Found, imported: set[str]) -> set[int]:
    """Moved statements (not those partly kept), and the helpers and constants they read that
    nothing left in the module reads, nor another module imports (`from app import LIMIT` in
    the views module). A name's statements go together or stay together."""
    gone = found.moved - set(found.kept)
    candidates = found.helpers | found.constants | found.consumed
    candidates = {c for c in candidates if not index.facts(c).binds & imported}
    still_read = _still_read(found)
    while True:
        removed = gone | candidates
        staying = {c for c in candidates if not _only_used_within(index, c, removed, still_read)}
        if not staying:
            return removed
        candidates -= staying


def _still_read(found: _Found) -> dict[int, set[str]]:
    """The names each partly kept statement still reads once reduced to the settings that stay
    (`update(BUILT=build(), SECRET_KEY=KEY)` keeps `BUILT=build()`: `KEY` is no longer read)."""
    return {
        position: {cst.ensure_type(n, cst.Name).value for n in find_nodes(kept, m.Name())}
        for position, kept in found.kept.items()
    }


def _read_outside(
    index: ModuleIndex, name: str, removed: set[int], still_read: dict[int, set[str]]
) -> bool:
    """Does a statement left in the module read `name` (a kept one only in what stays of it)?"""
    return any(
        name in still_read.get(position, {name})
        for position in index.readers.get(name, set()) - removed
    )


def _only_used_within(
    index: ModuleIndex, position: int, removed: set[int], still_read: dict[int, set[str]]
) -> bool:
    for name in index.facts(position).binds:
        if _read_outside(index, name, removed, still_read):
            return False
        if set(index.binders.get(name, ())) - removed:
            return False
    return True


def _report_secret_constants(
    index: ModuleIndex, app: str, staying: Iterable[int], removed: set[int], report: _Report
) -> None:
    """A constant a secret was read through, still read by code left in the module."""
    for position in sorted(staying):
        for name in sorted(index.facts(position).binds):
            line = index.first_read_outside(name, removed)
            if line is None:
                continue
            message = (
                f"`{name}` still holds the secret's literal, and line {line} reads it: that code "
                f"gets the literal in production too; read `{app}.config` there instead"
            )
            report.warn(message, index.path, index.statement_line(position))


def _config_needles(app: str) -> tuple[str, ...]:
    return tuple(f"{app}.{attribute}" for attribute in ("config", "secret_key", "debug", "testing"))


def _last_config_statement(index: ModuleIndex, app: str, start: int) -> int:
    """The last top-level statement at or after `start` that configures the app."""
    last = start
    for position in range(start + 1, len(index.body)):
        if _configures(index, position, app):
            last = position
    return last


def _configures(index: ModuleIndex, position: int, app: str) -> bool:
    statement = index.body[position]
    if isinstance(statement, cst.FunctionDef | cst.ClassDef) or is_main_guard(statement):
        return False
    if app not in index.facts(position).reads:
        return False
    code = index.code(position)
    return any(needle in code for needle in _config_needles(app))


def _report_literals_after_load(
    index: ModuleIndex, app: str, load_at: int, handled: set[int], report: _Report
) -> None:
    """Secrets and DEBUG/TESTING/ENV still set to a literal after the config classes load (in
    an `if`, say): production would run on them."""
    for position in range(load_at + 1, len(index.body)):
        if position in handled or not _configures(index, position, app):
            continue
        for line in find_nodes(index.body[position], m.SimpleStatementLine()):
            for key, value in (
                settings_of(cst.ensure_type(line, cst.SimpleStatementLine), app) or []
            ):
                if _literal_for_production(index, key, value):
                    message = (
                        f"{key} is set to a literal after the config classes load: production "
                        "would run on it; move it into config.py or read it from the environment"
                    )
                    report.warn(message, index.path, index.line(line, position))


def _literal_for_production(index: ModuleIndex, key: str, value: cst.BaseExpression) -> bool:
    if key in PRODUCTION_KEYS:
        return m.matches(value, m.Name("True") | m.SimpleString() | m.Integer())
    known = literal_value(index, value)
    return known is not None and is_secret(key, known.value)


# ------------------------------------------------------------------------ edit
@codemod.edit
def edit(context: Context, plan: ConfigPlan) -> Project:
    if plan.app_module is not None:
        context = _one_setting_a_line(context)  # what the plan read
    model = context.model
    project = context.project
    modules = {f.path: rewrite_settings_file(project, f) for f in plan.settings_files}
    texts: dict[str, str] = {}
    if plan.app_module is not None and plan.contents is not None:
        index = project.index(model.app_path)
        tree = _app_module(index, plan.app_module, model.app_name)
        tree = prune_imports(tree, plan.app_module.unused_imports)
        modules[model.app_path] = add_import(tree, CONFIG_MODULE, GET_CONFIG)
        modules[plan.config_path] = build_config(plan.contents)
        env_var = context.option("config_env_var")
        texts[".env.example"] = env_example(project, [s.env for s in plan.secrets], env_var)
        gitignore = gitignore_with_env(project)
        if gitignore is not None:
            texts[".gitignore"] = gitignore
    return project.with_changes(modules=modules, texts=texts)


def _app_module(index: ModuleIndex, plan: AppModuleEdit, app: str) -> cst.Module:
    """One `from_object(get_config())` where the first setting was, the moved ones gone, and
    `get_config().validate(app.config)` after the last config statement."""
    load, validate = template(
        "{app}.config.from_object(get_config())\nget_config().validate({app}.config)\n",
        app=cst.Name(app),
    )
    kept = dict(plan.kept)
    body: list[cst.BaseStatement] = []
    carried: Sequence[cst.EmptyLine] = ()
    for position, statement in enumerate(index.body):
        if position == plan.load_at:
            body.append(load.with_changes(leading_lines=leading_lines(statement)))
            if position in kept:
                body.append(kept[position].with_changes(leading_lines=[]))
        elif position in kept:
            body.append(kept[position])
        elif position in plan.removed:
            # keep the blank line that separated the removed statement from what came before
            carried = carried or leading_lines(statement)
        else:
            if carried and not leading_lines(statement):
                statement = statement.with_changes(leading_lines=carried)
            body.append(statement)
        carried = carried if position in plan.removed else ()
        if position == plan.validate_after:
            body.append(validate)
    return index.tree.with_changes(body=body)
