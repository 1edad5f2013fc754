"""Resubmitted and copied rosters: one file per submission, never a township merged twice.

A county folder often holds a township's roster twice: a byte-identical ``… - 副本.xlsx`` made by
copying, or a revised ``…(修改后).xlsx`` beside the original. Both steps here run before rosters
are merged into members (``pipeline.read_inputs``):

1. ``skip_identical``: files with the same SHA-256 are one file. Only one is parsed; each copy is
   已跳过 (F020, 提示) naming the file it repeats.
2. ``set_aside_resubmissions``: roster files of the same township that share at least
   ``SAME_SHARE`` of the smaller file's households are one submission (grouped transitively).
   One file is used; the others are 已跳过 (重复提交) with one F021 警告 per group.

Households are identified per file by 户编号 and by the 户主's 证件号码 (either matches), so a
copy whose 户编号 column was lost still matches. Which file is used: the one named by ``--prefer``;
else one that read without file- or sheet-level 错误; else the newest modification time; else the
shorter file name (Windows names a copy "X - 副本.xlsx", which sorts before "X.xlsx"), then path
order. A file is set aside only when at least ``SAME_SHARE`` of its own households are in the
file used, so a newer file holding one village never displaces a whole township's roster.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..issues import CODES, ERROR, IssueLog
from ..registry import BY_KEY
from .discover import InputFile
from .normalize import id_text, parse_enum, to_text
from .read import RawTable

SAME_SHARE = 0.5  # share of the smaller file's households both files hold: one submission
MULTI_TOWNSHIP = "（多个乡镇）"  # label of a file whose main township holds under half its rows
SKIPPED = "已跳过"
IDENTICAL, RESUBMITTED, PREFER_UNKNOWN = "F020", "F021", "F022"


# ---------------------------------------------------------------- --prefer


def preferred_files(files: list[InputFile], prefer: Iterable[str | Path], log: IssueLog) -> set[str]:
    """The input files (``rel`` names) that ``--prefer`` values name; unknown names logged (F022).

    A value may be a path (absolute or relative to the working folder), a path relative to the
    input folder, or a bare file name (every file of that name in any subfolder).
    """
    chosen: set[str] = set()
    for value in prefer or ():
        hits = match_prefer(files, value)
        if not hits:
            log.add(PREFER_UNKNOWN, f"--prefer 指定的“{value}”不是输入文件夹中的文件，未起作用；"
                                    "请写文件清单中的文件名（可含子文件夹，如 白沙乡/花名册.xlsx）")
        chosen |= hits
    return chosen


def match_prefer(files: list[InputFile], value: str | Path) -> set[str]:
    text = str(value).strip()
    if not text:
        return set()
    path = Path(text)
    rel = text.replace("\\", "/").removeprefix("./")
    try:
        resolved = path.resolve() if path.exists() else None
    except OSError:
        resolved = None
    hits = {f.rel for f in files if f.rel == rel or (resolved is not None and f.path.resolve() == resolved)}
    if not hits and path.name == rel:  # a bare name: that name in any subfolder
        hits = {f.rel for f in files if f.path.name == rel}
    return hits


def unknown_prefer(input_path: str | Path, prefer: Iterable[str | Path]) -> list[str]:
    """The ``prefer`` values that name no file under ``input_path`` (for a usage error up front)."""
    if not prefer:
        return []
    from .discover import find_inputs

    _, files = find_inputs(Path(input_path))
    return [str(p) for p in prefer if not match_prefer(files, p)]


# ---------------------------------------------------------------- choosing one file


def _when(f: InputFile) -> str:
    if not f.mtime:
        return "修改时间未知"
    return dt.datetime.fromtimestamp(f.mtime).strftime("%Y-%m-%d %H:%M:%S")


def _order(f: InputFile, preferred: set[str], damaged: dict[str, str]) -> tuple:
    return (f.rel not in preferred, f.rel in damaged, -f.mtime, len(f.path.name), f.rel)


def choose(group: list[InputFile], preferred: set[str], damaged: dict[str, str] | None = None
           ) -> tuple[InputFile, str]:
    """The file to use of a group, and why (Chinese, for the message)."""
    damaged = damaged or {}
    ranked = sorted(group, key=lambda f: _order(f, preferred, damaged))
    keep, others = ranked[0], ranked[1:]
    if keep.rel in preferred and any(f.rel not in preferred for f in others):
        return keep, "按 --prefer 指定"
    peers = [f for f in others if (f.rel in damaged) == (keep.rel in damaged)]
    why = []
    if peers and all(f.mtime < keep.mtime for f in peers):
        why.append(f"修改日期最新：{_when(keep)}")
    elif peers:
        why.append("修改日期相同，选用文件名最短（同长时按名称排序在前）的一个")
    if keep.rel not in damaged and any(f.rel in damaged and f.mtime >= keep.mtime for f in others):
        why.append("更新的文件读取时有错误，此文件能完整读取" if peers else "其余文件读取时有错误，此文件能完整读取")
    return keep, "；".join(why) or "此文件能完整读取"


# ---------------------------------------------------------------- 1. byte-identical files


def _hash(f: InputFile) -> None:
    with open(f.path, "rb") as fh:
        f.sha256 = hashlib.file_digest(fh, "sha256").hexdigest()
    f.size = f.path.stat().st_size


def skip_identical(files: list[InputFile], preferred: set[str]) -> list[InputFile]:
    """Hash every file still to read; of byte-identical files keep one, mark the others 已跳过
    (their issue is logged by ``set_aside_resubmissions`` once the file finally used is known).
    Returns the files to parse. Empty files are never copies of each other (each fails, F002)."""
    by_hash: dict[str, list[InputFile]] = defaultdict(list)
    for f in files:
        try:
            _hash(f)
        except OSError:
            continue  # reported when the file is read
        if f.size:
            by_hash[f.sha256].append(f)
    for group in by_hash.values():
        if len(group) < 2:
            continue
        keep, _ = choose(group, preferred)
        for f in group:
            if f is not keep:
                f.status, f.code, f.duplicate_of = SKIPPED, IDENTICAL, keep.rel
    return [f for f in files if f.status != SKIPPED]


# ---------------------------------------------------------------- 2. the same households


@dataclass
class _Roster:
    file: InputFile
    township: str
    tokens: np.ndarray  # "H:<户编号>" / "P:<户主证件号码>"
    owners: np.ndarray  # the household (within the file) each token identifies
    households: int


def _table_tokens(table: RawTable, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(tokens, households) of one roster table: each household's 户编号 and 户主证件号码, as
    "H:<户编号>" / "P:<证件号码>", beside the household (within the file) it identifies: its
    户编号, else (as members.py groups rows) the number of its 户主 row in this table, negated."""
    raw = table.frame
    rows = len(raw)
    hid = (to_text(raw["household_id"]).to_numpy(dtype=object) if "household_id" in raw
           else np.full(rows, "", dtype=object))
    if table.level == "household":
        head = np.ones(rows, dtype=bool)
    elif "relation" in raw:
        head = (parse_enum(raw["relation"], BY_KEY["relation"])[0] == "户主").to_numpy()
    else:
        head = np.zeros(rows, dtype=bool)
    has_hid = hid != ""
    known = pd.unique(hid[has_hid])
    tokens, owners = ["H:" + np.asarray(known, dtype=object)], [np.asarray(known, dtype=object)]
    if "id_number" in raw and head.any():
        ids = id_text(raw["id_number"][head])[0].to_numpy(dtype=object)
        seq = np.flatnonzero(head) + 1 + n * 10_000_000  # the head's row in this table: unique per file
        owner = np.where(has_hid[head], hid[head], -seq).astype(object)
        ok = ids != ""
        tokens.append("P:" + ids[ok])
        owners.append(owner[ok])
    return np.concatenate(tokens), np.concatenate(owners)


def _township(tables: list[RawTable]) -> str:
    parts = [to_text(t.frame["township"]) for t in tables if "township" in t.frame]
    values = pd.concat(parts) if parts else pd.Series([], dtype="str")
    values = values[values != ""]
    if not len(values):
        return ""
    counts = values.value_counts()
    return str(counts.index[0]) if counts.iat[0] * 2 >= len(values) else MULTI_TOWNSHIP


def _rosters(files: list[InputFile], tables: list[RawTable]) -> dict[str, _Roster]:
    by_file: dict[str, list[RawTable]] = defaultdict(list)
    for t in tables:
        if t.kind == "roster" and len(t.frame):
            by_file[t.file].append(t)
    town = {rel: _township(ts) for rel, ts in by_file.items()}
    for f in files:
        f.township = town.get(f.rel, f.township)
    labels = list(town.values())
    out = {}
    for f in files:
        rel = f.rel
        if rel not in by_file or f.status == "失败":
            continue
        if town[rel] and labels.count(town[rel]) + labels.count("") < 2:
            continue  # the only file of its township: nothing to compare with
        parts = [_table_tokens(t, n) for n, t in enumerate(by_file[rel])]
        tokens = np.concatenate([p[0] for p in parts])
        owners = np.concatenate([p[1] for p in parts])
        households = int(pd.unique(owners).size)
        if households:
            out[rel] = _Roster(f, town[rel], tokens, owners, households)
    return out


def _shared(a: _Roster, b: _Roster) -> int:
    """Households of ``a`` with a 户编号 or 户主证件号码 that ``b`` also holds."""
    shared = pd.Series(a.tokens, dtype=object).isin(b.tokens).to_numpy()
    return int(pd.unique(a.owners[shared]).size)


def _groups(rosters: dict[str, _Roster]) -> list[list[str]]:
    """Files holding the same submission, grouped transitively (union-find)."""
    parent = {rel: rel for rel in rosters}

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    names = sorted(rosters)
    for i, x in enumerate(names):
        for y in names[i + 1:]:
            a, b = rosters[x], rosters[y]
            if a.township and b.township and a.township != b.township:
                continue
            small, large = (a, b) if a.households <= b.households else (b, a)
            if _shared(small, large) >= SAME_SHARE * small.households:
                parent[root(x)] = root(y)
    groups: dict[str, list[str]] = defaultdict(list)
    for rel in names:
        groups[root(rel)].append(rel)
    return [g for g in groups.values() if len(g) > 1]


def _damage(log: IssueLog | None) -> str:
    """'' when the file read cleanly, else its first file- or sheet-level 错误 (code and title)."""
    if log is None or not len(log):
        return ""
    frame = log.frame()
    errors = frame.loc[frame["级别"] == ERROR, "代码"]
    return f"{errors.iat[0]} {CODES[errors.iat[0]][1]}" if len(errors) else ""


def set_aside_resubmissions(files: list[InputFile], tables: list[RawTable], logs: dict[str, IssueLog],
                            preferred: set[str], log: IssueLog) -> list[RawTable]:
    """Set aside the roster files that repeat another file's households; return the tables to use.

    ``logs`` holds each parsed file's own read issues: those of files used go to ``log``, those of
    files set aside are dropped (their rows are not used; the group's F021 says why).
    """
    rosters = _rosters(files, tables)
    copies: dict[str, list[str]] = defaultdict(list)  # file → its byte-identical copies
    for f in files:
        if f.code == IDENTICAL:
            copies[f.duplicate_of].append(f.rel)
    damaged = {rel: d for rel in rosters if (d := _damage(logs.get(rel)))}
    aside: set[str] = set()
    for group in _groups(rosters):
        members = [rosters[rel] for rel in group]
        keep, why = choose([r.file for r in members], preferred, damaged)
        used = rosters[keep.rel]
        dropped, stayed = [], []
        for r in members:
            if r is used:
                continue
            shared = _shared(r, used)
            (dropped if shared >= SAME_SHARE * r.households else stayed).append((r, shared))
        for r, shared in dropped:
            f = r.file
            f.status, f.code, f.duplicate_of = SKIPPED, RESUBMITTED, keep.rel
            f.reason = (f"重复提交：与“{keep.rel}”是同一批家庭（本文件 {r.households} 户中 {shared} 户相同），"
                        f"已选用“{keep.rel}”（{why}），本文件未计入汇总；如要改用本文件，请删除或移走"
                        f"“{keep.rel}”，或运行时加 --prefer \"{f.rel}\"")
            aside.add(f.rel)
        log.add(RESUBMITTED, _group_message(used, why, dropped, stayed, members, copies, damaged),
                file=keep.rel, township=_town(used.township))

    for f in files:
        if f.rel in aside:
            f.rows_set_aside = sum(t.data_rows for t in tables if t.file == f.rel)
    by_rel = {f.rel: f for f in files}
    for f in files:
        if f.code == IDENTICAL:
            _identical_message(f, by_rel)
            log.add(IDENTICAL, f.reason, file=f.rel, township=_town(f.township))
    for rel, file_log in logs.items():
        if rel not in aside:
            log.extend(file_log)
    return [t for t in tables if t.file not in aside]


def _town(label: str) -> str:
    return "" if label == MULTI_TOWNSHIP else label


def township_label(f: InputFile) -> str:
    """The township duplicate detection saw in ``f`` ('' when none or several)."""
    return _town(f.township)


def _identical_message(f: InputFile, by_rel: dict[str, InputFile]) -> None:
    first = f.duplicate_of
    used, seen = first, {f.rel}
    while by_rel[used].duplicate_of and used not in seen:  # the copied file may be set aside too
        seen.add(used)
        used = by_rel[used].duplicate_of
    f.duplicate_of, f.township = used, by_rel[used].township or by_rel[first].township
    f.reason = (f"与“{first}”内容完全相同（逐字节一致，多为复制产生的副本），只读取了“{first}”，"
                "本文件已跳过")
    if used != first:
        f.reason += f"；“{first}”又与“{used}”重复提交，最终选用“{used}”"


def _group_message(used: _Roster, why: str, dropped, stayed, members: list[_Roster],
                   copies: dict[str, list[str]], damaged: dict[str, str]) -> str:
    town = f"{used.township}的" if _town(used.township) else ""
    items = []
    for r in sorted(members, key=lambda r: r is not used):  # the file used first
        notes = [f"修改于 {_when(r.file)}", f"{r.households} 户"]
        if r.file.rel in damaged:
            notes.append(f"读取时有错误：{damaged[r.file.rel]}")
        if copies.get(r.file.rel):
            notes.append("另有完全相同的副本" + "、".join(f"“{c}”" for c in copies[r.file.rel]))
        items.append(f"“{r.file.rel}”（{'，'.join(notes)}）")
    text = f"重复提交：{town}以下 {len(members)} 个文件包含同一批家庭：{'；'.join(items)}。"
    if dropped:
        skipped = "、".join(f"“{r.file.rel}”" for r, _ in dropped)
        text += f"已选用“{used.file.rel}”（{why}），{skipped}已跳过，不计入汇总。"
    else:
        text += f"按规则应选用“{used.file.rel}”（{why}），但它只含其他文件的一部分家庭，所以没有跳过任何文件。"
    for r, shared in stayed:
        text += (f"“{r.file.rel}”的 {r.households} 户中只有 {shared} 户在“{used.file.rel}”中，未跳过，照常汇总"
                 "（两个文件都有的户按证件号码重复报错）。")
    other = (dropped or stayed)[0][0].file.rel
    return text + (f"如需改用其他文件：删除或移走不要的文件，或运行时加 --prefer 文件名"
                   f"（如 --prefer \"{other}\"）。")
