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


def test_module_fallbacks_come_from_the_packaged_rules_file():
    """The plan's figures live in the rules file only; modules read their fallbacks from it."""
    import tomllib

    from fourcard_excel.checks import contacts, history, quotas, spotcheck
    from fourcard_excel.documents import notice

    raw = tomllib.loads((DATA / "rules.toml").read_text(encoding="utf-8"))
    assert quotas.DEFAULTS == raw["quotas"]
    assert contacts.DEFAULTS == raw["contact"]
    assert (spotcheck.DEFAULT_RATE, spotcheck.DEFAULT_MIN_RATE, spotcheck.DEFAULT_TEAM_SIZE) == \
        (raw["spotcheck"]["rate"], raw["spotcheck"]["min_rate"], raw["spotcheck"]["team_size"])
    assert history.DEFAULT_REVIEW_MONTHS == raw["review"]["months"]
    assert history.DEFAULT_THRESHOLD == raw["thresholds"]["per_capita_line"]
    assert notice.DEFAULT_NOTICE_DAYS == raw["schedule"]["notice_days"]
