"""Writers: township and county workbooks, issue list, CSVs and the run manifest.

Public entry points (docs/ARCHITECTURE.md, contract 5):

- ``write_outputs(result, out_dir) -> list[Path]``: everything ``process`` writes.
- ``write_issue_files(issues, out_dir) -> list[Path]``: 问题清单.xlsx + issues.csv (``validate``).
- ``sheet.write_frame(...)``: the generic styled sheet other modules reuse.
"""

from __future__ import annotations

from .issues_book import write_issue_files

__all__ = ["write_issue_files"]
