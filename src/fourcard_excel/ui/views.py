"""What the result pages show, computed once when a run ends and kept in run.json.

The county summary is the 全县汇总.xlsx 总览 table itself (``write.tables.card_pivot`` over the
run's households), so the page and the workbook cannot disagree. The issue table is read back from
the run's ``outputs/issues.csv`` page by page.
"""

from __future__ import annotations

import functools
import math
from pathlib import Path

import pandas as pd

from ..commands.common import issue_summary
from ..commands.process import summary_lines
from ..issues import CODES, ERROR, INFO, LEVEL_ORDER, WARNING
from ..write import tables
from ..write.styles import INJECTION_RE

FILE_COLUMNS = ["文件", "乡镇", "类型", "状态", "原因", "重复于", "读入行数", "户数", "错误数"]
PAGE_SIZE = 50
TOP_HEADER = "最常见的问题："
LEDGER_HINT = "可与花名册一起上传，或在“更多选项”里选择"
OTHER_COLOUR = "#9E9E9E"
_ESCAPED = "^'(?=" + INJECTION_RE.removeprefix("^") + ")"  # write.csvs.escape_text's prefix


def _plain(value):
    if hasattr(value, "item"):
        return value.item()
    return value


def records(frame: pd.DataFrame, columns: list[str]) -> dict:
    cols = [c for c in columns if c in frame.columns]
    rows = [[_plain(v) for v in row] for row in frame[cols].itertuples(index=False, name=None)]
    return {"columns": cols, "rows": rows}


def file_counts(files: pd.DataFrame) -> dict[str, int]:
    status = files["状态"] if len(files) else pd.Series(dtype=str)
    return {"all": len(files), "done": int((status == "已处理").sum()),
            "skipped": int((status == "已跳过").sum()), "failed": int((status == "失败").sum())}


def top_problems(issues: pd.DataFrame, top: int = 10) -> list[dict]:
    """The most frequent 错误/警告 codes: code, level, title, count."""
    serious = issues[issues["级别"] != INFO] if len(issues) else issues
    if not len(serious):
        return []
    freq = serious["代码"].value_counts().head(top)
    return [{"代码": code, "级别": CODES.get(code, (WARNING, ""))[0], "问题": CODES.get(code, ("", code))[1],
             "条数": int(n)} for code, n in freq.items()]


def level_counts(issues: pd.DataFrame) -> dict[str, int]:
    counts = issues["级别"].value_counts() if len(issues) else {}
    return {level: int(counts.get(level, 0)) for level in (ERROR, WARNING, INFO)}


def process_view(result) -> dict:
    """Summary table, chart data, files, top problems and the summary lines of a process run."""
    hh = result.households
    rules = result.rules
    order = tables.card_order(rules, hh["card"] if "card" in hh else None)
    summary = tables.card_pivot(hh, "township", order)
    cards = list(rules.card_names)
    body = summary.iloc[:-1]  # without the 合计 row
    chart = {"labels": [str(x) for x in body.iloc[:, 0]],
             "series": [{"name": c, "colour": rules.colour(c) or OTHER_COLOUR,
                         "values": [int(v) for v in body[c]]} for c in cards if c in body]}
    files = result.files
    c = file_counts(files)
    # the CLI's summary, without its list of frequent problems (a table on the page)
    lines = [line for line in summary_lines(result, ledger_hint=LEDGER_HINT)
             if line != TOP_HEADER and not line.startswith("  ")]
    if result.seed is not None:
        lines.append(f"县级抽查随机种子：{result.seed}（再次处理时填同一数字可重现同一抽查名单）")
    return {"summary": records(summary, list(summary.columns)), "chart": chart,
            "files": records(files, FILE_COLUMNS), "file_counts": c,
            "top": top_problems(result.issues), "levels": level_counts(result.issues),
            "lines": lines, "households": len(hh), "seed": result.seed, "as_of": str(result.as_of)}


def validate_view(v, issues: pd.DataFrame, files: pd.DataFrame) -> dict:
    """What `validate` prints, for the 自查 page."""
    m = v.members
    c = file_counts(files)
    errors = int((issues["级别"] == ERROR).sum()) if len(issues) else 0
    lines = [f"文件：{c['all']} 个（已读取 {c['done']}，跳过 {c['skipped']}，失败 {c['failed']}）",
             f"数据行：{len(m)} 行，家庭：{m['hh_key'].nunique() if len(m) else 0} 户",
             *[line for line in issue_summary(issues, top=0) if line != TOP_HEADER]]
    verdict = (f"有 {errors} 条“错误”，请按问题清单改正后再提交。" if errors
               else "没有“错误”级问题，可以提交。")
    return {"files": records(files, FILE_COLUMNS), "file_counts": c, "top": top_problems(issues),
            "levels": level_counts(issues), "lines": lines, "verdict": verdict, "errors": errors}


@functools.lru_cache(maxsize=4)
def _issues(path: str, mtime: float) -> pd.DataFrame:
    """issues.csv, errors first, its text as written (without the ' the CSV puts before = + - @)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    for col in frame.columns.drop("行号", errors="ignore"):
        frame[col] = frame[col].str.replace(_ESCAPED, "", regex=True)
    order = frame["级别"].map(LEVEL_ORDER).fillna(9)
    return frame.assign(_o=order).sort_values("_o", kind="stable").drop(columns="_o").reset_index(drop=True)


def read_issues(path: Path) -> pd.DataFrame:
    if not path.is_file():
        return pd.DataFrame(columns=["级别", "代码", "文件", "工作表", "行号", "列", "值", "说明"])
    return _issues(str(path), path.stat().st_mtime)


def issue_page(path: Path, *, level: str = "", code: str = "", file: str = "", q: str = "",
               page: int = 1, size: int = PAGE_SIZE) -> dict:
    """One page of the issue list (errors first), filtered by level, code, file and a keyword."""
    frame = read_issues(path)
    choices = {"levels": [lv for lv in (ERROR, WARNING, INFO) if lv in set(frame["级别"])],
               "codes": sorted(set(frame["代码"]) - {""}), "files": sorted(set(frame["文件"]) - {""})}
    keep = pd.Series(True, index=frame.index)
    if level:
        keep &= frame["级别"] == level
    if code:
        keep &= frame["代码"] == code
    if file:
        keep &= frame["文件"] == file
    if q:
        text = frame["说明"] + "\n" + frame["值"] + "\n" + frame["列"] + "\n" + frame["文件"]
        keep &= text.str.contains(q, regex=False)
    hits = frame[keep]
    pages = max(1, math.ceil(len(hits) / size))
    page = min(max(1, page), pages)
    shown = hits.iloc[(page - 1) * size: page * size]
    return {"total": len(frame), "matched": len(hits), "page": page, "pages": pages,
            **records(shown, list(frame.columns)), **choices}


def output_files(out: Path) -> list[dict]:
    """Every file under ``outputs/``: relative name and size (for the links)."""
    files = sorted((p for p in out.rglob("*") if p.is_file()), key=lambda p: p.relative_to(out).as_posix())
    return [{"name": p.relative_to(out).as_posix(), "size": human_size(p.stat().st_size)} for p in files]


def human_size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1 << 20:
        return f"{n / 1024:.0f} KB"
    return f"{n / (1 << 20):.1f} MB"
