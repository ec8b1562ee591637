"""Run a scenario's requests against one app with Flask's test client.

    python scenario_driver.py MODULE:ATTR REQUESTS.json

Runs in the app's own (stack) interpreter, from the project root, so it must work on
Python 3.7 and Flask 0.10: standard library only, no walrus. MODULE:ATTR names the app
object (`flaskr:app`, `wsgi:application`) or a factory (`app:create_app`, called with no
arguments). REQUESTS.json is a list of requests (the runner converts the scenario's TOML):
`method`, `path`, optional `form`, `json`, `headers`, `query`, `follow_redirects`, and the
expectations `status` and `contains` (a substring of the body, or a list of them).
Prints one JSON report on stdout; exit 0 when every expectation holds, 1 otherwise.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import traceback
from typing import Any


def load_app(target: str) -> Any:
    module_name, _, attribute = target.partition(":")
    sys.path.insert(0, os.getcwd())
    module = importlib.import_module(module_name)
    app = getattr(module, attribute)
    if callable(app) and not hasattr(app, "test_client"):
        app = app()
    return app


def send(client: Any, request: dict[str, Any]) -> Any:
    method = str(request.get("method", "GET")).upper()
    kwargs: dict[str, Any] = {"follow_redirects": bool(request.get("follow_redirects", False))}
    if "form" in request:
        kwargs["data"] = request["form"]
    if "json" in request:
        kwargs["data"] = json.dumps(request["json"])
        kwargs["content_type"] = "application/json"
    if "headers" in request:
        kwargs["headers"] = request["headers"]
    if "query" in request:
        kwargs["query_string"] = request["query"]
    return client.open(request["path"], method=method, **kwargs)


def check(request: dict[str, Any], response: Any) -> list[str]:
    problems = []
    expected = request.get("status")
    if expected is not None and response.status_code != expected:
        problems.append(f"status {response.status_code} != {expected}")
    wanted = request.get("contains", [])
    if isinstance(wanted, str):
        wanted = [wanted]
    body = response.get_data(as_text=True)
    for text in wanted:
        if text not in body:
            problems.append(f"body lacks {text!r}")
    return problems


def main(argv: list[str]) -> int:
    target, requests_file = argv[1], argv[2]
    with open(requests_file, encoding="utf-8") as handle:
        requests = json.load(handle)
    report: dict[str, Any] = {"target": target, "results": []}
    try:
        app = load_app(target)
    except Exception:
        report["error"] = traceback.format_exc().strip().splitlines()[-1]
        report["traceback"] = traceback.format_exc()
        print(json.dumps(report))
        return 1
    failed = 0
    with app.test_client() as client:
        for request in requests:
            label = "{} {}".format(request.get("method", "GET"), request["path"])
            try:
                response = send(client, request)
                problems = check(request, response)
                status = response.status_code
            except Exception:
                problems = ["raised " + traceback.format_exc().strip().splitlines()[-1]]
                status = None
            failed += bool(problems)
            report["results"].append({"request": label, "status": status, "problems": problems})
    report["failed"] = failed
    print(json.dumps(report))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
