"""`--group-by prefix` keeps behaviour: same URL map and answers with one blueprint per prefix."""

from __future__ import annotations

from pathlib import Path

import pytest

from flaskmod.apply import apply
from flaskmod.changeset import compute
from flaskmod.pipeline import Options, discover, run
from flaskmod.project import scan
from tests.conftest import FIXTURES
from tests.e2e.test_fixtures import copy, own_tests, probe

# Imports the original and the migrated apps in subprocesses: run by `pytest -m "slow or network"`.
pytestmark = pytest.mark.slow


def test_bigsite_grouped_by_prefix_behaves_the_same(tmp_path: Path) -> None:
    before = copy(FIXTURES / "bigsite" / "before", tmp_path / "before")
    after = copy(FIXTURES / "bigsite" / "before", tmp_path / "after")
    project = scan(after)
    apply(
        after,
        compute(project, run(project, discover(), Options(settings={"group_by": "prefix"})).final),
    )

    old = probe(before, "app:app")
    new = probe(after, "app:create_app", "testing")
    assert {"auth", "blog", "shop", "admin", "api", "main"} <= set(new["blueprints"])
    old_rules = {(r["rule"], tuple(r["methods"])): r["endpoint"] for r in old["rules"]}
    new_rules = {(r["rule"], tuple(r["methods"])): r["endpoint"] for r in new["rules"]}
    assert old_rules.keys() == new_rules.keys()
    for key, endpoint in old_rules.items():
        assert new_rules[key].rsplit(".", 1)[-1] == endpoint
    assert new_rules[("/auth/login", ("GET", "HEAD", "OPTIONS", "POST"))] == "auth.login"
    assert new["responses"] == old["responses"]
    assert own_tests(after) == own_tests(before)
