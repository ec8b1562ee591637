"""Each form of secret through a production start (issue 13): the whole migration, then
`wsgi.application` imported with FLASK_CONFIG=production as gunicorn would.

With fresh values in the environment the app's settings hold them and DEBUG is off; without
them the app refuses to start, naming the variable it reads.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from flaskmod.pipeline import Options, discover, run
from flaskmod.project import FileText, Project
from tests.conftest import CURRENT_FLASK

# Starts the migrated app in subprocesses: run by `pytest -m "slow or network"`.
pytestmark = pytest.mark.slow

PROBE = """
import json, wsgi
config = wsgi.application.config
print(json.dumps({"debug": bool(config["DEBUG"]), "config": {
    key: (value.decode("latin-1") if isinstance(value, bytes) else value)
    for key, value in config.items() if key.isupper() and isinstance(value, (str, bytes, dict))
}}))
"""

HEAD = "import os\nfrom flask import Flask\n"
FORMS = {
    "literal": ("app.secret_key = 'dev-key-123'\n", {"SECRET_KEY": ("SECRET_KEY",)}),
    "bytes": ("app.secret_key = b'_5#y2L\"F4Q8z\\n\\xec]/'\n", {"SECRET_KEY": ("SECRET_KEY",)}),
    "constant": (
        "MAIL_PASSWORD = 'hunter2hunter2'\napp.config['MAIL_PASSWORD'] = MAIL_PASSWORD\n",
        {"MAIL_PASSWORD": ("MAIL_PASSWORD",)},
    ),
    "concatenated": (
        "app.config['API_TOKEN'] = 'tok-' 'en-' + 'dev'\n",
        {"API_TOKEN": ("API_TOKEN",)},
    ),
    "f-string": ("P = 'dev'\napp.secret_key = f'{P}-key'\n", {"SECRET_KEY": ("SECRET_KEY",)}),
    "mapping next to app.root_path": (
        "app.config.update(dict(DATABASE=os.path.join(app.root_path, 'x.db'), DEBUG=True, "
        "SECRET_KEY='development key', PASSWORD='default'))\n",
        {"SECRET_KEY": ("SECRET_KEY",), "PASSWORD": ("PASSWORD",)},
    ),
    "database url": (
        "app.config['SQLALCHEMY_DATABASE_URI'] = 'postgresql://bob:hunter2@db/prod'\n",
        {"DATABASE_URL": ("SQLALCHEMY_DATABASE_URI",)},
    ),
    "token by value": ("app.config['STRIPE'] = 'sk_test_abc'\n", {"STRIPE": ("STRIPE",)}),
    "nested": (
        "app.config['OAUTH'] = {'github': {'id': '1', 'secret': 'abc'}}\n",
        {"OAUTH_GITHUB_SECRET": ("OAUTH", "github", "secret")},
    ),
    "name load": (
        "SECRET_KEY = 'development key'\nDEBUG = True\napp.config.from_object(__name__)\n",
        {"SECRET_KEY": ("SECRET_KEY",)},
    ),
}


def migrated(tmp_path: Path, settings: str) -> Path:
    source = HEAD + "app = Flask(__name__)\n" + settings
    source += "\n\n@app.route('/')\ndef index():\n    return 'ok'\n"
    project = Project(root=tmp_path, files={"app.py": FileText(source)})
    final = run(project, discover(), Options(flask=CURRENT_FLASK)).final
    for path in final.files:
        target = tmp_path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(final.text(path), encoding="utf-8")
    return tmp_path


def start(root: Path, environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "SECRET"))}
    env.update(environment, FLASK_CONFIG="production", PYTHONDONTWRITEBYTECODE="1")
    command = [sys.executable, "-c", textwrap.dedent(PROBE)]
    return subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("form", sorted(FORMS))
def test_secret_reaches_production_only_from_the_environment(tmp_path: Path, form: str) -> None:
    settings, variables = FORMS[form]
    root = migrated(tmp_path, settings)
    fresh = {variable: f"fresh-{variable.lower()}-value" for variable in variables}
    done = start(root, fresh)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert not report["debug"]
    for variable, path in variables.items():
        value = report["config"]
        for key in path:
            value = value[key]
        assert value == fresh[variable], (form, variable)
    refused = start(root, {})
    assert refused.returncode != 0
    assert any(f"{name} must be set in the environment" in refused.stderr for name in variables)
