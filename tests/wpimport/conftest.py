import pytest
from django.core.management import call_command

from tests.wpimport.builder import wxr


@pytest.fixture
def run_import(tmp_path, capsys):
    """Write an export and run ``import_wxr`` on it; returns the report text."""

    def run(data: bytes | None = None, *args, items=(), **wxr_kwargs) -> str:
        if data is None:
            data = wxr(items, **wxr_kwargs)
        path = tmp_path / "export.xml"
        path.write_bytes(data)
        call_command("import_wxr", str(path), *args)
        return capsys.readouterr().out

    return run
