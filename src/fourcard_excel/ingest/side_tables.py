"""Side tables found beside the rosters (公益岗位花名册, 村情表, 联系走访记录): typed frames."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..issues import IssueLog, located
from ..registry import ID, SOURCE_FILE, SOURCE_ROW, SOURCE_SHEET, TABLE_KINDS
from .discover import InputFile, fingerprint, sniff
from .members import NUMBER_ID_MESSAGE, unreadable
from .normalize import coerce, default_value, id_text
from .read import RawTable, read_file


def side_frame(tables: list[RawTable], kind: str, log: IssueLog) -> pd.DataFrame:
    """All tables of one side kind → one typed frame with source columns; bad cells → Issues."""
    columns = TABLE_KINDS[kind][0]
    parts = []
    for t in tables:
        if t.kind != kind or not len(t.frame):
            continue
        raw = t.frame
        out = pd.DataFrame({SOURCE_FILE: t.file, SOURCE_SHEET: t.sheet,
                            SOURCE_ROW: raw[SOURCE_ROW].astype("int64")}, index=raw.index)
        for col in columns:
            if col.key not in raw.columns:
                out[col.key] = default_value(col, len(raw), raw.index)
                continue
            if col.kind == ID:
                values, numeric = id_text(raw[col.key])
                out[col.key] = values
                if numeric.any():
                    log.add_frame("I005", located(out, numeric, t.headers.get(col.key, col.label), values,
                                                  NUMBER_ID_MESSAGE))
                    out.loc[numeric.to_numpy(), col.key] = ""
                continue
            values, bad = coerce(raw[col.key], col)
            out[col.key] = values
            if bad.any():
                code, msg = unreadable(col)
                log.add_frame(code, located(out, bad, t.headers.get(col.key, col.label), raw[col.key], msg))
        parts.append(out)
    if not parts:
        return pd.DataFrame()
    return pd.concat(parts, ignore_index=True)


def read_side_table(path: Path | str, kind: str, root: Path | str | None = None) -> tuple[pd.DataFrame, IssueLog]:
    """Read a side table named on the command line (--posts, --villages, --contacts)."""
    path = Path(path)
    log = IssueLog()
    f = InputFile(path=path, rel=Path(path).name if root is None else path.relative_to(root).as_posix(),
                  fmt={".csv": "csv", ".xls": "xls"}.get(path.suffix.lower(), "xlsx"))
    data = fingerprint(f)
    sniff(f, data)
    if f.status == "失败":
        log.add(f.code, f.reason, file=f.rel)
        return pd.DataFrame(), log
    tables = [t for t in read_file(f, data, log) if t.kind == kind]
    if not tables:
        log.add("F008", f"文件“{f.rel}”中没有找到{TABLE_KINDS[kind][1]}的表头；请使用 templates/ 中的模板",
                file=f.rel)
    return side_frame(tables, kind, log), log


def use_side_table(tables: dict[str, pd.DataFrame], kind: str, path: Path | str) -> tuple[pd.DataFrame, bool]:
    """The side table at ``path`` (--posts, --villages, --contacts, --ledger) in place of one of the
    same kind recognised in the input folder, even when it has no rows: the file named wins,
    the same under ``process``, ``quotas`` and ``measures``. Returns its issues and whether it
    replaced a folder table that had rows (F023 提示; a named file without rows is an F024 警告)."""
    frame, log = read_side_table(path, kind)
    replaced = bool(len(tables.get(kind, ())))
    name, file = TABLE_KINDS[kind][1], Path(path).name
    if not len(frame):
        log.add("F024", f"指定的{name}“{file}”没有读到数据行"
                        + (f"，输入文件夹中识别到的{name}也不参与核查" if replaced else "")
                        + "；请检查该文件的表头和内容（可用 templates/ 中的模板），或不指定该文件以使用输入文件夹中的表",
                file=file)
    elif replaced:
        log.add("F023", f"使用“{file}”作为{name}；输入文件夹中识别到的{name}不参与核查", file=file)
    tables[kind] = frame
    return log.frame(), replaced
