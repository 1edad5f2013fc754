"""National system exports read as they come (issue 12): every mapping of SPEC "National system
exports", on workbooks laid out like the 2021+ monitoring export and the 2016–2020 建档立卡 roster."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from national_rosters import IRRELEVANT, household, person, write_monitoring_export

from fourcard_excel import registry
from fourcard_excel.pipeline import classify_inputs, validate_inputs

AS_OF = dt.date(2024, 3, 18)


def classify(folder, **kw):
    r = classify_inputs(folder, as_of=AS_OF, **kw)
    return r, r.issues


def by_hid(result):
    return result.households.set_index("household_id")


def codes(issues, level=None):
    sel = issues if level is None else issues[issues["级别"] == level]
    return list(sel["代码"])


# ---------------------------------------------------------------- headers


def test_noise_words_in_headers_map_to_the_field():
    for header, key in (("房屋是否装修豪华", "luxury_house"), ("有无消费型汽车", "has_car"),
                        ("是否有消费型汽车", "has_car"), ("健康状况", "health"), ("在校生情况", "schooling"),
                        ("风险是否已消除", "risk_eliminated"), ("乡（镇）", "township"), ("乡", "township"),
                        ("行政村", "village"), ("村", "village"), ("脱贫标志", "poverty_status"),
                        ("当前家庭人口数", "size_declared"), ("纯收入（元）", "net_income_declared"),
                        ("年收入（元）", "income_total_declared"), ("致贫返贫风险3", "risk_3")):
        assert registry.lookup_header(header) == key, header
    # 户类型 (national) is its own field now, not an alias of 户类别
    assert registry.lookup_header("户类型") == "household_type"
    assert registry.lookup_header("户类别") == "category"


def test_no_two_keys_of_a_table_kind_collide_after_normalisation():
    for kind, (columns, _) in registry.TABLE_KINDS.items():
        seen: dict[str, str] = {}
        for col in columns:
            for name in col.all_names:
                norm = registry.normalize_header(name)
                assert seen.setdefault(norm, col.key) == col.key, (kind, name, seen[norm], col.key)


def test_known_irrelevant_headers_are_not_taken_for_fields():
    assert registry.ignored_header("序号") and registry.ignored_header("是否在校生")
    # "是否在校生" would lose its noise word and read as 在校生; the ignore list comes first
    from fourcard_excel.ingest.read import _header_keys
    assert _header_keys(["是否在校生", "在校生状况", "序号"], "roster") == [None, "schooling", None]


# ---------------------------------------------------------------- the monitoring export


def _export(tmp_path, households, **kw):
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    rows = write_monitoring_export(folder / "金溪镇监测对象信息.xlsx", households, **kw)
    return folder, rows


def test_household_type_monitoring_class_and_risk_elimination(tmp_path):
    low = (3000, 0, 0, 3000)  # per capita 3000 for two persons
    hs = [
        household("H01", "金坪村", [person("甲一", "19700101", False, "户主", 1), person("甲二", "19720101", True, "配偶", 3)],
                  htype="脱贫户", mclass="脱贫不稳定户", eliminated="否", incomes=low),
        household("H02", "金坪村", [person("乙一", "19700202", False, "户主", 5), person("乙二", "19720202", True, "配偶", 7)],
                  htype="脱贫户", mclass="脱贫不稳定户", eliminated="是", risks=("因病",), incomes=low),
        household("H03", "金坪村", [person("丙一", "19700303", False, "户主", 9, health="患有大病", labour="丧失劳动力"),
                                   person("丙二", "19720303", True, "配偶", 11)],
                  htype="普通农户", mclass="边缘易致贫户", eliminated="否", risks=("因病",), incomes=low),
        household("H04", "金坪村", [person("丁一", "19700404", False, "户主", 13), person("丁二", "19720404", True, "配偶", 15)],
                  htype="监测户", mclass="突发严重困难户", eliminated="是", risks=("因自然灾害",), incomes=low),
        household("H05", "金坪村", [person("戊一", "19700505", False, "户主", 17), person("戊二", "19720505", True, "配偶", 19)],
                  htype="普通农户", risks=("因自然灾害", "务工就业不稳"), incomes=low),
        household("H06", "金坪村", [person("己一", "19700606", False, "户主", 21), person("己二", "19720606", True, "配偶", 23)],
                  htype="", incomes=low),
    ]
    folder, _ = _export(tmp_path, hs)
    r, issues = classify(folder)
    h = by_hid(r)
    assert list(h.loc[["H01", "H02", "H03", "H04", "H05", "H06"], "category"]) == [
        "建档立卡贫困户", "建档立卡贫困户", "边缘户", "边缘户", "一般农户", "一般农户"]
    assert list(h.loc[["H01", "H02"], "poverty_status"]) == ["已脱贫", "已脱贫"]
    assert list(h["monitored"].loc[["H01", "H02", "H03", "H04", "H05"]]) == [True, False, True, False, False]
    # risks 1..5 are 风险类型; an eliminated risk is history
    assert h.at["H02", "risk_types"] == "" and h.at["H04", "risk_types"] == ""
    assert h.at["H03", "risk_types"] == "因病"
    assert h.at["H05", "risk_types"] == "因灾、因务工就业不稳"
    # 脱贫监测户 with per capita 3000 → 黄卡; eliminated and healthy → 绿卡; edge household ill → 蓝卡;
    # eliminated disaster risk → no risk → 不纳入; current disaster risk → 蓝卡
    assert list(h.loc[["H01", "H02", "H03", "H04", "H05", "H06"], "card"]) == [
        "黄卡", "绿卡", "蓝卡", "不纳入", "蓝卡", "不纳入"]
    assert "错误" not in set(issues["级别"]), issues[issues["级别"] == "错误"].to_dict("records")


def test_grade_level_schooling_sex_codes_and_birth_dates(tmp_path):
    kids = [("学前教育", "学前", "20190601"), ("学龄前儿童", "学前", "20200601"), (" 九年级", "七至九年级", "20090601"),
            ("七年级", "七至九年级", "20110601"), ("普通高中二年级", "普通高中", "20070601"),
            ("中职一年级", "中职", "20080601"), ("高职高专三年级", "高职高专", "20030601"), ("本科", "本科", "20040601"),
            ("硕士生及以上", "研究生", "20000601"), ("", "非在校生", "19990601")]
    people = [person("户主甲", "19750101", False, "户主", 1)]
    for i, (raw, _, birth) in enumerate(kids):
        people.append(person(f"子{i}", birth, i % 2 == 1, "之女" if i % 2 else "之子", 31 + 2 * i, school=raw,
                             labour="无劳动力"))
    people[1]["出生日期"] = "20190602"  # one declared birth date disagrees with the ID
    people[2]["出生日期"] = "20200601.0"  # as a number cell turned text: fine
    folder, rows = _export(tmp_path, [household("H01", "金坪村", people)])
    v = validate_inputs(folder, as_of=AS_OF)
    m = v.members.set_index("name")
    for i, (_, canonical, _) in enumerate(kids):
        assert m.at[f"子{i}", "schooling"] == canonical, kids[i]
    assert m.at["户主甲", "sex"] == "男" and m.at["子1", "sex"] == "女"
    issues = v.log.frame()
    assert not {"V002", "I009"} & set(issues["代码"])
    i012 = issues[issues["代码"] == "I012"]
    assert list(i012["行号"]) == [rows["H01"][1]] and i012["级别"].iat[0] == "警告"


def test_disability_certificate_numbers(tmp_path):
    head = person("残一", "19600101", False, "户主", 1, health="健康", labour="丧失劳动力")
    head["证件号码"] = head["_id"] + "42"  # 20 chars: 类别4, 等级2
    head["证件类型"] = "残疾人证"
    wife = person("残二", "19620101", True, "配偶", 3, health="长期慢性病", labour="弱劳动力或半劳动力")
    wife["证件号码"] = wife["_id"] + "13" + "01"  # 22 chars
    son = person("残三", "19900101", False, "之子", 5, health="")
    son["证件号码"] = son["_id"] + "51"
    folder, rows = _export(tmp_path, [household("H01", "金坪村", [head, wife, son], incomes=(0, 0, 0, 6000))])
    r, issues = classify(folder)
    m = r.members.set_index("name")
    assert m.at["残一", "id_number"] == head["_id"] and m.at["残一", "id_ok"]
    assert m.at["残一", "health"] == "残疾" and m.at["残一", "disability_grade"] == "二级"
    assert m.at["残二", "health"] == "长期慢性病、残疾" and m.at["残二", "disability_grade"] == "三级"
    assert m.at["残三", "health"] == "残疾" and m.at["残三", "disability_grade"] == "一级"
    assert by_hid(r).at["H01", "severe_disabled"]
    assert "错误" not in set(issues["级别"])
    i013 = issues[issues["代码"] == "I013"]
    assert list(i013["行号"]) == [rows["H01"][1]] and i013["级别"].iat[0] == "提示"


def test_household_fields_on_every_row_are_not_conflicts_and_title_rows_are_skipped(tmp_path):
    people = [person("甲", "19700101", False, "户主", 1), person("乙", "19720101", True, "配偶", 3)]
    wrong = household("H02", "金坪村", [person("丙", "19710101", False, "户主", 5)])
    wrong["fields"]["纯收入（元）"] += 500  # the declared net income disagrees
    folder, rows = _export(tmp_path, [household("H01", "金坪村", people), wrong])
    r, issues = classify(folder)
    assert "H005" not in set(issues["代码"])
    v015 = issues[issues["代码"] == "V015"]
    assert list(v015["行号"]) == rows["H02"] and v015["级别"].iat[0] == "警告"
    assert r.members["source_row"].tolist()[:2] == rows["H01"] == [4, 5]
    assert by_hid(r).at["H01", "size_declared"] == 2


def test_irrelevant_columns_are_carried_quietly_and_not_in_card_sheets(tmp_path):
    people = [person("甲", "19700101", False, "户主", 1), person("乙", "19720101", True, "配偶", 3)]
    folder, _ = _export(tmp_path, [household("H01", "金坪村", people)], irrelevant=150)
    r, issues = classify(folder)
    extras = [c for c in r.members.columns if c.startswith("extra:")]
    known = {"享受低保政策情况", "享受特困供养政策情况"} & {h for h in IRRELEVANT}  # roster columns of the measures
    assert len(extras) == 150 - len([h for h in IRRELEVANT if h in known])
    assert "extra:耕地面积（亩）" in extras and "extra:公益性岗位收入" in extras
    # one note for all of them, no "close to a known field" warning for irrelevant columns
    assert codes(issues).count("F010") == 1 and "F014" not in codes(issues)
    assert not any(c.startswith("extra:") for c in r.households.columns)


def test_required_columns_accept_the_export_alternatives(tmp_path):
    people = [person("甲", "19700101", False, "户主", 1)]
    folder, _ = _export(tmp_path, [household("H01", "金坪村", people)])
    v = validate_inputs(folder, as_of=AS_OF)
    assert "F009" not in set(v.log.frame()["代码"]) and len(v.members) == 1


def test_missing_rule_columns_one_warning_per_file(tmp_path):
    people = [person("甲", "19700101", False, "户主", 1)]
    folder, _ = _export(tmp_path, [household("H01", "金坪村", people)])
    write_monitoring_export(folder / "金溪镇第二片.xlsx", [household("H02", "银坪村", [person("乙", "19710101", False, "户主", 3)])])
    r, issues = classify(folder)
    f015 = issues[issues["代码"] == "F015"]
    assert sorted(f015["文件"]) == sorted(["金溪镇第二片.xlsx", "金溪镇监测对象信息.xlsx"])
    assert set(f015["级别"]) == {"警告"} and set(f015["行号"]) == {3}  # the header row
    text = f015["说明"].iat[0]
    for name in ("有消费型汽车", "房屋装修豪华", "父母单独立户且子女有赡养能力", "教育支出", "补充信息表"):
        assert name in text
    # what the export supplies is not reported missing
    for name in ("户类别", "脱贫属性", "脱贫监测户", "风险类型", "家庭人口"):
        assert f"“{name}”" not in text


def test_missing_warning_follows_the_rules_file(tmp_path):
    rules = (registry_rules_text()
             .replace('id = "car"\nname = "有消费型汽车"\nenabled = true', 'id = "car"\nname = "有消费型汽车"\nenabled = false'))
    (tmp_path / "r.toml").write_text(rules, encoding="utf-8")
    people = [person("甲", "19700101", False, "户主", 1)]
    folder, _ = _export(tmp_path, [household("H01", "金坪村", people)])
    _, issues = classify(folder, rules_path=tmp_path / "r.toml")
    text = issues.loc[issues["代码"] == "F015", "说明"].iat[0]
    assert "有消费型汽车" not in text and "房屋装修豪华" in text


def registry_rules_text() -> str:
    from fourcard_excel.rules.ruleset import default_rules_path
    return default_rules_path().read_text(encoding="utf-8")


def test_read_columns_come_from_the_rules_file():
    from fourcard_excel.rules.facts import read_columns
    from fourcard_excel.rules.ruleset import load_rules, parse_rules
    default = read_columns(load_rules())
    for key in ("has_car", "luxury_house", "parents_separate", "education_cost", "labour", "health", "schooling",
                "household_type", "monitor_class", "risk_1", "risk_eliminated", "relation", "township"):
        assert key in default, key
    for key in ("main_cause", "employment", "policies_enjoyed", "disability_grade", "sex"):
        assert key not in default, key
    severe = registry_rules_text().replace(
        'condition = "ill_or_disabled"\n', 'condition = "ill_or_disabled or severe_disabled"\n', 1)
    assert "disability_grade" in read_columns(parse_rules(severe))


def test_close_header_warns_only_for_unmapped_rule_columns(tmp_path):
    headers = ["乡镇", "行政村", "户编号", "姓名", "证件号码", "与户主关系", "健康状况", "劳动技能", "户类别", "脱贫属性",
               "工资性收入", "生产经营性收入", "转移性收入", "家庭有小汽车", "教育开支", "享受低保政策情况",
               "享受特困供养政策情况", "民族", "主要致贫原因说明"]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(headers)
    pid = person("甲", "19700101", False, "户主", 1)["_id"]
    ws.append(["白沙镇", "白沙村", "1", "甲", pid, "户主", "健康", "普通劳动力", "一般农户", "", 9000, 0, 0, "是", 100,
               "未享受", "未享受", "汉族", ""])
    ws.cell(2, 5).number_format = "@"
    wb.save(tmp_path / "a.xlsx")
    v = validate_inputs(tmp_path, as_of=AS_OF)
    issues = v.log.frame()
    f014 = issues[issues["代码"] == "F014"].set_index("列")
    assert set(f014.index) == {"家庭有小汽车", "教育开支"}
    assert "可能是“有消费型汽车”" in f014.at["家庭有小汽车", "说明"]
    assert "可能是“教育支出”" in f014.at["教育开支", "说明"]
    assert set(f014["级别"]) == {"警告"}


# ---------------------------------------------------------------- values


def test_unknown_values_block_only_in_columns_the_rules_read(tmp_path):
    headers = ["乡镇", "行政村", "户编号", "姓名", "证件号码", "与户主关系", "健康状况", "劳动技能", "户类别", "脱贫属性",
               "工资性收入", "生产经营性收入", "转移性收入", "主要致贫原因", "性别"]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(headers)
    a = person("甲", "19700101", False, "户主", 1)["_id"]
    b = person("乙", "19710101", False, "户主", 3)["_id"]
    ws.append(["白沙镇", "白沙村", "1", "甲", a, "户主", "健康", "待核实", "一般农户", "", 9000, 0, 0, "", ""])
    ws.append(["白沙镇", "白沙村", "2", "乙", b, "户主", "健康", "普通劳动力", "一般农户", "", 9000, 0, 0, "因婚", "男士"])
    wb.save(tmp_path / "a.xlsx")
    r, issues = classify(tmp_path)
    h = by_hid(r)
    assert h.at["1", "card"] == "未判定" and h.at["2", "card"] == "不纳入"
    v002 = issues[issues["代码"] == "V002"]
    assert list(v002["值"]) == ["待核实"] and "普通劳动力" in v002["说明"].iat[0]
    v014 = issues[issues["代码"] == "V014"]
    assert sorted(v014["值"]) == ["因婚", "男士"] and set(v014["级别"]) == {"提示"}
    assert h.at["2", "main_cause"] == "因婚"  # kept as written


def test_2016_roster_with_poverty_attribute_and_old_vocabulary(tmp_path):
    headers = ["县(市、区、旗)", "乡(镇)", "行政村", "自然村", "户编号", "人编号", "姓名", "身份证号", "家庭人口数",
               "与户主关系", "民族", "文化程度", "在校生状况", "健康状况", "劳动技能", "脱贫标志", "贫困户属性",
               "主要致贫原因", "工资性收入", "生产经营性收入", "转移性收入", "人均纯收入"]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["建档立卡贫困人口信息"])
    ws.append(headers)
    status = {"A1": "脱贫", "A2": "预脱贫", "A3": "已脱贫(享受政策)", "A4": "已脱贫（不再享受政策）", "A5": "返贫"}
    for n, (hid, word) in enumerate(status.items()):
        pid = person("x", f"197{n}0101", False, "户主", 1 + 2 * n)["_id"]
        kid = person("y", "20080101", True, "之女", 41 + 2 * n)["_id"]
        ws.append(["云溪县", "柳塘乡", "柳村", "一组", hid, hid + "01", f"户主{n}", pid, 2, "户主", "汉族", "初中",
                   "非在校生", "健康", "普通劳动力", word, "一般贫困户", "缺资金", 30000, 0, 0, 15000])
        ws.append(["云溪县", "柳塘乡", "柳村", "一组", hid, hid + "02", f"女{n}", kid, "", "之女", "汉族", "初中",
                   "高中一年级", "健康", "无劳动力", "", "", "", "", "", "", ""])
    wb.save(tmp_path / "柳塘乡.xlsx")
    r, issues = classify(tmp_path)
    h = by_hid(r)
    assert set(h["category"]) == {"建档立卡贫困户"}
    assert list(h.loc[list(status), "poverty_status"]) == ["已脱贫", "未脱贫", "已脱贫", "已脱贫", "返贫"]
    assert set(r.members.loc[~r.members["is_head"], "schooling"]) == {"普通高中"}
    assert list(h.loc[list(status), "card"]) == ["绿卡", "黄卡", "绿卡", "绿卡", "黄卡"]
    assert "错误" not in set(issues["级别"]), issues[issues["级别"] == "错误"].to_dict("records")
    assert "F009" not in set(issues["代码"])


def test_preschool_and_luxury_house_header_misread_nobody(tmp_path):
    """The issue's two examples: 学前教育 blocked households, 房屋是否装修豪华 was silently ignored."""
    headers = ["乡镇", "行政村", "户编号", "姓名", "证件号码", "与户主关系", "健康状况", "劳动技能", "在校生状况", "户类别",
               "脱贫属性", "工资性收入", "生产经营性收入", "转移性收入", "风险类型", "房屋是否装修豪华"]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(headers)
    rows = [("1", "户主", "19800101", False, "患有大病", "丧失劳动力", "", "是"),
            ("1", "之子", "20190601", False, "健康", "无劳动力", "学前教育", ""),
            ("2", "户主", "19810101", False, "患有大病", "丧失劳动力", "", "否"),
            ("2", "之女", "20200601", True, "健康", "无劳动力", "学前教育", "")]
    for n, (hid, rel, birth, female, health, labour, school, lux) in enumerate(rows):
        pid = person("x", birth, female, rel, 1 + 2 * n)["_id"]
        ws.append(["白沙镇", "白沙村", hid, f"人{n}", pid, rel, health, labour, school, "边缘户", "", 3000, 0, 1000,
                   "因病", lux])
    wb.save(tmp_path / "a.xlsx")
    r, issues = classify(tmp_path)
    h = by_hid(r)
    assert not (h["card"] == "未判定").any()
    assert h.at["1", "card"] == "不纳入" and "房屋装修豪华" in h.at["1", "exclusions"]
    assert h.at["2", "card"] == "蓝卡"
    assert "F014" not in set(issues["代码"]) and "V002" not in set(issues["代码"])


# ---------------------------------------------------------------- files


def test_unicode_text_and_tab_separated_txt_are_read(tmp_path):
    header = ["乡镇", "行政村", "姓名", "证件号码", "与户主关系", "劳动技能", "户类别", "脱贫属性", "工资性收入",
              "生产经营性收入", "转移性收入"]
    pid = person("x", "19700101", False, "户主", 1)["_id"]
    lines = ["\t".join(header), "\t".join(["白沙镇", "白沙村", "甲", pid, "户主", "普通劳动力", "一般农户", "", "9000",
                                          "0", "0"])]
    (tmp_path / "Unicode文本.txt").write_bytes(b"\xff\xfe" + "\r\n".join(lines).encode("utf-16-le"))
    other = person("x", "19710101", False, "户主", 3)["_id"]
    (tmp_path / "csv.csv").write_text("\n".join(lines).replace(pid, other).replace("甲", "乙"), encoding="utf-8")
    (tmp_path / "说明.txt").write_text("这是说明文字，不是表格。\n请勿处理。\n", encoding="utf-8")
    v = validate_inputs(tmp_path, as_of=AS_OF)
    assert sorted(v.members["name"]) == ["乙", "甲"]
    files = {f.rel: f for f in v.files}
    assert files["Unicode文本.txt"].status == "已处理"
    assert files["说明.txt"].status == "已跳过" and files["说明.txt"].code == "F001"
    assert "错误" not in set(v.log.frame()["级别"])


def test_txt_with_tabs_but_no_table_header_is_skipped_not_failed(tmp_path):
    (tmp_path / "note.txt").write_text("a\tb\tc\n1\t2\t3\n", encoding="utf-8")
    pid = person("x", "19700101", False, "户主", 1)["_id"]
    folder, _ = _export(tmp_path, [household("H01", "金坪村", [person("甲", "19700101", False, "户主", 1)])])
    (folder / "note.txt").write_text("a\tb\tc\n1\t2\t3\n", encoding="utf-8")
    v = validate_inputs(folder, as_of=AS_OF)
    f = {x.rel: x for x in v.files}["note.txt"]
    assert (f.status, f.code) == ("已跳过", "F001") and len(v.members) == 1 and pid


@pytest.mark.parametrize("with_hid", [True, False])
def test_supplementary_table_fills_and_overrides_household_fields(tmp_path, with_hid):
    low = (3000, 0, 0, 1000)
    ill = [person("甲", "19700101", False, "户主", 1, health="患有大病", labour="丧失劳动力"),
           person("乙", "19720101", True, "配偶", 3)]
    other = [person("丙", "19710101", False, "户主", 5, health="患有大病", labour="丧失劳动力"),
             person("丁", "19730101", True, "配偶", 7)]
    folder, _ = _export(tmp_path, [household("H01", "金坪村", ill, htype="普通农户", mclass="边缘易致贫户",
                                             eliminated="否", risks=("因病",), incomes=low),
                                   household("H02", "金坪村", other, htype="普通农户", mclass="边缘易致贫户",
                                             eliminated="否", risks=("因病",), incomes=low)])
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "补充信息"
    ident = "户编号" if with_hid else "户主证件号码"
    ws.append(["乡镇", ident, "有消费型汽车", "房屋是否装修豪华", "父母单独立户且子女有赡养能力", "教育支出", "户类型"])
    ws.append(["金溪镇", "H01" if with_hid else ill[0]["_id"], "是", "否", "否", 0, ""])
    ws.append(["金溪镇", "H02" if with_hid else other[0]["_id"], "否", "否", "否", 0, "脱贫户"])
    ws.append(["金溪镇", "H99" if with_hid else person("z", "19990101", False, "户主", 99)["_id"], "是", "否", "否", 0, ""])
    for row in (2, 3, 4):
        ws.cell(row, 2).number_format = "@"
    wb.save(folder / "金溪镇补充信息表.xlsx")
    r, issues = classify(folder)
    h = by_hid(r)
    assert h.at["H01", "has_car"] and h.at["H01", "card"] == "不纳入"  # excluded by the filled fact
    # 户类型 corrected to 脱贫户 by the supplement: registered, 已脱贫, monitored, ill, low income → 黄卡
    assert h.at["H02", "category"] == "建档立卡贫困户" and h.at["H02", "card"] == "黄卡"
    # the export's own 户类型 was overridden: listed as old → new
    h006 = issues[issues["代码"] == "H006"]
    assert len(h006) == 1 and "由“普通农户”改为“脱贫户”" in h006["说明"].iat[0]
    assert h006["级别"].iat[0] == "提示"
    h007 = issues[issues["代码"] == "H007"]
    assert len(h007) == 1 and h007["行号"].iat[0] == 4
    # what the supplement gave is no longer reported missing
    text = issues.loc[issues["代码"] == "F015", "说明"]
    assert all("有消费型汽车" not in t and "教育支出" not in t for t in text)
    kinds = r.files.set_index("文件")["类型"]
    assert kinds["金溪镇补充信息表.xlsx"] == "补充信息表"
    assert IRRELEVANT  # the export also carried its irrelevant columns
