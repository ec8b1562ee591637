"""Imported once by the forkserver the local pool forks its workers from: every worker starts
with flaskmod, LibCST and the codemods already imported, so recycling one costs a fork."""

from flaskmod.batch import jobs
from flaskmod.pipeline import discover

discover()

__all__ = ["jobs"]
