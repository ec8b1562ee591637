"""Comparison rules: two probe descriptions → rows, each a fact or a difference."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from flaskmod.verify.model import ABSENT, BodyCheck, Description, Row, Status
from flaskmod.verify.responses import response_rows


def compare(
    old: Description, new: Description, checks: Mapping[str, BodyCheck] | None = None
) -> list[Row]:
    """Every check on two probe descriptions; `responses` only when both have them (`checks`:
    the bodies that differ, checked against a second start of the original, see `recheck`)."""
    pairs, added = match_rules(old["rules"], new["rules"])
    scopes = blueprint_scopes(pairs)
    rows = [_rule_row(rule, match) for rule, match in pairs]
    rows += [_added_rule_row(rule) for rule in added]
    rows += endpoint_rows(pairs)
    rows += handler_rows(old["error_handlers"], new["error_handlers"], scopes)
    for key, check in HOOKS:
        rows += scoped_rows(check, _scoped(old.get(key)), _scoped(new.get(key)), scopes)
    for key, check in REGISTRIES:
        rows += named_rows(check, old.get(key) or (), new.get(key) or ())
    rows += config_rows(old["config"], new["config"], endpoint_mapping(pairs))
    rows += blueprint_rows(old["blueprints"], new["blueprints"])
    if "responses" in old and "responses" in new:
        rows += response_rows(old["responses"], new["responses"], checks)
    return rows


Rule = Mapping[str, Any]


def match_rules(
    old_rules: Sequence[Rule], new_rules: Sequence[Rule]
) -> tuple[list[tuple[Rule, Rule | None]], list[Rule]]:
    """Pair each old rule with the new rule serving it: the same path and methods are the same
    view, whatever its endpoint is now called; then what is left on the same path (methods
    changed). Returns the pairs (None: dropped) and the new rules no old one matched."""
    pending = list(new_rules)
    found: dict[int, Rule] = {}
    for same_methods in (True, False):
        for index, rule in enumerate(old_rules):
            if index in found:
                continue
            match = _same_path(rule, pending, same_methods)
            if match is not None:
                found[index] = match
                pending.remove(match)
    return [(rule, found.get(i)) for i, rule in enumerate(old_rules)], pending


def _same_path(rule: Rule, candidates: Iterable[Rule], same_methods: bool) -> Rule | None:
    same = [
        c
        for c in candidates
        if c["rule"] == rule["rule"] and (not same_methods or c["methods"] == rule["methods"])
    ]
    # Several views on one path and methods (rare): the same endpoint, then the same defaults.
    same.sort(key=lambda c: (c["endpoint"] != rule["endpoint"], c["defaults"] != rule["defaults"]))
    return same[0] if same else None


def endpoint_mapping(pairs: Iterable[tuple[Rule, Rule | None]]) -> dict[str, set[str]]:
    """Old endpoint → the new endpoints serving its rules, read from the paired rules."""
    mapping: dict[str, set[str]] = {}
    for old, new in pairs:
        if new is not None:
            mapping.setdefault(old["endpoint"], set()).add(new["endpoint"])
    return mapping


def blueprint_scopes(pairs: Iterable[tuple[Rule, Rule | None]]) -> dict[str, str]:
    """New blueprint name → the old one, where an old blueprint's views now carry another
    prefix (`admin.panel` served as `main.admin.panel`): its handlers and hooks moved with it.
    App-wide views moving into a blueprint map nothing: app-wide hooks must stay app-wide."""
    scopes: dict[str, str] = {}
    for old, new in pairs:
        if new is None:
            continue
        old_scope = old["endpoint"].rpartition(".")[0]
        new_scope = new["endpoint"].rpartition(".")[0]
        if old_scope and new_scope and new_scope != old_scope:
            scopes.setdefault(new_scope, old_scope)
    return scopes


#: methods Flask adds by itself; shown only when they are what differs
AUTOMATIC = frozenset({"HEAD", "OPTIONS"})


def _methods(rule: Rule, full: bool = False) -> str:
    return ", ".join(m for m in rule["methods"] if full or m not in AUTOMATIC)


def _rule_row(old: Rule, new: Rule | None) -> Row:
    path, before = old["rule"], _methods(old)
    if new is None:
        message = f"route dropped: {path} [{before}] (endpoint {old['endpoint']})"
        return Row("route", path, before, ABSENT, Status.DIFFERENT, message)
    after = _methods(new)
    if before == after and old["methods"] != new["methods"]:
        before, after = _methods(old, full=True), _methods(new, full=True)
    problems = [
        f"{what} changed: {path}: {was} → {now}"
        for what, was, now in (
            ("methods", before, after),
            ("defaults", old["defaults"], new["defaults"]),
            ("strict_slashes", old["strict_slashes"], new["strict_slashes"]),
        )
        if was != now
    ]
    status = Status.DIFFERENT if problems else Status.SAME
    return Row("route", path, before, after, status, "; ".join(problems))


def _added_rule_row(new: Rule) -> Row:
    path, after = new["rule"], _methods(new)
    message = f"route added: {path} [{after}] (endpoint {new['endpoint']})"
    return Row("route", path, ABSENT, after, Status.DIFFERENT, message)


def endpoint_rows(pairs: Iterable[tuple[Rule, Rule | None]]) -> list[Row]:
    """Each old endpoint must become exactly one new one, or `url_for` calls break; what it is
    called now is a fact shown, not judged."""
    mapping = endpoint_mapping(pairs)
    sources: dict[str, list[str]] = {}
    for old_endpoint, news in mapping.items():
        for new_endpoint in news:
            sources.setdefault(new_endpoint, []).append(old_endpoint)
    return [_endpoint_row(old, sorted(news), sources) for old, news in sorted(mapping.items())]


def _endpoint_row(old: str, news: list[str], sources: Mapping[str, list[str]]) -> Row:
    shown = ", ".join(news)
    if len(news) > 1:
        message = f"endpoint split: {old} → {shown}"
    elif len(sources[news[0]]) > 1:
        message = f"endpoints merged: {', '.join(sorted(sources[news[0]]))} → {shown}"
    else:
        return Row("endpoint", old, old, shown)
    return Row("endpoint", old, old, shown, Status.DIFFERENT, message)


def _split_scope(key: str) -> tuple[str, str]:
    scope, colon, code = key.rpartition(":")
    return (scope if colon else "None"), code


def _where(scope: str) -> str:
    return "app-wide" if scope == "None" else f"blueprint {scope}"


def handler_rows(
    old: Mapping[str, str], new: Mapping[str, str], scopes: Mapping[str, str] | None = None
) -> list[Row]:
    """Error handlers by code or exception and scope, compared by handler function name;
    `scopes` renames the migrated app's blueprints to the original's (`blueprint_scopes`)."""
    before = {_split_scope(key): handler for key, handler in old.items()}
    after: dict[tuple[str, str], str] = {}
    for key, handler in new.items():
        scope, code = _split_scope(key)
        after[(scopes or {}).get(scope, scope), code] = handler
    return [_handler_row(k, before.get(k), after.get(k)) for k in sorted(before.keys() | after)]


def _handler_row(key: tuple[str, str], old: str | None, new: str | None) -> Row:
    scope, code = key
    item = code if scope == "None" else f"{code} ({_where(scope)})"
    shown = (old or ABSENT, new or ABSENT)
    if old == new:
        return Row("error handler", item, *shown)
    if new is None:
        message = f"error handler lost: {item} ({old})"
    elif old is None:
        message = f"error handler added: {item} ({new})"
    else:
        message = f"error handler changed: {item}: {old} → {new}"
    return Row("error handler", item, *shown, Status.DIFFERENT, message)


#: probe key → check name; each is {scope: [function names]} or an app-wide list.
HOOKS = (
    ("before_request", "before_request hook"),
    ("after_request", "after_request hook"),
    ("teardown_request", "teardown_request hook"),
    ("teardown_appcontext", "teardown_appcontext hook"),
    ("before_first_request", "before_first_request hook"),
    ("context_processors", "context processor"),
    ("url_value_preprocessors", "URL value preprocessor"),
    ("url_default_functions", "URL defaults function"),
)
#: Flask registers this one itself, once more for every blueprint: not the app's doing.
FLASK_OWN = frozenset({"_default_template_ctx_processor"})


def _scoped(value: Any) -> dict[str, list[str]]:
    if value is None:
        return {}
    if isinstance(value, list):
        return {"None": value}
    return dict(value)


def scoped_rows(
    check: str,
    old: Mapping[str, list[str]],
    new: Mapping[str, list[str]],
    scopes: Mapping[str, str] | None = None,
) -> list[Row]:
    """Hooks by function name: same names, and each still runs where it ran (app-wide or not)."""
    before = _scopes_by_name(old, {})
    after = _scopes_by_name(new, scopes or {})
    names = sorted(before.keys() | after.keys())
    return [_scoped_row(check, n, before.get(n, []), after.get(n, [])) for n in names]


def _scopes_by_name(
    registry: Mapping[str, list[str]], scopes: Mapping[str, str]
) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for scope, names in registry.items():
        for name in names:
            if name not in FLASK_OWN:
                out.setdefault(name, []).append(_where(scopes.get(scope, scope)))
    return {name: sorted(scopes) for name, scopes in out.items()}


def _scoped_row(check: str, name: str, old: list[str], new: list[str]) -> Row:
    shown = (", ".join(old) or ABSENT, ", ".join(new) or ABSENT)
    if old == new:
        return Row(check, name, *shown)
    if not new:
        message = f"{check} lost: {name} ({shown[0]})"
    elif not old:
        message = f"{check} added: {name} ({shown[1]})"
    else:
        message = f"{check} moved: {name}: {shown[0]} → {shown[1]}"
    return Row(check, name, *shown, Status.DIFFERENT, message)


#: registries where a missing name breaks templates or scripts, and an extra one is harmless
REGISTRIES = (
    ("template_filters", "template filter"),
    ("template_globals", "template global"),
    ("template_tests", "template test"),
    ("cli_commands", "CLI command"),
    ("shell_context_processors", "shell context processor"),
)


def named_rows(check: str, old: Iterable[str], new: Iterable[str]) -> list[Row]:
    before, after = set(old), set(new)
    rows = [Row(check, f"{len(before & after)} in both")] if before & after else []
    rows += [
        Row(check, name, name, ABSENT, Status.DIFFERENT, f"{check} lost: {name}")
        for name in sorted(before - after)
    ]
    rows += [
        Row(check, name, ABSENT, name, Status.INFO, f"{check} only in the migrated app: {name}")
        for name in sorted(after - before)
    ]
    return rows


def config_rows(
    old: Mapping[str, str],
    new: Mapping[str, str],
    endpoints: Mapping[str, set[str]] | None = None,
) -> list[Row]:
    """Every key the original has must keep its value; a factory may add keys of its own.

    A setting that names an endpoint (`CKEDITOR_FILE_UPLOADER = 'upload'`) keeps its meaning when
    it names what that endpoint became (`'main.upload'`): the URL rules say so, not a convention.
    """
    renamed = {
        repr(before): {repr(after) for after in afters}
        for before, afters in (endpoints or {}).items()
    }
    new = {
        key: old[key] if key in old and value in renamed.get(old[key], ()) else value
        for key, value in new.items()
    }
    same = sum(1 for key, value in old.items() if new.get(key) == value)
    rows = [Row("config", f"{same} keys equal")] if same else []
    for key in sorted(old):
        if key not in new:
            message = f"config key lost: {key} (was {old[key]})"
            rows.append(Row("config", key, old[key], ABSENT, Status.DIFFERENT, message))
        elif new[key] != old[key]:
            message = f"config value changed: {key}: {old[key]} → {new[key]}"
            rows.append(Row("config", key, old[key], new[key], Status.DIFFERENT, message))
    for key in sorted(new.keys() - old.keys()):
        message = f"config key only in the migrated app: {key} = {new[key]}"
        rows.append(Row("config", key, ABSENT, new[key], Status.INFO, message))
    return rows


def blueprint_rows(old: Sequence[str], new: Sequence[str]) -> list[Row]:
    if not old and not new:
        return []
    shown = (", ".join(old) or ABSENT, ", ".join(new) or ABSENT)
    message = f"blueprints registered: {shown[0]} → {shown[1]}"
    return [Row("blueprints", "registered", *shown, Status.INFO, message)]
