"""A realistic legacy single-file Flask app of any size, for the benchmarks (seeded, so runs compare).

`generate(root, routes, models)` writes what issue 11's performance targets are measured on: one
`app.py` with a global `app = Flask(__name__)`, config set on it (a secret literal among them),
Flask-SQLAlchemy, Flask-Migrate and Flask-Login bound to it, SQLAlchemy models, helpers, hooks,
error handlers, template filters and a CLI command, then `routes` views spread over URL prefixes
(`@app.route`, `@app.get`, `@app.post`) that call `url_for`; Jinja templates (one per five routes)
that extend a base template, import a macro and call `url_for`; a `requirements.txt`; and a
pytest module importing the app. The fixtures are too small to show how the tool scales.

    .venv/bin/python benchmarks/generate_app.py DIR [--routes N] [--models M] [--seed S]
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import sys
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

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


#: the association table and the user model every generated app has
USER_MODEL = textwrap.dedent(
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
USER_LOADER = textwrap.dedent(
    """\
    @login_manager.user_loader
    def load_user(user_id):
        return db.session.get(User, int(user_id))


    """
)


def _model(name: str, parent: str, price: int) -> str:
    """One model class, with a foreign key and a relationship to an earlier one."""
    table = name.lower()
    return textwrap.dedent(
        f"""\
        class {name}(db.Model):
            __tablename__ = '{table}'
            id = db.Column(db.Integer, primary_key=True)
            title = db.Column(db.String(200), nullable=False)
            body = db.Column(db.Text, default='')
            price = db.Column(db.Integer, default={price})
            created_at = db.Column(db.DateTime, default=datetime.utcnow)
            {parent.lower()}_id = db.Column(db.Integer, db.ForeignKey('{parent.lower()}.id'))
            {parent.lower()} = db.relationship('{parent}', backref='{table}_items')

            def to_dict(self):
                return {{'id': self.id, 'title': self.title, 'price': self.price}}

            def __repr__(self):
                return '<{name} %r>' % self.title


        """
    )


def _models_block(models: Sequence[str], rng: random.Random) -> str:
    """The user model, then each other model related to a random earlier one."""
    out = [USER_MODEL]
    for index, name in enumerate(models[1:], start=1):
        parent = models[rng.randrange(0, index)]
        out.append(_model(name, parent, rng.randrange(100, 10000)))
    out.append(USER_LOADER)
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


#: each kind of view, as `str.format` templates (indented as in the f-strings they replace)
VIEWS = {
    "list": """\
            {decorator}
            def {name}():
                items = paginate({model}.query.order_by({model}.id.desc()))
                return render_template(
                    '{template}',
                    items=items,
                    next_url={target},
                    back_url={secondary},
                )
            """,
    "detail": """\
            @app.route('{rule}')
            def {name}(item_id):
                item = {model}.query.get_or_404(item_id)
                if request.args.get('format') == 'json':
                    return jsonify(item.to_dict() if hasattr(item, 'to_dict') else {{'id': item.id}})
                return render_template('{template}', item=item, edit_url={target})
            """,
    "edit": """\
            @app.route('{rule}', methods=['GET', 'POST'])
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
                    return redirect({target})
                return render_template('{template}', item=item)
            """,
    "delete": """\
            @app.post('{rule}')
            @login_required
            def {name}(item_id):
                require_admin()
                item = {model}.query.get_or_404(item_id)
                db.session.delete(item)
                db.session.commit()
                audit('delete', item_id)
                return redirect({target})
            """,
    "json": """\
            @app.route('{rule}', methods=['GET'])
            def {name}(item_id):
                if request.headers.get('X-Token') != app.config['API_TOKEN']:
                    abort(401)
                item = {model}.query.get_or_404(item_id)
                return jsonify(
                    data=item.to_dict() if hasattr(item, 'to_dict') else {{'id': item.id}},
                    links={{'self': url_for('{name}', item_id=item_id, _external=True)}},
                )
            """,
}


def _view(endpoint: Endpoint, others: Sequence[Endpoint], rng: random.Random) -> str:
    """One view of the endpoint's kind, linking to two random other views."""
    target = rng.choice(others)
    secondary = rng.choice(others)
    decorator = ""
    if endpoint.kind == "list":
        decorator = rng.choice([f"@app.route('{endpoint.rule}')", f"@app.get('{endpoint.rule}')"])
    body = VIEWS.get(endpoint.kind, VIEWS["json"]).format(
        decorator=decorator,
        name=endpoint.name,
        model=endpoint.model,
        rule=endpoint.rule,
        template=endpoint.template,
        target=target.url_for(),
        secondary=secondary.url_for(),
    )
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


HEADER = '''\
"""Acme Portal: blog, shop, forum, docs, admin and a JSON API in one file.

Run with ``python app.py``; create the tables with ``flask --app app init-db``.
"""
import os
from datetime import datetime, timedelta

import click
from flask import (Flask, render_template, request, redirect, url_for, flash, jsonify,
                   abort, g)
from flask_sqlalchemy import SQLAlchemy
from flask_migrate import Migrate
from flask_login import LoginManager, UserMixin, login_required, current_user

basedir = os.path.abspath(os.path.dirname(__file__))

'''


@dataclass(frozen=True)
class Plan:
    """What the app contains, decided before anything is written."""

    models: list[str]
    endpoints: list[Endpoint]
    templates: list[str]

    @property
    def roots(self) -> list[Endpoint]:
        """The list views (the site's entry points), or the first view if there is none."""
        return [e for e in self.endpoints if e.kind == "list"] or self.endpoints[:1]


def _plan(routes: int, models: int, rng: random.Random) -> Plan:
    """The models, the views, and which template each view renders."""
    model_names = _model_names(max(models, 1))
    endpoints = _plan_endpoints(routes, model_names, rng)
    count = max(1, routes // 5)
    templates = [f"{PREFIXES[i % len(PREFIXES)][1]}/page_{i}.html" for i in range(count)]
    endpoints = [
        dataclasses.replace(e, template=templates[i % count])
        if e.kind not in ("json", "delete")
        else e
        for i, e in enumerate(endpoints)
    ]
    return Plan(model_names, endpoints, templates)


def _app_text(plan: Plan, rng: random.Random) -> str:
    """app.py: imports, config, extensions, models, helpers and hooks, views, `app.run()`."""
    extensions = textwrap.dedent(
        f"""
        db = SQLAlchemy(app)
        migrate = Migrate(app, db)
        login_manager = LoginManager(app)
        login_manager.login_view = '{plan.roots[0].name}'


        """
    )
    parts = [HEADER, _config_block(rng), extensions, _models_block(plan.models, rng)]
    parts.append(HELPERS_AND_HOOKS)
    parts += [_view(endpoint, plan.endpoints, rng) for endpoint in plan.endpoints]
    parts.append("if __name__ == '__main__':\n    app.run(debug=True)\n")
    return "".join(parts)


def _write_layout_templates(templates: Path, plan: Plan) -> None:
    """base.html (a nav of url_for links), the macro module and the error pages."""
    (templates / "errors").mkdir(parents=True, exist_ok=True)
    nav = "\n".join(
        f'      <a href="{{{{ {e.url_for()} }}}}">{e.prefix or "/"}</a>'
        for e in {e.prefix: e for e in plan.roots}.values()
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
            f'<h1>{code}</h1><a href="{{{{ {plan.roots[0].url_for()} }}}}">home</a>'
            "{% endblock %}\n",
            encoding="utf-8",
        )


def _write_page_templates(templates: Path, plan: Plan, rng: random.Random) -> None:
    """One page per five views, each linking to its own list views and to random others."""
    by_template: dict[str, list[Endpoint]] = {}
    for endpoint in plan.endpoints:
        if endpoint.template:
            by_template.setdefault(endpoint.template, []).append(endpoint)
    for index, path in enumerate(plan.templates):
        target = templates / path
        target.parent.mkdir(parents=True, exist_ok=True)
        own = by_template.get(path, [])
        target.write_text(_template(plan.endpoints, own, rng, f"Page {index}"), encoding="utf-8")


def _tests_text(plan: Plan) -> str:
    """A pytest module in the legacy style: it imports the global app and configures it."""
    gets = [e for e in plan.endpoints if e.kind == "list"][:5]
    functions = "".join(
        f"\n\ndef test_{e.name}(client):\n"
        f"    assert client.get('{e.rule}').status_code in (200, 302)\n"
        for e in gets
    )
    return (
        "import pytest\n\nfrom app import app, db\n\n\n"
        "@pytest.fixture\n"
        "def client():\n"
        "    app.config['TESTING'] = True\n"
        "    app.config['SQLALCHEMY_DATABASE_URI'] = 'sqlite://'\n"
        "    with app.app_context():\n"
        "        db.create_all()\n"
        "    with app.test_client() as client:\n"
        "        yield client\n" + functions
    )


def generate(root: Path, routes: int, models: int, seed: int = SEED) -> Generated:
    """Write the synthetic legacy project under `root` (deterministic for a given seed)."""
    rng = random.Random(seed)
    plan = _plan(routes, models, rng)
    app_text = _app_text(plan, rng)
    root.mkdir(parents=True, exist_ok=True)
    (root / "app.py").write_text(app_text, encoding="utf-8")
    (root / "requirements.txt").write_text(
        "flask\nflask-sqlalchemy\nflask-migrate\nflask-login\n", encoding="utf-8"
    )
    _write_layout_templates(root / "templates", plan)
    _write_page_templates(root / "templates", plan, rng)
    (root / "tests").mkdir(exist_ok=True)
    (root / "tests" / "test_app.py").write_text(_tests_text(plan), encoding="utf-8")
    return Generated(
        root=root,
        python_files=2,
        templates=len(plan.templates) + 4,
        routes=len(plan.endpoints),
        models=len(plan.models),
        app_lines=app_text.count("\n"),
        app_bytes=len(app_text.encode()),
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--routes", type=int, default=300)
    parser.add_argument("--models", type=int, default=40)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    made = generate(args.root, args.routes, args.models, args.seed)
    print(f"{made.root}: {made.routes} routes, {made.app_lines} lines in app.py")
    return 0


if __name__ == "__main__":
    sys.exit(main())
