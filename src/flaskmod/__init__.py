"""flaskmod: migrate legacy single-file Flask apps to the application-factory pattern."""

__version__ = "0.1.0"
