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
from dataclasses import dataclass
from pathlib import PurePosixPath

import libcst as cst
import libcst.matchers as m

from flaskmod.analysis import AppModel, Layout
from flaskmod.errors import Finding, Location, Severity
from flaskmod.knowledge import APP_ATTRIBUTE_KEYS, ENV_NAMES, is_secret
from flaskmod.pipeline import Options, Outcome
from flaskmod.project import Project
from flaskmod.secrets import mask

from ._file_anchor import reanchor
from ._imports import add_import, add_import_line
from ._literals import quote
from ._moving import ImportPlan, ModuleIndex, prune_imports

ORDER = 10
SUMMARY = "Move app.config settings into config.py classes; secrets come from the environment."

CONFIG_MODULE = "config"


@dataclass(frozen=True)
class Setting:
    key: str
    value: cst.BaseExpression
    statement: int


# -------------------------------------------------------------------- reading
def _string_key(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.SimpleString | cst.ConcatenatedString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _settings_of(
    statement: cst.BaseStatement, app: str
) -> list[tuple[str, cst.BaseExpression]] | None:
    """The key/value pairs a top-level statement sets on the app's config, if that is all it does."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    small = statement.body[0]
    config = m.Attribute(value=m.Name(app), attr=m.Name("config"))
    if isinstance(small, cst.Assign) and len(small.targets) == 1:
        target = small.targets[0].target
        if m.matches(target, m.Subscript(value=config, slice=[m.SubscriptElement(m.Index())])):
            key = _string_key(target.slice[0].slice.value)  # type: ignore[attr-defined]
            return [(key, small.value)] if key else None
        if m.matches(target, m.Attribute(value=m.Name(app))):
            key = APP_ATTRIBUTE_KEYS.get(target.attr.value)  # type: ignore[attr-defined]
            return [(key, small.value)] if key else None
    if m.matches(small, m.Expr(m.Call(func=m.Attribute(value=config, attr=m.Name("update"))))):
        return _update_items(small.value.args)  # type: ignore[attr-defined]
    if m.matches(
        small, m.Expr(m.Call(func=m.Attribute(value=config, attr=m.Name("from_mapping"))))
    ):
        items = _update_items(small.value.args)  # type: ignore[attr-defined]
        # from_mapping keeps only UPPERCASE keys, as the config classes do
        return [(k, v) for k, v in items if k.isupper()] if items is not None else None
    return None


def _update_items(
    args: tuple[cst.Arg, ...] | list[cst.Arg],
) -> list[tuple[str, cst.BaseExpression]] | None:
    items: list[tuple[str, cst.BaseExpression]] = []
    for arg in args:
        if arg.keyword is not None:
            items.append((arg.keyword.value, arg.value))
        elif arg.star == "**" or arg.star == "":
            pairs = _mapping_items(arg.value)
            if pairs is None:
                return None
            items += pairs
        else:
            return None
    return items


def _mapping_items(node: cst.BaseExpression) -> list[tuple[str, cst.BaseExpression]] | None:
    if isinstance(node, cst.Dict):
        pairs = []
        for element in node.elements:
            if not isinstance(element, cst.DictElement):
                return None
            key = _string_key(element.key)
            if key is None:
                return None
            pairs.append((key, element.value))
        return pairs
    if m.matches(node, m.Call(func=m.Name("dict"))):
        return _update_items(node.args)  # type: ignore[attr-defined]
    return None


class _GlobalReads(cst.CSTVisitor):
    def __init__(self, index: ModuleIndex) -> None:
        self.index = index
        self.names: set[str] = set()

    def visit_Name(self, node: cst.Name) -> None:
        name = self.index.access_names.get(node)
        if name is not None:
            self.names.add(name)


def global_reads(index: ModuleIndex, node: cst.CSTNode) -> set[str]:
    visitor = _GlobalReads(index)
    node.visit(visitor)
    return visitor.names


# ------------------------------------------------------------------ resolving
@dataclass
class _Resolution:
    imports: set[str]
    helpers: set[int]
    blocker: str | None = None


def _resolve(index: ModuleIndex, names: set[str], app: str, seen: set[int]) -> _Resolution:
    """Can these module-level names be reproduced in config.py (imports, simple helpers)?"""
    result = _Resolution(imports=set(), helpers=set())
    for name in sorted(names):
        if name == app:
            result.blocker = f"reads `{app}`"
            return result
        if name in index.imports:
            result.imports.add(name)
            continue
        binders = index.binders.get(name, [])
        if len(binders) != 1 or not _is_simple_assignment(index.body[binders[0]], name):
            result.blocker = f"depends on `{name}`"
            return result
        helper = binders[0]
        if helper in seen:
            continue
        seen.add(helper)
        inner = _resolve(index, global_reads(index, index.body[helper]) - {name}, app, seen)
        if inner.blocker:
            result.blocker = inner.blocker
            return result
        result.helpers |= {helper} | inner.helpers
        result.imports |= inner.imports
    return result


def _is_simple_assignment(statement: cst.BaseStatement, name: str) -> bool:
    return m.matches(
        statement,
        m.SimpleStatementLine(body=[m.Assign(targets=[m.AssignTarget(m.Name(name))])]),
    )


# ------------------------------------------------------------------- writing
def config_dir(model: AppModel) -> str:
    """Where `config.py` goes: the folder from which the app module is imported."""
    directory = PurePosixPath(model.app_dir)
    if model.layout is Layout.PACKAGE:
        directory = directory.parent
    text = directory.as_posix()
    return "" if text == "." else text


def _env_call(env: str, default: str) -> str:
    return f'os.environ.get("{env}", _DEVELOPMENT_DEFAULTS["{default}"])'


def _environment_default(value: cst.BaseExpression) -> tuple[str, str] | None:
    """`os.environ.get("X", "lit")` / `os.getenv("X", "lit")` → ("X", "lit")."""
    getter = m.Call(
        func=m.Attribute(
            value=m.Attribute(value=m.Name("os"), attr=m.Name("environ")), attr=m.Name("get")
        )
        | m.Attribute(value=m.Name("os"), attr=m.Name("getenv")),
        args=[m.Arg(m.SimpleString()), m.Arg(m.SimpleString())],
    )
    if m.matches(value, getter):
        args = value.args  # type: ignore[attr-defined]
        env, default = args[0].value.evaluated_value, args[1].value.evaluated_value
        if isinstance(env, str) and isinstance(default, str):
            return env, default
    lookup = m.Call(
        func=m.Attribute(
            value=m.Attribute(value=m.Name("os"), attr=m.Name("environ")), attr=m.Name("get")
        )
        | m.Attribute(value=m.Name("os"), attr=m.Name("getenv")),
        args=[m.Arg(m.SimpleString())],
    )
    if m.matches(value, m.BooleanOperation(left=lookup, operator=m.Or(), right=m.SimpleString())):
        env = value.left.args[0].value.evaluated_value  # type: ignore[attr-defined]
        default = value.right.evaluated_value  # type: ignore[attr-defined]
        if isinstance(env, str) and isinstance(default, str):
            return env, default
    return None


def _uses_extension(project: Project, module: str) -> bool:
    return any(module in project.text(path) for path in project.python_paths())


@dataclass(frozen=True)
class BaseClass:
    """The project's own config class the app loaded with `from_object`: our classes extend it."""

    module: str
    name: str


def _from_object(statement: cst.BaseStatement, app: str) -> cst.BaseExpression | None:
    if m.matches(
        statement,
        m.SimpleStatementLine(
            body=[
                m.Expr(
                    m.Call(
                        func=m.Attribute(
                            value=m.Attribute(value=m.Name(app), attr=m.Name("config")),
                            attr=m.Name("from_object"),
                        ),
                        args=[m.Arg(keyword=None)],
                    )
                )
            ]
        ),
    ):
        return statement.body[0].value.args[0].value  # type: ignore[attr-defined, no-any-return]
    return None


def _loaded_class(
    project: Project, index: ModuleIndex, target: cst.BaseExpression
) -> BaseClass | None:
    """`from_object(Config)` (imported class) or `from_object("config.Config")` → the class."""
    if isinstance(target, cst.Name) and target.value in index.imports:
        imported = index.imports[target.value]
        if imported.original is not None:
            return BaseClass(imported.module, imported.original)
    dotted_path = _string_key(target)
    if dotted_path and "." in dotted_path:
        module, _, name = dotted_path.rpartition(".")
        path = module.replace(".", "/") + ".py"
        if path in project and any(
            m.matches(s, m.ClassDef(name=m.Name(name))) for s in project.module(path).body
        ):
            return BaseClass(module, name)
    return None


def _module_constants(index: ModuleIndex, before: int) -> list[tuple[int, str, cst.BaseExpression]]:
    """UPPERCASE module-level assignments above `from_object(__name__)`: what it loads."""
    found = []
    for position, statement in enumerate(index.body[:before]):
        if m.matches(
            statement, m.SimpleStatementLine(body=[m.Assign(targets=[m.AssignTarget(m.Name())])])
        ):
            assign = statement.body[0]  # type: ignore[attr-defined]
            name = assign.targets[0].target.value
            if name.isupper():
                found.append((position, name, assign.value))
    return found


def transform(project: Project, model: AppModel, options: Options) -> Outcome:
    if model.layout is Layout.FACTORY:
        return Outcome(project)
    index = project.index(model.app_path)
    app = model.app_name
    findings: list[Finding] = []

    settings: list[Setting] = []
    moved: set[int] = set()
    helpers: set[int] = set()
    constants: set[int] = set()
    import_names: set[str] = set()
    base: BaseClass | None = None
    kept: dict[int, cst.BaseStatement] = {}
    for position, statement in enumerate(index.body):
        target = _from_object(statement, app)
        items: list[tuple[str, cst.BaseExpression]] | None
        if target is not None and m.matches(target, m.Name("__name__")):
            found = _module_constants(index, position)
            constants |= {p for p, _, _ in found}
            items = [(name, value) for _, name, value in found]
            if not items:
                moved.add(position)
                continue
        elif target is not None and base is None:
            base = _loaded_class(project, index, target)
            if base is None:
                findings.append(
                    Finding(
                        Location(model.app_path, index.statement_line(position)),
                        "from_object with something other than a class: kept where it is",
                        Severity.NOTE,
                    )
                )
                continue
            moved.add(position)
            continue
        else:
            items = _settings_of(statement, app)
        if not items:
            continue
        earlier = {s.key for s in settings} | {name for name, _ in items}
        movable: list[tuple[str, cst.BaseExpression]] = []
        blocked: list[str] = []
        for key, value in items:
            reads = global_reads(index, value)
            resolution = _resolve(
                index, reads - (earlier & reads if constants else set()), app, set()
            )
            if resolution.blocker:
                blocked.append(key)
                findings.append(
                    Finding(
                        Location(model.app_path, index.statement_line(position)),
                        f"setting {key} kept in place: its value {resolution.blocker}",
                    )
                )
                continue
            movable.append((key, value))
            helpers |= resolution.helpers - constants
            import_names |= resolution.imports
        if not movable:
            continue
        if blocked:
            # `update(A=1, B=app.x)`: A moves, the call stays with only what needs the app.
            kept[position] = _keep_only(statement, blocked)
        moved.add(position)
        settings += [Setting(key, value, position) for key, value in movable]
    if not settings and base is None:
        return Outcome(project, tuple(findings))
    if "get_config" in index.binders and "get_config" not in index.imports:
        # The app module's own `get_config` would shadow the loader this codemod imports.
        line = index.statement_line(min(index.binders["get_config"]))
        message = "`get_config` is already defined here; rename it, then run again"
        return Outcome(project, (*findings, Finding(Location(model.app_path, line), message)))

    target_dir = config_dir(model)
    config_path = f"{target_dir}/{CONFIG_MODULE}.py" if target_dir else f"{CONFIG_MODULE}.py"
    existing: cst.Module | None = None
    if config_path in project:
        existing = project.module(config_path)
        if base is None or base.module != CONFIG_MODULE or _defines(existing, "get_config"):
            findings.append(
                Finding(
                    Location(config_path),
                    f"{config_path} already exists and is not the module the app loads its "
                    f"settings from; settings left in {model.app_path}",
                )
            )
            return Outcome(project, tuple(findings))

    base_defaults = _class_secrets(project, base) if base else {}
    text, secrets = _render_config(
        project,
        index,
        model,
        settings,
        helpers,
        import_names,
        target_dir,
        findings,
        options,
        base=base,
        existing=existing,
        inherited=base_defaults,
    )
    for key, literal in secrets:
        findings.append(
            Finding(
                Location(config_path),
                f"{key} now comes from the environment; the old value "
                f"{mask(literal)!r} is only the development default",
                Severity.NOTE,
            )
        )

    # The app module: one `from_object` where the first setting was, the rest gone.
    first = min(moved)
    load = cst.parse_statement(f"{app}.config.from_object(get_config())\n")
    removed = set(moved) - set(kept)  # a partly kept statement still needs its names
    for helper in sorted(helpers | constants):
        bound = index.names_bound_by({helper})
        if all(
            index.only_read_within(name, removed | helpers | constants)
            or not index.readers.get(name)
            for name in bound
        ):
            removed.add(helper)
    body: list[cst.BaseStatement] = []
    carried: Sequence[cst.EmptyLine] = ()
    for position, statement in enumerate(index.body):
        if position == first:
            body.append(load.with_changes(leading_lines=statement.leading_lines))
            if position in kept:
                body.append(kept[position].with_changes(leading_lines=[]))
        elif position in kept:
            body.append(kept[position])
        elif position in removed:
            # keep the blank line that separated the removed statement from what came before
            carried = carried or statement.leading_lines
        else:
            if carried and not statement.leading_lines:
                statement = statement.with_changes(leading_lines=carried)
            body.append(statement)
        carried = carried if position in removed else ()
    unused = {
        name
        for name in index.imports
        if index.readers.get(name) and index.only_read_within(name, removed)
    }
    tree = prune_imports(index.tree.with_changes(body=body), unused)
    tree = add_import(tree, CONFIG_MODULE, "get_config")

    extra = {
        ".env.example": _env_example(project, secrets, options),
    }
    gitignore = _gitignore_with_env(project)
    if gitignore is not None:
        extra[".gitignore"] = gitignore
    new_project = project.with_changes(
        modules={model.app_path: tree}, texts={config_path: text, **extra}
    )
    return Outcome(new_project, tuple(findings), frozenset(literal for _, literal in secrets))


def _keep_only(statement: cst.BaseStatement, keys: list[str]) -> cst.BaseStatement:
    """An `update(...)`/`from_mapping(...)` call reduced to the keyword arguments `keys`."""
    assert isinstance(statement, cst.SimpleStatementLine)
    call = statement.body[0].value  # type: ignore[attr-defined]
    args = [a for a in call.args if a.keyword is not None and a.keyword.value in keys]
    if len(args) != len(keys):  # keys from a dict literal: keep the statement whole
        return statement
    args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    expr = statement.body[0].with_changes(value=call.with_changes(args=args))  # type: ignore[attr-defined]
    return statement.with_changes(body=[expr])


def _defines(tree: cst.Module, name: str) -> bool:
    return any(
        m.matches(s, m.FunctionDef(name=m.Name(name)) | m.ClassDef(name=m.Name(name)))
        for s in tree.body
    )


def _class_secrets(project: Project, base: BaseClass) -> dict[str, str]:
    """Secret attributes of the project's own class with a literal fallback (env or literal)."""
    path = base.module.replace(".", "/") + ".py"
    if path not in project:
        return {}
    found: dict[str, str] = {}
    for statement in project.module(path).body:
        if not m.matches(statement, m.ClassDef(name=m.Name(base.name))):
            continue
        for line in m.findall(statement, m.Assign(targets=[m.AssignTarget(m.Name())])):
            key = line.targets[0].target.value  # type: ignore[attr-defined]
            value = line.value  # type: ignore[attr-defined]
            from_env = _environment_default(value)
            literal = from_env[1] if from_env else _string_key(value)
            if literal is not None and is_secret(key, literal):
                found[key] = literal
    return found


def _render_config(
    project: Project,
    index: ModuleIndex,
    model: AppModel,
    settings: list[Setting],
    helpers: set[int],
    import_names: set[str],
    target_dir: str,
    findings: list[Finding],
    options: Options,
    *,
    base: BaseClass | None = None,
    existing: cst.Module | None = None,
    inherited: dict[str, str] | None = None,
) -> tuple[str, list[tuple[str, str]]]:
    """config.py's text: a new module, or the project's own config module with our classes added."""
    code = index.tree.code_for_node
    plan = ImportPlan()
    plan.add("import os")
    for name in sorted(import_names):
        plan.add(index.imports[name].statement())
    if base is not None and base.module != CONFIG_MODULE:
        plan.add(f"from {base.module} import {base.name}", local=True)

    helper_lines = []
    for helper in sorted(helpers):
        statement, unhandled = reanchor(index.body[helper], model.app_dir, target_dir)
        if unhandled:
            findings.append(
                Finding(
                    Location(model.app_path, index.statement_line(helper)),
                    "uses __file__ in a way flaskmod cannot re-anchor; check the path in config.py",
                )
            )
        helper_lines.append(code(statement.with_changes(leading_lines=[])).rstrip("\n"))

    defaults: dict[str, str] = dict(inherited or {})
    secrets: list[tuple[str, str]] = list((inherited or {}).items())
    lines: dict[str, str] = {}
    for setting in settings:
        value, unhandled = reanchor(setting.value, model.app_dir, target_dir)
        literal = _string_key(setting.value)
        from_env = _environment_default(setting.value)
        if from_env and is_secret(setting.key, from_env[1]):
            env, default = from_env
            defaults[setting.key] = default
            secrets.append((setting.key, default))
            rendered = _env_call(env, setting.key)
        elif literal is not None and is_secret(setting.key, literal):
            defaults[setting.key] = literal
            secrets.append((setting.key, literal))
            rendered = _env_call(ENV_NAMES.get(setting.key, setting.key), setting.key)
        else:
            rendered = code(value)
        lines[setting.key] = rendered  # a later assignment of the same key wins, as at run time

    if existing is None:
        out = [
            '"""Settings for each environment; `create_app(config_name)` picks one by name."""',
            "",
            plan.render(),
            "",
        ]
    else:
        # The project's own config module: keep it whole, add the environments after it.
        tree = existing
        for line in plan.lines + plan.local:
            tree = add_import_line(tree, line)
        out = [
            tree.code.rstrip("\n"),
            "",
            "",
            "# Environments built on the class the app loaded (added by flaskmod).",
        ]
    if helper_lines:
        out += [*helper_lines, ""]
    if defaults:
        out += [
            "# Development defaults of the settings production must read from the environment.",
            "# ProductionConfig refuses to start while any of them is missing or unchanged.",
            "_DEVELOPMENT_DEFAULTS = {",
            *(f"    {quote(key)}: {quote(value)}," for key, value in defaults.items()),
            "}",
            "",
        ]
    out += ["", f"class BaseConfig({base.name}):" if base else "class BaseConfig:"]
    out += [f"    {key} = {value}" for key, value in lines.items()]
    out += [
        "",
        "    @classmethod",
        "    def validate(cls):",
        '        """Called at start-up; only production insists on real secrets."""',
        "",
        "",
        "class DevelopmentConfig(BaseConfig):",
        "    pass",
        "",
        "",
        "class TestingConfig(BaseConfig):",
        "    TESTING = True",
    ]
    if _uses_extension(project, "flask_sqlalchemy"):
        out.append('    SQLALCHEMY_DATABASE_URI = "sqlite:///:memory:"')
    out += ["    WTF_CSRF_ENABLED = False", "", "", "class ProductionConfig(BaseConfig):"]
    if "DEBUG" in lines and lines["DEBUG"] != "False":
        out += ["    DEBUG = False", ""]
    if defaults:
        out += [
            "    @classmethod",
            "    def validate(cls):",
            "        for name, development_default in _DEVELOPMENT_DEFAULTS.items():",
            "            value = getattr(cls, name)",
            "            if not value or value == development_default:",
            "                raise RuntimeError(",
            '                    "{} must be set in the environment for production "',
            '                    "(it is missing or still the development default)".format(name)',
            "                )",
        ]
    elif out[-1].startswith("class ProductionConfig"):
        out.append("    pass")
    env = options.config_env_var
    out += [
        "",
        "",
        "config_by_name = {",
        '    "development": DevelopmentConfig,',
        '    "testing": TestingConfig,',
        '    "production": ProductionConfig,',
        "}",
        "",
        "",
        "def get_config(name=None):",
        f'    """The class for `name` (default: ${env}, else "development"), validated."""',
        f'    config_class = config_by_name[name or os.environ.get("{env}", "development")]',
        "    config_class.validate()",
        "    return config_class",
        "",
    ]
    text = "\n".join(out)
    cst.parse_module(text)  # a rendering bug must fail here, not in the user's app
    return text, secrets


def _env_example(project: Project, secrets: list[tuple[str, str]], options: Options) -> str:
    existing = project.text(".env.example") if ".env.example" in project else ""
    names = [line.split("=", 1)[0] for line in existing.splitlines() if "=" in line]
    wanted = [options.config_env_var] + [ENV_NAMES.get(key, key) for key, _ in secrets]
    added = [name for name in wanted if name not in names]
    if not added:
        return existing
    lines = [] if existing else ["# Copy to .env and fill in; never commit .env."]
    for name in added:
        lines.append(f"{name}=development" if name == options.config_env_var else f"{name}=")
    prefix = existing if not existing or existing.endswith("\n") else existing + "\n"
    return prefix + "\n".join(lines) + "\n"


def _gitignore_with_env(project: Project) -> str | None:
    existing = project.text(".gitignore") if ".gitignore" in project else ""
    if any(line.strip() in (".env", "/.env", ".env*", "*.env") for line in existing.splitlines()):
        return None
    prefix = existing if not existing or existing.endswith("\n") else existing + "\n"
    return prefix + ".env\n"
