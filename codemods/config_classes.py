"""`app.config[...] = ...`, `app.config.update(...)`, `app.secret_key = ...` → `config.py` classes.

Why: a factory builds apps for several environments, so settings must live in importable classes
(`BaseConfig` and its Development/Testing/Production children) selected by name. Hard-coded secrets
become environment variables whose old literal survives only as a development default, and
`ProductionConfig.validate()` refuses to start without real values (Flask guidelines §2).

Settings whose value depends on something that cannot move (the app itself, a function) stay
where they are and are reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import NoReturn

import libcst as cst
import libcst.matchers as m

from flaskmod.analysis import AppModel, Layout
from flaskmod.codemod import (
    CONFIG_ENV_VAR,
    CONFIG_MODULE,
    GET_CONFIG,
    Codemod,
    Context,
    Needs,
    Option,
)
from flaskmod.errors import Severity
from flaskmod.knowledge import ENV_NAMES, is_secret
from flaskmod.names import ModuleIndex
from flaskmod.project import Project
from flaskmod.secrets import mask

from ._building import template
from ._config_module import ConfigContents, build_config, leading_lines
from ._config_reading import (
    BaseClass,
    Pair,
    class_secrets,
    environment_default,
    from_object,
    global_reads,
    loaded_class,
    module_constants,
    resolve,
    settings_of,
    string_key,
)
from ._file_anchor import reanchor
from ._imports import add_import
from ._moving import ImportPlan, prune_imports

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
)


@dataclass(frozen=True)
class Setting:
    key: str
    value: cst.BaseExpression
    statement: int


@dataclass(frozen=True)
class Secret:
    """A setting production reads from `env`; `default` is the old literal, for development."""

    key: str
    env: str
    default: str


@dataclass(frozen=True)
class ConfigPlan:
    """config.py's contents, and what happens to the app module's statements."""

    config_path: str
    contents: ConfigContents
    secrets: tuple[Secret, ...]
    #: the statement whose place the `from_object(get_config())` load takes
    load_at: int
    #: statements of which only the settings that cannot move stay (`update(A=app.x)`)
    kept: tuple[tuple[int, cst.BaseStatement], ...]
    #: statements deleted: moved settings, and helpers nothing else reads
    removed: frozenset[int]
    unused_imports: frozenset[str]


# -------------------------------------------------------------------- findings
class _Report:
    """Findings in the order they were made, handed to the context when the plan is decided.

    A plan that moves nothing but left manual steps declines with the last of them, so the
    driver offers it again once a later step changed the app module.
    """

    def __init__(self, context: Context) -> None:
        self.context = context
        self.items: list[tuple[Severity, str, str, int | None]] = []

    def note(self, message: str, path: str, line: int | None = None) -> None:
        self.items.append((Severity.NOTE, message, path, line))

    def warn(self, message: str, path: str, line: int | None = None) -> None:
        self.items.append((Severity.MANUAL, message, path, line))

    def flush(self) -> None:
        for severity, message, path, line in self.items:
            report = self.context.note if severity is Severity.NOTE else self.context.warn
            report(message, path, line)
        self.items.clear()

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
@dataclass
class _Found:
    """What the app module's config statements set, and what their values need."""

    settings: list[Setting] = field(default_factory=list)
    moved: set[int] = field(default_factory=set)
    kept: dict[int, cst.BaseStatement] = field(default_factory=dict)
    helpers: set[int] = field(default_factory=set)
    constants: set[int] = field(default_factory=set)
    imports: set[str] = field(default_factory=set)
    base: BaseClass | None = None


def _collect(project: Project, index: ModuleIndex, app: str, report: _Report) -> _Found:
    found = _Found()
    for position in range(len(index.body)):
        if app not in index.facts(position).reads:
            continue  # every form read here goes through `app`
        items = _items_of(project, index, position, app, found, report)
        if items:
            _take(index, position, items, app, found, report)
    return found


def _items_of(
    project: Project, index: ModuleIndex, position: int, app: str, found: _Found, report: _Report
) -> list[Pair]:
    """The settings statement `position` sets; `from_object` loads are recorded in `found`."""
    statement = index.body[position]
    target = from_object(statement, app)
    if target is not None and m.matches(target, m.Name("__name__")):
        constants = module_constants(index, position)
        found.constants |= {p for p, _, _ in constants}
        if not constants:
            found.moved.add(position)
        return [(name, value) for _, name, value in constants]
    if target is not None and found.base is None:
        found.base = loaded_class(project, index, target)
        if found.base is None:
            message = "from_object with something other than a class: kept where it is"
            report.note(message, index.path, index.statement_line(position))
        else:
            found.moved.add(position)
        return []
    return settings_of(statement, app) or []


def _take(
    index: ModuleIndex, position: int, items: list[Pair], app: str, found: _Found, report: _Report
) -> None:
    """Record the pairs whose values can move; those that cannot stay in the statement."""
    earlier = {s.key for s in found.settings} | {name for name, _ in items}
    movable: list[Pair] = []
    blocked: list[str] = []
    for key, value in items:
        reads = global_reads(index, value)
        # A module constant may read an earlier one (`B = A`): both become class attributes.
        resolution = resolve(
            index, reads - (earlier & reads if found.constants else set()), app, set()
        )
        if resolution.blocker:
            blocked.append(key)
            message = f"setting {key} kept in place: its value {resolution.blocker}"
            report.warn(message, index.path, index.statement_line(position))
            continue
        movable.append((key, value))
        found.helpers |= resolution.helpers - found.constants
        found.imports |= resolution.imports
    if not movable:
        return
    if blocked:
        # `update(A=1, B=app.x)`: A moves, the call stays with only what needs the app.
        found.kept[position] = _keep_only(index.body[position], blocked)
    found.moved.add(position)
    found.settings += [Setting(key, value, position) for key, value in movable]


def _keep_only(statement: cst.BaseStatement, keys: list[str]) -> cst.BaseStatement:
    """An `update(...)`/`from_mapping(...)` call reduced to the keyword arguments `keys`."""
    line = cst.ensure_type(statement, cst.SimpleStatementLine)
    expr = cst.ensure_type(line.body[0], cst.Expr)
    call = cst.ensure_type(expr.value, cst.Call)
    args = [a for a in call.args if a.keyword is not None and a.keyword.value in keys]
    if len(args) != len(keys):  # keys from a dict literal: keep the statement whole
        return statement
    args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return line.with_changes(body=[expr.with_changes(value=call.with_changes(args=args))])


# ------------------------------------------------------------------------ plan
@codemod.plan
def plan(context: Context) -> ConfigPlan | None:
    model = context.model
    index = context.project.index(model.app_path)
    report = _Report(context)
    found = _collect(context.project, index, model.app_name, report)
    if not found.settings and found.base is None:
        report.nothing_to_do()
        return None
    if GET_CONFIG in index.binders and GET_CONFIG not in index.imports:
        # The app module's own `get_config` would shadow the loader this codemod imports.
        line = index.statement_line(min(index.binders[GET_CONFIG]))
        report.decline(
            "`get_config` is already defined here; rename it, then run again", index.path, line
        )
    directory = config_dir(model)
    config_path = f"{directory}/{CONFIG_MODULE}.py" if directory else f"{CONFIG_MODULE}.py"
    existing = _existing_config(context.project, config_path, found.base, model, report)
    contents, secrets = _contents(context, index, found, directory, existing, report)
    for secret in secrets:
        message = (
            f"{secret.key} now comes from the environment; the old value "
            f"{mask(secret.default)!r} is only the development default"
        )
        report.note(message, config_path)
        context.secret(secret.default)
    report.flush()
    removed = _removed(index, found)
    return ConfigPlan(
        config_path=config_path,
        contents=contents,
        secrets=tuple(secrets),
        load_at=min(found.moved),
        kept=tuple(sorted(found.kept.items())),
        removed=frozenset(removed),
        unused_imports=frozenset(
            name
            for name in index.imports
            if index.readers.get(name) and index.only_read_within(name, removed)
        ),
    )


def config_dir(model: AppModel) -> str:
    """Where `config.py` goes: the folder from which the app module is imported."""
    directory = PurePosixPath(model.app_dir)
    if model.layout is Layout.PACKAGE:
        directory = directory.parent
    text = directory.as_posix()
    return "" if text == "." else text


def _existing_config(
    project: Project, path: str, base: BaseClass | None, model: AppModel, report: _Report
) -> cst.Module | None:
    """The project's own config module, if it is the one the app loads its class from."""
    if path not in project:
        return None
    existing = project.module(path)
    if base is None or base.module != CONFIG_MODULE or _defines(existing, GET_CONFIG):
        report.decline(
            f"{path} already exists and is not the module the app loads its settings from; "
            f"settings left in {model.app_path}",
            path,
        )
    return existing


def _defines(tree: cst.Module, name: str) -> bool:
    return any(
        m.matches(s, m.FunctionDef(name=m.Name(name)) | m.ClassDef(name=m.Name(name)))
        for s in tree.body
    )


def _contents(
    context: Context,
    index: ModuleIndex,
    found: _Found,
    directory: str,
    existing: cst.Module | None,
    report: _Report,
) -> tuple[ConfigContents, list[Secret]]:
    """config.py's parts: imports, the carried helpers (re-anchored), the class attributes."""
    model = context.model
    helpers = [_carried(index, h, model.app_dir, directory, report) for h in sorted(found.helpers)]
    inherited = class_secrets(context.project, found.base) if found.base else {}
    secrets = [Secret(key, ENV_NAMES.get(key, key), literal) for key, literal in inherited.items()]
    attributes: dict[str, cst.BaseExpression] = {}
    for setting in found.settings:
        secret = _secret_of(setting)
        if secret is not None:
            secrets.append(secret)
        value = _from_environment(secret) if secret else None
        # a later assignment of the same key wins, as at run time
        attributes[setting.key] = value or reanchor(setting.value, model.app_dir, directory)[0]
    contents = ConfigContents(
        imports=_imports(index, found),
        helpers=tuple(helpers),
        defaults=tuple({s.key: s.default for s in secrets}.items()),
        attributes=tuple(attributes.items()),
        env_var=context.option("config_env_var"),
        base=found.base.name if found.base else None,
        existing=existing,
        in_memory_database=_uses_module(context.project, "flask_sqlalchemy"),
    )
    return contents, secrets


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
    if unhandled:
        message = "uses __file__ in a way flaskmod cannot re-anchor; check the path in config.py"
        report.warn(message, index.path, index.statement_line(helper))
    return statement.with_changes(leading_lines=[])


def _secret_of(setting: Setting) -> Secret | None:
    """The setting as an environment variable with a development default, if it is a secret."""
    from_env = environment_default(setting.value)
    if from_env and is_secret(setting.key, from_env[1]):
        return Secret(setting.key, from_env[0], from_env[1])
    literal = string_key(setting.value)
    if literal is not None and is_secret(setting.key, literal):
        return Secret(setting.key, ENV_NAMES.get(setting.key, setting.key), literal)
    return None


def _from_environment(secret: Secret) -> cst.BaseExpression:
    """`os.environ.get("ENV", _DEVELOPMENT_DEFAULTS["KEY"])`."""
    default = cst.Subscript(
        cst.Name("_DEVELOPMENT_DEFAULTS"),
        [cst.SubscriptElement(cst.Index(cst.SimpleString(f'"{secret.key}"')))],
    )
    get = cst.Attribute(cst.Attribute(cst.Name("os"), cst.Name("environ")), cst.Name("get"))
    return cst.Call(get, [cst.Arg(cst.SimpleString(f'"{secret.env}"')), cst.Arg(default)])


def _uses_module(project: Project, module: str) -> bool:
    return any(module in project.text(path) for path in project.python_paths())


def _removed(index: ModuleIndex, found: _Found) -> set[int]:
    """Moved statements (not those partly kept), and helpers and constants nothing else reads."""
    removed = found.moved - set(found.kept)
    carried = found.helpers | found.constants
    for helper in sorted(carried):
        if all(
            index.only_read_within(name, removed | carried) or not index.readers.get(name)
            for name in index.names_bound_by({helper})
        ):
            removed.add(helper)
    return removed


# ------------------------------------------------------------------------ edit
@codemod.edit
def edit(context: Context, plan: ConfigPlan) -> Project:
    model = context.model
    index = context.project.index(model.app_path)
    tree = prune_imports(_app_module(index, plan, model.app_name), plan.unused_imports)
    tree = add_import(tree, CONFIG_MODULE, GET_CONFIG)
    texts = {".env.example": _env_example(context.project, plan.secrets, context)}
    gitignore = _gitignore_with_env(context.project)
    if gitignore is not None:
        texts[".gitignore"] = gitignore
    modules = {model.app_path: tree, plan.config_path: build_config(plan.contents)}
    return context.project.with_changes(modules=modules, texts=texts)


def _app_module(index: ModuleIndex, plan: ConfigPlan, app: str) -> cst.Module:
    """One `from_object(get_config())` where the first setting was, the moved ones gone."""
    (load,) = template("{app}.config.from_object(get_config())\n", app=cst.Name(app))
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
    return index.tree.with_changes(body=body)


def _env_example(project: Project, secrets: Sequence[Secret], context: Context) -> str:
    env_var = context.option("config_env_var")
    existing = project.text(".env.example") if ".env.example" in project else ""
    names = [line.split("=", 1)[0] for line in existing.splitlines() if "=" in line]
    wanted = [env_var] + [ENV_NAMES.get(secret.key, secret.key) for secret in secrets]
    added = [name for name in wanted if name not in names]
    if not added:
        return existing
    lines = [] if existing else ["# Copy to .env and fill in; never commit .env."]
    for name in added:
        lines.append(f"{name}=development" if name == env_var else f"{name}=")
    prefix = existing if not existing or existing.endswith("\n") else existing + "\n"
    return prefix + "\n".join(lines) + "\n"


def _gitignore_with_env(project: Project) -> str | None:
    existing = project.text(".gitignore") if ".gitignore" in project else ""
    if any(line.strip() in (".env", "/.env", ".env*", "*.env") for line in existing.splitlines()):
        return None
    prefix = existing if not existing or existing.endswith("\n") else existing + "\n"
    return prefix + ".env\n"
