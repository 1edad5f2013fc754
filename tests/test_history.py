"""Dynamic management: periods in the county database, transitions, review calendar, export."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from click.testing import CliRunner
from helpers import make_id

from fourcard_excel.checks import history, history_db
from fourcard_excel.commands.history import COMMANDS
from fourcard_excel.issues import empty_frame
from fourcard_excel.result import RunResult

SECTIONS = {
    "review": {"months": {"红卡": 6, "default": 3}, "adjust_months": 6, "monitor_band": 1000},
    "thresholds": {"per_capita_line": 5000},
    "contact": {"per_month": {"红卡": 2, "黄卡": 1, "绿卡": 1}, "cadre_visits_per_year": 6,
                "city_visits_per_quarter": 1},
}


def fake_rules(sha: str = "a" * 64):
    return SimpleNamespace(card_names=["红卡", "黄卡", "绿卡", "蓝卡"], sha256=sha,
                           path=Path("rules.toml"), raw=SECTIONS,
                           section=lambda name: SECTIONS.get(name, {}))


def household(township: str, hh_no: str, name: str, seq: int, *, card: str, rule: str = "",
              registered: bool = True, status: str = "已脱贫", per_capita: float = 8000.0,
              size: int = 3, labour_able: int = 2, risks: str = "", **extra) -> dict:
    head_id = make_id("522401", f"19{60 + seq % 30:02d}0{1 + seq % 9}1{seq % 9}", seq)
    row = {
        "hh_key": f"{township}|{hh_no}", "township": township, "village": "新华村", "group": "一组",
        "household_id": hh_no, "head_name": name, "head_id": head_id, "head_age": 55,
        "head_sex": "男", "category": "建档立卡贫困户" if registered else "一般农户",
        "registered": registered, "poverty_status": status if registered else "",
        "monitored": False, "size_declared": size, "members": size, "size": size,
        "wage_income": per_capita * size, "business_income": 0.0, "property_income": 0.0,
        "transfer_income": 0.0, "business_cost": 0.0, "education_cost": 0.0,
        "income_total_declared": 0.0, "per_capita_declared": 0.0,
        "total_income": per_capita * size, "net_income": per_capita * size,
        "per_capita": per_capita, "economic_income": per_capita * size,
        "labour_able": labour_able, "labour_weak": 0, "no_labour_household": labour_able == 0,
        "n_serious_ill": 0, "n_disabled": 0, "n_severe_disabled": 0, "ill_or_disabled": False,
        "severe_disabled": False, "n_chronic": 0, "chronic": False, "n_students": 0,
        "fulltime_student": False, "risk_types": risks, "risk_illness": "因病" in risks,
        "risk_disaster": "因灾" in risks, "risk_education": False, "return_risk": bool(risks),
        "has_car": False, "luxury_house": False, "parents_separate": False, "main_cause": "缺资金",
        "policies_enjoyed": "产业扶贫", "policies_eligible": "", "card_visit": "", "card_review": "",
        "card_township": "", "card_county": "", "card_final": "",
        "source_file": f"{township}.xlsx", "source_sheet": "花名册", "source_row": 4 + seq,
        "blocking_issues": "", "card": card, "rule": rule or card, "reasons": "", "exclusions": "",
        "priority_factors": "", "priority_score": 0, "review": False, "review_reason": "",
        "declared_card": "", "declared_stage": "", "agrees": pd.NA,
    }
    row.update(extra)
    return row


def frame(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    df["agrees"] = df["agrees"].astype("boolean")
    for c in ("head_age", "size_declared"):
        df[c] = df[c].astype("Int64")
    return df


def make_result(rows: list[dict], as_of: dt.date, contacts: pd.DataFrame | None = None,
                sha: str = "a" * 64) -> RunResult:
    files = pd.DataFrame({"文件": ["城关镇.xlsx"], "乡镇": ["城关镇"], "状态": ["已处理"], "读入行数": [10],
                          "户数": [len(rows)], "sha256": ["b" * 64]})
    tables = {"contacts": contacts} if contacts is not None else {}
    return RunResult(members=pd.DataFrame(), households=frame(rows), issues=empty_frame(),
                     files=files, rules=fake_rules(sha), as_of=as_of, input_root=Path("花名册"),
                     tables=tables)


def period1() -> list[dict]:
    return [
        household("城关镇", "001", "张国华", 1, card="黄卡", status="未脱贫", per_capita=3800),
        household("城关镇", "002", "李秀英", 2, card="绿卡", per_capita=8000),
        household("城关镇", "003", "王建军", 3, card="黄卡", status="返贫", per_capita=3000),
        household("龙场镇", "001", "赵德明", 4, card="蓝卡", registered=False, per_capita=4200,
                  risks="因病"),
        household("龙场镇", "002", "陈玉兰", 5, card="红卡", labour_able=0, per_capita=1200,
                  size=1),
    ]


def period2() -> list[dict]:
    rows = period1()
    # status change: 001 exits poverty → 绿卡 (降级: less assistance)
    rows[0].update(poverty_status="已脱贫", per_capita=9000.0, card="绿卡")
    # income drop with a new illness risk: 002 绿卡 → 黄卡 (升级)
    rows[1].update(per_capita=3100.0, economic_income=9300.0, risk_types="因病",
                   risk_illness=True, return_risk=True, card="黄卡")
    del rows[2]  # 003 removed from the roster
    rows.append(household("龙场镇", "003", "刘光明", 6, card="黄卡", status="未脱贫",
                          per_capita=2500))  # new
    return rows


@pytest.fixture()
def two_periods(tmp_path):
    dbp = tmp_path / "county.sqlite"
    r1 = make_result(period1(), dt.date(2024, 3, 31))
    history.run(r1, db_path=dbp)
    r2 = make_result(period2(), dt.date(2024, 6, 30))
    history.run(r2, db_path=dbp)
    return dbp, r1, r2


def test_first_period_has_no_transitions(tmp_path):
    dbp = tmp_path / "county.sqlite"
    r1 = make_result(period1(), dt.date(2024, 3, 31))
    history.run(r1, db_path=dbp)
    assert r1.outputs["history"]["recorded"] is True
    assert r1.outputs["history"]["previous"] is None
    assert r1.outputs["transitions"].empty
    assert "首期" in r1.sheets["动态调整"].title
    paths = history.write(r1, tmp_path / "out")
    csv = tmp_path / "out" / "transitions.csv"
    assert csv in paths
    assert csv.read_bytes().startswith(b"\xef\xbb\xbf")
    assert csv.read_text(encoding="utf-8-sig").strip() == ",".join(history.TRANSITION_COLUMNS)


def test_two_periods_give_the_right_transitions(two_periods, tmp_path):
    dbp, _, r2 = two_periods
    t = r2.outputs["transitions"].set_index("户编号", drop=False)
    by = {(row["乡镇"], row["户编号"]): row for row in t.to_dict("records")}
    assert len(t) == 4  # 龙场镇|001 unchanged is not listed
    a = by[("城关镇", "001")]
    assert (a["上期卡别"], a["本期卡别"], a["变化类型"]) == ("黄卡", "绿卡", "降级")
    assert "脱贫属性：未脱贫→已脱贫" in a["变化原因"]
    assert "人均纯收入：3800→9000元" in a["变化原因"]
    b = by[("城关镇", "002")]
    assert (b["上期卡别"], b["本期卡别"], b["变化类型"]) == ("绿卡", "黄卡", "升级")
    assert "人均纯收入：8000→3100元" in b["变化原因"]
    assert "风险类型：无→因病" in b["变化原因"]
    gone = by[("城关镇", "003")]
    assert (gone["上期卡别"], gone["本期卡别"], gone["变化类型"]) == ("黄卡", "", "退出")
    assert gone["户主姓名"] == "王建军"
    new = by[("龙场镇", "003")]
    assert (new["上期卡别"], new["本期卡别"], new["变化类型"]) == ("", "黄卡", "新增")

    # the missing household is never dropped silently: a D001 issue
    d001 = r2.issues[r2.issues["代码"] == "D001"]
    assert d001["hh_key"].tolist() == ["城关镇|003"]
    assert "2024-03-31" in d001["说明"].iloc[0]

    m = r2.outputs["transition_matrix"].set_index("上期卡别＼本期卡别")
    assert m.loc["黄卡", "绿卡"] == 1
    assert m.loc["绿卡", "黄卡"] == 1
    assert m.loc["黄卡", history.NONE_CUR] == 1
    assert m.loc[history.NONE_PREV, "黄卡"] == 1
    assert m.loc["蓝卡", "蓝卡"] == 1 and m.loc["红卡", "红卡"] == 1
    assert m.loc["合计", "合计"] == 6

    sheet = r2.sheets["动态调整"]
    assert list(sheet.frame.columns) == history.TRANSITION_COLUMNS
    assert "升级" in sheet.title and "红卡 > 黄卡 > 绿卡 > 蓝卡 > 不纳入" in sheet.title
    assert "本期距上期3个月" in sheet.title

    history.write(r2, tmp_path / "out")
    csv = pd.read_csv(tmp_path / "out" / "transitions.csv", encoding="utf-8-sig", dtype=str,
                      keep_default_na=False)
    assert list(csv.columns) == history.TRANSITION_COLUMNS
    assert set(csv["变化类型"]) == {"升级", "降级", "新增", "退出"}
    assert csv.loc[csv["户编号"] == "001", "户主证件号码"].str.len().eq(18).all()

    conn = history_db.open_db(dbp)
    periods = history.list_periods(conn)
    conn.close()
    assert periods["period"].tolist() == ["2024-03-31", "2024-06-30"]
    assert periods["n_households"].tolist() == [5, 5]


def test_adjust_between_cards_of_same_rank_and_undetermined():
    prev = frame([household("城关镇", "001", "张国华", 1, card="黄卡"),
                  household("城关镇", "002", "李秀英", 2, card="绿卡")])
    cur = frame([household("城关镇", "001", "张国华", 1, card="未判定", blocking_issues="证件号码校验位错误"),
                 household("城关镇", "002", "李秀英", 2, card="橙卡")])
    out = history.compare_periods(prev, cur, ["红卡", "黄卡", "橙卡", "绿卡", "不纳入"])
    kinds = dict(zip(out["户编号"], out["变化类型"]))
    assert kinds == {"001": "调整", "002": "升级"}
    # same rank is impossible with distinct names, so undetermined is the 调整 case
    assert "阻断问题：无→证件号码校验位错误" in out.loc[out["户编号"] == "001", "变化原因"].iloc[0]
    unchanged = history.compare_periods(prev, prev, None)
    assert (unchanged["变化类型"] == "不变").all()
    assert (unchanged["变化原因"] == "").all()


def test_card_change_without_fact_change_names_the_rule():
    prev = frame([household("城关镇", "001", "张国华", 1, card="绿卡", rule="green")])
    cur = frame([household("城关镇", "001", "张国华", 1, card="黄卡", rule="yellow")])
    out = history.compare_periods(prev, cur)
    assert out["变化原因"].iloc[0] == "判定规则：green→yellow"


def test_rerun_of_same_period_replaces_it(two_periods):
    dbp, _, _ = two_periods
    rows = period2()[:3]
    r = make_result(rows, dt.date(2024, 6, 30))
    history.run(r, db_path=dbp)
    assert r.outputs["history"]["previous"] == "2024-03-31"  # still compared with the older one
    conn = history_db.open_db(dbp)
    n = conn.execute("SELECT COUNT(*) FROM households WHERE period='2024-06-30'").fetchone()[0]
    np_ = conn.execute("SELECT COUNT(*) FROM periods").fetchone()[0]
    conn.close()
    assert (n, np_) == (3, 2)


def _snapshot(dbp: Path):
    conn = sqlite3.connect(dbp)
    try:
        return (conn.execute("SELECT period, n_households FROM periods ORDER BY period").fetchall(),
                conn.execute("SELECT period, COUNT(*) FROM households GROUP BY period").fetchall(),
                conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


def test_failed_run_rolls_back(two_periods):
    dbp, _, _ = two_periods
    before = _snapshot(dbp)
    r = make_result(period2()[:2], dt.date(2024, 6, 30))
    table = history_db.households_for_db(r.households)
    table.insert(0, "period", "2024-06-30")

    def rows():
        yield from list(history_db._python_rows(table))[:1]
        raise RuntimeError("断电")

    conn = history_db.open_db(dbp)
    with pytest.raises(RuntimeError):
        history_db.write_period(conn, "2024-06-30", r.households, rows=rows())
    conn.close()
    assert _snapshot(dbp) == before


def test_killed_process_leaves_previous_state(two_periods, tmp_path):
    """A process killed in the middle of recording (os._exit: no cleanup at all)."""
    dbp, _, _ = two_periods
    before = _snapshot(dbp)
    script = textwrap.dedent(f"""
        import os, sys, datetime as dt
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from test_history import make_result, period2
        from fourcard_excel.checks import history_db
        r = make_result(period2(), dt.date(2024, 9, 30))
        table = history_db.households_for_db(r.households)
        table.insert(0, "period", "2024-06-30")
        def rows():
            for i, row in enumerate(history_db._python_rows(table)):
                if i == 2:
                    os._exit(3)
                yield row
        conn = history_db.open_db({str(dbp)!r})
        history_db.write_period(conn, "2024-06-30", r.households, rows=rows())
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 3, proc.stderr
    assert _snapshot(dbp) == before  # the hot journal is rolled back on next open
    conn = history_db.open_db(dbp)
    assert history.previous_period(conn, "2024-09-30") == "2024-06-30"
    conn.close()


def test_migrations_upgrade_an_old_database(tmp_path):
    dbp = tmp_path / "old.sqlite"
    conn = history_db._connect(dbp)
    assert history_db.migrate(conn, target=1) == 1
    conn.execute("INSERT INTO periods VALUES ('2024-01-31','2024-01-31','x','','',0,'{}')")
    conn.close()
    conn = history_db.open_db(dbp)
    assert history_db.schema_version(conn) == history_db.SCHEMA_VERSION == 2
    assert conn.execute("SELECT COUNT(*) FROM periods").fetchone()[0] == 1
    assert conn.execute("SELECT COUNT(*) FROM contacts").fetchone()[0] == 0
    conn.execute("INSERT INTO schema_version VALUES (99, 'future', 'x')")
    conn.close()
    with pytest.raises(history_db.HistoryError, match="高于本程序支持的版本"):
        history_db.open_db(dbp)


def test_not_a_database(tmp_path):
    bad = tmp_path / "fourcard.sqlite"
    bad.write_text("这不是数据库" * 200, encoding="utf-8")
    with pytest.raises(history_db.HistoryError, match="不是有效的 SQLite 数据库"):
        history_db.open_db(bad)


def test_stored_values_round_trip(two_periods):
    dbp, _, r2 = two_periods
    conn = history_db.open_db(dbp)
    back = history_db.load_period(conn, "2024-06-30").set_index("hh_key")
    manifest = conn.execute("SELECT manifest, rules_sha256 FROM periods WHERE period='2024-06-30'"
                            ).fetchone()
    conn.close()
    cur = r2.households.set_index("hh_key")
    assert back.loc["城关镇|002", "per_capita"] == 3100.0
    assert back.loc["城关镇|002", "head_id"] == cur.loc["城关镇|002", "head_id"]
    assert back["no_labour_household"].dtype == bool
    assert back.loc["龙场镇|002", "no_labour_household"]
    assert back["agrees"].isna().all()
    assert back.loc["龙场镇|001", "group"] == "一组"
    assert '"households": 5' in manifest[0] and manifest[1] == "a" * 64


# --- review calendar -----------------------------------------------------------------------------

def test_add_months_clips_to_month_end():
    s = pd.Series(pd.to_datetime(["2023-08-31", "2024-01-31", "2024-03-31", "2024-11-15"]))
    got = history.add_months(s, pd.Series([6, 1, 3, 3])).dt.strftime("%Y-%m-%d").tolist()
    assert got == ["2024-02-29", "2024-02-29", "2024-06-30", "2025-02-15"]


def test_review_due_dates(tmp_path):
    dbp = tmp_path / "county.sqlite"
    old = [household("城关镇", "009", "周桂芳", 9, card="黄卡", status="未脱贫", per_capita=2000)]
    history.run(make_result(old, dt.date(2023, 11, 30)), db_path=dbp)
    jan = [household("城关镇", "001", "张国华", 1, card="黄卡", status="未脱贫", per_capita=3800),
           household("龙场镇", "002", "陈玉兰", 5, card="红卡", labour_able=0, per_capita=1200)]
    history.run(make_result(jan, dt.date(2024, 1, 31)), db_path=dbp)
    cur = jan + old + [household("龙场镇", "005", "吴小红", 7, card="绿卡")]
    r = make_result(cur, dt.date(2024, 3, 31))
    history.run(r, db_path=dbp)
    due = r.outputs["review_due"].set_index("户编号")
    # 黄卡 last reviewed 2024-01-31 + 3 months = 2024-04-30 ≤ 2024-03-31 + 1 month → listed
    assert due.loc["001", "上次复核"] == "2024-01-31"
    assert due.loc["001", "到期日"] == "2024-04-30" and due.loc["001", "状态"] == "一个月内到期"
    # last reviewed 2023-11-30 (absent in January) + 3 = 2024-02-29 → overdue
    assert due.loc["009", "到期日"] == "2024-02-29" and due.loc["009", "状态"] == "已到期"
    # 红卡 6 months → 2024-07-31 not due; the new household counts as reviewed now
    assert set(due.index) == {"001", "009"}
    assert due.loc["001", "复核周期（月）"] == 3
    assert set(r.outputs["review_due_by_township"]) == {"城关镇"}
    assert (r.issues["代码"] == "D002").sum() == 2
    history.write(r, tmp_path / "out")
    import openpyxl

    wb = openpyxl.load_workbook(tmp_path / "out" / "复核到期名单.xlsx")
    assert wb.sheetnames == ["城关镇"]
    ws = wb["城关镇"]
    assert ws["A1"].value.startswith("城关镇复核到期名单") and "共 2 户" in ws["A1"].value
    assert [c.value for c in ws[2]] == history.REVIEW_COLUMNS
    rows = {ws.cell(r, 3).value: r for r in (3, 4)}  # 户编号 → row
    assert ws.cell(rows["009"], 10).value == "已到期" and ws.cell(rows["009"], 1).fill.fgColor.rgb == "FFFCE4E4"
    assert ws.cell(rows["001"], 10).value == "一个月内到期" and ws.cell(rows["001"], 1).fill.fgColor.rgb != "FFFCE4E4"
    assert ws.cell(rows["001"], 5).data_type == "s" and len(ws.cell(rows["001"], 5).value) == 18  # ID as text

    # standalone on the database: the March period counts as the last review of everyone in it;
    # as of 2024-09-05 (horizon 2024-10-05) the 红卡 household (due 2024-09-30) is listed
    conn = history_db.open_db(dbp)
    later = history.review_due(conn, dt.date(2024, 9, 5), {"红卡": 6, "default": 3})
    conn.close()
    later = later.set_index("户编号")
    assert later.loc["002", "上次复核"] == "2024-03-31"
    assert later.loc["002", "到期日"] == "2024-09-30"
    assert later.loc["001", "到期日"] == "2024-06-30" and later.loc["001", "状态"] == "已到期"


def test_review_due_from_frames_and_boundary():
    records = pd.DataFrame({"hh_key": ["城关镇|001", "城关镇|002"],
                            "period": ["2024-01-31", "2024-02-01"]})
    cur = frame([household("城关镇", "001", "张国华", 1, card="黄卡"),
                 household("城关镇", "002", "李秀英", 2, card="黄卡")])
    due = history.review_due(records, "2024-03-30", {"default": 3}, cur)
    # due 2024-04-30 vs horizon 2024-04-30: on the boundary → listed; 2024-05-01 → not
    assert due["户编号"].tolist() == ["001"]


# --- monitoring list -----------------------------------------------------------------------------

def test_monitoring_band_and_new_risks():
    prev = frame([household("城关镇", "001", "张国华", 1, card="绿卡", risks="因灾"),
                  household("城关镇", "002", "李秀英", 2, card="绿卡")])
    cur = frame([
        household("城关镇", "001", "张国华", 1, card="黄卡", per_capita=9000, risks="因灾、因病"),
        household("城关镇", "002", "李秀英", 2, card="绿卡", per_capita=5000),
        household("城关镇", "003", "王建军", 3, card="绿卡", per_capita=6000),
        household("城关镇", "004", "赵德明", 4, card="绿卡", per_capita=6001),
        household("城关镇", "005", "陈玉兰", 5, card="黄卡", per_capita=4999, risks="因病"),
    ])
    mon = history.monitoring_list(cur, prev, 5000, 1000).set_index("户编号")
    assert set(mon.index) == {"001", "002", "003"}
    assert mon.loc["001", "监测原因"] == "新增风险：因病"
    assert "5000～6000" in mon.loc["002", "监测原因"]


def test_run_without_database(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = make_result(period1(), dt.date(2024, 3, 31))
    history.run(r, db_path=False)
    assert not (tmp_path / "fourcard.sqlite").exists()
    assert r.outputs["history"]["db_path"] is None
    assert "监测名单" in r.sheets and r.outputs["review_due"].empty


def test_default_database_in_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = make_result(period1(), dt.date(2024, 3, 31))
    history.run(r)
    assert Path(r.outputs["history"]["db_path"]) == tmp_path / "fourcard.sqlite"
    assert (tmp_path / "fourcard.sqlite").exists()


# --- export and CLI ------------------------------------------------------------------------------

def test_export_csv_and_parquet_error(two_periods, tmp_path, monkeypatch):
    dbp, _, _ = two_periods
    conn = history_db.open_db(dbp)
    out = history.export_period(conn, "2024-06-30", tmp_path / "share", "csv")
    assert out == tmp_path / "share" / "四卡数据_2024-06-30.csv"
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    df = pd.read_csv(out, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert {"期次", "乡镇", "户主姓名", "户主证件号码", "户主性别", "卡别", "人均纯收入", "人均纯收入（申报）",
            "判定依据"} <= set(df.columns)
    assert not any(c.isascii() for c in df.columns)
    assert len(df) == 5 and df["户主证件号码"].str.len().eq(18).all()
    monkeypatch.setattr(history, "parquet_available", lambda: False)
    with pytest.raises(history.HistoryError, match="pip install pyarrow"):
        history.export_period(conn, "2024-06-30", tmp_path / "share", "parquet")
    with pytest.raises(history.HistoryError, match="已有期次：2024-03-31、2024-06-30"):
        history.export_period(conn, "2024-05-31", tmp_path / "share", "csv")
    conn.close()


def _cli():
    import click

    group = click.Group("fourcard-excel")
    for cmd in COMMANDS:
        group.add_command(cmd)
    return group


def test_cli_history_and_export(two_periods, tmp_path, monkeypatch):
    dbp, _, _ = two_periods
    runner = CliRunner()
    res = runner.invoke(_cli(), ["history", "--db", str(dbp)])
    assert res.exit_code == 0, res.output
    assert "2024-03-31" in res.output and "2024-06-30" in res.output and "共 2 期" in res.output
    assert res.output.index("红卡") < res.output.index("黄卡") < res.output.index("绿卡")

    out = tmp_path / "共享.csv"
    res = runner.invoke(_cli(), ["export", "--period", "2024-3-31", "--db", str(dbp), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert out.exists() and "已导出期次 2024-03-31" in res.output

    monkeypatch.setattr(history, "parquet_available", lambda: False)
    res = runner.invoke(_cli(), ["export", "--period", "2024-03-31", "--format", "parquet",
                                 "--db", str(dbp), "-o", str(tmp_path)])
    assert res.exit_code == 1
    assert "pip install pyarrow" in res.output and "错误：" in res.output

    res = runner.invoke(_cli(), ["history", "--db", str(tmp_path / "无.sqlite")])
    assert res.exit_code == 1 and "数据库文件不存在" in res.output
    assert not (tmp_path / "无.sqlite").exists()

    res = runner.invoke(_cli(), ["export", "--db", str(dbp)])
    assert res.exit_code == 2


def test_review_book_has_a_sheet_per_township_and_never_evaluates_text(tmp_path):
    due = pd.DataFrame({
        "乡镇": ["龙场镇", "城关镇", "城关镇"], "行政村": ["龙井村", "东门村", "西门村"],
        "户编号": ["5201", "5202", "5203"], "户主姓名": ["=HYPERLINK(\"x\")", "张国华", "-王"],
        "户主证件号码": [make_id("520102", "19700101", 1), make_id("520102", "19800101", 2), ""],
        "卡别": ["红卡", "黄卡", "绿卡"], "复核周期（月）": [6, 3, 12],
        "上次复核": ["2023-09-30", "2024-01-31", "2023-03-31"], "到期日": ["2024-03-31", "2024-04-30", "2024-03-31"],
        "状态": ["已到期", "一个月内到期", "已到期"]})
    path = history.write_review_workbook(due, tmp_path / "复核到期名单.xlsx", "2024-03-31")
    import openpyxl

    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["城关镇", "龙场镇"]
    town = wb["龙场镇"]
    assert town["D3"].value == '=HYPERLINK("x")' and town["D3"].data_type == "s" and town["D3"].quotePrefix
    assert town["F3"].value == "红卡" and town["G3"].value == 6 and town["A3"].fill.fgColor.rgb == "FFFCE4E4"
    assert town.freeze_panes == "E3" and town.print_title_rows == "$2:$2"  # the header row on every page
    city = wb["城关镇"]
    assert city["D4"].value == "-王" and city["D4"].quotePrefix and city["E4"].value is None
    assert city["A3"].fill.fgColor.rgb != "FFFCE4E4" and city["A4"].fill.fgColor.rgb == "FFFCE4E4"

    blank = history.write_review_workbook(due.assign(乡镇=""), tmp_path / "未填.xlsx", "2024-03-31")
    wb = openpyxl.load_workbook(blank)
    assert wb.sheetnames == ["未填乡镇"] and wb["未填乡镇"]["A1"].value.startswith("未填乡镇复核到期名单（")

    empty = history.write_review_workbook(due.iloc[0:0], tmp_path / "空.xlsx", "2024-03-31")
    wb = openpyxl.load_workbook(empty)
    assert wb.sheetnames == ["全县"] and [c.value for c in wb["全县"][2]] == history.REVIEW_COLUMNS
