"""The self-check refuses a deliberately broken result, rule by rule (and passes a sound one)."""

from __future__ import annotations

import dataclasses

import pytest

from flaskmod import selfcheck
from flaskmod.analysis import analyze
from flaskmod.conventions import CONFIG_CODEMOD
from flaskmod.selfcheck.base import Workspace
from tests.codemods.tools import project_of

APP = "from flask import Flask\napp = Flask(__name__)\n"


@dataclasses.dataclass
class _Run:
    """What the self-check reads of a pipeline run."""

    original: object
    final: object
    model: object
    steps: tuple[object, ...] = ()
    secrets: frozenset[str] = frozenset()


def _check(
    before: dict[str, str],
    after: dict[str, str],
    secrets: frozenset[str] = frozenset(),
    moves: dict[str, str] | None = None,
) -> list[str]:
    """The self-check's findings; `moves` maps a result path to its original path."""
    original = project_of(before)
    final = project_of(after)
    if "app.py" in before and "app.py" not in after and "app/__init__.py" in after:
        final = dataclasses.replace(final, origin={"app/__init__.py": "app.py"})  # the move
    if moves:
        final = dataclasses.replace(final, origin=moves)
    run = _Run(original, final, analyze(original), (), secrets)
    return [f"{v.rule} {v.location}: {v.message}" for v in selfcheck.check(run)]


def _rules(found: list[str]) -> set[str]:
    return {line.split(" ", 1)[0] for line in found}


FACTORY = (
    "from flask import Flask\nfrom config import get_config\n\n\n"
    'def create_app(config_name="development"):\n'
    "    app = Flask(__name__)\n    app.config.from_object(get_config(config_name))\n"
    "    get_config(config_name).validate(app.config)\n    return app\n"
)
CONFIG = (
    "_DEVELOPMENT_DEFAULTS = {'SECRET_KEY': 'dev-key-123456'}\n\n\n"
    "class ProductionConfig:\n    @classmethod\n    def validate(cls, config=None):\n        pass\n\n\n"
    "def get_config(name=None):\n    return ProductionConfig\n"
)


def test_a_sound_result_passes() -> None:
    assert _check({"app.py": APP}, {"app/__init__.py": FACTORY, "config.py": CONFIG}) == []


# -------------------------------------------------------------------------------- links
def test_an_undefined_name_is_refused() -> None:
    found = _check({"app.py": APP}, {"app.py": APP + "x = helper()\n"})
    assert found == ["links app.py:3: `helper` is not defined here after the migration"]


def test_a_module_that_does_not_compile_is_refused() -> None:
    """Found by fuzzing: `from app import LIMIT,\n    STATE` (parentheses dropped) was written;
    undefined names skip a module that does not parse, and nothing else looked. (Here a module
    LibCST reads but Python does not compile: the checks' own parse would stop at the other.)"""
    broken = "def f(a, a):\n    return a\n"
    found = _check({"app.py": APP, "views.py": "x = 1\n"}, {"app.py": APP, "views.py": broken})
    assert found and found[0].startswith("links views.py:1: the migrated module does not compile")


def test_a_name_already_undefined_before_is_not_the_migrations_doing() -> None:
    before = APP + "x = helper()\n"
    assert _check({"app.py": before}, {"app.py": before + "y = 1\n"}) == []


def test_importing_a_name_that_is_gone_is_refused() -> None:
    before = {"app.py": APP + "db = object()\n", "views.py": "from app import db\n"}
    after = {"app.py": APP, "views.py": "from app import db\n"}
    assert _check(before, after) == ["links views.py:1: `db` is no longer defined in app.py (app)"]


def test_an_import_of_a_module_that_is_gone_is_refused() -> None:
    before = {"app.py": APP, "helpers.py": "X = 1\n", "views.py": "from helpers import X\n"}
    after = {"app.py": APP, "views.py": "from helpers import X\n"}
    assert _rules(_check(before, after)) == {"links"}


def test_a_relative_import_that_now_means_another_folder_is_refused() -> None:
    before = {
        "app.py": APP,
        "pkg/__init__.py": "",
        "pkg/helpers.py": "X = 1\n",
        "pkg/core.py": "from .helpers import X\n",
    }
    after = {
        "app.py": APP,
        "pkg/__init__.py": "",
        "pkg/helpers.py": "X = 1\n",
        "pkg/core/__init__.py": "from .helpers import X\n",
    }
    assert _check(before, after) == [
        "links pkg/core/__init__.py:1: imports from `pkg.core.helpers`, a module the project "
        "does not have"
    ]


def test_a_missing_submodule_the_original_already_imported_is_not_judged() -> None:
    before = {"app.py": APP, "pkg/__init__.py": "from pkg.compiled import fast\n"}
    after = {"app.py": APP, "pkg/__init__.py": "from pkg.compiled import fast\nB = 2\n"}
    assert _check(before, after) == []


def test_an_app_read_through_a_star_reexport_is_refused_when_gone() -> None:
    core = "from flask import Flask\napp = Flask(__name__)\n"
    test = "import pkg\n\n\ndef test_it():\n    assert pkg.app\n"
    before = {"pkg/__init__.py": "from .core import *\n", "pkg/core.py": core, "t.py": test}
    after = {**before, "pkg/core.py": "def create_app():\n    pass\n"}
    assert _check(before, after) == [
        "new-local t.py:5: `app` is no longer defined in pkg/__init__.py (pkg)"
    ]
    assert _check(before, {**after, "t.py": test.replace("pkg.app", "pkg.create_app")}) == []


# Unchanged modules are judged by the rules about imports too: what they import may be gone.
def test_an_unchanged_relative_import_of_a_name_that_is_gone_is_refused() -> None:
    """`from . import X` names no module: no text prefilter on module names sees it."""
    before = {"app.py": APP, "pkg/__init__.py": "X = 1\n", "pkg/a.py": "from . import X\n"}
    after = {**before, "pkg/__init__.py": "Y = 1\n"}
    assert _check(before, after) == [
        "links pkg/a.py:1: `X` is no longer defined in pkg/__init__.py (pkg)"
    ]


def test_an_unchanged_import_of_a_name_reexported_from_a_changed_module_is_refused() -> None:
    """`pkg` re-exports `core` with `from .core import *`: `core` changing changes `pkg`."""
    core = "from flask import Flask\napp = Flask(__name__)\n"
    before = {"pkg/__init__.py": "from .core import *\n", "pkg/core.py": core}
    before["t.py"] = "from pkg import app\n"
    after = {**before, "pkg/core.py": "def create_app():\n    pass\n"}
    assert _check(before, after) == [
        "links t.py:1: `app` is no longer defined in pkg/__init__.py (pkg)"
    ]


def test_an_unchanged_import_of_a_moved_module_is_refused() -> None:
    before = {"app.py": APP, "views.py": "X = 1\n", "t.py": "from views import X\n"}
    after = {"app.py": APP, "pkg/__init__.py": "", "pkg/views.py": "X = 1\n"}
    after["t.py"] = before["t.py"]
    found = _check(before, after, moves={"pkg/views.py": "views.py"})
    assert found == ["links t.py:1: imports from `views`, which no longer exists"]


def test_a_moved_module_whose_relative_import_now_means_another_folder_is_refused() -> None:
    """The module's text is unchanged; where it is, and so what `.helpers` means, is not."""
    core = "from .helpers import X\n"
    kept = {"app.py": APP, "pkg/__init__.py": "", "pkg/helpers.py": "X = 1\n"}
    before, after = {**kept, "pkg/core.py": core}, {**kept, "pkg/core/__init__.py": core}
    found = _check(before, after, moves={"pkg/core/__init__.py": "pkg/core.py"})
    assert found == [
        "links pkg/core/__init__.py:1: imports from `pkg.core.helpers`, a module the project "
        "does not have"
    ]


def test_an_unchanged_module_reading_an_attribute_gone_from_a_changed_module_is_refused() -> None:
    """Not only the app module loses names: `models.db` moved to an extensions module."""
    reader = "import models\n\n\ndef rows():\n    return models.db\n"
    before = {"flaskr.py": APP, "models.py": "db = 1\n", "t.py": reader}
    after = {**before, "models.py": "from extensions import db as _db\n"}
    after["extensions.py"] = "db = 1\n"
    assert _check(before, after) == [
        "new-local t.py:5: `db` is no longer defined in models.py (models)"
    ]


def test_a_module_shadowed_by_a_new_package_is_refused() -> None:
    before = {"app.py": APP, "site/__init__.py": "", "site/main.py": "X = 1\n"}
    after = {**before, "site/main/__init__.py": "Y = 2\n"}
    assert _check(before, after) == [
        "links site/main.py: site/main.py can no longer be imported: the package "
        "site/main/__init__.py shadows it"
    ]


def test_a_name_that_became_local_to_create_app_is_named_so() -> None:
    before = {"app/__init__.py": APP + "db = 1\n", "app/views.py": "from app import db\n"}
    after = {
        "app/__init__.py": "from flask import Flask\n\n\ndef create_app():\n    app = Flask(__name__)\n    db = 1\n    return app\n",
        "app/views.py": "from app import db\n",
    }
    found = _check(before, after)
    assert any("`db` became local to create_app() in app/__init__.py" in line for line in found)


def test_a_module_attribute_that_became_local_is_refused() -> None:
    before = {
        "app.py": APP + "db = 1\n",
        "tests/test_x.py": "import app\n\n\ndef test_it():\n    assert app.db\n",
    }
    after = {
        "app.py": "from flask import Flask\n\n\ndef create_app():\n    db = 1\n    return Flask(__name__)\n",
        "tests/test_x.py": "import app\n\n\ndef test_it():\n    assert app.db\n",
    }
    assert "new-local" in _rules(_check(before, after))


def test_imports_of_libraries_are_not_judged() -> None:
    assert _check({"app.py": APP}, {"app.py": APP + "from flask import nothing_there\n"}) == []


def test_submodules_count_as_names() -> None:
    after = {
        "app/__init__.py": APP,
        "app/main/__init__.py": "",
        "app/main/routes.py": "",
        "x.py": "from app.main import routes\n",
    }
    assert _check({"app/__init__.py": APP}, after) == []


# ------------------------------------------------------------------------ registrations
BLUEPRINT = "from flask import Blueprint\nbp = Blueprint('main', __name__)\n"
VIEWS = "from app.main import bp\n\n\n@bp.route('/')\ndef index():\n    return ''\n"


def test_a_registering_module_nothing_imports_is_refused() -> None:
    after = {
        "app/__init__.py": "from flask import Flask\n\n\ndef create_app():\n    app = Flask(__name__)\n    from .main import bp\n    app.register_blueprint(bp)\n    return app\n",
        "app/main/__init__.py": BLUEPRINT,
        "app/main/cli.py": "from app.main import bp\n\n\n@bp.cli.command('translate')\ndef translate():\n    pass\n",
    }
    found = _check({"app/__init__.py": APP}, after)
    assert [line.split(":")[0] for line in found] == ["registrations app/main/cli.py"]


def test_a_registering_module_the_blueprint_imports_passes() -> None:
    after = {
        "app/__init__.py": "from flask import Flask\n\n\ndef create_app():\n    app = Flask(__name__)\n    from .main import bp\n    app.register_blueprint(bp)\n    return app\n",
        "app/main/__init__.py": BLUEPRINT + "from . import routes  # noqa\n",
        "app/main/routes.py": VIEWS,
    }
    assert _check({"app/__init__.py": APP}, after) == []


# --------------------------------------------------------------------------- production
def test_a_literal_secret_after_the_config_load_is_refused() -> None:
    factory = FACTORY.replace(
        "    get_config(config_name).validate(app.config)\n",
        "    app.config.update(SECRET_KEY='dev')\n    get_config(config_name).validate(app.config)\n",
    )
    found = _check({"app.py": APP}, {"app/__init__.py": factory, "config.py": CONFIG})
    assert [line.split(" ")[0] for line in found] == ["production"]
    assert "`SECRET_KEY` is set to a literal after the config classes load" in found[0]


def test_a_literal_secret_in_any_mapping_form_after_the_load_is_refused() -> None:
    """Found by fuzzing: `update(dict(API_TOKEN='...'))` after the load was not seen."""
    for form in (
        "app.config.update(dict(API_TOKEN='tok-en-dev'))",
        "app.config.update(**{'API_TOKEN': 'tok-en-dev'})",
        "app.config.from_mapping({'API_TOKEN': 'tok-en-dev'})",
    ):
        factory = FACTORY.replace(
            "    get_config(config_name).validate(app.config)\n",
            f"    {form}\n    get_config(config_name).validate(app.config)\n",
        )
        found = _check({"app.py": APP}, {"app/__init__.py": factory, "config.py": CONFIG})
        assert "`API_TOKEN` is set to a literal after the config" in " ".join(found), form


UNLOADED = (
    "from flask import Flask\n\n\ndef get_settings():\n    return {{}}\n\n\n"
    'def create_app(config_name="development"):\n'
    "    app = Flask(__name__)\n    app.config.update(get_settings())\n"
    "    {line}\n    return app\n"
)


def test_a_literal_secret_in_a_factory_with_no_config_class_is_refused() -> None:
    """The config classes declined (the project's own `get_config` was in the way): a secret
    the factory sets literally would reach production."""
    factory = UNLOADED.format(line="app.config['SECRET_KEY'] = 's3cr3t-very-long-key'")
    found = _check({"app.py": APP}, {"app/__init__.py": factory})
    assert [line.split(" ")[0] for line in found] == ["production"]
    assert "`SECRET_KEY` is set to a literal in create_app() and no config class" in found[0]


def test_settings_of_a_factory_with_no_config_class_that_are_not_secrets_pass() -> None:
    for line in (
        "app.config['DEBUG'] = False",
        "app.config['PER_PAGE'] = 25",
        "app.config['SECRET_KEY'] = os.environ['SECRET_KEY']",
    ):
        factory = "import os\n" + UNLOADED.format(line=line)
        assert _check({"app.py": APP}, {"app/__init__.py": factory}) == [], line


def test_the_config_codemod_is_named_as_the_self_check_quotes_it() -> None:
    from codemods.config_classes import codemod

    assert codemod.name == CONFIG_CODEMOD


def test_the_projects_own_factory_is_not_judged() -> None:
    factory = UNLOADED.format(line="app.config['SECRET_KEY'] = 's3cr3t-very-long-key'")
    assert _check({"app/__init__.py": factory}, {"app/__init__.py": factory}) == []


def test_a_one_line_factory_is_read_not_crashed_on() -> None:
    """`def create_app(): return Flask(__name__)` holds small statements, not a block."""
    factory = "from flask import Flask\n\n\ndef create_app(): return Flask(__name__)\n"
    assert _check({"app.py": APP}, {"app/__init__.py": factory}) == []
    secret = "from flask import Flask\n\n\ndef create_app(): app = Flask(__name__); app.config['SECRET_KEY'] = 's3cr3t-very-long-key'; return app\n"
    assert _rules(_check({"app.py": APP}, {"app/__init__.py": secret})) == {"production"}


def test_debug_on_after_the_load_is_refused() -> None:
    factory = FACTORY.replace("    return app\n", "    app.debug = True\n    return app\n")
    assert "production" in _rules(
        _check({"app.py": APP}, {"app/__init__.py": factory, "config.py": CONFIG})
    )


def test_settings_read_from_the_environment_after_the_load_pass() -> None:
    factory = FACTORY.replace(
        "    get_config(config_name).validate(app.config)\n",
        "    app.config['SECRET_KEY'] = os.environ['KEY']\n    get_config(config_name).validate(app.config)\n",
    ).replace("from flask import Flask\n", "import os\nfrom flask import Flask\n")
    assert _check({"app.py": APP}, {"app/__init__.py": factory, "config.py": CONFIG}) == []


def test_a_secret_literal_left_in_production_code_is_refused() -> None:
    after = {"app/__init__.py": FACTORY + "TOKEN = 'sk_live_abcdef123456'\n", "config.py": CONFIG}
    found = _check({"app.py": APP}, after, frozenset({"sk_live_abcdef123456"}))
    assert [line.split(" ")[0] for line in found] == ["production"]


def test_a_secret_in_another_app_beside_it_is_not_production_code() -> None:
    other = APP + "KEY = 'sk_live_abcdef123456'\n"
    before = {"app.py": APP + "@app.route('/')\ndef i():\n    return ''\n", "other.py": other}
    after = {"app/__init__.py": FACTORY, "config.py": CONFIG, "other.py": other}
    assert _check(before, after, frozenset({"sk_live_abcdef123456"})) == []


def test_the_development_default_in_config_py_is_allowed() -> None:
    after = {"app/__init__.py": FACTORY, "config.py": CONFIG}
    assert _check({"app.py": APP}, after, frozenset({"dev-key-123456"})) == []


def test_a_short_secret_elsewhere_counts_only_as_a_secret_setting() -> None:
    after = {"app/__init__.py": FACTORY + "MODE = request_mode = 'default'\n", "config.py": CONFIG}
    assert _check({"app.py": APP}, after, frozenset({"default"})) == []
    held = {"app/__init__.py": FACTORY + "PASSWORD = 'default'\n", "config.py": CONFIG}
    assert "production" in _rules(_check({"app.py": APP}, held, frozenset({"default"})))


def test_a_factory_that_does_not_validate_the_final_settings_is_refused() -> None:
    factory = FACTORY.replace("    get_config(config_name).validate(app.config)\n", "")
    found = _check({"app.py": APP}, {"app/__init__.py": factory, "config.py": CONFIG})
    assert any("does not validate the settings" in line for line in found)


def test_validating_before_a_later_config_statement_is_refused() -> None:
    factory = FACTORY.replace(
        "    return app\n", "    app.config.from_envvar('SETTINGS')\n    return app\n"
    )
    assert "production" in _rules(
        _check({"app.py": APP}, {"app/__init__.py": factory, "config.py": CONFIG})
    )


def test_the_projects_own_create_app_is_not_judged_as_the_factory() -> None:
    """Found by fuzzing: the factory declined (the app module already has a `create_app`), and
    the user's function of that name was refused as a factory that does not validate."""
    own = "\n\n# theirs\ndef create_app(value):\n    return app.config.get('DEBUG') or value\n"
    before = {"app.py": APP + own}
    migrated = APP + "from config import get_config\napp.config.from_object(get_config())\n"
    migrated += "get_config().validate(app.config)\n" + own.replace("# theirs\n", "")
    assert _check(before, {"app/__init__.py": migrated, "config.py": CONFIG}) == []


# ------------------------------------------------------------------------------ proxies
def test_current_app_handed_to_a_thread_is_refused() -> None:
    after = (
        APP
        + "from flask import current_app\nfrom threading import Thread\n\n\ndef send(msg):\n    Thread(target=print, args=[current_app, msg]).start()\n"
    )
    found = _check({"app.py": APP}, {"app.py": after})
    assert [line.split(" ")[0] for line in found] == ["proxies"]


def test_a_view_called_current_app_is_not_the_proxy() -> None:
    """Found by fuzzing: `bp.add_url_rule("/x", None, current_app)` registers the project's own
    view called `current_app`; nothing imports Flask's proxy there."""
    views = "def current_app():\n    return 'x'\n\n\nregister(current_app)\n"
    found = _check({"app.py": APP}, {"app.py": APP + "register = print\n" + views})
    assert "proxies" not in _rules(found)


def test_current_app_returned_or_stored_is_refused() -> None:
    after = (
        APP
        + "from flask import current_app\n\n\ndef get():\n    return current_app\n\n\nholder = {'app': current_app}\n"
    )
    assert len(_check({"app.py": APP}, {"app.py": after})) == 2


def test_current_app_app_context_is_refused() -> None:
    after = (
        APP
        + "from flask import current_app\n\n\ndef job():\n    with current_app.app_context():\n        pass\n"
    )
    assert _rules(_check({"app.py": APP}, {"app.py": after})) == {"proxies"}


def test_current_app_imported_over_several_lines_and_handed_on_is_refused() -> None:
    """Lines that only an import occupies are not read for the proxy; the rest still are."""
    after = APP + (
        "from flask import (\n    current_app,\n    request,\n)\n\n\n"
        "def get():\n    return current_app.name, request\n\n\ndef keep():\n    return current_app\n"
    )
    found = _check({"app.py": APP}, {"app.py": after})
    assert found == [
        "proxies app.py:14: `current_app` handed on as a value: it stops working when the "
        "context ends; use `current_app._get_current_object()`"
    ]
    plain = after.replace("return current_app\n", "return 1\n")
    assert _check({"app.py": APP}, {"app.py": plain}) == []


@pytest.mark.parametrize(
    "after",
    [
        "from flask import current_app; holder = [current_app]\n",
        "import os; from flask import current_app; holder = [current_app, os]\n",
        "def f():\n    from flask import current_app; return current_app\n",
    ],
)
def test_current_app_handed_on_on_an_import_line_is_refused(after: str) -> None:
    """A line that starts with an import may hold more: it is read like any other."""
    found = _check({"app.py": APP}, {"app.py": APP + after})
    assert _rules(found) == {"proxies"}


def test_an_import_of_current_app_inside_a_function_hands_nothing_on() -> None:
    after = APP + "def f():\n    from flask import current_app\n    return current_app.name\n"
    assert _check({"app.py": APP}, {"app.py": after}) == []


def test_a_proxy_handed_on_again_is_told_apart_from_the_one_already_there() -> None:
    """The original's hand-ons are matched in source order: the new one, later, is reported."""
    before = APP + "from flask import current_app\n\n\ndef get():\n    return current_app\n"
    after = before + "\n\ndef other():\n    return current_app\n"
    assert [line.split(":")[:2] for line in _check({"app.py": before}, {"app.py": after})] == [
        ["proxies app.py", "11"]
    ]


def test_the_real_object_and_plain_reads_pass() -> None:
    after = APP + (
        "from flask import current_app\nfrom threading import Thread\n\n\n"
        "def send(msg):\n    Thread(target=print, args=[current_app._get_current_object(), msg]).start()\n"
        "    return current_app.config['X'], getattr(current_app, 'name')\n"
    )
    assert _check({"app.py": APP}, {"app.py": after}) == []


def test_a_proxy_the_original_already_handed_on_is_not_the_migrations_doing() -> None:
    before = APP + "from flask import current_app\n\n\ndef get():\n    return current_app\n"
    assert _check({"app.py": before}, {"app.py": before + "X = 1\n"}) == []


def test_violations_name_the_codemod_that_produced_them() -> None:
    original = project_of({"app.py": APP})
    broken = project_of({"app.py": APP + "x = helper()\n"})

    @dataclasses.dataclass
    class _Codemod:
        name: str

    @dataclasses.dataclass
    class _Step:
        codemod: _Codemod
        before: object
        after: object

    run = _Run(
        original, broken, analyze(original), (_Step(_Codemod("blueprints"), original, broken),)
    )
    assert [v.codemod for v in selfcheck.check(run)] == ["blueprints"]
    assert Workspace.of(run).author("app.py") == "blueprints"
