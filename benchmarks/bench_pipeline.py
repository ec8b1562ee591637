"""How long flaskmod takes on a large legacy app, and whether its parse cache holds.

flaskmod promises (see `flaskmod.project`) that each file is parsed once per run and that
LibCST metadata, scope analysis above all, is resolved at most once per tree. Those promises are
what keep the codemod pipeline, which re-analyses the project after every step that changes it,
within a bounded number of parses' worth of work. The fixtures are too small to show a
regression there, so this script generates a big, realistic single-file Flask project (seeded,
so runs compare) and measures, over several repeats (medians reported):

* wall time of `project.scan`, of the whole `pipeline.run` (also its process CPU time, which
  other load on a shared machine does not inflate), of each codemod's transform and of the
  re-analysis that follows it, and of `changeset.compute(...).patch()`;
* the pipeline's time as a multiple of one bare `libcst.parse_module` of the generated `app.py`
  (its "cost in parses");
* peak Python memory (tracemalloc) of scan + pipeline + patch, in a separate run, because
  tracemalloc makes LibCST several times slower;
* `libcst.parse_module` calls: those made by `Project.module` (project files, per path, and how
  many re-parsed a text already parsed) and those made elsewhere (codemods parsing code they
  generate);
* scope analyses (`ScopeProvider.visit_Module` runs, per file and tree) and the
  `MetadataWrapper.resolve`/`resolve_many` requests that need scopes (cache hits included).

Everything is run with the default single `main` blueprint and again with
`Options(group_by="prefix")`. Codemods are discovered as the pipeline discovers them.

This is a by-hand measurement, not part of the test suite. Run it from the repository root::

    .venv/bin/python benchmarks/bench_pipeline.py [--routes N] [--models M] [--repeat R]
        [--group-by single|prefix|both] [--no-memory] [--seed S] [--json]

The defaults (300 routes, 40 models, 3 repeats, memory on) take several minutes: one pipeline
run is tens of seconds at that size, and the tracemalloc run several times that. Progress goes
to stderr. It exits 0 whatever it measures; it documents, it checks nothing.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import gc
import json
import random
import statistics
import sys
import tempfile
import textwrap
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest.mock import patch

import libcst
from libcst.metadata import MetadataWrapper, ScopeProvider

import flaskmod.analysis
import flaskmod.pipeline
from flaskmod import changeset
from flaskmod.analysis import AppModel
from flaskmod.pipeline import Codemod, Options, Outcome, discover
from flaskmod.project import Project, scan

SEED = 20240611

# ----------------------------------------------------------------------------- the project
# First URL segment → (blueprint-ish name, noun used in endpoints). "" is the site root.
PREFIXES: tuple[tuple[str, str], ...] = (
    ("", "site"),
    ("/blog", "blog"),
    ("/shop", "shop"),
    ("/admin", "admin"),
    ("/api", "api"),
    ("/auth", "auth"),
    ("/account", "account"),
    ("/docs", "docs"),
    ("/forum", "forum"),
    ("/reports", "reports"),
)

NOUNS = (
    "post",
    "comment",
    "product",
    "order",
    "invoice",
    "ticket",
    "topic",
    "page",
    "report",
    "widget",
    "coupon",
    "review",
    "category",
    "tag",
    "upload",
    "message",
)

MODEL_WORDS = (
    "Article",
    "Comment",
    "Product",
    "Order",
    "Invoice",
    "Ticket",
    "Topic",
    "Page",
    "Report",
    "Widget",
    "Coupon",
    "Review",
    "Category",
    "Tag",
    "Upload",
    "Message",
    "Supplier",
    "Shipment",
    "Payment",
    "Address",
)

KINDS = ("list", "detail", "edit", "delete", "json")


@dataclass(frozen=True)
class Endpoint:
    name: str
    rule: str
    kind: str
    prefix: str
    model: str
    template: str | None = None

    def url_for(self, quote: str = "'") -> str:
        """A `url_for(...)` call building this endpoint (arguments filled with literals)."""
        args = ", item_id=1" if "<int:item_id>" in self.rule else ""
        return f"url_for({quote}{self.name}{quote}{args})"


@dataclass(frozen=True)
class Generated:
    root: Path
    python_files: int
    templates: int
    routes: int
    models: int
    app_lines: int
    app_bytes: int


def _model_names(count: int) -> list[str]:
    names = ["User"]
    for index in range(1, count):
        word = MODEL_WORDS[index % len(MODEL_WORDS)]
        names.append(f"{word}{index}")
    return names[:count]


def _plan_endpoints(routes: int, models: Sequence[str], rng: random.Random) -> list[Endpoint]:
    endpoints: list[Endpoint] = []
    weights = [3, 2, 2, 2, 2, 1, 1, 1, 1, 1]
    for index in range(routes):
        prefix, noun_base = rng.choices(PREFIXES, weights=weights)[0]
        kind = "json" if prefix == "/api" else KINDS[index % 4]
        noun = NOUNS[index % len(NOUNS)]
        name = f"{noun_base}_{noun}_{kind}_{index}"
        if kind == "list":
            rule = f"{prefix}/{noun}s-{index}"
        elif kind == "json":
            rule = f"{prefix}/{noun}s-{index}/<int:item_id>"
        else:
            rule = f"{prefix}/{noun}-{index}/<int:item_id>" + (
                "" if kind == "detail" else f"/{kind}"
            )
        endpoints.append(Endpoint(name, rule, kind, prefix, rng.choice(models)))
    return endpoints


def _config_block(rng: random.Random) -> str:
    secret = "".join(rng.choice("abcdef0123456789") for _ in range(32))
    return textwrap.dedent(
        f"""\
        app = Flask(__name__)
        app.config['SECRET_KEY'] = '{secret}'
        app.config['SQLALCHEMY_DATABASE_URI'] = 'sqlite:///' + os.path.join(basedir, 'site.db')
        app.config['SQLALCHEMY_TRACK_MODIFICATIONS'] = False
        app.config['PER_PAGE'] = 25
        app.config['MAX_CONTENT_LENGTH'] = 16 * 1024 * 1024
        app.config['UPLOAD_FOLDER'] = os.path.join(basedir, 'uploads')
        app.config['SESSION_COOKIE_HTTPONLY'] = True
        app.config['REMEMBER_COOKIE_DURATION'] = timedelta(days=14)
        app.config['SITE_NAME'] = 'Acme Portal'
        app.config['ADMIN_EMAIL'] = 'admin@acme.test'
        app.config['API_TOKEN'] = 'tok-{secret[:12]}'
        app.config.update(
            MAIL_SERVER='smtp.acme.test',
            MAIL_PORT=587,
            MAIL_USE_TLS=True,
            MAIL_PASSWORD='hunter2',
        )
        app.config['JSON_SORT_KEYS'] = False
        """
    )


def _models_block(models: Sequence[str], rng: random.Random) -> str:
    out = [
        textwrap.dedent(
            """\
            tags = db.Table(
                'tags',
                db.Column('tag_id', db.Integer, primary_key=True),
                db.Column('user_id', db.Integer, db.ForeignKey('user.id'), primary_key=True),
            )


            class User(UserMixin, db.Model):
                id = db.Column(db.Integer, primary_key=True)
                username = db.Column(db.String(64), unique=True, nullable=False)
                email = db.Column(db.String(120), unique=True, nullable=False)
                is_admin = db.Column(db.Boolean, default=False)
                created_at = db.Column(db.DateTime, default=datetime.utcnow)

                def __repr__(self):
                    return '<User %r>' % self.username


            """
        )
    ]
    for index, name in enumerate(models[1:], start=1):
        table = name.lower()
        parent = models[rng.randrange(0, index)]
        out.append(
            textwrap.dedent(
                f"""\
                class {name}(db.Model):
                    __tablename__ = '{table}'
                    id = db.Column(db.Integer, primary_key=True)
                    title = db.Column(db.String(200), nullable=False)
                    body = db.Column(db.Text, default='')
                    price = db.Column(db.Integer, default={rng.randrange(100, 10000)})
                    created_at = db.Column(db.DateTime, default=datetime.utcnow)
                    {parent.lower()}_id = db.Column(db.Integer, db.ForeignKey('{parent.lower()}.id'))
                    {parent.lower()} = db.relationship('{parent}', backref='{table}_items')

                    def to_dict(self):
                        return {{'id': self.id, 'title': self.title, 'price': self.price}}

                    def __repr__(self):
                        return '<{name} %r>' % self.title


                """
            )
        )
    out.append(
        textwrap.dedent(
            """\
            @login_manager.user_loader
            def load_user(user_id):
                return db.session.get(User, int(user_id))


            """
        )
    )
    return "".join(out)


HELPERS_AND_HOOKS = '''\
def paginate(query, page=None):
    page = page or request.args.get('page', 1, type=int)
    return query.paginate(page=page, per_page=app.config['PER_PAGE'], error_out=False)


def slugify(text):
    return '-'.join(part for part in text.lower().split() if part)


def require_admin():
    if not current_user.is_authenticated or not current_user.is_admin:
        abort(403)


def audit(action, item=None):
    app.logger.info('%s %s by %s', action, item, getattr(current_user, 'id', None))


@app.before_request
def load_globals():
    g.site_name = app.config['SITE_NAME']
    g.started = datetime.utcnow()


@app.after_request
def add_headers(response):
    response.headers['X-Site'] = app.config['SITE_NAME']
    return response


@app.teardown_appcontext
def shutdown_session(exc=None):
    if exc is not None:
        db.session.rollback()


@app.errorhandler(404)
def not_found(error):
    return render_template('errors/404.html'), 404


@app.errorhandler(500)
def server_error(error):
    db.session.rollback()
    return render_template('errors/500.html'), 500


@app.template_filter('currency')
def format_currency(cents):
    return '${:,.2f}'.format(cents / 100.0)


@app.template_filter('datefmt')
def format_date(value, fmt='%Y-%m-%d'):
    return value.strftime(fmt) if value else ''


@app.template_filter()
def truncate_words(text, count=20):
    words = (text or '').split()
    return ' '.join(words[:count]) + ('...' if len(words) > count else '')


@app.cli.command('init-db')
def init_db_command():
    """Create all tables."""
    db.create_all()
    click.echo('Initialized the database.')


'''


def _view(endpoint: Endpoint, others: Sequence[Endpoint], rng: random.Random) -> str:
    target = rng.choice(others)
    secondary = rng.choice(others)
    model = endpoint.model
    name = endpoint.name
    if endpoint.kind == "list":
        decorator = rng.choice([f"@app.route('{endpoint.rule}')", f"@app.get('{endpoint.rule}')"])
        body = f"""\
            {decorator}
            def {name}():
                items = paginate({model}.query.order_by({model}.id.desc()))
                return render_template(
                    '{endpoint.template}',
                    items=items,
                    next_url={target.url_for()},
                    back_url={secondary.url_for()},
                )
            """
    elif endpoint.kind == "detail":
        body = f"""\
            @app.route('{endpoint.rule}')
            def {name}(item_id):
                item = {model}.query.get_or_404(item_id)
                if request.args.get('format') == 'json':
                    return jsonify(item.to_dict() if hasattr(item, 'to_dict') else {{'id': item.id}})
                return render_template('{endpoint.template}', item=item, edit_url={target.url_for()})
            """
    elif endpoint.kind == "edit":
        body = f"""\
            @app.route('{endpoint.rule}', methods=['GET', 'POST'])
            @login_required
            def {name}(item_id):
                item = {model}.query.get_or_404(item_id)
                if request.method == 'POST':
                    title = request.form.get('title', '').strip()
                    if not title:
                        flash('A title is required.')
                        return redirect(url_for('{name}', item_id=item_id))
                    item.title = title
                    db.session.commit()
                    audit('edit', item)
                    flash('Saved.')
                    return redirect({target.url_for()})
                return render_template('{endpoint.template}', item=item)
            """
    elif endpoint.kind == "delete":
        body = f"""\
            @app.post('{endpoint.rule}')
            @login_required
            def {name}(item_id):
                require_admin()
                item = {model}.query.get_or_404(item_id)
                db.session.delete(item)
                db.session.commit()
                audit('delete', item_id)
                return redirect({target.url_for()})
            """
    else:
        body = f"""\
            @app.route('{endpoint.rule}', methods=['GET'])
            def {name}(item_id):
                if request.headers.get('X-Token') != app.config['API_TOKEN']:
                    abort(401)
                item = {model}.query.get_or_404(item_id)
                return jsonify(
                    data=item.to_dict() if hasattr(item, 'to_dict') else {{'id': item.id}},
                    links={{'self': url_for('{name}', item_id=item_id, _external=True)}},
                )
            """
    return textwrap.dedent(body) + "\n\n"


def _template(
    endpoints: Sequence[Endpoint], own: Sequence[Endpoint], rng: random.Random, title: str
) -> str:
    links = "\n".join(
        f'    <li><a href="{{{{ {e.url_for()} }}}}">{e.name}</a></li>'
        for e in rng.sample(list(endpoints), k=min(4, len(endpoints)))
    )
    own_links = " | ".join(
        f"{{{{ nav_link('{e.name}', '{e.kind}') }}}}" for e in own if e.kind == "list"
    )
    return (
        '{% extends "base.html" %}\n'
        '{% from "_macros.html" import nav_link %}\n'
        f"{{% block title %}}{title} - {{{{ g.site_name }}}}{{% endblock %}}\n"
        "{% block content %}\n"
        f"  <h1>{title}</h1>\n"
        "  {% if items %}\n"
        "  <ul>{% for item in items %}"
        "<li>{{ item.title|truncate_words(8) }} {{ item.price|currency }}</li>"
        "{% endfor %}</ul>\n"
        "  {% endif %}\n"
        f"  <nav>{own_links}</nav>\n"
        "  <ul>\n"
        f"{links}\n"
        "  </ul>\n"
        f'  <form method="post" action="{{{{ {rng.choice(endpoints).url_for(quote=chr(34))} }}}}">'
        "<button>Go</button></form>\n"
        "{% endblock %}\n"
    )


def generate(root: Path, routes: int, models: int, seed: int = SEED) -> Generated:
    """Write the synthetic legacy project under `root` (deterministic for a given seed)."""
    rng = random.Random(seed)
    model_names = _model_names(max(models, 1))
    endpoints = _plan_endpoints(routes, model_names, rng)
    template_count = max(1, routes // 5)
    template_paths = []
    for index in range(template_count):
        prefix = PREFIXES[index % len(PREFIXES)][1]
        template_paths.append(f"{prefix}/page_{index}.html")
    endpoints = [
        dataclasses.replace(e, template=template_paths[i % template_count])
        if e.kind != "json" and e.kind != "delete"
        else e
        for i, e in enumerate(endpoints)
    ]
    roots = [e for e in endpoints if e.kind == "list"] or endpoints[:1]

    header = textwrap.dedent(
        """\
        \"\"\"Acme Portal: blog, shop, forum, docs, admin and a JSON API in one file.

        Run with ``python app.py``; create the tables with ``flask --app app init-db``.
        \"\"\"
        import os
        from datetime import datetime, timedelta

        import click
        from flask import (Flask, render_template, request, redirect, url_for, flash, jsonify,
                           abort, g)
        from flask_sqlalchemy import SQLAlchemy
        from flask_migrate import Migrate
        from flask_login import LoginManager, UserMixin, login_required, current_user

        basedir = os.path.abspath(os.path.dirname(__file__))

        """
    )
    extensions = textwrap.dedent(
        f"""
        db = SQLAlchemy(app)
        migrate = Migrate(app, db)
        login_manager = LoginManager(app)
        login_manager.login_view = '{(roots[0]).name}'


        """
    )
    parts = [header, _config_block(rng), extensions, _models_block(model_names, rng)]
    parts.append(HELPERS_AND_HOOKS)
    for endpoint in endpoints:
        parts.append(_view(endpoint, endpoints, rng))
    parts.append("if __name__ == '__main__':\n    app.run(debug=True)\n")
    app_text = "".join(parts)

    root.mkdir(parents=True, exist_ok=True)
    (root / "app.py").write_text(app_text, encoding="utf-8")
    (root / "requirements.txt").write_text(
        "flask\nflask-sqlalchemy\nflask-migrate\nflask-login\n", encoding="utf-8"
    )
    templates = root / "templates"
    (templates / "errors").mkdir(parents=True, exist_ok=True)
    nav = "\n".join(
        f'      <a href="{{{{ {e.url_for()} }}}}">{e.prefix or "/"}</a>'
        for e in {e.prefix: e for e in roots}.values()
    )
    (templates / "base.html").write_text(
        "<!doctype html>\n<html><head><title>{% block title %}{% endblock %}</title></head>\n"
        f"<body>\n  <nav>\n{nav}\n  </nav>\n"
        "  {% for message in get_flashed_messages() %}<p>{{ message }}</p>{% endfor %}\n"
        "  {% block content %}{% endblock %}\n</body></html>\n",
        encoding="utf-8",
    )
    (templates / "_macros.html").write_text(
        "{% macro nav_link(endpoint, label) %}"
        '<a href="{{ url_for(endpoint) }}">{{ label }}</a>'
        "{% endmacro %}\n",
        encoding="utf-8",
    )
    for code in (404, 500):
        (templates / "errors" / f"{code}.html").write_text(
            '{% extends "base.html" %}\n{% block content %}'
            f'<h1>{code}</h1><a href="{{{{ {roots[0].url_for()} }}}}">home</a>'
            "{% endblock %}\n",
            encoding="utf-8",
        )
    by_template: dict[str, list[Endpoint]] = {}
    for endpoint in endpoints:
        if endpoint.template:
            by_template.setdefault(endpoint.template, []).append(endpoint)
    for index, path in enumerate(template_paths):
        target = templates / path
        target.parent.mkdir(parents=True, exist_ok=True)
        own = by_template.get(path, [])
        target.write_text(_template(endpoints, own, rng, f"Page {index}"), encoding="utf-8")

    tests = root / "tests"
    tests.mkdir(exist_ok=True)
    gets = [e for e in endpoints if e.kind == "list"][:5]
    test_functions = "".join(
        f"\n\ndef test_{e.name}(client):\n"
        f"    assert client.get('{e.rule}').status_code in (200, 302)\n"
        for e in gets
    )
    (tests / "test_app.py").write_text(
        "import pytest\n\nfrom app import app, db\n\n\n"
        "@pytest.fixture\n"
        "def client():\n"
        "    app.config['TESTING'] = True\n"
        "    app.config['SQLALCHEMY_DATABASE_URI'] = 'sqlite://'\n"
        "    with app.app_context():\n"
        "        db.create_all()\n"
        "    with app.test_client() as client:\n"
        "        yield client\n" + test_functions,
        encoding="utf-8",
    )
    return Generated(
        root=root,
        python_files=2,
        templates=template_count + 4,
        routes=len(endpoints),
        models=len(model_names),
        app_lines=app_text.count("\n"),
        app_bytes=len(app_text.encode()),
    )


# ----------------------------------------------------------------------- instrumentation
def _needs_scope(provider: Any, seen: set[Any] | None = None) -> bool:
    """Whether resolving `provider` resolves ScopeProvider (directly or as a dependency)."""
    if provider is ScopeProvider:
        return True
    seen = seen if seen is not None else set()
    if provider in seen:
        return False
    seen.add(provider)
    return any(_needs_scope(dep, seen) for dep in getattr(provider, "METADATA_DEPENDENCIES", ()))


@dataclass
class Counts:
    """What one pipeline run parsed and analysed; `phase` attributes it to a codemod."""

    phase: str = "scan"
    #: Project.module parses, per path
    file_parses: Counter[str] = field(default_factory=Counter)
    #: parses of a (path, text) that was already parsed once in this run: cache misses
    repeated_parses: int = 0
    seen_texts: set[tuple[str, str]] = field(default_factory=set)
    #: libcst.parse_module calls outside Project.module, by calling module
    other_parses: Counter[str] = field(default_factory=Counter)
    #: ScopeProvider computations per (path, id(tree))
    scope_runs: Counter[tuple[str, int]] = field(default_factory=Counter)
    #: resolve/resolve_many requests that need ScopeProvider (cache hits included)
    scope_requests: int = 0
    parses_by_phase: Counter[str] = field(default_factory=Counter)
    scopes_by_phase: Counter[str] = field(default_factory=Counter)
    tree_paths: dict[int, str] = field(default_factory=dict)
    #: keeps instrumented trees alive so that their ids stay unique during the run
    keep: list[object] = field(default_factory=list)


class Instrument:
    """Monkeypatches libcst and Project to count parses and scope analyses."""

    def __init__(self) -> None:
        self.counts = Counts()
        self._depth = 0

    def reset(self) -> Counts:
        self.counts = Counts()
        return self.counts

    @contextmanager
    def installed(self) -> Iterator[None]:
        original_parse = libcst.parse_module
        original_metadata: Callable[[Project, str], MetadataWrapper] = Project.metadata
        original_visit_module = ScopeProvider.visit_Module
        original_resolve: Callable[[MetadataWrapper, Any], Any] = MetadataWrapper.resolve
        original_resolve_many: Callable[[MetadataWrapper, Any], Any] = MetadataWrapper.resolve_many
        module_code = Project.module.__code__
        instrument = self

        @functools.wraps(original_parse)
        def parse_module(source: Any, *args: Any, **kwargs: Any) -> libcst.Module:
            counts = instrument.counts
            caller = sys._getframe(1)
            if caller.f_code is module_code:
                path = caller.f_locals.get("path", "?")
                counts.file_parses[path] += 1
                key = (path, source if isinstance(source, str) else repr(source))
                if key in counts.seen_texts:
                    counts.repeated_parses += 1
                counts.seen_texts.add(key)
            else:
                counts.other_parses[caller.f_globals.get("__name__", "?")] += 1
            counts.parses_by_phase[counts.phase] += 1
            return original_parse(source, *args, **kwargs)

        def metadata(project: Project, path: str) -> MetadataWrapper:
            wrapper: MetadataWrapper = original_metadata(project, path)
            counts = instrument.counts
            if id(wrapper.module) not in counts.tree_paths:
                counts.tree_paths[id(wrapper.module)] = path
                counts.keep.append(wrapper.module)
            return wrapper

        def visit_module(provider: ScopeProvider, node: libcst.Module) -> bool | None:
            counts = instrument.counts
            counts.scope_runs[(counts.tree_paths.get(id(node), "?"), id(node))] += 1
            counts.scopes_by_phase[counts.phase] += 1
            return original_visit_module(provider, node)

        def resolve(wrapper: MetadataWrapper, provider: Any) -> Any:
            if instrument._depth == 0 and _needs_scope(provider):
                instrument.counts.scope_requests += 1
            instrument._depth += 1
            try:
                return original_resolve(wrapper, provider)
            finally:
                instrument._depth -= 1

        def resolve_many(wrapper: MetadataWrapper, providers: Collection[Any]) -> Any:
            if instrument._depth == 0 and any(_needs_scope(p) for p in providers):
                instrument.counts.scope_requests += 1
            instrument._depth += 1
            try:
                return original_resolve_many(wrapper, providers)
            finally:
                instrument._depth -= 1

        with ExitStack() as stack:
            stack.enter_context(patch.object(libcst, "parse_module", parse_module))
            stack.enter_context(patch.object(Project, "metadata", metadata))
            stack.enter_context(patch.object(ScopeProvider, "visit_Module", visit_module))
            stack.enter_context(patch.object(MetadataWrapper, "resolve", resolve))
            stack.enter_context(patch.object(MetadataWrapper, "resolve_many", resolve_many))
            yield


# ---------------------------------------------------------------------------- measuring
@dataclass
class RunSample:
    scan: float
    pipeline: float
    #: process CPU time of the pipeline: what other load on the machine does not inflate
    pipeline_cpu: float
    patch: float
    #: codemod names in the order they ran
    order: list[str]
    transform: dict[str, float]
    #: `analyze` time after each step that changed the project ("initial": before the first)
    analysis: dict[str, float]
    counts: Counts
    changed_files: int
    patch_lines: int


def _timed_codemods(
    codemods: Sequence[Codemod], transform_times: dict[str, float], instrument: Instrument
) -> list[Codemod]:
    def wrap(codemod: Codemod) -> Codemod:
        inner = codemod.transform

        def transform(project: Project, model: AppModel, options: Options) -> Outcome:
            instrument.counts.phase = codemod.name
            start = time.perf_counter()
            try:
                return inner(project, model, options)
            finally:
                transform_times[codemod.name] = time.perf_counter() - start

        return dataclasses.replace(codemod, transform=transform)

    return [wrap(codemod) for codemod in codemods]


@contextmanager
def _timed_analysis(analysis_times: dict[str, float], instrument: Instrument) -> Iterator[None]:
    """Times `analyze` as the pipeline calls it, attributed to the step that preceded it."""
    original = flaskmod.analysis.analyze  # what `flaskmod.pipeline` imported by name

    def analyze(project: Project, detailed: bool = True) -> AppModel:
        counts = instrument.counts
        previous = counts.phase
        label = "initial" if previous == "scan" else previous
        counts.phase = f"analyze after {label}"
        start = time.perf_counter()
        try:
            return original(project, detailed=detailed)
        finally:
            analysis_times[label] = analysis_times.get(label, 0.0) + time.perf_counter() - start
            counts.phase = previous

    with patch.object(flaskmod.pipeline, "analyze", analyze):
        yield


def run_once(root: Path, options: Options, instrument: Instrument) -> RunSample:
    counts = instrument.reset()
    transform_times: dict[str, float] = {}
    analysis_times: dict[str, float] = {}
    discovered = discover()
    codemods = _timed_codemods(discovered, transform_times, instrument)
    with _timed_analysis(analysis_times, instrument):
        start = time.perf_counter()
        project = scan(root)
        scanned = time.perf_counter()
        counts.phase = "scan"
        cpu = time.process_time()
        result = flaskmod.pipeline.run(project, codemods, options)
        cpu = time.process_time() - cpu
        piped = time.perf_counter()
        counts.phase = "patch"
        changes = changeset.compute(project, result.final)
        patch = changes.patch()
        patched = time.perf_counter()
    return RunSample(
        scan=scanned - start,
        pipeline=piped - scanned,
        pipeline_cpu=cpu,
        patch=patched - piped,
        order=[codemod.name for codemod in discovered],
        transform=transform_times,
        analysis=analysis_times,
        counts=counts,
        changed_files=len(changes),
        patch_lines=patch.count("\n"),
    )


def peak_memory(root: Path, options: Options) -> int:
    """Peak traced bytes for scan + pipeline + patch (no instrumentation, tracemalloc on)."""
    gc.collect()
    tracemalloc.start()
    try:
        project = scan(root)
        result = flaskmod.pipeline.run(project, discover(), options)
        changeset.compute(project, result.final).patch()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak


@dataclass(frozen=True)
class Parse:
    """One bare `libcst.parse_module` of the generated app.py (medians)."""

    wall: float
    cpu: float
    repeat: int


def bare_parse(root: Path, repeat: int) -> Parse:
    text = (root / "app.py").read_text(encoding="utf-8")
    walls, cpus = [], []
    libcst.parse_module(text)  # warm-up
    for _ in range(max(repeat, 5)):
        wall, cpu = time.perf_counter(), time.process_time()
        libcst.parse_module(text)
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
    return Parse(statistics.median(walls), statistics.median(cpus), len(walls))


def _median(samples: Sequence[RunSample], get: Callable[[RunSample], float | None]) -> float | None:
    values = [value for value in map(get, samples) if value is not None]
    return statistics.median(values) if values else None


def _step_time(kind: str, name: str, sample: RunSample) -> float | None:
    times: dict[str, float] = getattr(sample, kind)
    return times.get(name)


def measure(
    root: Path, options: Options, repeat: int, one_parse: Parse, memory: bool
) -> dict[str, Any]:
    instrument = Instrument()
    samples: list[RunSample] = []
    with instrument.installed():
        for index in range(repeat):
            _progress(f"group_by={options.group_by}: run {index + 1}/{repeat}")
            gc.collect()
            samples.append(run_once(root, options, instrument))
    last = samples[-1]
    counts = last.counts
    scope_per_path: Counter[str] = Counter()
    for (path, _), runs in counts.scope_runs.items():
        scope_per_path[path] += runs
    steps: dict[str, dict[str, Any]] = {}
    for name in ["initial", *last.order]:
        steps[name] = {
            "transform_s": None
            if name == "initial"
            else _median(samples, functools.partial(_step_time, "transform", name)),
            # None: the step changed nothing, so the pipeline did not re-analyse
            "analysis_s": _median(samples, functools.partial(_step_time, "analysis", name)),
            "parses": counts.parses_by_phase[name]
            + counts.parses_by_phase[f"analyze after {name}"],
            "scope_runs": counts.scopes_by_phase[name]
            + counts.scopes_by_phase[f"analyze after {name}"],
        }
    pipeline = _median(samples, lambda s: s.pipeline) or 0.0
    pipeline_cpu = _median(samples, lambda s: s.pipeline_cpu) or 0.0
    stable = all(
        s.counts.file_parses == counts.file_parses
        and s.counts.scope_runs.total() == counts.scope_runs.total()
        and s.counts.other_parses == counts.other_parses
        for s in samples
    )
    peak = None
    if memory:
        _progress(f"group_by={options.group_by}: tracemalloc run (slow)")
        peak = peak_memory(root, options) / 2**20
    return {
        "group_by": options.group_by,
        "repeat": repeat,
        "scan_s": _median(samples, lambda s: s.scan),
        "pipeline_s": pipeline,
        "patch_s": _median(samples, lambda s: s.patch),
        "pipeline_cpu_s": pipeline_cpu,
        "cost_in_parses": pipeline / one_parse.wall,
        "cost_in_parses_cpu": pipeline_cpu / one_parse.cpu,
        "peak_memory_mib": peak,
        "changed_files": last.changed_files,
        "patch_lines": last.patch_lines,
        "steps": steps,
        "parses": {
            "project_files": counts.file_parses.total(),
            "distinct_paths": len(counts.file_parses),
            "per_path": dict(sorted(counts.file_parses.items())),
            "reparsed_same_text": counts.repeated_parses,
            "other": counts.other_parses.total(),
            "other_by_module": dict(counts.other_parses.most_common()),
            "by_phase": dict(counts.parses_by_phase),
        },
        "scope": {
            "analyses": counts.scope_runs.total(),
            "distinct_trees": len(counts.scope_runs),
            "trees_analysed_twice": sum(1 for n in counts.scope_runs.values() if n > 1),
            "per_path": dict(sorted(scope_per_path.items())),
            "requests": counts.scope_requests,
            "by_phase": dict(counts.scopes_by_phase),
        },
        "counts_stable_across_repeats": stable,
    }


def _progress(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------- reporting
def _ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:9.1f}"


def render(report: dict[str, Any]) -> str:
    gen = report["project"]
    lines = [
        f"flaskmod pipeline benchmark: {gen['routes']} routes, {gen['models']} models, "
        f"{gen['templates']} templates; app.py {gen['app_lines']} lines / "
        f"{gen['app_bytes'] / 1024:.0f} KiB",
        f"one bare libcst.parse_module(app.py): {report['one_parse_s'] * 1000:.1f} ms wall, "
        f"{report['one_parse_cpu_s'] * 1000:.1f} ms CPU (median of {report['parse_repeats']}); "
        f"benchmark wall time {report['benchmark_wall_s']:.0f} s",
    ]
    for mode in report["modes"]:
        p, s = mode["parses"], mode["scope"]
        peak = "-" if mode["peak_memory_mib"] is None else f"{mode['peak_memory_mib']:.1f} MiB"
        lines += [
            "",
            f"== group_by={mode['group_by']}  (median of {mode['repeat']}; ms)",
            f"scan {_ms(mode['scan_s']).strip()}  pipeline {_ms(mode['pipeline_s']).strip()} "
            f"(CPU {_ms(mode['pipeline_cpu_s']).strip()})  patch {_ms(mode['patch_s']).strip()}  "
            f"peak {peak}",
            f"cost in parses {mode['cost_in_parses']:.1f} wall, {mode['cost_in_parses_cpu']:.1f} "
            f"CPU; {mode['changed_files']} files changed, {mode['patch_lines']} patch lines",
            f"{'step':<16}{'transform':>10}{'re-analyse':>11}{'parses':>8}{'scopes':>8}",
        ]
        for name, row in mode["steps"].items():
            lines.append(
                f"{name:<16}{_ms(row['transform_s']):>10}{_ms(row['analysis_s']):>11}"
                f"{row['parses']:>8}{row['scope_runs']:>8}"
            )
        per_path = ", ".join(f"{k}:{v}" for k, v in p["per_path"].items())
        other = ", ".join(f"{k}:{v}" for k, v in p["other_by_module"].items()) or "none"
        lines += [
            f"file parses {p['project_files']} over {p['distinct_paths']} paths "
            f"(same text re-parsed: {p['reparsed_same_text']}): {per_path}",
            f"other parse_module calls {p['other']}: {other}",
            f"scope analyses {s['analyses']} over {s['distinct_trees']} trees "
            f"(trees analysed twice: {s['trees_analysed_twice']}; scope requests "
            f"{s['requests']}): " + ", ".join(f"{k}:{v}" for k, v in s["per_path"].items()),
        ]
        if not mode["counts_stable_across_repeats"]:
            lines.append("note: parse/scope counts differed between repeats")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--routes", type=int, default=300)
    parser.add_argument("--models", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--group-by",
        choices=("single", "prefix", "both"),
        default="both",
        help="blueprint layout(s) to measure (default: both)",
    )
    parser.add_argument(
        "--no-memory",
        action="store_true",
        help="skip the tracemalloc run (it is several times slower than a plain run)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    layouts = ("single", "prefix") if args.group_by == "both" else (args.group_by,)
    with tempfile.TemporaryDirectory(prefix="flaskmod-bench-") as tmp:
        root = Path(tmp) / "legacy"
        generated = generate(root, args.routes, args.models, args.seed)
        one_parse = bare_parse(root, args.repeat)
        modes = [
            measure(root, Options(group_by=layout), args.repeat, one_parse, not args.no_memory)
            for layout in layouts
        ]
    project = dataclasses.asdict(generated)
    project["root"] = "<temporary directory>"
    report = {
        "project": project,
        "one_parse_s": one_parse.wall,
        "one_parse_cpu_s": one_parse.cpu,
        "parse_repeats": one_parse.repeat,
        "python": sys.version.split()[0],
        "modes": modes,
        "benchmark_wall_s": time.perf_counter() - started,
    }
    print(json.dumps(report, indent=2) if args.json else render(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
