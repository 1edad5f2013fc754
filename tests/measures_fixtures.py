"""A small county with a 帮扶措施台账 holding one planted departure per check and every boundary.

Household-level rosters (one row per household) keep the cards obvious; the ledger is written with
openpyxl (title row, synonyms of 措施类别, 年度 as text or a date, money as text).
"""

from __future__ import annotations

from pathlib import Path

import openpyxl

from fourcard_excel.ingest.ids import make_id

AS_OF = "2024-03-18"
ROSTER_HEADERS = ["乡镇", "行政村", "户编号", "户主姓名", "户主证件号码", "户类别", "脱贫属性", "家庭人口", "有劳动能力人数",
                  "弱劳动力人数", "患大病人数", "重残人数", "工资性收入", "生产经营性收入", "转移性收入", "风险类型",
                  "享受低保政策情况"]
REG, NONREG = "建档立卡贫困户", "一般农户"


def _id(n: int, female: bool = False) -> str:
    return make_id("431226", f"19{50 + n % 40:02d}0{1 + n % 9}1{n % 9}", 100 + n * 2, female=female)


# name -> (township, village, 户编号, category, status, size, able, weak, ill, severe, wage, business,
#          transfer, risks, 享受低保政策情况); cards follow the default rules:
HOUSEHOLDS = {
    # 城关镇
    "红一": ("城关镇", "东风村", "C001", REG, "已脱贫", 3, 0, 0, 0, 0, 0, 0, 3000, "", ""),
    "红二": ("城关镇", "东风村", "C002", REG, "已脱贫", 2, 0, 0, 0, 0, 0, 0, 3000, "", ""),
    "红三": ("城关镇", "东风村", "C003", REG, "已脱贫", 1, 0, 0, 0, 0, 0, 0, 3000, "", ""),
    "红四": ("城关镇", "西岭村", "C004", REG, "已脱贫", 2, 0, 0, 0, 0, 0, 0, 3000, "", ""),
    "红五": ("城关镇", "西岭村", "C005", REG, "已脱贫", 3, 0, 0, 0, 0, 0, 0, 3000, "", ""),
    "红六": ("城关镇", "西岭村", "C006", REG, "已脱贫", 1, 0, 0, 0, 0, 0, 0, 3000, "", "否"),
    "黄一": ("城关镇", "东风村", "C007", REG, "未脱贫", 3, 1, 0, 1, 0, 6000, 0, 1000, "", ""),
    "黄二": ("城关镇", "东风村", "C008", REG, "未脱贫", 3, 2, 0, 0, 0, 9000, 0, 0, "", ""),
    "绿一": ("城关镇", "东风村", "C009", REG, "已脱贫", 2, 2, 0, 0, 0, 40000, 0, 0, "", ""),
    "蓝一": ("城关镇", "西岭村", "C010", NONREG, "", 2, 1, 0, 0, 0, 5000, 0, 0, "因病", ""),
    "蓝二": ("城关镇", "西岭村", "C011", NONREG, "", 2, 1, 0, 0, 0, 5000, 0, 0, "因病", "农村低保"),
    "农一": ("城关镇", "西岭村", "C012", NONREG, "", 2, 2, 0, 0, 0, 50000, 0, 0, "", "农村低保"),
    # 白沙镇
    "黄三": ("白沙镇", "白沙村", "B001", REG, "未脱贫", 2, 2, 0, 0, 0, 8000, 0, 0, "", ""),
    "绿二": ("白沙镇", "白沙村", "B002", REG, "已脱贫", 2, 2, 0, 0, 0, 40000, 0, 0, "", ""),
    "红七": ("白沙镇", "白沙村", "B003", REG, "已脱贫", 1, 0, 0, 0, 0, 0, 0, 2000, "", ""),
}
IDS = {name: _id(i, female=i % 2 == 1) for i, name in enumerate(HOUSEHOLDS)}
GHOST_ID = make_id("431226", "19660606", 901)

LEDGER_HEADERS = ["乡镇", "行政村", "户主姓名", "户主证件号码", "户编号", "措施类别", "项目名称", "入股金额（元）",
                  "金额（元）", "保障人数", "年度", "发放日期", "备注"]

# (name or None, 措施类别, 入股金额, 金额, 保障人数, 年度, 发放日期, overrides)
LEDGER = [
    # 红一 size 3: exactly 15 % on 6,072 (clean); 兜底 A whole household; new build exactly 50,000
    ("红一", "股份合作分红", 6072, 910.80, None, "2024", "", {}),
    ("红一", "A类低保", None, 4320, 3, "2024年", "", {}),
    ("红一", "危房改造(新建)", None, "50,000元", None, "", "2024-05-10", {}),
    # 红二 size 2: principal 4,047 < 2,024 × 2
    ("红二", "产业分红", 4047, 700, None, 2024, "", {}),
    ("红二", "兜底保障（A类）", None, 2880, 2, 2024, "", {}),
    # 红三 size 1: 303.59 < 15 % of 2,024 (303.60)
    ("红三", "委托帮扶分红", 2024, 303.59, None, 2024, "", {}),
    ("红三", "兜底保障A类", None, 1440, 1, 2024, "", {}),
    # 红四: no dividend; only 低保 without class
    ("红四", "低保", None, 2880, 2, 2024, "", {}),
    # 红五 size 3: 兜底 A for 2 of 3; repair exactly 20,000 in two rows
    ("红五", "产业分红", 6072, 1000, None, 2024, "", {}),
    ("红五", "兜底保障A类", None, 2880, 2, 2024, "", {}),
    ("红五", "危房改造（修缮加固）", None, 12000, None, 2024, "", {}),
    ("红五", "修缮加固", None, 8000, None, 2024, "", {}),
    # 红六: 特困供养 fulfils 兜底 A; new build 45,000 ≠ 50,000
    ("红六", "产业分红", 2024, 400, None, 2024, "", {}),
    ("红六", "五保", None, 6000, 1, 2024, "", {}),
    ("红六", "危房改造（新建）", None, 45000, None, 2024, "", {}),
    # 黄一 (大病: 兜底 B due) without 兜底; repair 20,001; 庭院经济 (fine for 黄卡); industry 4,000
    ("黄一", "到户产业奖补", None, 4000, None, 2024, "", {}),
    ("黄一", "危房改造（修缮加固）", None, 20001, None, 2024, "", {}),
    ("黄一", "庭院经济奖补", None, 1500, None, 2024, "", {}),
    # 黄二 (not due B): industry 4,000; temporary aid exactly 5,000; matched by 乡镇 + 户编号 only
    ("黄二", "产业扶贫资金", None, 4000, None, 2024, "", {"id": ""}),
    ("黄二", "临时救助", None, 5000, None, 2024, "", {}),
    # 绿一: industry 2,000; temporary aid exactly 1,000 (amount fine, wrong card); 庭院经济 (wrong card)
    ("绿一", "产业扶贫资金", None, 2000, None, 2024, "", {}),
    ("绿一", "临时救助", None, 1000, None, 2024, "", {}),
    ("绿一", "庭院经济", None, 1500, None, 2024, "", {}),
    # 蓝一: 低保 (a 蓝卡: fine); temporary aid 3,000 + 2,001 = 5,001
    ("蓝一", "低保", None, 2880, 2, 2024, "", {}),
    ("蓝一", "临时救助", None, 3000, None, 2024, "", {}),
    ("蓝一", "临时救助金", None, 2001, None, "", "2024/7/1", {}),
    # 蓝二: temporary aid 999
    ("蓝二", "临时救助", None, 999, None, 2024, "", {}),
    # 白沙镇: 黄卡 3,000 vs 绿卡 2,000 (below twice); 红七 clean; an older year for 红七 (not the check year)
    ("黄三", "产业扶贫资金", None, 3000, None, 2024, "", {}),
    ("绿二", "产业扶贫资金", None, 2000, None, 2024, "", {}),
    ("红七", "产业分红", 2024, 304, None, 2024, "", {}),
    ("红七", "兜底保障A类", None, 1440, 1, 2024, "", {}),
    ("红七", "临时救助", None, 1500, None, 2023, "", {}),
    # not in the roster: an unknown ID, an unknown 户编号
    (None, "临时救助", None, 2000, None, 2024, "", {"id": GHOST_ID, "township": "城关镇", "name": "赵无名"}),
    (None, "消费扶贫", None, 800, None, 2024, "", {"id": "", "hid": "C999", "township": "城关镇", "name": "钱无籍"}),
]

# (检查项, 户主姓名 or 乡镇/县 for the aggregate check)
EXPECTED = {
    ("红卡入股金额不足", "红二"),
    ("分红比例低于15%", "红三"),
    ("红卡产业分红未覆盖", "红四"),
    ("红卡未落实兜底保障A类", "红四"),
    ("兜底未整户纳入", "红五"),
    ("危房改造补助标准不符", "红六"),
    ("黄卡未落实兜底保障B类", "黄一"),
    ("修缮加固超过上限", "黄一"),
    ("临时救助对象不符", "绿一"),
    ("庭院经济奖补对象不符", "绿一"),
    ("临时救助金额超出范围", "蓝一"),
    ("临时救助金额超出范围", "蓝二"),
    ("非贫困低保户不是蓝卡", "农一"),
    ("台账户在花名册中找不到", "赵无名"),
    ("台账户在花名册中找不到", "钱无籍"),
    ("黄卡产业扶贫资金未达绿卡两倍", "白沙镇"),
    ("黄卡产业扶贫资金未达绿卡两倍", "县"),
}
CARDS = {"红一": "红卡", "红二": "红卡", "红三": "红卡", "红四": "红卡", "红五": "红卡", "红六": "红卡", "红七": "红卡",
         "黄一": "黄卡", "黄二": "黄卡", "黄三": "黄卡", "绿一": "绿卡", "绿二": "绿卡", "蓝一": "蓝卡", "蓝二": "蓝卡",
         "农一": "不纳入"}


def write_rosters(folder: Path) -> None:
    for town in ("城关镇", "白沙镇"):
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "户表"
        ws.append(ROSTER_HEADERS)
        for name, h in HOUSEHOLDS.items():
            if h[0] != town:
                continue
            tw, village, hid, cat, status, size, able, weak, ill, severe, wage, bus, tr, risks, dibao = h
            ws.append([tw, village, hid, name, IDS[name], cat, status, size, able, weak, ill, severe, wage, bus, tr,
                       risks, dibao])
            ws.cell(ws.max_row, 5).number_format = "@"
        wb.save(folder / f"{town}四卡花名册.xlsx")


def write_ledger(path: Path, rows=None) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "帮扶措施台账"
    ws.cell(1, 1, "云溪县2024年帮扶措施台账")
    ws.append(LEDGER_HEADERS)
    for name, measure, principal, amount, covered, year, date, extra in rows or LEDGER:
        h = HOUSEHOLDS.get(name)
        town = extra.get("township", h[0] if h else "")
        ws.append([town, h[1] if h else "", extra.get("name", name), extra.get("id", IDS.get(name, "")),
                   extra.get("hid", "") if "hid" in extra else (h[2] if h and "id" in extra else ""), measure, "",
                   principal, amount, covered, year, date, ""])
        ws.cell(ws.max_row, 4).number_format = "@"
    wb.save(path)


def make_county(root: Path, *, ledger_in_folder: bool = True) -> tuple[Path, Path]:
    """(input folder, ledger path); the ledger sits in 附表/ of the folder or beside it."""
    folder = root / "花名册"
    folder.mkdir(parents=True, exist_ok=True)
    write_rosters(folder)
    ledger = (folder / "附表" if ledger_in_folder else root) / "帮扶措施台账.xlsx"
    ledger.parent.mkdir(parents=True, exist_ok=True)
    write_ledger(ledger)
    return folder, ledger
