"""Shared fixtures: a clean cache per test, media in a temporary folder, users by role."""

import pytest
from django.core.cache import cache

from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _fast_passwords(request, settings):
    """A fast hasher keeps factories quick; live servers in other processes need the real ones."""
    if request.node.get_closest_marker("live") is None:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def editor(db):
    return UserFactory(username="editor", groups=["Editors"], is_staff=True)


@pytest.fixture
def moderator(db):
    return UserFactory(username="moderator", groups=["Moderators"], is_staff=True)


@pytest.fixture
def superuser(db):
    return UserFactory(username="boss", is_staff=True, is_superuser=True)


@pytest.fixture
def executor():
    """A migration executor for data-migration tests; afterwards every app is migrated back
    to its latest state for the tests that follow."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    yield MigrationExecutor(connection)
    latest = MigrationExecutor(connection)
    latest.migrate(latest.loader.graph.leaf_nodes())
