"""`flaskmod batch`: migrate many repositories, each in its own worker process.

`jobs` is what a worker runs for one repository; `pool` (local processes) and `cluster`
(Dask distributed) are the executors; `runner` feeds them and gathers the report that
`report` (JSON, Markdown, the summary table) and `html` write; `display` shows progress.
"""
