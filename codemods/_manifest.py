"""Each codemod's entry for `flaskmod list`, read without importing the codemods.

Generated from their declarations (see `flaskmod.manifest`) by
`.venv/bin/python -m flaskmod.docs`: edit the codemods, then regenerate.
"""

from flaskmod.manifest import Entry

CODEMODS: tuple[Entry, ...] = (
    Entry(
        name="legacy-idioms",
        order=5,
        summary="Rewrite flask.ext.* imports and _app_ctx_stack.top to spellings every Flask has.",
        needs="any layout",
        options=(),
    ),
    Entry(
        name="config-classes",
        order=10,
        summary="Move app.config settings into config.py classes; secrets come from the environment.",
        needs="a global app",
        options=("config_env_var",),
    ),
    Entry(
        name="package",
        order=20,
        summary="Turn the single app module into a package (app.py → app/__init__.py), paths unchanged.",
        needs="the app in a single module",
        options=(),
    ),
    Entry(
        name="extensions",
        order=30,
        summary="Move extension objects into extensions.py and bind them with init_app.",
        needs="the app in a package",
        options=(),
    ),
    Entry(
        name="models",
        order=33,
        summary="Move db.Model classes, association tables and user loaders into models.py.",
        needs="the app in a package",
        options=(),
    ),
    Entry(
        name="forms",
        order=36,
        summary="Move FlaskForm/WTForms form classes into forms.py.",
        needs="the app in a package",
        options=(),
    ),
    Entry(
        name="blueprints",
        order=40,
        summary="Move views, error handlers, hooks and CLI commands into a `main` blueprint.",
        needs="the app in a package",
        options=("blueprint", "group_by"),
    ),
    Entry(
        name="factory",
        order=50,
        summary="Build the app in create_app(config_name) instead of at import time.",
        needs="the app in a package",
        options=(),
    ),
    Entry(
        name="wsgi",
        order=60,
        summary="Add wsgi.py exposing the factory's app for gunicorn and `flask --app wsgi`.",
        needs="an application factory",
        options=(),
    ),
    Entry(
        name="tests",
        order=70,
        summary='Make the project\'s tests build the app with create_app("testing").',
        needs="an application factory",
        options=(),
    ),
)
