"""乡镇结果/<乡镇>.xlsx: 汇总, one sheet per card, 不纳入, 未判定, 问题清单, 差异核对."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pandas as pd

from ..issues import ISSUE_COLUMNS
from ..registry import NOT_CARDED, UNDETERMINED
from . import csvs, styles, tables
from .atomic import atomic_path
from .issues_book import ISSUE_WIDTHS, level_fills
from .sheet import write_block, write_frame

TOWNSHIP_DIR = "乡镇结果"
NO_TOWNSHIP = "未填乡镇"


def township_names(households: pd.DataFrame, issues: pd.DataFrame) -> list[str]:
    """Townships with households or issues (a township whose rows all failed still gets a book)."""
    names = set(_town_key(households)) if len(households) else set()
    if "乡镇" in issues.columns:
        names |= set(issues["乡镇"].astype("str"))
    names.discard("")
    return sorted(names)


def _town_key(households: pd.DataFrame) -> pd.Series:
    """Township per household; a blank one is grouped as 未填乡镇 so no household is left out."""
    town = households["township"].astype("str") if "township" in households else \
        pd.Series("", index=households.index)
    return town.where(town != "", NO_TOWNSHIP)


class BookRules:
    """What a book needs from the rules (card names and colours): small and picklable, so a
    spawned worker gets it with the frames instead of the whole rules object."""

    def __init__(self, rules) -> None:
        self.card_names = list(rules.card_names)
        self.colours = {c: styles.card_colour(rules, c) for c in self.card_names}

    def colour(self, name: str) -> str:
        return self.colours[name]


def book_columns(households: pd.DataFrame) -> list[str]:
    """The household columns a township book shows or groups by (the rest is not sent to workers)."""
    keys = ["township", "village", "card", "size", "agrees", "priority_score", *tables.CARD_SHEET_KEYS,
            *tables.UNDETERMINED_KEYS, *tables.DIFF_KEYS]
    return [c for c in dict.fromkeys(keys) if c in households.columns]


def township_jobs(result, out_dir: Path) -> list[tuple]:
    """(town, households, issues, rules, path) per township book, in file-name order."""
    out_dir = Path(out_dir)
    households = result.households  # same order whatever the input order; narrowed, then sorted
    hh = households[book_columns(households)].take(csvs.sort_order(households, csvs.HOUSEHOLD_SORT))
    issues = csvs.sort_issues(result.issues) if len(result.issues) else result.issues
    by_town = dict(tuple(hh.groupby(_town_key(hh), sort=True))) if len(hh) else {}
    issues_by_town = (dict(tuple(issues.groupby(issues["乡镇"].astype("str"), sort=True)))
                      if len(issues) and "乡镇" in issues.columns else {})
    rules = BookRules(result.rules)
    used: set[str] = set()
    jobs = []
    extra_sheets = _split_extra(result)
    for town in township_names(hh, issues):
        stem = styles.safe_filename(town, used, default=NO_TOWNSHIP)
        path = out_dir / TOWNSHIP_DIR / f"{stem}.xlsx"
        town_hh = by_town.get(town, hh.iloc[0:0])
        town_issues = issues_by_town.get(town, issues.iloc[0:0] if len(issues.columns) else
                                         pd.DataFrame(columns=ISSUE_COLUMNS))
        jobs.append((town, town_hh, town_issues, rules, path, _extra_for(extra_sheets, town)))
    return jobs


def write_townships(result, out_dir: Path, pool=None) -> Callable[[], list[Path]] | list[Path]:
    """One workbook per township under ``out_dir/乡镇结果``.

    Without ``pool``: written here, returns the paths. With a ``background.Pool``: one job per
    book (largest first, so the workers finish together); returns a function that waits and
    gives the paths in file-name order."""
    jobs = township_jobs(result, out_dir)
    tmpdir, created = Path(out_dir), result.as_of
    if pool is None:
        return [write_township_book(*job[:5], tmpdir=tmpdir, created=created, extra=job[5]) for job in jobs]
    order = sorted(range(len(jobs)), key=lambda i: -(len(jobs[i][1]) + len(jobs[i][2])))
    futures = {i: pool.submit(write_township_book, *jobs[i][:5], tmpdir=tmpdir, created=created,
                              extra=jobs[i][5]) for i in order}
    return lambda: [futures[i].result() for i in range(len(jobs))]


def _split_extra(result) -> dict[str, dict]:
    """Sheets the checks add to every township book: result.outputs["township_sheets"] maps a sheet
    name to a SheetSpec whose frame has a 乡镇 column (its title may hold {town} and {n})."""
    out: dict[str, dict] = {}
    for name, spec in ((result.outputs or {}).get("township_sheets") or {}).items():
        frame = spec.frame
        town = frame["乡镇"].astype("str") if len(frame) else pd.Series(dtype="str")
        town = town.where(town != "", NO_TOWNSHIP)
        out[name] = {"spec": spec, "parts": dict(tuple(frame.groupby(town, sort=False))) if len(frame) else {}}
    return out


def _extra_for(extra_sheets: dict[str, dict], town: str) -> list[tuple[str, object, pd.DataFrame]]:
    """(sheet name, the spec's styling, this township's rows) per extra sheet. The styling is a
    small picklable copy (tab colour, first row fill, title), not the county-wide spec, so a
    worker gets only its township's rows."""
    out = []
    for name, item in extra_sheets.items():
        spec = item["spec"]
        fill = spec.row_fill
        style = SimpleNamespace(tab_colour=spec.tab_colour, title=spec.title,
                                row_fill=None if fill is None else pd.Series(list(fill.iloc[:1]), dtype=object))
        out.append((name, style, item["parts"].get(town, spec.frame.iloc[0:0]).drop(columns="乡镇")))
    return out


def write_township_book(town: str, households: pd.DataFrame, issues: pd.DataFrame, rules, path: Path,
                        *, tmpdir: Path | None = None, created=None, extra=()) -> Path:
    order = tables.card_order(rules, households["card"] if "card" in households else None)
    cards = list(rules.card_names)
    groups = dict(tuple(households.groupby(households["card"].astype("str"), sort=False))) \
        if len(households) else {}
    empty = households.iloc[0:0]
    with atomic_path(path) as tmp:
        wb = styles.new_workbook(tmp, tmpdir=tmpdir or Path(path).parent, created=created, constant_memory=True)
        fmts = styles.Formats(wb)
        used: set[str] = set()

        # 汇总: village × card, households then persons
        counts = tables.card_pivot(households, "village", order)
        ws = write_frame(wb, "汇总", counts, formats=fmts, used_names=used, autofilter=False,
                         title=f"{town}四卡分类汇总（户数）", bold_last_row=True, freeze_cols=1)
        if "size" in households.columns:
            persons = tables.card_pivot(households, "village", order, weights="size")
            write_block(ws, fmts, persons, len(counts) + 3, title=f"{town}四卡分类汇总（人数）",
                        bold_last_row=True)

        # one sheet per card, filled with a light tint of the card colour
        for card in cards:
            frame = tables.labelled(tables.sort_by_priority(groups.get(card, empty)), tables.CARD_SHEET_KEYS)
            colour = styles.card_colour(rules, card)
            ws = write_frame(wb, card, frame, formats=fmts, used_names=used, tab_colour=colour,
                             row_fill=pd.Series(styles.tint(colour), index=range(len(frame))),
                             title=f"{town}{card}户名单（共 {len(frame)} 户）", widths=tables.CARD_WIDTHS,
                             freeze_cols=tables.CARD_SHEET_FREEZE)
            ws.print_area(0, 0, len(frame) + 1, tables.CARD_PRINT_COLUMNS - 1)

        frame = tables.labelled(groups.get(NOT_CARDED, empty), tables.CARD_SHEET_KEYS)
        write_frame(wb, NOT_CARDED, frame, formats=fmts, used_names=used, tab_colour=styles.NOT_CARDED_TAB,
                    title=f"{town}不纳入四卡的农户（共 {len(frame)} 户）", widths=tables.CARD_WIDTHS,
                    freeze_cols=tables.CARD_SHEET_FREEZE)

        frame = tables.labelled(groups.get(UNDETERMINED, empty), tables.UNDETERMINED_KEYS)
        write_frame(wb, UNDETERMINED, frame, formats=fmts, used_names=used,
                    tab_colour=styles.UNDETERMINED_TAB,
                    row_fill=pd.Series(styles.UNDETERMINED_FILL, index=range(len(frame))),
                    title=f"{town}未判定的农户（共 {len(frame)} 户，须先改正阻断问题）",
                    widths=tables.CARD_WIDTHS, freeze_cols=tables.CARD_SHEET_FREEZE)

        issue_frame = issues.reindex(columns=ISSUE_COLUMNS).reset_index(drop=True)
        write_frame(wb, "问题清单", issue_frame, formats=fmts, used_names=used,
                    row_fill=level_fills(issue_frame["级别"]), widths=ISSUE_WIDTHS, freeze_cols=2,
                    title=f"{town}问题清单（共 {len(issue_frame)} 条）")

        diff = difference_frame(households)
        write_frame(wb, "差异核对", diff, formats=fmts, used_names=used, widths=tables.CARD_WIDTHS,
                    title=f"{town}申报卡别与计算卡别不一致的农户（共 {len(diff)} 户）",
                    freeze_cols=tables.CARD_SHEET_FREEZE)

        for name, spec, frame in extra:  # the checks' sheets (e.g. 应享未享)
            frame = frame.reset_index(drop=True)
            write_frame(wb, name, frame, formats=fmts, used_names=used, tab_colour=spec.tab_colour,
                        row_fill=None if spec.row_fill is None else pd.Series(
                            spec.row_fill.iloc[0] if len(spec.row_fill) else "", index=frame.index),
                        title=(spec.title or name).replace("{town}", town).replace("{n}", str(len(frame))),
                        freeze_cols=3)
        wb.close()
    return Path(path)


def difference_frame(households: pd.DataFrame) -> pd.DataFrame:
    """Households whose latest declared card differs from the computed one, with the reasons."""
    if "agrees" in households.columns and len(households):
        agrees = households["agrees"].astype("boolean")
        mask = agrees.eq(False).fillna(False).to_numpy(dtype=bool)
    else:
        mask = pd.Series(False, index=households.index).to_numpy()
    return tables.labelled(households[mask], tables.DIFF_KEYS, tables.DIFF_LABELS)
