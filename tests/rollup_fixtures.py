"""Three counties' `process` outputs for the roll-up tests: 青山县 registers the people of 云溪县's
清水乡 again in its own 西河镇 and keeps a small 帮扶措施台账 (so its run has measures coverage);
石门县 ran with another copy of the rules file."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from click.testing import CliRunner
from measures_fixtures import LEDGER_HEADERS
from rosters import FAMILY_A, FAMILY_B, FAMILY_C, MEMBER_HEADERS, family_rows

from fourcard_excel.cli import main

RULES = Path(__file__).resolve().parents[1] / "src" / "fourcard_excel" / "data" / "rules.toml"

# (village, 户编号, family, options for family_rows)
QINGSHUI = [
    ("清水村", "4312260050010001", FAMILY_B, {"seq0": 300, "status": "未脱贫", "incomes": (0, 0, 3000)}),
    ("清水村", "4312260050010002", FAMILY_A, {"seq0": 320, "incomes": (2000, 1000, 1000), "risks": "因病"}),
    ("荷塘村", "4312260050020003", FAMILY_C, {"seq0": 340, "category": "一般农户", "status": "",
                                              "incomes": (3000, 0, 500), "risks": "因病"}),
]


@dataclass
class County:
    name: str
    out: Path
    repeated_ids: set = field(default_factory=set)


def write_roster(path: Path, township: str, entries, area: str) -> set[str]:
    """A member-level roster (title row, Chinese headers, IDs as text); returns the IDs written."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "花名册"
    ws.cell(1, 1, f"{township}2024年四卡申报花名册")
    for c, h in enumerate(MEMBER_HEADERS, 1):
        ws.cell(3, c, h)
    r, ids = 4, set()
    for village, hid, family, options in entries:
        for row in family_rows(family, township, village, hid, area=options.get("area", area),
                               **{k: v for k, v in options.items() if k != "area"}):
            row[0] = r - 3
            for c, v in enumerate(row, 1):
                ws.cell(r, c, v)
            ws.cell(r, 6).number_format = "@"
            ids.add(row[5])
            r += 1
    wb.save(path)
    return ids


def run_process(src: Path, out: Path, *args: str) -> None:
    res = CliRunner().invoke(main, ["process", str(src), "-o", str(out), "--as-of", "2024-03-18", "--seed", "7",
                                    "--no-db", "-q", *args])
    assert res.exit_code == 0, res.output


def write_side_tables(src: Path, township: str, holder: tuple[str, str]) -> None:
    """A 公益岗位 roster (two posts, one held by ``holder`` = (name, ID)) and a 村情表, in the input
    folder (process finds them by their headers)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "公益岗位"
    ws.append(["岗位名称", "设岗层级", "乡镇", "行政村", "姓名", "证件号码", "月工资（元）", "资金来源"])
    ws.append(["护林员", "村级", township, "龙潭村", holder[0], holder[1], 500, "光伏收益"])
    ws.append(["保洁员", "村级", township, "洞口村", holder[0], holder[1], 500, "财政"])
    wb.save(src / "公益岗位花名册.xlsx")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "村情表"
    ws.append(["乡镇", "行政村", "是否贫困村", "是否挂牌督战村", "是否有光伏电站", "所在乡镇是否挂牌督战",
               "光伏年收益（元）", "光伏收益用于黄卡公益岗位工资（元）"])
    ws.append([township, "龙潭村", "是", "否", "是", "否", 10000, 9000])
    ws.append([township, "洞口村", "否", "否", "否", "否", 0, 0])
    wb.save(src / "村情表.xlsx")


def head_of(family, township: str, village: str, area: str, options: dict) -> tuple[str, str]:
    """(name, ID) of the family's head as ``write_roster`` writes it."""
    row = family_rows(family, township, village, "", area=options.get("area", area),
                      **{k: v for k, v in options.items() if k != "area"})[0]
    return row[4], row[5]


def write_ledger(path: Path, title: str, rows) -> None:
    """A 帮扶措施台账 (title row, the headers of tests/measures_fixtures.py): rows of
    (乡镇, 行政村, (户主姓名, 证件号码), 措施类别, 入股金额, 金额, 保障人数)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "帮扶措施台账"
    ws.cell(1, 1, title)
    ws.append(LEDGER_HEADERS)
    for town, village, (name, pid), measure, principal, amount, covered in rows:
        ws.append([town, village, name, pid, "", measure, "", principal, amount, covered, "2024", "", ""])
        ws.cell(ws.max_row, 4).number_format = "@"
    wb.save(path)


def make_county(root: Path, name: str, folder: str, rosters, *process_args: str, side=None, ledger=None) -> Path:
    """Write ``rosters`` ({township: (entries, area)}) into 输入/<folder> (with ``ledger`` rows as
    帮扶措施台账.xlsx), run process into 各县结果/<name>."""
    src = root / "输入" / folder
    src.mkdir(parents=True)
    for township, (entries, area) in rosters.items():
        write_roster(src / f"{township}.xlsx", township, entries, area)
    if side:
        write_side_tables(src, *side)
    if ledger:
        write_ledger(src / "帮扶措施台账.xlsx", f"{name}2024年帮扶措施台账", ledger)
    out = root / "各县结果" / name
    run_process(src, out, *process_args)
    return out


def build_counties(root: Path) -> dict[str, County]:
    qingshui = {row[5] for v, h, fam, opts in QINGSHUI
                for row in family_rows(fam, "清水乡", v, h, area="431226", **opts)}
    # 云溪县: 白沙镇 and 清水乡 (area 431226)
    yunxi = make_county(root, "云溪县", "云溪县花名册", {
        "白沙镇": ([("白沙村", "4312260010010001", FAMILY_A, {"seq0": 0, "risks": "因病", "incomes": (3000, 1000, 500)}),
                   ("白沙村", "4312260010010002", FAMILY_B, {"seq0": 20, "incomes": (0, 0, 4000)}),
                   ("新民村", "4312260020010003", FAMILY_C, {"seq0": 40})], "431226"),
        "清水乡": (QINGSHUI, "431226"),
    }, "--county", "云溪县")
    # 青山县: 东岭乡 (area 431227, two 红卡 households of one person) and 西河镇, which registers
    # 清水乡's people again (its 红卡 王桂兰 too). Ledger: every 红卡 has its 产业分红 (2,024 元 × 1 人
    # put in, 15 % paid out); 兜底保障A类 only for the first 红卡 of 东岭乡.
    again = [("西河村", f"43122700900100{i + 1:02d}", fam, {**opts, "area": "431226"})
             for i, (_v, _h, fam, opts) in enumerate(QINGSHUI)]
    red = {"status": "未脱贫", "incomes": (0, 0, 3000)}
    red1, red2 = {"seq0": 40, **red}, {"seq0": 60, **red}
    xihe_red = head_of(FAMILY_B, "西河镇", "西河村", "431226", QINGSHUI[0][3])
    dongling = [("东岭村", head_of(FAMILY_B, "东岭乡", "东岭村", "431227", red1)),
                ("南坪村", head_of(FAMILY_B, "东岭乡", "南坪村", "431227", red2))]
    ledger = [("东岭乡", v, head, "产业分红", 2024, 304, None) for v, head in dongling] + [
        ("东岭乡", "东岭村", dongling[0][1], "兜底保障A类", None, 1440, 1),
        ("西河镇", "西河村", xihe_red, "股份合作分红", 2024, 310, None)]
    qingshan = make_county(root, "青山县", "青山县花名册", {
        "东岭乡": ([("东岭村", "4312270010010001", FAMILY_A, {"seq0": 0}),
                   ("东岭村", "4312270010010002", FAMILY_C, {"seq0": 20, "category": "一般农户", "status": "",
                                                            "incomes": (1000, 0, 500), "risks": "因病"}),
                   ("东岭村", "4312270010010004", FAMILY_B, red1),
                   ("南坪村", "4312270020010005", FAMILY_B, red2)], "431227"),
        "西河镇": (again, "431227"),
    }, "--county", "青山县", ledger=ledger)
    # 石门县: its own people, another copy of the rules file, county = the input folder's name
    rules = root / "石门县规则.toml"
    rules.write_text(RULES.read_text(encoding="utf-8") + "\n# 石门县2024年版\n", encoding="utf-8")
    shimen = make_county(root, "石门县", "石门县", {
        "龙潭镇": ([("龙潭村", "4312280010010001", FAMILY_A, {"seq0": 0}),
                   ("龙潭村", "4312280010010002", FAMILY_B, {"seq0": 20, "status": "返贫", "incomes": (0, 0, 2000)}),
                   ("洞口村", "4312280020010003", FAMILY_C, {"seq0": 40, "category": "一般农户", "status": "",
                                                            "incomes": (2000, 0, 0), "risks": "因学"})], "431228"),
    }, "--rules", str(rules), side=("龙潭镇", ("张建国", family_rows(FAMILY_A, "", "", "", area="431228")[0][5])))
    return {"云溪县": County("云溪县", yunxi, qingshui), "青山县": County("青山县", qingshan, qingshui),
            "石门县": County("石门县", shimen)}
