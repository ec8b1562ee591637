"""The production check: the migrated wsgi app reads its settings from the environment, runs
without DEBUG, and refuses to start without its secrets; secrets are never printed."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from flaskmod.cli import main
from flaskmod.verify.production import (
    environ_readers,
    random_value,
    read_env_example,
    selector,
)
from tests.conftest import FIXTURES, write_tree

JUNK = shutil.ignore_patterns("__pycache__", "instance", "*.db")


@pytest.fixture(autouse=True)
def _neutral_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SECRET_KEY", "DATABASE_URL", "FLASK_CONFIG", "APP_ENV"):
        monkeypatch.delenv(name, raising=False)


# ------------------------------------------------------------------------- the parts
def test_env_example_and_the_config_selector(tmp_path: Path) -> None:
    path = write_tree(
        tmp_path,
        {".env.example": "# comment\nAPP_ENV=development\nexport SECRET_KEY=''\nDATABASE_URL=\n"},
    )
    variables = read_env_example(path / ".env.example")
    assert variables == [("APP_ENV", "development"), ("SECRET_KEY", ""), ("DATABASE_URL", "")]
    assert selector(variables) == "APP_ENV"
    assert selector([("SECRET_KEY", "")]) == "FLASK_CONFIG"


def test_config_keys_that_read_a_variable(tmp_path: Path) -> None:
    config = write_tree(
        tmp_path,
        {
            "config.py": """\
                import os
                from os import environ


                class Config:
                    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or "sqlite://"
                    MAIL_PASSWORD = os.getenv("MAIL_PW", "")
                    API_KEY: str = environ["THE_API_KEY"]
                    lower = os.environ.get("IGNORED")
                """
        },
    )
    assert environ_readers(config / "config.py") == {
        "DATABASE_URL": {"SQLALCHEMY_DATABASE_URI"},
        "MAIL_PW": {"MAIL_PASSWORD"},
        "THE_API_KEY": {"API_KEY"},
    }


def test_random_values_have_a_shape_the_app_can_start_with(tmp_path: Path) -> None:
    assert random_value("DATABASE_URL", "", tmp_path).startswith(f"sqlite:///{tmp_path}/")
    assert random_value("REDIS_URL", "redis://localhost:6379/0", tmp_path).startswith("redis://")
    first, second = (
        random_value("SECRET_KEY", "", tmp_path),
        random_value("SECRET_KEY", "", tmp_path),
    )
    assert first != second and re.fullmatch(r"[0-9a-f]{24}", first)


# ------------------------------------------------------------------------- through the CLI
def pair(tmp_path: Path, name: str = "minimal") -> tuple[Path, Path]:
    original = shutil.copytree(FIXTURES / name / "before", tmp_path / "old", ignore=JUNK)
    migrated = shutil.copytree(FIXTURES / name / "after", tmp_path / "new", ignore=JUNK)
    return original, migrated


def run(original: Path, migrated: Path, *extra: str) -> tuple[int, dict[str, Any], str]:
    arguments = ["verify", str(migrated), "--original", str(original), "--json", *extra]
    result = CliRunner().invoke(main, arguments)
    return result.exit_code, json.loads(result.stdout), result.stdout + result.stderr


def production_rows(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["item"]: row for row in data["checks"] if row["check"] == "production"}


def test_a_good_migration_passes(tmp_path: Path) -> None:
    code, data, _ = run(*pair(tmp_path))
    assert code == 0, data["differences"]
    rows = production_rows(data)
    assert rows["SECRET_KEY"]["migrated"] == "config SECRET_KEY"
    assert rows["DEBUG"]["migrated"] == "off"
    assert rows["without SECRET_KEY"]["migrated"] == (
        "refuses: RuntimeError: SECRET_KEY must be set in the environment for production "
        "(it is missing or still the development default)"
    )


def test_a_secret_that_does_not_reach_the_config_is_named_masked(tmp_path: Path) -> None:
    original, migrated = pair(tmp_path)
    config = migrated / "config.py"
    text = config.read_text(encoding="utf-8")
    text = text.replace(
        "class ProductionConfig(BaseConfig):\n",
        "class ProductionConfig(BaseConfig):\n    SECRET_KEY = 'hard-coded-in-production'\n",
    )
    config.write_text(text, encoding="utf-8")
    code, data, output = run(original, migrated)
    assert code == 1
    message, refusal = [m for m in data["differences"] if m.startswith("production")]
    assert refusal == "production: the app starts without SECRET_KEY (it must refuse to)"
    assert re.fullmatch(
        r"production: SECRET_KEY does not reach app.config\[SECRET_KEY\] \(set to '[0-9a-f]{4}\*\*\*\*'\)",
        message,
    ), message
    assert "hard-coded-in-production" not in output


def test_debug_on_and_an_app_that_starts_without_secrets_are_differences(tmp_path: Path) -> None:
    original, migrated = pair(tmp_path)
    config = migrated / "config.py"
    text = config.read_text(encoding="utf-8")
    text = text.replace(
        "class ProductionConfig(BaseConfig):\n",
        "class ProductionConfig(BaseConfig):\n    DEBUG = True\n",
    )
    text = text.replace("raise RuntimeError(", "print(")  # validate() no longer refuses anything
    config.write_text(text, encoding="utf-8")
    code, data, _ = run(original, migrated)
    assert code == 1
    assert [m for m in data["differences"] if m.startswith("production")] == [
        "production: DEBUG is on",
        "production: the app starts without SECRET_KEY (it must refuse to)",
    ]


def test_another_selector_and_a_database_url_read_under_another_key(tmp_path: Path) -> None:
    factory = """\
        import os

        from flask import Flask


        class Development:
            SECRET_KEY = os.environ.get("SECRET_KEY", "dev")
            SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", "sqlite://")


        class Production(Development):
            @classmethod
            def check(cls):
                if cls.SECRET_KEY == "dev":
                    raise RuntimeError("SECRET_KEY is not set")


        def create_app(config_name="development"):
            config = {"development": Development, "production": Production}[config_name]
            if config_name == "production":
                config.check()
            app = Flask(__name__)
            app.config.from_object(config)
            return app
        """
    files = {
        "app.py": factory,
        "wsgi.py": "import os\nfrom app import create_app\n"
        "application = create_app(os.environ.get('APP_ENV', 'production'))\n",
        ".env.example": "APP_ENV=development\nSECRET_KEY=\nDATABASE_URL=\nMAIL_SERVER=smtp.example.org\n",
    }
    original = write_tree(tmp_path / "original", {"app.py": factory})
    migrated = write_tree(tmp_path / "migrated", files)
    code, data, _ = run(original, migrated)
    assert code == 0, data["differences"]
    rows = production_rows(data)
    assert rows["DATABASE_URL"]["migrated"] == "config SQLALCHEMY_DATABASE_URI"
    assert rows["MAIL_SERVER"]["status"] == "info"  # not a config key: nothing to check
    assert rows["without SECRET_KEY, DATABASE_URL"]["migrated"].startswith("refuses: RuntimeError")


def test_production_is_on_only_with_a_wsgi_entry_point_unless_asked(tmp_path: Path) -> None:
    app = {"app.py": "from flask import Flask\napp = Flask(__name__)\n"}
    original = write_tree(tmp_path / "original", app)
    migrated = write_tree(tmp_path / "migrated", app)
    code, data, _ = run(original, migrated)
    assert code == 0 and production_rows(data) == {}
    code, data, _ = run(original, migrated, "--production")
    assert code == 1 and data["differences"] == ["production: no wsgi.py in the migrated project"]
    original, migrated = pair(tmp_path / "fixture")
    code, data, _ = run(original, migrated, "--no-production")
    assert code == 0 and production_rows(data) == {}
