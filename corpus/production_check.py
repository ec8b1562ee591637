"""Import a migrated app's `wsgi` module as production would, and describe what came up.

    FLASK_CONFIG=production SECRET_KEY=... python production_check.py NAME [NAME...]

Runs in the app's own (stack) interpreter from the project root (Python 3.7+, standard
library only). NAMEs are the variables of the migrated `.env.example`. Prints one JSON
object: whether `wsgi.application` imported (else the exception's last line), DEBUG, and for
each NAME that is a config key whether `app.config[NAME]` equals `os.environ[NAME]`. The
runner calls it twice: with every NAME set (must import, values must arrive, DEBUG falsy) and
with them unset (must refuse to start).
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import traceback
from typing import Any


def main(names: list[str]) -> int:
    sys.path.insert(0, os.getcwd())
    report: dict[str, Any] = {"imported": False}
    try:
        module = importlib.import_module("wsgi")
        app = module.application
    except BaseException:
        lines = traceback.format_exc().strip().splitlines()
        report["error"] = lines[-1]
        report["traceback"] = lines[-8:]
        print(json.dumps(report))
        return 0
    report["imported"] = True
    report["debug"] = bool(app.config.get("DEBUG"))
    report["config"] = {
        name: str(app.config[name]) == os.environ.get(name) for name in names if name in app.config
    }
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
