"""knowledge.is_secret: secrets by name, and by value (known token shapes, random strings)."""

from __future__ import annotations

import pytest

from flaskmod.knowledge import is_secret, looks_like_credential, shannon_entropy


@pytest.mark.parametrize(
    "key", ["SECRET_KEY", "MAIL_PASSWORD", "GITHUB_TOKEN", "STRIPE_API_KEY", "secret", "passwd"]
)
def test_secret_by_name(key: str) -> None:
    assert is_secret(key, "x")


@pytest.mark.parametrize(
    "value",
    [
        "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
        "sk_test_flaskr-example",
        "rk_live_abc",
        "ghp_aBcDeF0123456789",
        "gho_x",
        "github_pat_11ABCDEFG",
        "xoxb-1234-5678-abcdef",
        "xoxp-1234",
        "AKIAIOSFODNN7EXAMPLE",
        "AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe",
        "-----BEGIN RSA PRIVATE KEY-----\nMIIE...",
        "-----BEGIN OPENSSH PRIVATE KEY-----",
        "010cc08bd4f51e34f3f3e684fbdea8a7",  # hex
        "dGhpcyBpcyBhIHNlY3JldCBrZXk=",  # base64
        "K8Jq2nXvP4LmZ9wR7tYb",  # 20 random characters
        "django-insecure-8f#k2l@x!9z&q1w3e5r7t9y",
        "postgresql://bob:hunter2@db.example.com/prod",
    ],
)
def test_secret_by_value(value: str) -> None:
    assert is_secret("SETTING", value)


@pytest.mark.parametrize(
    "value",
    [
        "sqlite:///app.db",
        "postgresql://db.example.com/prod",  # no credentials
        "redis://localhost:6379/0",
        "https://api.example.com/v2/items?page=20",
        "/var/www/uploads/2019",
        "./instance/flaskr.db",
        "static/img/logo-2019.png",
        "admin/index.html",
        "emails/welcome_2019.txt",
        "Europe/Amsterdam",
        "application/json",
        "noreply@mycompany.com",
        "app.config.ProductionConfig",
        "1234-abc.apps.googleusercontent.com",
        "Content-Security-Policy",
        "SQLALCHEMY_DATABASE_URI_2",
        "v2.3.4-rc1+build.20190101",
        "2019-01-01T00:00:00+00:00",
        "%Y-%m-%dT%H:%M:%S.%fZ",
        "development key",
        "you-will-never-guess",
        "hard to guess string",
        "SimpleCache",
        "AKIA",  # a prefix alone is not a key id
        "aaaaaaaaaaaaaaaaaaaaaaaa1",  # long, mixed, but not random
        "abc123",  # short
    ],
)
def test_ordinary_values_are_not_secrets(value: str) -> None:
    assert not is_secret("SETTING", value)


def test_bytes_values_are_judged_by_their_text() -> None:
    assert is_secret("SETTING", b"sk_live_abc")
    assert not is_secret("SETTING", b"plain")
    assert is_secret("SECRET_KEY", b'_5#y2L"F4Q8z\n\xec]/')


def test_no_literal_is_a_secret_only_by_name() -> None:
    assert is_secret("SECRET_KEY", None) and not is_secret("PAGE", None)


def test_entropy_of_repetition_is_low() -> None:
    assert shannon_entropy("aaaa") == 0
    assert shannon_entropy("abcd") == 2
    assert not looks_like_credential("ab" * 20 + "12")
