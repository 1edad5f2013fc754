"""CLI: `fourcard-excel sample` and `fourcard-excel check-sample` (issue 5)."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from test_spotcheck import INSPECTORS, STD, fill_returned, households, result_for

from fourcard_excel.checks import spotcheck
from fourcard_excel.cli import main
from fourcard_excel.ingest.ids import make_id

HEAD = ["乡镇", "行政村", "户编号", "姓名", "证件号码", "与户主关系", "健康状况", "劳动技能", "在校生状况",
        "户类别", "脱贫属性", "脱贫监测户", "家庭人口", "工资性收入", "生产经营性收入", "转移性收入", "风险类型",
        "乡镇复核意见"]

# (category, status, labour of head/spouse, wage, business, transfer, risk, health of head/spouse, declared)
KINDS = [
    ("建档立卡贫困户", "已脱贫", ("丧失劳动力", "无劳动力"), 0, 0, 6000, "因病", ("患有大病", "残疾"), "红卡"),
    ("建档立卡贫困户", "未脱贫", ("普通劳动力", "弱劳动力或半劳动力"), 6000, 1000, 500, "", ("健康", "健康"), "黄卡"),
    ("建档立卡贫困户", "已脱贫", ("普通劳动力", "普通劳动力"), 40000, 5000, 0, "", ("健康", "健康"), "绿卡"),
    ("一般农户", "", ("普通劳动力", "弱劳动力或半劳动力"), 6000, 0, 0, "因病", ("患有大病", "健康"), "蓝卡"),
]
SURNAMES = "王李张刘陈杨黄赵吴周"
VILLAGES = ["东坪村", "西岭村", "南沟村", "北湾村"]


def roster_rows(town: str, t_no: int, n: int) -> list[list]:
    rows = []
    for i in range(n):
        cat, status, labour, wage, business, transfer, risk, health, declared = KINDS[i % 4]
        if i % 4 == 1 and i % 3 == 0:
            declared = "绿卡"  # declared card disagrees with the computed one
        hid = f"5224{t_no:02d}{i:09d}"
        head = make_id(f"5224{t_no:02d}", f"19{60 + i % 30}0{1 + i % 9}1{i % 9}", i * 2 + 1, female=False)
        spouse = make_id(f"5224{t_no:02d}", f"19{62 + i % 30}0{1 + i % 9}1{i % 9}", i * 2, female=True)
        village = VILLAGES[i % 4]
        for j, (name, pid, rel) in enumerate([(SURNAMES[i % 10] + "建国", head, "户主"),
                                              (SURNAMES[(i + 3) % 10] + "秀英", spouse, "配偶")]):
            rows.append([town, village, hid, name, pid, rel, health[j], labour[j], "", cat, status, "否", 2,
                         wage, business, transfer, risk, declared])
    return rows


def write_roster(path: Path, town: str, rows: list[list]) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "花名册"
    ws.append([f"{town}2024年四卡申报花名册"])
    ws.append(HEAD)
    for r in rows:
        ws.append(r)
    for row in ws.iter_rows(min_row=3):
        for c in (2, 4):  # 户编号, 证件号码 as text cells
            row[c].number_format = "@"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


@pytest.fixture
def roster_dir(tmp_path) -> Path:
    root = tmp_path / "花名册"
    write_roster(root / "城关镇.xlsx", "城关镇", roster_rows("城关镇", 1, 27))
    write_roster(root / "柳河乡.xlsx", "柳河乡", roster_rows("柳河乡", 2, 14))
    write_roster(root / "石门镇.xlsx", "石门镇", roster_rows("石门镇", 3, 18))
    return root


@pytest.fixture
def inspectors_file(tmp_path) -> Path:
    path = tmp_path / "抽查人员.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "单位", "所在乡镇"])
    for r in INSPECTORS.itertuples(index=False):
        ws.append([r.姓名, r.单位, r.所在乡镇 or None])
    wb.save(path)
    return path


def _run(args: list[str]):
    return CliRunner().invoke(main, args, catch_exceptions=False)


def _csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def test_help_is_chinese_with_example():
    for cmd in ("sample", "check-sample"):
        res = _run([cmd, "--help"])
        assert res.exit_code == 0
        assert "示例" in res.output and "fourcard-excel " + cmd in res.output


def test_sample_with_inspectors(tmp_path, roster_dir, inspectors_file):
    out = tmp_path / "抽查"
    res = _run(["sample", str(roster_dir), "-o", str(out), "--seed", "20240330", "--inspectors",
                str(inspectors_file), "--as-of", "2024-03-30", "--force-disagree"])
    assert res.exit_code == 0, res.output
    assert "随机种子：20240330" in res.output and "工作量差" in res.output
    csv = _csv(out / "spotcheck.csv")
    assert list(csv.columns) == spotcheck.CSV_COLUMNS
    assert (csv["抽查组"] != "").all() and (csv["抽查人"] != "").all()
    assert csv["户主证件号码"].str.len().eq(18).all()
    # no inspector checks his own township
    homes = INSPECTORS.set_index("姓名")["所在乡镇"].to_dict()
    for town, names in zip(csv["乡镇"], csv["抽查人"]):
        assert town not in {homes[n] for n in names.split("、")}
    # coverage >= 30% per stratum, read back from the workbook
    wb = openpyxl.load_workbook(out / "县级抽查名单.xlsx")
    assert wb.sheetnames[0] == "汇总" and all(n.startswith("第") for n in wb.sheetnames[1:])
    frames, issues = spotcheck.check_returned(out / "县级抽查名单.xlsx")
    cov = frames["覆盖率"]
    assert (cov["抽取户数"] >= cov["应核查户数"]).all()
    assert set(issues["代码"]) == {"S001", "S003"}  # nothing filled in yet
    # --force-disagree: every household declared 绿卡 but computed 黄卡 is in the list
    disagree = {f"5224{t_no:02d}{i:09d}" for t_no, n in ((1, 27), (2, 14), (3, 18))
                for i in range(n) if i % 4 == 1 and i % 3 == 0}
    assert disagree <= set(csv["户编号"])


def test_sample_same_draw_with_renamed_files_and_shuffled_rows(tmp_path, roster_dir):
    out1, out2 = tmp_path / "一", tmp_path / "二"
    assert _run(["sample", str(roster_dir), "-o", str(out1), "--seed", "7", "--as-of", "2024-03-30"]).exit_code == 0
    other = tmp_path / "另一批"
    rnd = random.Random(3)
    for i, (town, t_no, n) in enumerate([("石门镇", 3, 18), ("城关镇", 1, 27), ("柳河乡", 2, 14)]):
        rows = roster_rows(town, t_no, n)
        pairs = [rows[k:k + 2] for k in range(0, len(rows), 2)]  # keep head + spouse together
        rnd.shuffle(pairs)
        write_roster(other / f"子目录{i}" / f"{i}_{town}提交.xlsx", town, [r for p in pairs for r in p])
    assert _run(["sample", str(other), "-o", str(out2), "--seed", "7", "--as-of", "2024-03-30"]).exit_code == 0
    a, b = _csv(out1 / "spotcheck.csv"), _csv(out2 / "spotcheck.csv")
    assert len(a) > 0 and a.equals(b)
    out3 = tmp_path / "三"
    assert _run(["sample", str(roster_dir), "-o", str(out3), "--seed", "8", "--as-of", "2024-03-30"]).exit_code == 0
    assert set(_csv(out3 / "spotcheck.csv")["户编号"]) != set(a["户编号"])


def test_sample_without_seed_prints_and_records_it(tmp_path, roster_dir):
    out = tmp_path / "抽查"
    res = _run(["sample", str(roster_dir), "-o", str(out), "--as-of", "2024-03-30"])
    assert res.exit_code == 0, res.output
    line = next(x for x in res.output.splitlines() if x.startswith("随机种子："))
    seed = int(line.split("：")[1].split("（")[0])
    ws = openpyxl.load_workbook(out / "县级抽查名单.xlsx")["汇总"]
    assert {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, 9)}["随机种子"] == seed
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["seed"] == seed and manifest["command"] == "sample"
    again = tmp_path / "重抽"
    assert _run(["sample", str(roster_dir), "-o", str(again), "--seed", str(seed), "--as-of", "2024-03-30"]).exit_code == 0
    assert _csv(out / "spotcheck.csv").equals(_csv(again / "spotcheck.csv"))


def test_sample_usage_errors(tmp_path, roster_dir):
    res = _run(["sample", str(roster_dir), "-o", str(tmp_path / "x"), "--rate", "20%"])
    assert res.exit_code == 2 and "低于" in res.output
    res = _run(["sample", str(roster_dir), "-o", str(tmp_path / "x"), "--team-size", "1",
                "--inspectors", str(roster_dir / "城关镇.xlsx")])
    assert res.exit_code == 2
    res = _run(["sample", str(roster_dir), "-o", str(roster_dir / "out")])
    assert res.exit_code == 2


def test_sample_too_few_inspectors_exit_1(tmp_path, roster_dir):
    one = tmp_path / "一人.csv"
    one.write_text("姓名,单位,所在乡镇\n赵卫东,县扶贫办,\n", encoding="utf-8-sig")
    res = _run(["sample", str(roster_dir), "-o", str(tmp_path / "o"), "--inspectors", str(one), "--seed", "1"])
    assert res.exit_code == 1 and "S005" in res.output
    assert (tmp_path / "o" / "县级抽查名单.xlsx").exists()


# ------------------------------------------------------------------ check-sample (no pipeline needed)


@pytest.fixture
def drawn_list(tmp_path) -> Path:
    res = result_for(households(STD, disagree_every=9))
    spotcheck.run(res, seed=31, inspectors=INSPECTORS, force_disagree=True)
    book, _ = spotcheck.write(res, tmp_path / "抽查")
    return book


def test_check_sample_clean_list_exit_0(tmp_path, drawn_list):
    filled = tmp_path / "交回" / "县级抽查名单.xlsx"
    filled.parent.mkdir()
    fill_returned(drawn_list, filled)
    res = _run(["check-sample", str(filled), "--results", str(tmp_path / "核验")])
    assert res.exit_code == 0, res.output
    assert "核验通过" in res.output
    wb = openpyxl.load_workbook(tmp_path / "核验" / "抽查核验结果.xlsx")
    cov = [[c.value for c in r] for r in wb["覆盖率"].iter_rows(min_row=3)]
    assert cov and all(r[-1] == "达标" and r[-2] >= 0.30 for r in cov)
    assert wb["问题清单"].max_row == 1


def test_check_sample_each_defect_exit_1(tmp_path, drawn_list):
    filled = tmp_path / "交回.xlsx"
    made = fill_returned(drawn_list, filled, {"unsigned": 2, "unchecked": 1, "differ": 3})
    res = _run(["check-sample", str(filled), "--results", str(tmp_path / "核验")])
    assert res.exit_code == 1
    assert "签字不全 2 户，未核查 1 户，核查卡别与计算卡别不一致 3 户" in res.output
    wb = openpyxl.load_workbook(tmp_path / "核验" / "抽查核验结果.xlsx")
    codes = [r[1].value for r in wb["问题清单"].iter_rows(min_row=2)]
    assert codes.count("S002") == 2 and codes.count("S003") == 1 and codes.count("S004") == 3
    assert "S001" in codes
    unsigned = {(r[2].value, r[4].value) for r in wb["签字不全"].iter_rows(min_row=2)}
    assert unsigned == set(made["unsigned"])
    differ = {(r[2].value, r[4].value) for r in wb["卡别不一致"].iter_rows(min_row=2)}
    assert differ == set(made["differ"])
    cov = [[c.value for c in r] for r in wb["覆盖率"].iter_rows(min_row=3)]
    assert any(r[-1] == "未达标" for r in cov)


def test_check_sample_coverage_shortfall_only(tmp_path, drawn_list):
    filled = tmp_path / "交回.xlsx"
    fill_returned(drawn_list, filled)
    wb = openpyxl.load_workbook(filled)
    ws = wb[wb.sheetnames[1]]
    ws.delete_rows(3, 2)  # two households never visited and dropped from the list
    wb.save(filled)
    res = _run(["check-sample", str(filled), "--results", str(tmp_path / "核验")])
    assert res.exit_code == 1 and "未达标" in res.output


def test_check_sample_rejects_other_workbook(tmp_path):
    other = tmp_path / "花名册.xlsx"
    shutil.copy(Path(__file__), tmp_path / "x.txt")
    openpyxl.Workbook().save(other)
    res = _run(["check-sample", str(other), "--results", str(tmp_path / "核验")])
    assert res.exit_code == 2 and "汇总" in res.output
    res = _run(["check-sample", str(tmp_path / "x.txt"), "--results", str(tmp_path / "核验")])
    assert res.exit_code == 2
