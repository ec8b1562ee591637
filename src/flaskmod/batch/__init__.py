"""`flaskmod batch`: migrate many repositories, each in its own worker process.

`jobs` is what a worker runs for one repository; `pool` (local processes) and `cluster`
(Dask distributed) are the executors; `runner` feeds them and gathers the report that
`report` (JSON, Markdown, the summary table) and `html` write; `display` shows progress.
"""

#: the exit codes, for `flaskmod batch --help` (kept here: the CLI reads it without importing
#: the batch machinery)
EPILOG = """\b
Exit codes:
  0  every repository ended migrated, already-factory or not-flask
  1  some need manual steps or were refused (self-check, blocking idiom, --verify)
  2  some ended in error or timeout (or bad input: nothing was run)
  3  internal error (a bug: please report it)
  130, 143  interrupted; the report lists what finished (--resume carries on)
"""
