"""Helpers for building realistic test inputs."""

from __future__ import annotations

from fourcard_excel.ingest.ids import check_digit, make_id  # noqa: F401  (re-exported for tests)


def bad_check_id(valid: str) -> str:
    """Same ID with a wrong check character."""
    wrong = "0" if valid[-1] != "0" else "1"
    return valid[:17] + wrong
