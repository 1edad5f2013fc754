"""Contact log checks (结对帮扶联系走访): monthly contacts by card, cadre visits per year/quarter."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from helpers import make_id
from test_history import household, make_result

from fourcard_excel.checks import contacts

AS_OF = dt.date(2024, 12, 31)


def roster():
    return [
        household("城关镇", "001", "张国华", 1, card="红卡", labour_able=0, per_capita=1200),
        household("城关镇", "002", "李秀英", 2, card="黄卡", status="未脱贫", per_capita=3000),
        household("城关镇", "003", "王建军", 3, card="绿卡", per_capita=8000),
        household("城关镇", "004", "赵德明", 4, card="蓝卡", registered=False, per_capita=4000,
                  risks="因病"),
        household("龙场镇", "001", "陈玉兰", 5, card="黄卡", status="未脱贫", per_capita=2800),
    ]


def ids():
    return {r["household_id"] + r["township"]: r["head_id"] for r in roster()}


def log_frame(records):
    df = pd.DataFrame(records, columns=["date", "cadre", "cadre_level", "id_number", "way"])
    df["source_file"] = "联系走访记录.xlsx"
    df["source_sheet"] = "Sheet1"
    df["source_row"] = range(3, 3 + len(df))
    return df


def full_year_log():
    i = ids()
    red, yellow, green = i["001城关镇"], i["002城关镇"], i["003城关镇"]
    recs = []
    for m in range(1, 13):
        # 红卡: 2 a month (at the minimum) except March (1: below); village cadre visits in odd
        # months → exactly 6 visits in the year (at the minimum)
        recs.append((f"2024-{m:02d}-05", "李明", "村", red, "上户走访" if m % 2 else "电话"))
        if m != 3:
            recs.append((f"2024/{m}/20", "李明", "村", red, "电话"))
        # 黄卡: 1 a month except May (0: below); township cadre visits 5 times (below 6)
        if m != 5:
            recs.append((f"2024年{m}月10日", "王芳", "乡", yellow, "上户走访" if m in (1, 2, 3, 4, 6) else "微信"))
        # 绿卡: 1 a month by a county cadre, visits in 6 months (at the minimum)
        recs.append((f"2024.{m}.15", "张伟", "县", green, "上户走访" if m <= 6 else "电话"))
    # city cadre: one visit in each of Q1–Q3 (at the minimum), none in Q4 (below)
    for m in (2, 5, 8):
        recs.append((f"2024-{m:02d}-25", "刘强", "市直", green, "上户走访"))
    return recs


@pytest.fixture()
def checked():
    recs = full_year_log()
    recs.append(("2024-06-01", "李明", "村", make_id("522401", "19700101", 77), "电话"))  # not in roster
    recs.append(("2024-13-45", "李明", "村", ids()["001城关镇"], "电话"))  # bad date
    recs.append(("2025-01-03", "李明", "村", ids()["001城关镇"], "电话"))  # after as_of
    r = make_result(roster(), AS_OF, contacts=log_frame(recs))
    contacts.run(r)
    return r


def rows_for(r, name):
    s = r.sheets["联系走访"].frame
    return s[s["户主姓名"] == name]


def test_monthly_contacts_at_and_below_minimum(checked):
    red = rows_for(checked, "张国华")
    monthly = red[red["检查项目"] == contacts.ITEM_MONTHLY]
    assert monthly[["期间", "要求", "实际", "缺口"]].values.tolist() == [["2024-03", 2, 1, 1]]
    yellow = rows_for(checked, "李秀英")
    monthly = yellow[yellow["检查项目"] == contacts.ITEM_MONTHLY]
    assert monthly[["期间", "要求", "实际", "缺口"]].values.tolist() == [["2024-05", 1, 0, 1]]
    # 绿卡 with exactly 1 contact a month: no monthly row; 蓝卡 has no monthly minimum
    green = rows_for(checked, "王建军")
    assert (green["检查项目"] != contacts.ITEM_MONTHLY).all()
    assert rows_for(checked, "赵德明").empty


def test_cadre_visits_per_year(checked):
    red = rows_for(checked, "张国华")
    assert (red["检查项目"] != contacts.ITEM_YEARLY).all()  # 6 visits: at the minimum
    yellow = rows_for(checked, "李秀英")
    yearly = yellow[yellow["检查项目"] == contacts.ITEM_YEARLY]
    assert yearly[["帮扶干部", "期间", "要求", "实际", "缺口"]].values.tolist() == [
        ["王芳（乡）", "2024年", 6, 5, 1]]
    green = rows_for(checked, "王建军")
    assert (green["检查项目"] != contacts.ITEM_YEARLY).all()


def test_city_cadre_visits_per_quarter(checked):
    green = rows_for(checked, "王建军")
    q = green[green["检查项目"] == contacts.ITEM_QUARTERLY]
    assert q[["帮扶干部", "期间", "要求", "实际", "缺口"]].values.tolist() == [
        ["刘强（市直）", "2024年第4季度", 1, 0, 1]]


def test_sheet_columns_issues_and_uncovered_townships(checked, tmp_path):
    sheet = checked.sheets["联系走访"]
    assert list(sheet.frame.columns) == contacts.SHORTFALL_COLUMNS
    assert len(sheet.frame) == 4
    assert "龙场镇" in sheet.title and "2024-01至2024-12" in sheet.title
    assert rows_for(checked, "陈玉兰").empty  # township without any record: not checked
    issues = checked.issues
    d003 = issues[issues["代码"] == "D003"]
    assert sorted(d003["hh_key"]) == ["城关镇|001", "城关镇|002", "城关镇|003"]
    assert "2024-03每月联系" in d003.loc[d003["hh_key"] == "城关镇|001", "说明"].iloc[0]
    d004 = issues[issues["代码"] == "D004"]
    assert len(d004) == 1 and d004["行号"].iloc[0] == 3 + len(full_year_log())
    assert d004["文件"].iloc[0] == "联系走访记录.xlsx"
    dates = issues[issues["列"] == "日期"]
    assert sorted(dates["值"]) == ["2024-13-45", "2025-01-03"]
    assert set(dates["代码"]) == {"D005"} and set(dates["级别"]) == {"警告"}
    paths = contacts.write(checked, tmp_path)
    df = pd.read_csv(paths[0], encoding="utf-8-sig", dtype=str)
    assert list(df.columns) == contacts.SHORTFALL_COLUMNS and len(df) == 4


def red_only():
    return make_result(roster()[:1], AS_OF).households


def test_partial_year_is_pro_rated():
    i = ids()
    red = i["001城关镇"]
    # Jan–Mar: yearly minimum 6 × 3/12 = 1.5 → 2; Q1 complete → 1 city visit
    at_min = [("2024-01-05", "李明", "村", red, "上户走访"), ("2024-01-06", "李明", "村", red, "电话"),
              ("2024-02-05", "李明", "村", red, "上户走访"), ("2024-02-06", "刘强", "市直", red, "上户走访"),
              ("2024-03-05", "李明", "村", red, "电话"), ("2024-03-06", "李明", "村", red, "电话")]
    got = contacts.check_contacts(red_only(), log_frame(at_min),
                                  AS_OF)["shortfalls"]
    assert got.empty
    below = [r for r in at_min if not (r[0] == "2024-02-05")]  # one village visit less
    below = [r for r in below if r[1] != "刘强"] + [("2024-02-06", "刘强", "市直", red, "电话")]
    below.append(("2024-02-07", "李明", "村", red, "电话"))
    got = contacts.check_contacts(red_only(), log_frame(below),
                                  AS_OF)["shortfalls"]
    assert got[["检查项目", "要求", "实际"]].values.tolist() == [
        [contacts.ITEM_YEARLY, 2, 1], [contacts.ITEM_QUARTERLY, 1, 0]]
    assert got["期间"].tolist() == ["2024年（记录覆盖3个月，按比例要求）", "2024年第1季度"]
    # a single month: a quarter is not checked yet (1/3 rounds to 0), the year needs 1 visit
    one = [("2024-01-05", "刘强", "市直", red, "电话"), ("2024-01-06", "李明", "村", red, "电话")]
    got = contacts.check_contacts(red_only(), log_frame(one),
                                  AS_OF)["shortfalls"]
    assert got[["检查项目", "帮扶干部", "要求", "实际"]].values.tolist() == [
        [contacts.ITEM_YEARLY, "李明（村）", 1, 0]]


def test_parse_dates_and_variants():
    s = pd.Series(["2024-03-05", "2024/3/5", "2024.3.5", "2024年3月5日", "20240305", "45356",
                   "2024-03-05 00:00:00", "２０２４-３-５", "", "三月五日", "2024-02-30"])
    got = contacts.parse_dates(s)
    assert (got.iloc[:8] == pd.Timestamp("2024-03-05")).all()
    assert got.iloc[8:].isna().all()
    log = log_frame([("2024-03-05", "李明", "村级", ids()["001城关镇"].lower(), "入户走访")])
    norm = contacts.normalise_log(log)
    assert norm[["cadre_level", "way"]].values.tolist() == [["村", "上户走访"]]


def test_no_contact_log_means_no_check():
    r = make_result(roster(), AS_OF)
    contacts.run(r)
    assert "联系走访" not in r.sheets and r.outputs["contacts"] is None
    assert contacts.write(r, ".") == []
