"""Which packages and data files the distribution holds; the metadata is in pyproject.toml.

The project-wide ``templates/``, ``static/`` and ``locale/`` folders stay where they are in
the checkout and are installed as data of the ``config`` package (``config/templates/`` and
so on), so an installed Blogwerk runs from any directory: ``config.settings`` looks there
first and falls back to the checkout's folders.
"""

from setuptools import find_packages, setup

APPS = ["config", "core", "blog", "comments", "polls", "wpimport"]

# Installed name → folder in the checkout.
PROJECT_FOLDERS = {
    "config.templates": "templates",
    "config.static": "static",
    "config.locale": "locale",
}

# Templates, static files and translations (sources and compiled) inside the apps.
APP_DATA = ["templates/**/*", "static/**/*", "locale/**/*.po", "locale/**/*.mo"]

setup(
    packages=[*find_packages(include=[f"{app}*" for app in APPS]), *PROJECT_FOLDERS],
    package_dir=PROJECT_FOLDERS,
    package_data={
        **dict.fromkeys(APPS, APP_DATA),
        "config.templates": ["**/*"],
        "config.static": ["**/*"],
        "config.locale": ["**/*.po", "**/*.mo"],
    },
)
