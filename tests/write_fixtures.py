"""Realistic RunResult inputs for the writer tests (contracts 1-3 and 5 of docs/ARCHITECTURE.md)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from fourcard_excel.ingest.ids import make_id
from fourcard_excel.issues import IssueLog
from fourcard_excel.registry import NOT_CARDED, UNDETERMINED
from fourcard_excel.result import RunResult

CARD_COLOURS = {"红卡": "#FF0000", "黄卡": "#FFFF00", "绿卡": "#00B050", "蓝卡": "#0070C0"}
INJECTIONS = ["=HYPERLINK(\"http://evil\",\"点我\")", "+8613800000000", "-2+3", "@SUM(A1:A9)",
              "\t=1+1"]


@dataclass
class StubRules:
    """Stand-in for rules.Rules: card_names, colour(name), sha256, path."""

    colours: dict = field(default_factory=lambda: dict(CARD_COLOURS))
    sha256: str = "ab" * 32
    path: Path = Path("/规则/四卡规则.toml")

    @property
    def card_names(self) -> list[str]:
        return list(self.colours)

    def colour(self, name: str) -> str:
        return self.colours[name]


TOWNSHIPS = {"城关镇": ["东关村", "西街村", "南湖村"], "石门乡": ["石门村", "柳树湾村"],
             "白沙/镇": ["沙坪村"]}
SURNAMES = list("王李张刘陈杨赵黄周吴")
GIVEN = ["建国", "秀英", "桂兰", "志强", "海燕", "明", "德福", "玉梅", "国庆", "小红"]


def make_result(n: int = 60, *, seed: int = 7, rules: StubRules | None = None,
                injections: bool = True) -> RunResult:
    """``n`` households spread over three townships, with members, issues and files."""
    rng = np.random.default_rng(seed)
    rules = rules or StubRules()
    cards = rules.card_names + [NOT_CARDED, UNDETERMINED]
    towns = list(TOWNSHIPS)
    rows, members = [], []
    for i in range(n):
        town = towns[i % len(towns)]
        village = TOWNSHIPS[town][(i // len(towns)) % len(TOWNSHIPS[town])]
        size = int(rng.integers(1, 6))
        card = cards[(i // len(towns)) % len(cards)]
        head_id = make_id("522401", f"19{60 + i % 35:02d}0{1 + i % 9}1{i % 9}", i, female=bool(i % 2))
        hid = f"0522401{i % len(towns):02d}{i:06d}"  # leading zero: must stay text
        wage, business, transfer = float(rng.integers(0, 30000)), float(rng.integers(0, 8000)), 1234.5
        total = wage + business + transfer
        declared = ["", card if card in rules.card_names else "", "黄卡"][(i // 3) % 3]
        rows.append({
            "hh_key": f"{town}|{hid}", "township": town, "village": village, "group": f"{i % 4 + 1}组",
            "household_id": hid, "head_name": SURNAMES[i % 10] + GIVEN[(i * 3) % 10], "head_id": head_id,
            "head_age": 30 + i % 50, "head_sex": "女" if i % 2 else "男",
            "category": "建档立卡贫困户" if card in ("红卡", "黄卡", "绿卡") else "一般农户",
            "registered": card in ("红卡", "黄卡", "绿卡"),
            "poverty_status": "已脱贫" if card in ("红卡", "黄卡", "绿卡") else "", "monitored": i % 5 == 0,
            "size_declared": size, "members": size, "size": size,
            "wage_income": wage, "business_income": business, "property_income": 0.0,
            "transfer_income": transfer, "business_cost": 500.0, "education_cost": 0.0,
            "income_total_declared": total, "per_capita_declared": 0.0, "total_income": total,
            "net_income": total - 500.0, "per_capita": (total - 500.0) / size,
            "economic_income": wage + business,
            "labour_able": size // 2, "labour_weak": 0, "no_labour_household": size // 2 == 0,
            "ill_or_disabled": i % 3 == 0, "severe_disabled": False, "fulltime_student": i % 7 == 0,
            "risk_types": "因病" if i % 3 == 0 else "", "risk_illness": i % 3 == 0, "risk_disaster": False,
            "risk_education": False, "return_risk": i % 3 == 0,
            "has_car": False, "luxury_house": False, "parents_separate": False,
            "main_cause": "因病", "policies_enjoyed": "健康扶贫", "policies_eligible": "",
            "card_visit": "", "card_review": "", "card_township": "", "card_county": "",
            "card_final": declared,
            "source_file": f"{town}/{town}四卡花名册.xlsx", "source_sheet": "花名册",
            "source_row": 4 + i * 6,
            "blocking_issues": "证件号码校验位错误" if card == UNDETERMINED else "",
            "card": card, "rule": {"红卡": "red", "黄卡": "yellow", "绿卡": "green", "蓝卡": "blue"}.get(card, ""),
            "reasons": f"整户无劳动能力；经济收入{wage + business:.0f}元",
            "exclusions": "有消费型汽车" if i % 11 == 0 else "", "priority_factors": "",
            "priority_score": int(i % 3), "review": i % 13 == 0, "review_reason": "",
            "declared_card": declared, "declared_stage": "公示确定" if declared else "",
            "agrees": pd.NA if not declared else declared == card,
        })
        for m in range(size):
            members.append({
                "hh_key": f"{town}|{hid}", "township": town, "village": village, "group": f"{i % 4 + 1}组",
                "household_id": hid, "name": SURNAMES[i % 10] + GIVEN[(i + m) % 10],
                "id_number": head_id if m == 0 else make_id("522401", "20100101", i * 7 + m),
                "relation": "户主" if m == 0 else "之子", "sex": "", "age": pd.NA, "health": "健康",
                "disability_grade": "", "labour": "普通劳动力", "schooling": "非在校生", "employment": "",
                "id_ok": True, "age_calc": 40, "sex_calc": "男", "is_head": m == 0, "roster_level": "member",
                "source_file": f"{town}/{town}四卡花名册.xlsx", "source_sheet": "花名册",
                "source_row": 4 + i * 6 + m, "extra:备注": "",
            })
    hh = pd.DataFrame(rows)
    for col in ("head_age", "size_declared"):
        hh[col] = hh[col].astype("Int64")
    hh["agrees"] = hh["agrees"].astype("boolean")
    mem = pd.DataFrame(members)
    mem["age"] = mem["age"].astype("Int64")
    mem["age_calc"] = mem["age_calc"].astype("Int64")
    if injections:
        hh.loc[0, "head_name"] = INJECTIONS[0]
        hh.loc[1, "reasons"] = INJECTIONS[3]
        hh.loc[2, "group"] = INJECTIONS[2]
        mem.loc[0, "extra:备注"] = INJECTIONS[1]
        mem.loc[1, "employment"] = INJECTIONS[4]

    log = IssueLog()
    log.add("I003", "证件号码校验位错误", file="城关镇/城关镇四卡花名册.xlsx", sheet="花名册", row=10,
            column="证件号码", value="522401199001011235", hh_key=rows[0]["hh_key"], township="城关镇")
    log.add("V008", "各项收入全部为空", file="石门乡/石门乡四卡花名册.xlsx", sheet="花名册", row=5,
            hh_key=rows[1]["hh_key"], township="石门乡")
    log.add("V002", "取值不在允许范围内", file="石门乡/石门乡四卡花名册.xlsx", sheet="花名册", row=11,
            column="户类别", value=INJECTIONS[0], township="石门乡")
    log.add("F003", "文件格式与扩展名不符，无法读取", file="坏文件.xlsx")
    issues = log.frame()

    files = pd.DataFrame({
        "文件": [f"{t}/{t}四卡花名册.xlsx" for t in towns] + ["坏文件.xlsx", "~$临时.xlsx"],
        "乡镇": towns + ["", ""],
        "状态": ["已处理"] * len(towns) + ["失败", "已跳过"],
        "原因": [""] * len(towns) + ["文件格式与扩展名不符，无法读取", "临时文件"],
        "读入行数": [int(mem["township"].eq(t).sum()) for t in towns] + [0, 0],
        "户数": [int(hh["township"].eq(t).sum()) for t in towns] + [0, 0],
        "错误数": [1, 1, 0, 1, 0],
        "sha256": ["cd" * 32] * (len(towns) + 2),
        "大小": [10240, 20480, 4096, 12, 165],
    })
    return RunResult(members=mem, households=hh, issues=issues, files=files, rules=rules,
                     as_of=dt.date(2024, 3, 18), input_root=Path("/数据/花名册"), seed=20240318,
                     timings={"read": 1.25, "classify": 0.5}, command="fourcard-excel process 花名册 -o 输出")


def fill_rgb(ws, row: int, col: int) -> str:
    """The row colour a user sees in a cell: its own solid fill, or a conditional format that
    always applies (``=TRUE``) over a range holding the cell. "" when none."""
    cell = ws.cell(row, col)
    if cell.fill is not None and cell.fill.fill_type == "solid":
        return cell.fill.fgColor.rgb
    for cf in ws.conditional_formatting:
        if cell.coordinate in cf.sqref:
            for rule in cf.rules:
                if rule.type == "expression" and rule.formula == ["TRUE"] and rule.dxf is not None:
                    return rule.dxf.fill.bgColor.rgb
    return ""
