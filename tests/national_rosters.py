"""Builders of rosters laid out like the national systems' exports, for tests (openpyxl)."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from fourcard_excel.ingest.ids import make_id

AS_OF_YEAR = 2024

# The export's own columns (2021+ monitoring export), then irrelevant columns as found in it.
MONITORING_HEADERS = [
    "县", "乡", "村", "户编号", "姓名", "证件类型", "证件号码", "性别", "出生日期", "与户主关系", "户类型",
    "监测对象类别", "风险是否已消除", "致贫/返贫风险1", "致贫/返贫风险2", "致贫/返贫风险3", "致贫/返贫风险4",
    "致贫/返贫风险5", "在校生状况", "健康状况", "劳动技能", "当前家庭人口数", "工资性收入", "生产经营性收入",
    "财产性收入", "转移性收入", "生产经营性支出", "纯收入（元）", "人均纯收入（元）", "年收入（元）",
]
IRRELEVANT = ["民族", "文化程度", "识别监测时间", "享受低保政策情况", "享受特困供养政策情况", "产业帮扶", "就业帮扶",
              "公益岗位帮扶", "金融帮扶", "健康帮扶", "教育帮扶", "是否危房户", "耕地面积（亩）", "公益性岗位收入",
              "最低生活保障金", "特困人员救助供养金", "养老金或离退休金", "生态补偿金", "帮扶责任人", "录入时间"]


def person(name: str, birth: str, female: bool, relation: str, seq: int, *, health: str = "健康",
           labour: str = "普通劳动力", school: str = "", id_override: str | None = None,
           sex: str | None = None, birth_cell: str | None = None, area: str = "431299") -> dict:
    pid = make_id(area, birth, seq, female=female)
    return {"姓名": name, "证件类型": "居民身份证", "证件号码": id_override or pid, "_id": pid,
            "性别": sex if sex is not None else ("2" if female else "1"), "出生日期": birth_cell or birth,
            "与户主关系": relation, "在校生状况": school, "健康状况": health, "劳动技能": labour}


def household(hid: str, village: str, people: list[dict], *, htype="脱贫户", mclass="", eliminated="",
              risks=(), incomes=(12000, 3000, 0, 2000), cost=0, **extra) -> dict:
    risk_cells = list(risks) + [""] * (5 - len(risks))
    wage, business, prop, transfer = incomes
    net = wage + business + prop + transfer - cost
    fields = {"户编号": hid, "村": village, "户类型": htype, "监测对象类别": mclass, "风险是否已消除": eliminated,
              **{f"致贫/返贫风险{i + 1}": v for i, v in enumerate(risk_cells)},
              "当前家庭人口数": len(people), "工资性收入": wage, "生产经营性收入": business, "财产性收入": prop,
              "转移性收入": transfer, "生产经营性支出": cost, "纯收入（元）": net,
              "人均纯收入（元）": round(net / len(people), 2), "年收入（元）": wage + business + prop + transfer}
    fields.update(extra)
    return {"fields": fields, "people": people}


def write_monitoring_export(path: Path, households: list[dict], *, township="金溪镇", headers=None,
                            irrelevant: int = len(IRRELEVANT), fields_on_every_row=True) -> dict:
    """Title row, 导出时间 row, header on row 3; household fields on every member row."""
    headers = list(headers or MONITORING_HEADERS)
    extra = [IRRELEVANT[i % len(IRRELEVANT)] + ("" if i < len(IRRELEVANT) else f"{i // len(IRRELEVANT)}")
             for i in range(irrelevant)]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "监测对象信息"
    ws.cell(1, 1, "（自定义）监测对象信息")
    ws.cell(2, 1, "导出时间：2024-03-15 10:22:31")
    for c, h in enumerate(headers + extra, 1):
        ws.cell(3, c, h)
    r = 4
    rows = {}
    for hh in households:
        for n, p in enumerate(hh["people"]):
            values = {"县": "云溪县", "乡": township, **(hh["fields"] if n == 0 or fields_on_every_row else
                                                       {"户编号": hh["fields"]["户编号"], "村": hh["fields"]["村"]}), **p}
            for c, h in enumerate(headers, 1):
                v = values.get(h, "")
                if v != "":
                    ws.cell(r, c, v)
                    if h in ("证件号码", "户编号", "出生日期"):
                        ws.cell(r, c).number_format = "@"
            for c in range(len(headers) + 1, len(headers) + len(extra) + 1):
                ws.cell(r, c, "否" if c % 3 else "")
            rows.setdefault(hh["fields"]["户编号"], []).append(r)
            r += 1
    wb.save(path)
    return rows
