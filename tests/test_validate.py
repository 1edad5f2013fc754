"""Every validation issue code, on realistic member-level rosters."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pandas as pd
import pytest
from helpers import bad_check_id

from fourcard_excel.ingest.ids import make_id
from fourcard_excel.ingest.validate import blocking_reasons, validate_households
from fourcard_excel.issues import IssueLog
from fourcard_excel.pipeline import validate_inputs

AS_OF = dt.date(2024, 3, 18)
HEADERS = ["乡镇", "行政村", "户编号", "姓名", "证件号码", "性别", "与户主关系", "年龄", "健康状况", "残疾等级",
           "劳动技能", "在校生状况", "户类别", "脱贫属性", "家庭人口", "工资性收入", "生产经营性收入",
           "转移性收入", "收入小计"]


def person(name, pid, relation, *, hid="0001", town="白沙镇", age="", sex="", health="健康", grade="",
           labour="普通劳动力", school="", category="建档立卡贫困户", status="已脱贫", size=2,
           incomes=(10000, 2000, 1000), total=""):
    return [town, "白沙村", hid, name, pid, sex, relation, age, health, grade, labour, school, category, status,
            size, *incomes, total]


HEAD = make_id("431226", "19700101", 11)  # male
WIFE = make_id("431226", "19720202", 12, female=True)


def write(path, rows, headers=HEADERS):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "花名册"
    ws.append(headers)
    for r in rows:
        ws.append(r)
        ws.cell(ws.max_row, 5).number_format = "@"
    wb.save(path)


def issues_for(tmp_path, rows, name="白沙镇.xlsx", headers=HEADERS):
    write(tmp_path / name, rows, headers)
    v = validate_inputs(tmp_path, as_of=AS_OF)
    return v, v.log.frame()


def only(issues, code):
    sel = issues[issues["代码"] == code]
    assert len(sel), f"{code} not reported: {issues[['代码', '说明']].to_dict('records')}"
    return sel


def test_clean_household_has_no_issues(tmp_path):
    v, issues = issues_for(tmp_path, [person("张三", HEAD, "户主"), person("李四", WIFE, "配偶")])
    # this short roster lacks the exclusion columns etc.: one file-level warning says so, nothing else
    assert issues["代码"].tolist() == ["F015"], issues.to_dict("records")
    assert "有消费型汽车" in issues["说明"].iat[0] and "教育支出" in issues["说明"].iat[0]
    assert v.members["age_calc"].tolist() == [54, 52]
    assert v.members["sex_calc"].tolist() == ["男", "女"]


@pytest.mark.parametrize("pid,code", [
    ("", "I001"),
    ("43122619700101", "I002"),
    (bad_check_id(HEAD), "I003"),
    (make_id("431226", "19701301", 5), "I004"),
])
def test_id_problems(tmp_path, pid, code):
    _, issues = issues_for(tmp_path, [person("张三", pid, "户主"), person("李四", WIFE, "配偶")])
    hit = only(issues, code)
    assert hit["行号"].tolist() == [2] and hit["列"].item() == "证件号码" and hit["级别"].item() == "错误"
    assert hit["文件"].item() == "白沙镇.xlsx" and hit["工作表"].item() == "花名册"


def test_lowercase_x_and_fullwidth_digits_accepted(tmp_path):
    x_id = next(make_id("431226", "19800101", s, female=False) for s in range(1, 999, 2)
                if make_id("431226", "19800101", s, female=False).endswith("X"))
    fullwidth = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in WIFE)
    v, issues = issues_for(tmp_path, [person("张三", x_id.lower(), "户主"), person("李四", fullwidth, "配偶")])
    assert not issues["代码"].str.startswith("I").any()
    assert v.members["id_number"].tolist() == [x_id, WIFE]


def test_id_typed_as_number_is_corrupted_not_repaired(tmp_path):
    write(tmp_path / "a.xlsx", [person("张三", HEAD, "户主"), person("李四", WIFE, "配偶")])
    wb = openpyxl.load_workbook(tmp_path / "a.xlsx")
    wb.active["E3"] = int(WIFE)  # a valid ID that reached the file as a number
    wb.save(tmp_path / "a.xlsx")
    v = validate_inputs(tmp_path, as_of=AS_OF)
    hit = only(v.log.frame(), "I005")
    assert hit["行号"].tolist() == [3] and hit["级别"].item() == "错误"
    assert not v.members["id_ok"].iloc[1]  # decided by the cell type, even though the digits check out
    assert "I003" not in set(v.log.frame()["代码"])


def test_duplicate_ids_in_household_township_and_county(tmp_path):
    other = make_id("431226", "19600101", 31)
    write(tmp_path / "白沙镇.xlsx", [person("张三", HEAD, "户主"), person("张三", HEAD, "之子", sex=""),
                                     person("王五", other, "户主", hid="0002", size=1)])
    write(tmp_path / "清水乡.xlsx", [person("王五", other, "户主", hid="0009", town="清水乡", size=1)])
    v = validate_inputs(tmp_path, as_of=AS_OF)
    issues = v.log.frame()
    assert set(only(issues, "I006")["行号"]) == {2, 3}
    county = only(issues, "I008")
    assert set(county["文件"]) == {"白沙镇.xlsx", "清水乡.xlsx"}
    assert "清水乡.xlsx" in county.loc[county["文件"] == "白沙镇.xlsx", "说明"].item()  # names the other place
    write(tmp_path / "白沙镇.xlsx", [person("王五", other, "户主", hid="0002", size=1),
                                     person("王五", other, "户主", hid="0003", size=1)])
    (tmp_path / "清水乡.xlsx").unlink()
    assert len(only(validate_inputs(tmp_path, as_of=AS_OF).log.frame(), "I007")) == 2


def test_sex_checks(tmp_path):
    son_female = make_id("431226", "19950101", 40, female=True)
    _, issues = issues_for(tmp_path, [
        person("张三", HEAD, "户主", sex="女"),
        person("王二", make_id("431226", "19720202", 14, female=False), "配偶"),
        person("张丽", son_female, "之子"),
    ])
    assert only(issues, "I009")["行号"].tolist() == [2]
    assert only(issues, "I010")["行号"].tolist() == [3]
    assert only(issues, "I011")["行号"].tolist() == [4]


def test_household_structure(tmp_path):
    _, issues = issues_for(tmp_path, [
        person("李四", WIFE, "配偶", hid=""),  # before any head, no 户编号
        person("张三", HEAD, "户主", hid="0001"), person("张四", make_id("431226", "19710101", 21), "户主",
                                                    hid="0001"),
        person("王五", make_id("431226", "19600101", 31), "配偶", hid="0005", sex=""),
    ])
    h004 = only(issues, "H004")
    assert h004["行号"].tolist() == [2] and h004["级别"].item() == "错误"
    assert set(only(issues, "H002")["行号"]) == {3, 4}
    assert only(issues, "H001")["行号"].tolist() == [5]


def test_household_fields_from_head_row_and_conflicts(tmp_path):
    v, issues = issues_for(tmp_path, [person("张三", HEAD, "户主"),
                                      person("李四", WIFE, "配偶", category="一般农户", status="")])
    assert set(v.members["category"]) == {"建档立卡贫困户"}
    assert only(issues, "H005")["行号"].tolist() == [3]


def test_required_values_and_enums(tmp_path):
    _, issues = issues_for(tmp_path, [person("", HEAD, "户主", labour="很能干"), person("李四", WIFE, "配偶")])
    v001 = only(issues, "V001")
    assert v001["列"].tolist() == ["姓名"]
    v002 = only(issues, "V002")
    assert v002["列"].tolist() == ["劳动技能"] and v002["值"].item() == "很能干"
    assert "普通劳动力" in v002["说明"].item()


def test_numbers(tmp_path):
    incomes = ("1,234元", "两千", -5)
    v, issues = issues_for(tmp_path, [person("张三", HEAD, "户主", incomes=incomes),
                                      person("李四", WIFE, "配偶", incomes=incomes)])
    assert v.members["wage_income"].iloc[0] == 1234.0
    assert only(issues, "V003")["列"].tolist() == ["生产经营性收入"]
    assert only(issues, "V004")["列"].tolist() == ["转移性收入"]


def test_age_labour_and_disability_plausibility(tmp_path):
    child = make_id("431226", "20150101", 51)
    _, issues = issues_for(tmp_path, [
        person("张三", HEAD, "户主", age=40, labour="无劳动力"),
        person("李四", WIFE, "配偶", grade="二级"),
        person("张小", child, "之子", labour="普通劳动力", age=9),
    ])
    assert only(issues, "V005")["行号"].tolist() == [2]  # 40 given, 54 from the ID
    assert set(only(issues, "V010")["行号"]) == {2, 4}
    assert only(issues, "V013")["行号"].tolist() == [3]


def test_poverty_status_and_incomes(tmp_path):
    _, issues = issues_for(tmp_path, [
        person("张三", HEAD, "户主", status="", size=1, total=99999),
        person("王五", make_id("431226", "19600101", 31), "户主", hid="0002", category="一般农户", status="已脱贫",
               size=1, incomes=("", "", "")),
    ])
    assert only(issues, "V009")["行号"].tolist() == [2]
    assert only(issues, "V006")["行号"].tolist() == [2]
    assert only(issues, "V011")["行号"].tolist() == [3]
    assert only(issues, "V008")["行号"].tolist() == [3]


def test_household_size_rules(tmp_path):
    headers = ["乡镇", "行政村", "户主姓名", "户主证件号码", "户类别", "脱贫属性", "家庭人口", "有劳动能力人数",
               "工资性收入", "生产经营性收入", "转移性收入"]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(headers)
    ws.append(["白沙镇", "白沙村", "张三", HEAD, "建档立卡贫困户", "已脱贫", 0, 1, 1, 1, 1])
    wb.save(tmp_path / "户表.xlsx")
    issues = validate_inputs(tmp_path, as_of=AS_OF).log.frame()
    assert only(issues, "V012")["行号"].tolist() == [2]


def test_household_fact_checks():
    h = pd.DataFrame({
        "hh_key": ["镇|1", "镇|2"], "township": ["镇", "镇"], "source_file": ["a.xlsx"] * 2,
        "source_sheet": ["花名册"] * 2, "source_row": [2, 5], "size_declared": pd.array([3, 2], dtype="Int64"),
        "members": [2, 2], "per_capita_declared": [5000.0, float("nan")], "per_capita": [4000.0, 3000.0],
    })
    log = IssueLog()
    validate_households(h, log)
    issues = log.frame()
    assert only(issues, "H003")["hh_key"].tolist() == ["镇|1"]
    assert only(issues, "V007")["行号"].tolist() == [2]


def test_errors_block_households(tmp_path):
    _, issues = issues_for(tmp_path, [person("张三", bad_check_id(HEAD), "户主"), person("李四", WIFE, "配偶"),
                                      person("王五", make_id("431226", "19600101", 31), "户主", hid="0002",
                                             size=1)])
    blocked = blocking_reasons(issues)
    assert list(blocked.index) == ["白沙镇|0001"]
    assert "校验位" in blocked.iloc[0]


def test_blank_or_absent_declared_per_capita_is_not_compared(tmp_path):
    from fourcard_excel.pipeline import classify_inputs

    write(tmp_path / "a.xlsx", [person("张三", HEAD, "户主"), person("李四", WIFE, "配偶")])
    result = classify_inputs(tmp_path, as_of=AS_OF)
    assert "V007" not in set(result.issues["代码"])
    assert result.households["per_capita_declared"].isna().all()


def test_check_ids_agrees_with_the_rules_row_by_row():
    """The array check of 18-character IDs gives what the rules give one ID at a time."""
    import random
    import re

    import pandas as pd

    from fourcard_excel.ingest.ids import BAD_CHECK, BAD_DATE, BAD_FORMAT, EMPTY, OK, check_digit, check_ids, make_id

    rng = random.Random(11)
    values = ["", "X" * 18, "4201011980030500１X", "42010119800305001"]
    for _ in range(3000):
        year, month, day = rng.randint(1850, 2100), rng.randint(0, 13), rng.randint(0, 32)
        first17 = f"420101{year:04d}{month:02d}{day:02d}{rng.randint(0, 999):03d}"
        good = first17 + check_digit(first17)
        kind = rng.randint(0, 4)
        values.append(good if kind < 2 else good[:17] + rng.choice("0123456789X") if kind == 2
                      else good[:rng.randint(0, 17)] + rng.choice("aX中 ") + good[rng.randint(0, 17):])
    values.append(make_id("420101", "19800305", 7, female=True))

    def expected(v: str) -> tuple[str, object, str]:
        if v == "":
            return EMPTY, None, ""
        if not re.fullmatch(r"[0-9]{17}[0-9X]", v):
            return BAD_FORMAT, None, ""
        sex = "男" if int(v[16]) % 2 else "女"
        try:
            born = dt.datetime.strptime(v[6:14], "%Y%m%d")
        except ValueError:
            born = None
        if check_digit(v[:17]) != v[17]:
            return BAD_CHECK, born, sex
        if born is None or born.year < 1900:
            return BAD_DATE, born, sex
        return OK, born, sex

    got = check_ids(pd.Series(values, dtype="str"))
    for v, status, birth, sex in zip(values, got["status"], got["birth_date"], got["sex"]):
        want_status, want_birth, want_sex = expected(v)
        assert (status, sex) == (want_status, want_sex), v
        assert (None if pd.isna(birth) else birth.to_pydatetime()) == want_birth, v
