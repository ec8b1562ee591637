"""Names in the code flaskmod writes, shared by the codemods that write it and the analysis that
recognises it on a later run (a factory flaskmod built, whose `wsgi.py` or tests may be pending)."""

from __future__ import annotations

import re
from typing import Final

#: the factory function flaskmod writes, and what wsgi.py and the tests call
FACTORY: Final = "create_app"
#: config.py's loader (`get_config(name)`), its registry, and the module itself
GET_CONFIG: Final = "get_config"
CONFIG_BY_NAME: Final = "config_by_name"
CONFIG_MODULE: Final = "config"
#: the module holding the unbound extension instances
EXTENSIONS_MODULE: Final = "extensions"
#: the name every blueprint package exports its Blueprint under (`from .main import bp`)
BLUEPRINT_VARIABLE: Final = "bp"
#: the environment variable that names the config class, unless `--config-env-var` says otherwise
CONFIG_ENV_VAR: Final = "FLASK_CONFIG"
#: the branch `upgrade --commit` commits each codemod on, unless `--branch` says otherwise
DEFAULT_BRANCH: Final = "flaskmod/factory"


def instance_name(class_name: str, taken: set[str]) -> str:
    """The name of the instance a bare `Ext(app)` call creates: `CORS` → `cors`, `LoginManager`
    → `login_manager`, numbered when the module already uses it (and then added to `taken`)."""
    base = re.sub(r"(?<!^)(?=[A-Z][a-z])", "_", class_name.split(".")[-1]).lower()
    name, number = base, 2
    while name in taken:
        name, number = f"{base}_{number}", number + 1
    taken.add(name)
    return name


#: the codemod that moves settings into config classes (the self-check quotes its refusal)
CONFIG_CODEMOD: Final = "config-classes"
