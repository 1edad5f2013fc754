"""Builders of realistic township rosters for tests (openpyxl, so cell types are real)."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl

from fourcard_excel.ingest.ids import make_id

# A small household set: (relation, name, birth, female, health, labour, schooling)
FAMILY_A = [
    ("户主", "张建国", "19650312", False, "长期慢性病", "弱劳动力或半劳动力", ""),
    ("配偶", "李秀英", "19670705", True, "健康", "普通劳动力", ""),
    ("之子", "张伟", "19920101", False, "健康", "普通劳动力", ""),
    ("之女", "张丽", "20080909", True, "健康", "无劳动力", "普通高中"),
]
FAMILY_B = [
    ("户主", "王桂兰", "19480220", True, "患有大病", "丧失劳动力", ""),
]
FAMILY_C = [
    ("户主", "刘强", "19800515", False, "健康", "技能劳动力", ""),
    ("妻", "陈芳", "19820808", True, "残疾", "弱劳动力或半劳动力", ""),
]

MEMBER_HEADERS = ["序号", "乡镇", "行政村", "户编号", "姓名", "证件号码", "与户主关系", "年龄", "健康状况",
                  "劳动技能", "在校生状况", "户类别", "脱贫属性", "家庭人口", "工资性收入（元）",
                  "生产经营性收入（元）", "转移性收入（元）", "风险类型"]


def family_rows(family, township, village, hid, *, area="431226", seq0=0, category="建档立卡贫困户",
                status="已脱贫", incomes=(12000, 3000, 2000), risks=""):
    rows = []
    for n, (rel, name, birth, female, health, labour, school) in enumerate(family):
        pid = make_id(area, birth, seq0 + n * 2 + 1, female=female)
        age = 2024 - int(birth[:4]) - (1 if birth[4:] > "0318" else 0)
        rows.append(["", township, village, hid, name, pid, rel, age, health, labour, school, category, status,
                     len(family), *incomes, risks])
    return rows


def write_member_roster(path: Path, township="白沙镇", *, title=True, number_id_row=None, notes=True,
                        totals=True, families=None, headers=None) -> dict:
    """A member-level roster with a title row, totals row and notes; returns {what: excel row}."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "花名册"
    where = {}
    r = 1
    if title:
        ws.cell(1, 1, f"{township}2024年四卡申报花名册")
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=8)
        r = 3
    for c, h in enumerate(headers or MEMBER_HEADERS, 1):
        ws.cell(r, c, h)
    r += 1
    families = families or [("白沙村", "4312260010010001", FAMILY_A), ("白沙村", "4312260010010002", FAMILY_B),
                            ("新民村", "4312260020010003", FAMILY_C)]
    n = 1
    for i, (village, hid, fam) in enumerate(families):
        for row in family_rows(fam, township, village, hid, seq0=i * 20):
            row[0] = n
            for c, v in enumerate(row, 1):
                ws.cell(r, c, v)
                if c == 6:
                    ws.cell(r, c).number_format = "@"
            where.setdefault("rows", []).append(r)
            r += 1
            n += 1
    if number_id_row is not None:
        target = where["rows"][number_id_row]
        ws.cell(target, 6, int(ws.cell(target, 6).value[:17] + "0"))
        ws.cell(target, 6).number_format = "General"
        where["number_id"] = target
    if totals:
        ws.cell(r, 1, "合计")
        ws.cell(r, 15, 12345)
        where["totals"] = r
        r += 1
    r += 1
    if notes:
        ws.cell(r, 1, "填表人：李四")
        ws.cell(r, 5, "审核人：王五")
        ws.cell(r + 1, 1, "填报日期：2024年3月20日")
        where["notes"] = r
    wb.save(path)
    return where


def write_merged_roster(path: Path, township="清水乡") -> dict:
    """Two-row header with a merged group cell, household cells merged down over member rows."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.cell(1, 1, f"{township}红黄绿蓝卡分类花名册")
    top = ["乡镇", "行政村", "户编号", "姓名", "身份证号码", "与户主关系", "身体状况", "劳动力状况", "户类别",
           "脱贫属性", "家庭人口数", "收入情况（元）", None, None]
    sub = [None] * 11 + ["工资性收入", "经营性收入", "转移性收入"]
    for c, h in enumerate(top, 1):
        if h:
            ws.cell(2, c, h)
    for c, h in enumerate(sub, 1):
        if h:
            ws.cell(3, c, h)
    for c in range(1, 12):
        ws.merge_cells(start_row=2, start_column=c, end_row=3, end_column=c)
    ws.merge_cells(start_row=2, start_column=12, end_row=2, end_column=14)
    r = 4
    where = {"households": []}
    for i, (hid, fam) in enumerate((("4312260030010001", FAMILY_A), ("4312260030010002", FAMILY_C))):
        start = r
        for n, (rel, name, birth, female, health, labour, _school) in enumerate(fam):
            ws.cell(r, 4, name)
            ws.cell(r, 5, make_id("431226", birth, 100 + i * 20 + n * 2, female=female))
            ws.cell(r, 6, rel)
            ws.cell(r, 7, health)
            ws.cell(r, 8, labour)
            r += 1
        end = r - 1
        values = [township, "清水村", hid, None, None, None, None, None, "建档立卡贫困户", "已脱贫", len(fam),
                  8000, 1000, 1500]
        for c, v in enumerate(values, 1):
            if v is not None:
                ws.cell(start, c, v)
                if end > start:
                    ws.merge_cells(start_row=start, start_column=c, end_row=end, end_column=c)
        where["households"].append((start, end))
    ws.cell(r, 1, "小计")
    where["subtotal"] = r
    wb.save(path)
    return where


def write_household_roster(path: Path, township="东岭乡") -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "户表"
    headers = ["乡镇", "行政村", "户主姓名", "户主证件号码", "户类别", "脱贫属性", "家庭人口", "有劳动能力人数",
               "弱劳动力人数", "患大病人数", "残疾人数", "重残人数", "全日制在校生人数", "工资性收入",
               "生产经营性收入", "转移性收入", "风险类型"]
    ws.append(headers)
    ws.append([township, "东岭村", "赵大山", make_id("431226", "19550101", 11), "建档立卡贫困户", "已脱贫", 2, 0, 0, 1,
               0, 0, 0, 0, 0, 6000, "因病"])
    ws.append([township, "东岭村", "钱小红", make_id("431226", "19850606", 12, female=True), "一般农户", "", 3, 1, 1,
               0, 0, 0, 0, 9000, 1000, 500, "因病、因学"])
    wb.save(path)


def write_gbk_csv(path: Path, township="西河镇") -> None:
    rows = [MEMBER_HEADERS]
    for i, (hid, fam) in enumerate((("4312260040010001", FAMILY_B), ("4312260040010002", FAMILY_C))):
        for row in family_rows(fam, township, "西河村", hid, seq0=200 + i * 20):
            rows.append(row)
    with open(path, "w", encoding="gbk", newline="") as fh:
        csv.writer(fh).writerows(rows)
