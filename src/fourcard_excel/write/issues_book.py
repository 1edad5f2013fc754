"""问题清单.xlsx (every issue of the batch, filterable, grouped by file) and issues.csv."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..issues import ERROR, INFO, ISSUE_COLUMNS, WARNING
from . import csvs, styles
from .atomic import atomic_path
from .sheet import write_frame

ISSUES_BOOK = "问题清单.xlsx"
ISSUES_CSV = "issues.csv"
ISSUE_WIDTHS = {"级别": 7, "代码": 7, "文件": 28, "工作表": 12, "行号": 7, "列": 14, "值": 22, "说明": 60}


def level_fills(levels: pd.Series) -> pd.Series:
    return levels.map(styles.LEVEL_FILLS).fillna("")


def issue_sheet_frame(issues: pd.DataFrame) -> pd.DataFrame:
    """The 8 issue columns, sorted by file/sheet/row, ready for ``write_frame``."""
    return csvs.sort_issues(issues)[ISSUE_COLUMNS]


def issues_by_file(issues: pd.DataFrame) -> pd.DataFrame:
    """文件 × 级别 counts with a 合计 column and a 合计 row."""
    levels = [ERROR, WARNING, INFO]
    if len(issues):
        table = pd.crosstab(issues["文件"].astype("str"), issues["级别"].astype("str"))
    else:
        table = pd.DataFrame(index=pd.Index([], name="文件"))
    table = table.reindex(columns=levels, fill_value=0).astype("int64")
    table["合计"] = table.sum(axis=1)
    table = table.sort_index()
    table.loc["合计"] = table.sum(axis=0)
    out = table.reset_index()
    out.columns = ["文件", *levels, "合计"]
    out["文件"] = out["文件"].replace("", "（未关联文件）")
    return out


def write_issue_book(issues: pd.DataFrame, path: Path, *, tmpdir: Path | None = None,
                     created=None) -> Path:
    frame = issue_sheet_frame(issues)
    with atomic_path(path) as tmp:
        wb = styles.new_workbook(tmp, tmpdir=tmpdir or Path(path).parent, created=created, constant_memory=True)
        fmts = styles.Formats(wb)
        used: set[str] = set()
        write_frame(wb, "问题清单", frame, formats=fmts, used_names=used,
                    row_fill=level_fills(frame["级别"]), widths=ISSUE_WIDTHS, freeze_cols=2,
                    title=f"问题清单（共 {len(frame)} 条：错误 {int((frame['级别'] == ERROR).sum())} 条）")
        write_frame(wb, "按文件汇总", issues_by_file(frame), formats=fmts, used_names=used,
                    widths={"文件": 40}, bold_last_row=True)
        wb.close()
    return Path(path)


def write_issue_files(issues: pd.DataFrame, out_dir: Path) -> list[Path]:
    """问题清单.xlsx and issues.csv under ``out_dir`` (used by ``validate`` and ``process``)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    book = write_issue_book(issues, out_dir / ISSUES_BOOK, tmpdir=out_dir)
    csv = csvs.write_csv(csvs.issues_csv(issues), out_dir / ISSUES_CSV)
    return [book, csv]
