"""`report.html`: one self-contained page (no external asset, no network) a reviewer can open
from the report folder: counts by outcome as an inline SVG bar chart, then a table of every
repository that sorts by any column and filters by outcome or text. The filter can be set in
the URL hash (`report.html#outcome=refused&q=shop&sort=seconds&dir=desc`), so a link shows a
chosen view, and so a headless browser can check the page without clicking.
"""

from __future__ import annotations

import json
from html import escape
from pathlib import Path
from typing import Any

from flaskmod.batch.report import link, step_place, write_atomic

COLOURS = {
    "migrated": "#2e7d32",
    "already-factory": "#558b2f",
    "not-flask": "#78909c",
    "needs-manual-steps": "#f9a825",
    "refused": "#ef6c00",
    "error": "#c62828",
    "timeout": "#6a1b9a",
}


def write_html(path: Path, report: dict[str, Any]) -> None:
    write_atomic(path, page(report, path.parent))


def page(report: dict[str, Any], folder: Path) -> str:
    entries = report["repositories"]
    title = f"flaskmod batch: {len(entries)} repositories"
    options = "".join(
        f'<option value="{o}">{o} ({n})</option>' for o, n in report["counts"].items()
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<style>{STYLE}</style></head>
<body>
<h1>{escape(title)}</h1>
<p>flaskmod {escape(report["flaskmod"])} &middot; {escape(report["mode"])} &middot;
{escape(report["started"])} to {escape(report["finished"])} &middot;
{report["seconds"]:.1f}s &middot; exit code {report["exit_code"]}</p>
{chart(report["counts"])}
<p class="controls"><label>Outcome <select id="outcome"><option value="">all</option>{options}</select></label>
<label>Search <input id="q" type="search" placeholder="repository, Flask, step…"></label>
<span id="shown"></span></p>
<table id="repos"><thead><tr>
<th data-key="name">repository</th><th data-key="outcome">outcome</th>
<th data-key="flask">Flask</th><th data-key="files" data-type="number">files changed</th>
<th data-key="steps" data-type="number">manual steps</th>
<th data-key="seconds" data-type="number">seconds</th><th>patch</th>
</tr></thead>
<tbody>
{"".join(_row(entry, folder) for entry in entries)}
</tbody></table>
<script>{SCRIPT}</script>
</body></html>
"""


def chart(counts: dict[str, int]) -> str:
    """Horizontal bars, one per outcome, widths relative to the largest count."""
    top = max(counts.values(), default=0) or 1
    bar_height, label_width, width = 22, 150, 420
    rows = []
    for number, (outcome, count) in enumerate(counts.items()):
        y = number * (bar_height + 6)
        length = round((width - label_width - 50) * count / top)
        rows.append(
            f'<g class="bar" data-outcome="{outcome}" data-count="{count}">'
            f'<text x="0" y="{y + 16}">{outcome}</text>'
            f'<rect x="{label_width}" y="{y}" width="{length}" height="{bar_height}" '
            f'fill="{COLOURS.get(outcome, "#999")}"></rect>'
            f'<text x="{label_width + length + 6}" y="{y + 16}">{count}</text></g>'
        )
    height = len(counts) * (bar_height + 6)
    return (
        f'<svg id="chart" role="img" aria-label="repositories by outcome" '
        f'xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">{"".join(rows)}</svg>'
    )


def _row(entry: dict[str, Any], folder: Path) -> str:
    steps = entry["manual_steps"]
    detail = "".join(
        f"<li><code>{escape(step_place(s))}</code> {escape(s['message'])}</li>" for s in steps
    )
    reason = f'<div class="reason">{escape(entry["reason"])}</div>' if entry.get("reason") else ""
    patch = (
        f'<a href="{escape(link(entry["patch"], folder))}">patch</a>' if entry.get("patch") else ""
    )
    values = {
        "name": entry["name"],
        "outcome": entry["outcome"],
        "flask": entry.get("flask") or "",
        "files": entry["files_changed"],
        "steps": len(steps),
        "seconds": entry.get("seconds") or 0,
    }
    data = escape(json.dumps(values), quote=True)
    return (
        f'<tr data-row="{data}" data-outcome="{escape(entry["outcome"])}">'
        f'<td title="{escape(entry["path"])}">{escape(entry["name"])}</td>'
        f'<td><span class="o {escape(entry["outcome"])}">{escape(entry["outcome"])}</span>{reason}</td>'
        f"<td>{escape(values['flask'])}</td><td>{values['files']}</td>"
        f"<td>{len(steps)}{'<ul>' + detail + '</ul>' if detail else ''}</td>"
        f"<td>{values['seconds']:.1f}</td><td>{patch}</td></tr>\n"
    )


STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;width:100%;margin-top:1em}
th,td{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
th[data-key]{cursor:pointer;user-select:none}th[aria-sort=ascending]::after{content:" ▲"}
th[aria-sort=descending]::after{content:" ▼"}
ul{margin:2px 0;padding-left:1.2em}.reason{color:#555;font-size:12px}
.o{padding:1px 6px;border-radius:3px;color:#fff;background:#999}
.migrated{background:#2e7d32}.already-factory{background:#558b2f}.not-flask{background:#78909c}
.needs-manual-steps{background:#f9a825;color:#222}.refused{background:#ef6c00}
.error{background:#c62828}.timeout{background:#6a1b9a}
svg text{font:12px system-ui,sans-serif}.controls label{margin-right:1em}
"""

# Sorting and filtering; the state lives in the URL hash so a view can be linked (and tested).
SCRIPT = """
(function () {
  var body = document.querySelector('#repos tbody');
  var rows = Array.prototype.slice.call(body.rows);
  var outcome = document.getElementById('outcome'), query = document.getElementById('q');
  var state = {outcome: '', q: '', sort: '', dir: 'asc'};
  function readHash() {
    var params = new URLSearchParams(location.hash.replace(/^#/, ''));
    ['outcome', 'q', 'sort', 'dir'].forEach(function (k) {
      if (params.has(k)) { state[k] = params.get(k); }
    });
    outcome.value = state.outcome; query.value = state.q;
  }
  function writeHash() {
    var params = new URLSearchParams();
    Object.keys(state).forEach(function (k) { if (state[k]) { params.set(k, state[k]); } });
    history.replaceState(null, '', '#' + params.toString());
  }
  function data(row) { return JSON.parse(row.getAttribute('data-row')); }
  function apply() {
    var shown = 0, q = state.q.toLowerCase();
    rows.forEach(function (row) {
      var match = (!state.outcome || row.getAttribute('data-outcome') === state.outcome) &&
        (!q || row.textContent.toLowerCase().indexOf(q) !== -1);
      row.hidden = !match;
      if (match) { shown += 1; }
    });
    if (state.sort) {
      var th = document.querySelector('th[data-key="' + state.sort + '"]');
      var numeric = th && th.getAttribute('data-type') === 'number';
      var sign = state.dir === 'desc' ? -1 : 1;
      rows.sort(function (a, b) {
        var x = data(a)[state.sort], y = data(b)[state.sort];
        if (numeric) { return sign * (x - y); }
        return sign * String(x).localeCompare(String(y));
      });
      rows.forEach(function (row) { body.appendChild(row); });
      document.querySelectorAll('th[data-key]').forEach(function (h) {
        h.removeAttribute('aria-sort');
      });
      if (th) { th.setAttribute('aria-sort', state.dir === 'desc' ? 'descending' : 'ascending'); }
    }
    document.getElementById('shown').textContent = shown + ' of ' + rows.length + ' shown';
    document.body.setAttribute('data-shown', String(shown));
  }
  outcome.addEventListener('change', function () { state.outcome = outcome.value; writeHash(); apply(); });
  query.addEventListener('input', function () { state.q = query.value; writeHash(); apply(); });
  document.querySelectorAll('th[data-key]').forEach(function (th) {
    th.addEventListener('click', function () {
      var key = th.getAttribute('data-key');
      state.dir = state.sort === key && state.dir === 'asc' ? 'desc' : 'asc';
      state.sort = key; writeHash(); apply();
    });
  });
  window.addEventListener('hashchange', function () { readHash(); apply(); });
  readHash(); apply();
}());
"""
