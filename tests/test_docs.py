"""The README documents every issue code and keeps the two set-up commands."""

from __future__ import annotations

from pathlib import Path

from fourcard_excel.issues import CODES

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_issue_code_documented_with_its_level():
    for code, (level, title) in CODES.items():
        assert f"| {code} | {level} | {title} |" in README, code


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = next(line for line in ci.splitlines() if line.startswith("python3 -m venv"))
    assert command in README
    assert "fourcard-excel process sample_data" in README
