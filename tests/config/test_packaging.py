"""The distribution: bounded dependencies, lock files that match them, and an installed
package that runs from any directory (templates, static files and translations inside)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
import urllib.request
import zipfile
from pathlib import Path

import pytest
from django.db import connection
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.live.stack import free_port

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def _requirements(*extras: str) -> list[Requirement]:
    project = PYPROJECT["project"]
    found = [Requirement(spec) for spec in project["dependencies"]]
    for extra in extras:
        found += [Requirement(spec) for spec in project["optional-dependencies"][extra]]
    return found + [Requirement(spec) for spec in PYPROJECT["build-system"]["requires"]]


def _pins(lock: str) -> dict[str, str]:
    text = (ROOT / lock).read_text()
    return {
        canonicalize_name(name): version
        for name, version in re.findall(r"^([A-Za-z0-9_.\-]+)==([^\s\\]+)", text, flags=re.MULTILINE)
    }


def test_every_dependency_has_an_upper_bound():
    project = PYPROJECT["project"]
    specs = [*project["dependencies"], *PYPROJECT["build-system"]["requires"]]
    for extra in project["optional-dependencies"].values():
        specs += extra
    unbounded = [
        spec
        for spec in specs
        if not any(s.operator in {"<", "<=", "==", "~="} for s in Requirement(spec).specifier)
    ]
    assert unbounded == []


def test_ruff_is_pinned():
    ruff = next(r for r in _requirements("dev") if r.name == "ruff")
    assert [s.operator for s in ruff.specifier] == ["=="]


@pytest.mark.parametrize(("lock", "extras"), [("requirements.lock", ()), ("requirements-dev.lock", ("dev",))])
def test_lock_file_pins_every_dependency_within_its_bounds(lock, extras):
    pins = _pins(lock)
    wrong = [
        f"{req} (locked: {pins.get(canonicalize_name(req.name), 'missing')})"
        for req in _requirements(*extras)
        if pins.get(canonicalize_name(req.name)) is None
        or not req.specifier.contains(pins[canonicalize_name(req.name)], prereleases=True)
    ]
    assert wrong == [], "pyproject.toml and the lock files disagree: run `make lock`"
    assert "--hash=sha256:" in (ROOT / lock).read_text()


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel built from a copy of the project's files, as a fresh clone has them (an in-tree
    build would reuse whatever an earlier build left in build/)."""
    source = tmp_path_factory.mktemp("source")
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, check=True, capture_output=True,
    ).stdout.decode().split("\0")  # fmt: skip
    for name in filter(None, listed):
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    target = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", str(target), str(source)],
        check=True,
        capture_output=True,
        timeout=300,
    )  # fmt: skip
    return next(target.glob("blogwerk-*.whl"))


def test_wheel_carries_templates_static_files_and_translations(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder, installed in (
        ("templates", "config/templates"),
        ("static", "config/static"),
        ("locale", "config/locale"),
    ):
        for path in (ROOT / folder).rglob("*"):
            if path.is_file():
                assert f"{installed}/{path.relative_to(ROOT / folder).as_posix()}" in names
    assert "config/locale/de/LC_MESSAGES/django.mo" in names
    apps = [path.parent for path in ROOT.glob("*/apps.py")]  # the Django apps of the project
    assert {app.name for app in apps} >= {"blog", "comments", "polls"}
    for app in apps:
        for folder in ("templates", "static", "locale"):
            for path in (app / folder).rglob("*"):
                if path.is_file():
                    assert path.relative_to(ROOT).as_posix() in names
    assert not any(name.startswith(("tests/", "bench/")) for name in names)


@pytest.mark.skipif(sys.platform == "win32", reason="gunicorn")
def test_installed_package_serves_pages_from_any_directory(wheel, tmp_path):
    """pip-installed, started outside the checkout: pages, admin and CSS answer 200."""
    if connection.vendor != "sqlite":
        pytest.skip("the package does not depend on the database; CI's SQLite run covers it")
    site_packages = tmp_path / "site-packages"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", "--target", str(site_packages), str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )  # fmt: skip
    workdir = tmp_path / "srv"
    workdir.mkdir()
    env = {
        **{
            k: v
            for k, v in os.environ.items()
            if k not in {"DEBUG", "DATABASE_URL", "REDIS_URL", "CACHE_DIR"}
        },
        "PYTHONPATH": str(site_packages),
        "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
        "SITE_URL": "https://blog.example.org",
        "SECURE_SSL_REDIRECT": "false",
        "LANGUAGE_CODE": "de",
    }
    blogwerk = [sys.executable, str(site_packages / "bin" / "blogwerk")]

    def run(*args):
        return subprocess.run(
            [*blogwerk, *args], cwd=workdir, env=env, capture_output=True, text=True, timeout=300, check=True
        )

    where = run("shell", "--no-imports", "-v0", "-c", "import config, django.conf as c; print(config.__file__); print(c.settings.TEMPLATES[0]['DIRS'][0])")  # fmt: skip
    assert all(line.startswith(str(site_packages)) for line in where.stdout.split()), where.stdout
    run("migrate", "-v0")
    run("collectstatic", "--noinput", "-v0")
    assert (workdir / "staticfiles" / "staticfiles.json").is_file()  # data where it was started

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=workdir,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        pages = {}
        for path in ("/", "/admin/login/"):
            pages[path] = _get(f"http://127.0.0.1:{port}{path}")
        home = pages["/"]
        assert '<html lang="de"' in home
        css = re.search(r'href="(/static/css/bootstrap\.subset\.[0-9a-f]+\.css)"', home)  # make css
        assert css, "Bootstrap's stylesheet is not linked"
        for asset in (css.group(1), *re.findall(r'href="(/static/css/site\.[0-9a-f]+\.css)"', home)):
            assert "{" in _get(f"http://127.0.0.1:{port}{asset}")
        assert "csrfmiddlewaretoken" in pages["/admin/login/"]
    finally:
        server.terminate()
        server.wait(10)


def _get(url: str, attempts: int = 100) -> str:
    import time

    for _ in range(attempts):
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - 127.0.0.1 only
                assert response.status == 200
                return response.read().decode()
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer")
