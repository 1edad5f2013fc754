"""County spot-check (issue 5): draw, teams, workbook, returned-list check."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fourcard_excel.checks import spotcheck
from fourcard_excel.checks.spotcheck_book import BLANK_COLUMNS, LIST_COLUMNS
from fourcard_excel.ingest.ids import make_id
from fourcard_excel.result import RunResult

CARDS = ["红卡", "黄卡", "绿卡", "蓝卡"]
TOWNS = ["城关镇", "柳河乡", "石门镇", "青山乡"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["建国", "秀英", "志强", "桂兰", "德明", "玉珍", "国庆", "春梅", "长林", "淑芬"]
REASONS = {"红卡": "整户无劳动能力；经济收入0元", "黄卡": "已脱贫；人均纯收入4800元≤5000元；有返贫风险",
           "绿卡": "建档立卡已脱贫户", "蓝卡": "非建档立卡；人均纯收入4200元<5000元；因病风险"}


class StandInRules:
    """A stand-in for rules.Rules (contract 4) with only what the spot-check reads."""

    card_names = CARDS

    def section(self, name: str) -> dict:
        return {"spotcheck": {"rate": 0.30, "min_rate": 0.30, "team_size": 2}}.get(name, {})


def households(counts: dict[tuple[str, str], int], *, not_carded: int = 3, seed: int = 1,
               disagree_every: int = 0) -> pd.DataFrame:
    """A classified households frame (contracts 2 + 3, the columns the spot-check uses)."""
    rng = np.random.default_rng(seed)
    rows = []
    seq = 0
    for t_i, town in enumerate(sorted({t for t, _ in counts} | set(TOWNS[:1]))):
        plan = [(card, n) for (t, card), n in counts.items() if t == town] + [("不纳入", not_carded)]
        for card, n in plan:
            for _ in range(n):
                seq += 1
                village = f"{'东西南北中'[seq % 5]}{'坪岭沟湾河'[seq % 3]}村"
                hid = f"5224{t_i + 1:02d}{seq:09d}"
                head = make_id("522401", f"19{50 + seq % 40}0{1 + seq % 9}1{seq % 9}", seq)
                declared = card
                if disagree_every and seq % disagree_every == 0 and card in CARDS:
                    declared = CARDS[(CARDS.index(card) + 1) % 4]
                rows.append({
                    "hh_key": f"{town}|{hid}", "township": town, "village": village, "group": "一组",
                    "household_id": hid,
                    "head_name": SURNAMES[seq % len(SURNAMES)] + GIVEN[seq % len(GIVEN)],
                    "head_id": head, "size": int(rng.integers(1, 7)), "card": card,
                    "rule": card, "reasons": REASONS.get(card, "不符合四卡条件"),
                    "declared_card": declared, "declared_stage": "乡镇复核意见",
                    "agrees": declared == card,
                })
    df = pd.DataFrame(rows)
    df["agrees"] = df["agrees"].astype("boolean")
    return df.sort_values(["township", "village", "household_id"]).reset_index(drop=True)


def result_for(hh: pd.DataFrame, seed: int | None = None) -> RunResult:
    return RunResult(members=pd.DataFrame(), households=hh, issues=pd.DataFrame(),
                     files=pd.DataFrame(), rules=StandInRules(), as_of=dt.date(2024, 3, 30),
                     input_root=Path("."), seed=seed)


STD = {("城关镇", "红卡"): 5, ("城关镇", "黄卡"): 17, ("城关镇", "绿卡"): 23, ("城关镇", "蓝卡"): 4,
       ("柳河乡", "红卡"): 2, ("柳河乡", "黄卡"): 9, ("柳河乡", "绿卡"): 10, ("柳河乡", "蓝卡"): 1,
       ("石门镇", "黄卡"): 12, ("石门镇", "绿卡"): 30, ("石门镇", "蓝卡"): 7,
       ("青山乡", "红卡"): 3, ("青山乡", "黄卡"): 8, ("青山乡", "绿卡"): 14}

INSPECTORS = pd.DataFrame({
    "姓名": ["赵卫东", "钱丽华", "孙国平", "李红梅", "周建军", "吴晓燕", "郑志刚"],
    "单位": ["县扶贫办", "县财政局", "城关镇政府", "城关镇政府", "柳河乡政府", "石门镇政府", "县民政局"],
    "所在乡镇": ["", "", "城关镇", "城关镇", "柳河乡", "石门镇", ""],
})


# ---------------------------------------------------------------------------- the draw


def test_sample_size_is_ceil_without_float_noise():
    assert spotcheck.sample_size(10, 0.30) == 3  # 0.3 * 10 = 3.0000000000000004
    assert spotcheck.sample_size(7, 0.30) == 3  # not 2 (28.6%)
    assert spotcheck.sample_size(1, 0.30) == 1
    assert list(spotcheck.sample_size(np.array([20, 100, 3]), 0.30)) == [6, 30, 1]


@settings(max_examples=25, deadline=None)
@given(sizes=st.lists(st.integers(1, 50), min_size=1, max_size=8), seed=st.integers(0, 10**6))
def test_coverage_at_least_30_percent_in_every_stratum(sizes, seed):
    counts = {(TOWNS[i % 4], CARDS[i // 4 % 4]): n for i, n in enumerate(sizes)}
    hh = households(counts)
    sample = spotcheck.draw_sample(hh, CARDS, 0.30, seed)
    got = sample.groupby(["township", "card"]).size()
    for (town, card), n in counts.items():
        assert got[(town, card)] == math.ceil(round(0.3 * n, 9))
        assert got[(town, card)] / n >= 0.30
    assert not sample["card"].eq("不纳入").any()
    assert sample["hh_key"].is_unique


@pytest.mark.parametrize("n", list(range(1, 51)))
def test_every_stratum_size_1_to_50(n):
    hh = households({("城关镇", "黄卡"): n, ("柳河乡", "红卡"): n})
    sample = spotcheck.draw_sample(hh, CARDS, 0.30, 20240330)
    for key in (("城关镇", "黄卡"), ("柳河乡", "红卡")):
        k = int(((sample["township"] == key[0]) & (sample["card"] == key[1])).sum())
        assert k >= 0.30 * n and k == math.ceil(round(0.3 * n, 9))


def test_same_draw_under_shuffled_rows_and_files():
    hh = households(STD, disagree_every=7)
    base = spotcheck.draw_sample(hh, CARDS, 0.30, 4242)
    for shuffle_seed in range(5):
        shuffled = hh.sample(frac=1, random_state=shuffle_seed).reset_index(drop=True)
        # another file layout: source files renamed and reordered does not enter the draw
        shuffled["source_file"] = [f"乡镇{shuffle_seed}/{i % 3}.xlsx" for i in range(len(shuffled))]
        again = spotcheck.draw_sample(shuffled, CARDS, 0.30, 4242)
        assert again["hh_key"].tolist() == base["hh_key"].tolist()
    forced_base = spotcheck.draw_sample(hh, CARDS, 0.30, 4242, force_disagree=True)
    forced_again = spotcheck.draw_sample(hh.iloc[::-1], CARDS, 0.30, 4242, force_disagree=True)
    assert forced_again["hh_key"].tolist() == forced_base["hh_key"].tolist()


def test_different_seeds_give_different_draws():
    hh = households(STD)
    draws = {tuple(sorted(spotcheck.draw_sample(hh, CARDS, 0.30, s)["hh_key"])) for s in range(6)}
    assert len(draws) == 6


def test_forced_households_come_first_and_count_toward_n():
    hh = households({("城关镇", "绿卡"): 20, ("柳河乡", "黄卡"): 4}, disagree_every=4)
    disagree = set(hh.loc[hh["agrees"] == False, "hh_key"])  # noqa: E712
    sample = spotcheck.draw_sample(hh, CARDS, 0.30, 7, force_disagree=True)
    assert disagree <= set(sample["hh_key"])
    assert set(sample.loc[sample["forced"], "hh_key"]) == disagree
    green = sample[(sample["township"] == "城关镇") & (sample["card"] == "绿卡")]
    assert len(green) == 6  # 5 forced of 20 count toward ceil(0.3 * 20) = 6
    assert green.loc[green["forced"], "draw_rank"].max() < green.loc[~green["forced"], "draw_rank"].min()
    plain = spotcheck.draw_sample(hh, CARDS, 0.30, 7)
    assert not plain["forced"].any()


def test_more_forced_than_n_takes_all_forced():
    hh = households({("城关镇", "红卡"): 4}, disagree_every=1)
    sample = spotcheck.draw_sample(hh, CARDS, 0.30, 7, force_disagree=True)
    assert len(sample) == 4 and sample["forced"].all()


def test_na_agrees_is_not_forced_and_blocked_households_are_not_in_frame():
    hh = households({("城关镇", "黄卡"): 10})
    hh.loc[:4, "agrees"] = pd.NA
    hh.loc[hh.index[-1], "card"] = "未判定"
    sample = spotcheck.draw_sample(hh, CARDS, 0.30, 1, force_disagree=True)
    assert not sample["forced"].any()
    assert "未判定" not in set(sample["card"])


def test_config_from_the_real_rules_file():
    rules = pytest.importorskip("fourcard_excel.rules.ruleset")
    loaded = rules.load_rules()
    assert spotcheck.spotcheck_config(loaded) == {"rate": 0.30, "min_rate": 0.30, "team_size": 2}
    assert spotcheck.card_names_of(loaded) == loaded.card_names
    assert spotcheck.spotcheck_config(StandInRules())["team_size"] == 2
    assert spotcheck.spotcheck_config({"spotcheck": {"rate": 0.4}})["rate"] == 0.4


def test_rate_never_below_minimum():
    with pytest.raises(spotcheck.SpotCheckError, match="低于"):
        spotcheck.check_rate(0.2, 0.30)
    with pytest.raises(spotcheck.SpotCheckError):
        spotcheck.check_rate(1.5, 0.30)
    assert spotcheck.check_rate(0.5, 0.30) == 0.5


def test_sample_sorted_for_field_route():
    sample = spotcheck.draw_sample(households(STD), CARDS, 0.30, 3)
    keys = sample[["township", "village", "household_id"]].apply(tuple, axis=1).tolist()
    assert keys == sorted(keys)


# ---------------------------------------------------------------------------- teams


def test_no_inspector_in_own_township_and_teams_of_two():
    hh = households(STD)
    sample = spotcheck.draw_sample(hh, CARDS, 0.30, 11)
    with_team, teams, issues = spotcheck.assign_teams(sample, INSPECTORS, 2)
    assert len(issues) == 0
    assert (with_team["team"] != "").all()
    people = spotcheck.form_teams(INSPECTORS, 2)
    assert people.groupby("team_no").size().min() >= 2
    assert sorted(people["姓名"]) == sorted(INSPECTORS["姓名"])
    home = people.assign(team=people["team_no"].map(spotcheck.team_label))
    home = home.loc[home["所在乡镇"] != ""]
    clash = with_team.merge(home, left_on=["team", "township"], right_on=["team", "所在乡镇"])
    assert clash.empty
    assert teams["户数"].sum() == len(sample)
    assert spotcheck.load_spread(teams) == teams["户数"].max() - teams["户数"].min()
    # every member of a team listed on each row of that team
    for team, names in zip(teams["抽查组"], teams["抽查人"]):
        assert set(with_team.loc[with_team["team"] == team, "inspectors"]) == {names}


def test_big_township_split_by_village_balances_load():
    counts = {("城关镇", "绿卡"): 200, ("柳河乡", "绿卡"): 10, ("石门镇", "绿卡"): 10}
    sample = spotcheck.draw_sample(households(counts), CARDS, 0.30, 5)
    county = pd.DataFrame({"姓名": ["甲一", "乙二", "丙三", "丁四", "戊五", "己六"],
                           "单位": ["县扶贫办"] * 6, "所在乡镇": [""] * 6})
    with_team, teams, issues = spotcheck.assign_teams(sample, county, 2)
    assert len(teams) == 3
    assert spotcheck.load_spread(teams) <= 10
    small = with_team.loc[with_team["township"] != "城关镇"].groupby("township")["team"].nunique()
    assert (small == 1).all()  # small townships stay whole


def test_too_few_inspectors_gives_s005_and_no_teams():
    sample = spotcheck.draw_sample(households(STD), CARDS, 0.30, 5)
    with_team, teams, issues = spotcheck.assign_teams(sample, INSPECTORS.iloc[:1], 2)
    assert issues["代码"].tolist() == ["S005"]
    assert teams.empty and (with_team["team"] == "").all()


def test_only_own_township_team_available_gives_s006():
    sample = spotcheck.draw_sample(households({("城关镇", "黄卡"): 10}), CARDS, 0.30, 5)
    locals_ = pd.DataFrame({"姓名": ["孙国平", "李红梅"], "单位": ["城关镇政府"] * 2, "所在乡镇": ["城关镇"] * 2})
    _, teams, issues = spotcheck.assign_teams(sample, locals_, 2)
    assert "S006" in set(issues["代码"]) and set(issues["乡镇"]) == {"城关镇"}


def test_without_inspectors_no_teams():
    sample = spotcheck.draw_sample(households(STD), CARDS, 0.30, 5)
    with_team, teams, issues = spotcheck.assign_teams(sample, None, 2)
    assert teams.empty and len(issues) == 0 and (with_team["team"] == "").all()


def test_read_inspectors_xlsx_and_gbk_csv(tmp_path):
    xlsx = tmp_path / "抽查人员.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["2024年县级抽查人员名单"])
    ws.append(["序号", "姓名", "工作单位", "所在乡镇"])
    for i, r in enumerate(INSPECTORS.itertuples(index=False), 1):
        ws.append([i, r.姓名, r.单位, r.所在乡镇 or None])
    wb.save(xlsx)
    got = spotcheck.read_inspectors(xlsx)
    assert got["姓名"].tolist() == INSPECTORS["姓名"].tolist()
    assert got["所在乡镇"].tolist() == INSPECTORS["所在乡镇"].tolist()
    csv_path = tmp_path / "抽查人员.csv"
    INSPECTORS.to_csv(csv_path, index=False, encoding="gbk")
    assert spotcheck.read_inspectors(csv_path)["单位"].tolist() == INSPECTORS["单位"].tolist()


# ---------------------------------------------------------------------------- run / write


def test_run_picks_and_records_seed_and_writes_workbook(tmp_path):
    res = result_for(households(STD, disagree_every=9))
    spotcheck.run(res, inspectors=INSPECTORS, force_disagree=True)
    assert isinstance(res.seed, int)
    data = res.outputs["spotcheck"]
    assert data["meta"]["seed"] == res.seed and data["meta"]["rate"] == 0.30
    assert "县级抽查" in res.sheets
    spec = res.sheets["县级抽查"]
    assert str(res.seed) in spec.title
    assert spec.frame.iloc[-1]["乡镇"] == "合计"

    book, csv_path = spotcheck.write(res, tmp_path / "OUT")
    assert book.name == "县级抽查名单.xlsx" and csv_path.name == "spotcheck.csv"
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames[0] == "汇总"
    team_sheets = wb.sheetnames[1:]
    assert team_sheets == [f"第{i}组" for i in range(1, len(data["teams"]) + 1)]
    summary = wb["汇总"]
    cells = {summary.cell(r, 1).value: summary.cell(r, 2).value for r in range(1, 10)}
    assert cells["随机种子"] == res.seed
    assert wb.custom_doc_props["随机种子"].value == str(res.seed)

    ws = wb["第1组"]
    header = [c.value for c in ws[2]]
    assert header == LIST_COLUMNS
    assert ws.print_title_rows.replace("$", "") == "1:2"
    assert ws.page_setup.orientation == "landscape"
    assert ws.cell(3, 1).border.left.style == "thin"
    assert str(res.seed) in ws.cell(1, 1).value
    total_rows = 0
    for name in team_sheets:
        sheet = wb[name]
        rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=3)]
        total_rows += len(rows)
        towns = [r[1] for r in rows]
        route = [(r[1], r[2], r[3]) for r in rows]
        assert route == sorted(route)
        assert all(isinstance(r[5], str) and len(r[5]) == 18 for r in rows)  # IDs as text
        assert all(isinstance(r[3], str) for r in rows)
        assert all(r[i] is None for r in rows for i in range(11, 16))  # blank columns
        assert len(set(towns)) >= 1
    assert total_rows == len(data["sample"])

    csv = pd.read_csv(csv_path, dtype=str, keep_default_na=False, encoding="utf-8")
    assert csv_path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert list(csv.columns)[0].lstrip("\ufeff") == "乡镇"
    csv.columns = [c.lstrip("\ufeff") for c in csv.columns]
    assert list(csv.columns) == spotcheck.CSV_COLUMNS
    assert len(csv) == len(data["sample"]) and (csv["抽查组"] != "").all()
    assert csv["户主证件号码"].str.len().eq(18).all()


def test_run_given_seed_and_no_inspectors_gives_township_sheets(tmp_path):
    res = result_for(households(STD))
    spotcheck.run(res, seed=99)
    assert res.seed == 99
    book, _ = spotcheck.write(res, tmp_path)
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames == ["汇总"] + sorted({t for t, _ in STD})


def test_run_uses_result_seed_and_rejects_low_rate():
    res = result_for(households(STD), seed=1234)
    spotcheck.run(res)
    assert res.outputs["spotcheck"]["meta"]["seed"] == 1234
    with pytest.raises(spotcheck.SpotCheckError):
        spotcheck.run(result_for(households(STD)), rate=0.1)
    with pytest.raises(spotcheck.SpotCheckError):
        spotcheck.run(result_for(households(STD)), team_size=1)


def test_formula_like_text_is_inert(tmp_path):
    hh = households({("城关镇", "红卡"): 3})
    hh.loc[hh["card"] == "红卡", "head_name"] = "=HYPERLINK(\"x\")"
    res = result_for(hh)
    spotcheck.run(res, seed=1)
    book, csv_path = spotcheck.write(res, tmp_path)
    ws = openpyxl.load_workbook(book)["城关镇"]
    assert ws.cell(3, 5).value == "=HYPERLINK(\"x\")" and ws.cell(3, 5).data_type == "s"
    assert "'=HYPERLINK" in csv_path.read_text(encoding="utf-8-sig")


# ---------------------------------------------------------------------------- returned list


def fill_returned(book: Path, out: Path, defects: dict[str, int] | None = None) -> dict:
    """Fill the list as inspectors would; ``defects`` injects unsigned/unchecked/differ rows."""
    defects = defects or {}
    wb = openpyxl.load_workbook(book)
    col = {h: LIST_COLUMNS.index(h) + 1 for h in LIST_COLUMNS}
    made = {"unsigned": [], "unchecked": [], "differ": []}
    k = 0
    for name in wb.sheetnames[1:]:
        ws = wb[name]
        for r in range(3, ws.max_row + 1):
            card = ws.cell(r, col["卡别"]).value
            who = (ws.cell(r, col["乡镇"]).value, ws.cell(r, col["户编号"]).value)
            k += 1
            ws.cell(r, col["核查卡别"]).value = card
            ws.cell(r, col["核查意见"]).value = "情况属实"
            ws.cell(r, col["抽查人签字1"]).value = "赵卫东"
            ws.cell(r, col["抽查人签字2"]).value = "钱丽华"
            ws.cell(r, col["日期"]).value = dt.datetime(2024, 4, 1)
            if len(made["unsigned"]) < defects.get("unsigned", 0) and k % 3 == 0:
                ws.cell(r, col["抽查人签字2"]).value = None
                made["unsigned"].append(who)
            elif len(made["unchecked"]) < defects.get("unchecked", 0) and k % 3 == 1:
                ws.cell(r, col["核查卡别"]).value = None
                made["unchecked"].append(who)
            elif len(made["differ"]) < defects.get("differ", 0) and k % 3 == 2:
                ws.cell(r, col["核查卡别"]).value = "蓝卡" if card != "蓝卡" else "绿卡"
                made["differ"].append(who)
    wb.save(out)
    return made


@pytest.fixture
def drawn_book(tmp_path):
    res = result_for(households(STD, disagree_every=9))
    spotcheck.run(res, seed=777, inspectors=INSPECTORS)
    book, _ = spotcheck.write(res, tmp_path / "OUT")
    return book, res


def test_check_clean_returned_list(tmp_path, drawn_book):
    book, res = drawn_book
    filled = tmp_path / "回收.xlsx"
    fill_returned(book, filled)
    frames, issues = spotcheck.check_returned(filled)
    assert len(issues) == 0 and not spotcheck.check_failed(issues)
    cov = frames["覆盖率"]
    assert (cov["是否达标"] == "达标").all() and (cov["覆盖率"] >= 0.30).all()
    assert len(cov) == len(res.outputs["spotcheck"]["strata"])
    assert frames["_meta"]["seed"].iloc[0] == "777"


def test_check_each_kind_of_defect(tmp_path, drawn_book):
    book, res = drawn_book
    filled = tmp_path / "回收.xlsx"
    made = fill_returned(book, filled, {"unsigned": 2, "unchecked": 3, "differ": 2})
    frames, issues = spotcheck.check_returned(filled)
    codes = issues["代码"].value_counts()
    assert codes["S002"] == 2 and codes["S003"] == 3 and codes["S004"] == 2
    assert codes.get("S001", 0) >= 1  # an unchecked/unsigned row breaks its stratum's 30%
    assert spotcheck.check_failed(issues)
    assert set(zip(frames["签字不全"]["乡镇"], frames["签字不全"]["户编号"])) == set(made["unsigned"])
    assert set(zip(frames["未核查"]["乡镇"], frames["未核查"]["户编号"])) == set(made["unchecked"])
    assert set(zip(frames["卡别不一致"]["乡镇"], frames["卡别不一致"]["户编号"])) == set(made["differ"])
    s002 = issues[issues["代码"] == "S002"]
    assert (s002["文件"] == "回收.xlsx").all() and s002["行号"].notna().all()
    assert s002["工作表"].str.startswith("第").all()

    out = spotcheck.write_check(frames, issues, tmp_path / "RES")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["覆盖率", "问题清单", "签字不全", "未核查", "卡别不一致"]
    problems = [[c.value for c in r] for r in wb["问题清单"].iter_rows(min_row=2)]
    assert sorted({p[1] for p in problems}) == sorted(set(issues["代码"]))
    assert len(problems) == len(issues)


def test_check_only_differences_passes(tmp_path, drawn_book):
    book, _ = drawn_book
    filled = tmp_path / "回收.xlsx"
    fill_returned(book, filled, {"differ": 3})
    frames, issues = spotcheck.check_returned(filled)
    assert set(issues["代码"]) == {"S004"} and not spotcheck.check_failed(issues)


def test_check_deleted_rows_is_coverage_shortfall(tmp_path, drawn_book):
    book, _ = drawn_book
    filled = tmp_path / "回收.xlsx"
    fill_returned(book, filled)
    wb = openpyxl.load_workbook(filled)
    ws = wb["第1组"]
    ws.delete_rows(3, ws.max_row - 2)
    wb.save(filled)
    frames, issues = spotcheck.check_returned(filled)
    assert "S001" in set(issues["代码"])
    short = frames["覆盖率"][frames["覆盖率"]["是否达标"] == "未达标"]
    assert (short["覆盖率"] < 0.30).all()


def test_check_rejects_foreign_workbook(tmp_path):
    other = tmp_path / "其他.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Sheet1"
    wb.save(other)
    with pytest.raises(ValueError, match="汇总"):
        spotcheck.check_returned(other)
