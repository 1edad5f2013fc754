"""Files shipped inside the package and their user-facing copies in templates/ never drift apart."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "src" / "fourcard_excel" / "data"


@pytest.mark.parametrize("name", ["rules.toml", "审批表版式.toml"])
def test_templates_copy_identical_to_packaged_file(name):
    assert (ROOT / "templates" / name).read_bytes() == (DATA / name).read_bytes()


def test_package_data_declared():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"data/*.toml"' in text
