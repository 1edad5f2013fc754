"""``fourcard-excel quotas`` end to end through CliRunner (real rosters, posts roster, village table)."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from fourcard_excel.cli import main
from fourcard_excel.ingest.ids import make_id

pytest.importorskip("fourcard_excel.pipeline")

ROSTER_HEADERS = ["序号", "乡镇", "行政村", "户编号", "姓名", "证件号码", "与户主关系", "健康状况", "劳动技能",
                  "户类别", "脱贫属性", "家庭人口", "工资性收入（元）", "生产经营性收入（元）", "转移性收入（元）",
                  "风险类型"]

IDS = {
    "王建国": make_id("431021", "19700312", 11, female=False),
    "李秀英": make_id("431021", "19720508", 12, female=True),
    "张志强": make_id("431021", "19650101", 21, female=False),
    "陈春生": make_id("431021", "19800101", 41, female=False),
    "杨海燕": make_id("431021", "19850707", 51, female=True),
    "孙红梅": make_id("431021", "19900909", 99, female=True),  # in no roster
}

# (township, village, 户编号, [(name, relation, labour)], 脱贫属性, wage income)
FAMILIES = [
    ("城关镇", "东风村", "4310210010010001", [("王建国", "户主", "普通劳动力"), ("李秀英", "配偶", "普通劳动力")],
     "未脱贫", 3000),
    ("城关镇", "东风村", "4310210010010002", [("张志强", "户主", "弱劳动力或半劳动力")], "未脱贫", 2000),
    ("城关镇", "东风村", "4310210010010003", [("陈春生", "户主", "普通劳动力")], "已脱贫", 30000),
    ("白马镇", "青山村", "4310210020010004", [("杨海燕", "户主", "技能劳动力")], "未脱贫", 2500),
]

POSTS = [  # 岗位名称, 设岗层级, 乡镇, 行政村, 姓名
    ("环境卫生保洁员", "村级", "城关镇", "东风村", "李秀英"),  # 黄卡 (spouse)
    ("护林防火员", "村级", "城关镇", "东风村", "陈春生"),  # 绿卡
    ("道路维护员", "乡镇级", "白马镇", "", "杨海燕"),  # 黄卡
    ("水利设施管理员", "县级", "", "", "孙红梅"),  # not found
]

VILLAGES = [  # 乡镇, 行政村, 是否贫困村, 是否挂牌督战村, 是否有光伏电站, 所在乡镇是否挂牌督战, 光伏年收益, 用于黄卡公益岗位工资
    ("城关镇", "东风村", "是", "否", "是", "否", 10000, 5000),
    ("城关镇", "柳树村", "否", "否", "否", "否", None, None),  # no posts at all
    ("白马镇", "青山村", "否", "否", "否", "是", None, None),
]


def write_roster(path: Path, township: str) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "花名册"
    ws.cell(1, 1, f"{township}2024年四卡申报花名册")
    ws.append([])
    ws.append(ROSTER_HEADERS)
    n = 0
    for town, village, hid, people, status, wage in FAMILIES:
        if town != township:
            continue
        for name, rel, labour in people:
            n += 1
            ws.append([n, town, village, hid, name, IDS[name], rel, "健康", labour, "建档立卡贫困户", status,
                       len(people), wage, 0, 500, ""])
            ws.cell(ws.max_row, 6).number_format = "@"
    wb.save(path)


def write_posts(path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "公益岗位"
    ws.append(["2024年公益岗位花名册"])
    ws.append(["岗位名称", "设岗层级", "乡镇", "行政村", "姓名", "证件号码", "月工资（元）", "资金来源"])
    for post, level, town, village, name in POSTS:
        ws.append([post, level, town, village, name, IDS[name], 500, "光伏收益" if village else "财政"])
        ws.cell(ws.max_row, 6).number_format = "@"
    wb.save(path)


def write_villages(path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "村情表"
    ws.append(["乡镇", "行政村", "是否贫困村", "是否挂牌督战村", "是否有光伏电站", "所在乡镇是否挂牌督战",
               "光伏年收益（元）", "光伏收益用于黄卡公益岗位工资（元）"])
    for row in VILLAGES:
        ws.append(list(row))
    wb.save(path)


@pytest.fixture
def rosters(tmp_path) -> Path:
    folder = tmp_path / "花名册"
    folder.mkdir()
    write_roster(folder / "城关镇.xlsx", "城关镇")
    write_roster(folder / "白马镇.xlsx", "白马镇")
    return folder


def run(*args: str):
    return CliRunner().invoke(main, ["quotas", *args], catch_exceptions=False)


def read_quotas(out: Path) -> pd.DataFrame:
    raw = (out / "quotas.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    return pd.read_csv(out / "quotas.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)


def check_outputs(out: Path, stdout: str) -> None:
    q = read_quotas(out)
    assert list(q.columns) == ["层级", "乡镇", "行政村", "要求", "实际", "缺口", "是否达标"]
    rows = {tuple(r[:3]): tuple(r[3:]) for r in q.itertuples(index=False)}
    assert rows[("全县", "", "")] == ("520", "4", "516", "否")
    assert rows[("县级", "", "")] == ("60", "1", "59", "否")
    assert rows[("乡镇", "白马镇", "")] == ("30", "1", "29", "否")  # 挂牌督战乡镇
    assert rows[("乡镇", "城关镇", "")] == ("20", "0", "20", "否")
    assert rows[("村", "城关镇", "东风村")] == ("3", "2", "1", "否")  # 有光伏电站的贫困村
    assert rows[("村", "城关镇", "柳树村")] == ("1", "0", "1", "否")  # no posts at all
    assert rows[("村", "白马镇", "青山村")] == ("1", "0", "1", "否")
    assert q["层级"].tolist() == ["全县", "县级", "乡镇", "乡镇", "村", "村", "村"]

    wb = openpyxl.load_workbook(out / "公益岗位核查.xlsx")
    assert wb.sheetnames == ["公益岗位", "公益岗位人员核对", "公益岗位候选", "光伏收益使用", "问题清单"]
    people = wb["公益岗位人员核对"]
    values = [[c.value for c in r] for r in people.iter_rows(min_row=2)]
    header = values[0]
    by_name = {r[header.index("姓名")]: r for r in values[1:]}
    assert set(by_name) == {"陈春生", "孙红梅"}
    assert by_name["陈春生"][header.index("所在户卡别")] == "绿卡"
    assert by_name["孙红梅"][header.index("核对结果")] == "花名册中找不到"
    cand = [[c.value for c in r] for r in wb["公益岗位候选"].iter_rows(min_row=2)]
    assert [r[cand[0].index("户主姓名")] for r in cand[1:]] == ["张志强"]
    # red fill on shortfall rows
    ws = wb["公益岗位"]
    head = [c.value for c in ws[2]]
    first = ws.cell(3, head.index("是否达标") + 1)
    assert first.value == "否"
    assert first.fill.fgColor.rgb.endswith("FFC7CE")
    issues = [[c.value for c in r] for r in wb["问题清单"].iter_rows(min_row=2)]
    codes = {r[issues[0].index("代码")] for r in issues[1:]}
    assert {"Q001", "Q002", "Q003", "Q004", "Q005"} <= codes

    assert "公益岗位共 4 个，黄卡户聘用 2 个（占 50.0%）" in stdout
    assert "未达标 7 项" in stdout
    assert "不是黄卡户 1 人" in stdout and "找不到 1 人" in stdout and "黄卡户 1 户" in stdout


def test_side_tables_in_input_folder(rosters, tmp_path):
    write_posts(rosters / "公益岗位花名册.xlsx")
    write_villages(rosters / "村情表.xlsx")
    out = tmp_path / "结果"
    res = run(str(rosters), "-o", str(out), "--as-of", "2024-03-18")
    assert res.exit_code == 1, res.output  # shortfalls
    check_outputs(out, res.output)


def test_side_tables_named_on_command_line(rosters, tmp_path):
    side = tmp_path / "台账"
    side.mkdir()
    write_posts(side / "岗位.xlsx")
    write_villages(side / "村情.xlsx")
    out = tmp_path / "结果"
    res = run(str(rosters), "-o", str(out), "--posts", str(side / "岗位.xlsx"), "--villages",
              str(side / "村情.xlsx"), "--as-of", "2024-03-18")
    assert res.exit_code == 1, res.output
    check_outputs(out, res.output)


def test_all_met_exits_zero(rosters, tmp_path):
    from fourcard_excel.rules.ruleset import default_rules_path

    text = default_rules_path().read_text(encoding="utf-8")
    lowered = {"county_total": 4, "county_level": 1, "township_supervised": 1, "township_other": 0,
               "village_poor_pv": 2, "village_poor_or_supervised": 0, "village_other": 0, "pv_share_min": 0.5}
    for key, value in lowered.items():
        text, n = re.subn(rf"(?m)^{key}\s*=.*$", f"{key} = {value}", text)
        assert n == 1
    rules = tmp_path / "rules.toml"
    rules.write_text(text, encoding="utf-8")
    write_posts(rosters / "公益岗位花名册.xlsx")
    write_villages(rosters / "村情表.xlsx")
    out = tmp_path / "结果"
    res = run(str(rosters), "-o", str(out), "--rules", str(rules), "--as-of", "2024-03-18")
    assert res.exit_code == 0, res.output
    q = read_quotas(out)
    assert set(q["是否达标"]) == {"是"}
    assert q.iloc[0].tolist() == ["全县", "", "", "4", "4", "0", "是"]  # at the minimum
    assert "未达标 0 项" in res.output


def test_no_posts_roster(rosters, tmp_path):
    out = tmp_path / "结果"
    res = run(str(rosters), "-o", str(out))
    assert res.exit_code == 1
    assert "没有找到公益岗位花名册" in res.output
    assert not (out / "quotas.csv").exists()


def test_usage_errors(rosters, tmp_path):
    res = run(str(rosters), "-o", str(rosters / "输出"))
    assert res.exit_code == 2 and "输出文件夹不能放在输入文件夹里面" in res.output
    assert run(str(rosters), "-o", str(tmp_path / "o"), "--as-of", "2024-13-45").exit_code == 2
    assert run(str(tmp_path / "没有这个文件夹"), "-o", str(tmp_path / "o")).exit_code == 2


def test_help_is_chinese():
    res = run("--help")
    assert res.exit_code == 0
    assert "公益岗位" in res.output and "fourcard-excel quotas 花名册 -o 公益岗位核查" in res.output
