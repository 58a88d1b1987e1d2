"""Fixtures for whole installations: empty databases of the suite's engine, a seeded site."""

from __future__ import annotations

import uuid

import psycopg
import pytest
from django.db import connection

from tests.blog.sites import Site, pg_url


@pytest.fixture(scope="session")
def new_database(tmp_path_factory):
    """Makes empty databases of the suite's engine; PostgreSQL ones are dropped afterwards."""
    made = []

    def make(label: str) -> str:
        if connection.vendor == "sqlite":
            return f"sqlite:///{tmp_path_factory.mktemp(label) / 'db.sqlite3'}"
        name = f"{connection.settings_dict['NAME']}_{label}_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(pg_url("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        return pg_url(name)

    yield make
    if made:
        with psycopg.connect(pg_url("postgres"), autocommit=True) as conn:
            for name in made:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def seeded_site(new_database, tmp_path_factory) -> Site:
    """A migrated site with seed_demo's content and logins (made with DEBUG on), on the
    suite's engine. Tests must not change it."""
    site = Site(new_database("seeded"), tmp_path_factory.mktemp("seeded"))
    site.run("migrate", "-v0")
    site.run("seed_demo")
    return site
