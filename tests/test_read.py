"""Reading rosters as they really arrive: layouts, aliases, merges, source rows, file problems."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
import pytest
import xlwt
from rosters import (
    FAMILY_A,
    FAMILY_C,
    MEMBER_HEADERS,
    family_rows,
    write_gbk_csv,
    write_household_roster,
    write_member_roster,
    write_merged_roster,
)

from fourcard_excel.pipeline import validate_inputs

AS_OF = dt.date(2024, 3, 18)


def run(path):
    v = validate_inputs(path, as_of=AS_OF)
    return v, v.log.frame()


def codes(issues, file=None):
    sel = issues if file is None else issues[issues["文件"] == file]
    return set(sel["代码"])


def test_member_roster_title_totals_notes_and_source_rows(tmp_path):
    where = write_member_roster(tmp_path / "白沙镇.xlsx")
    v, issues = run(tmp_path)
    m = v.members
    assert list(m["source_row"]) == where["rows"]  # the rows the user sees in Excel
    assert set(m["source_file"]) == {"白沙镇.xlsx"} and set(m["source_sheet"]) == {"花名册"}
    assert where["totals"] not in set(m["source_row"]) and where["notes"] not in set(m["source_row"])
    assert m["hh_key"].nunique() == 3
    assert m.loc[m["name"] == "张伟", "relation"].item() == "之子"
    assert m.loc[m["name"] == "陈芳", "relation"].item() == "配偶"  # "妻" accepted
    assert m.loc[m["name"] == "张建国", "wage_income"].item() == 12000.0
    assert "extra:序号" in m.columns  # unknown columns kept
    assert not (issues["级别"] == "错误").any(), issues


def test_two_row_header_with_merged_group_and_household_cells(tmp_path):
    where = write_merged_roster(tmp_path / "清水乡.xlsx")
    v, issues = run(tmp_path)
    m = v.members
    assert len(m) == len(FAMILY_A) + len(FAMILY_C)
    # household cells merged down over member rows are filled within the household
    start, end = where["households"][0]
    fam = m[(m["source_row"] >= start) & (m["source_row"] <= end)]
    assert set(fam["household_id"]) == {"4312260030010001"}
    assert set(fam["category"]) == {"建档立卡贫困户"} and set(fam["village"]) == {"清水村"}
    assert set(fam["wage_income"]) == {8000.0} and set(fam["transfer_income"]) == {1500.0}
    assert set(fam["business_income"]) == {1000.0}  # 经营性收入 under the merged 收入情况（元）
    assert where["subtotal"] not in set(m["source_row"])
    assert "F009" not in codes(issues)


def test_household_level_roster_recognised(tmp_path):
    write_household_roster(tmp_path / "东岭乡.xlsx")
    v, issues = run(tmp_path)
    m = v.members
    assert set(m["roster_level"]) == {"household"} and m["is_head"].all()
    assert list(m["n_labour_able"]) == [0, 1] and list(m["size_declared"]) == [2, 3]
    assert m["risk_types"].iloc[1] == "因病、因学"
    assert m["name"].iloc[0] == "赵大山"  # 户主姓名 maps to the name of the head


def test_gbk_csv_and_line_numbers(tmp_path):
    write_gbk_csv(tmp_path / "西河镇.csv")
    v, issues = run(tmp_path)
    assert list(v.members["source_row"]) == [2, 3, 4]
    assert v.members["name"].iloc[0] == "王桂兰"
    assert v.members["household_id"].iloc[0] == "4312260040010001"  # digits kept as text


def test_utf8_bom_csv(tmp_path):
    rows = [",".join(MEMBER_HEADERS)]
    for row in family_rows(FAMILY_C, "南山镇", "南山村", "0012"):
        rows.append(",".join(str(c) for c in row))
    (tmp_path / "南山镇.csv").write_text("\n".join(rows), encoding="utf-8-sig")
    v, _ = run(tmp_path)
    assert list(v.members["township"]) == ["南山镇", "南山镇"]
    assert v.members["household_id"].iloc[0] == "0012"  # leading zeros survive


def test_legacy_xls(tmp_path):
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("花名册")
    ws.write(0, 0, "北坪乡花名册")
    for c, h in enumerate(MEMBER_HEADERS):
        ws.write(1, c, h)
    for r, row in enumerate(family_rows(FAMILY_A, "北坪乡", "北坪村", "4312260050010001"), start=2):
        for c, value in enumerate(row):
            ws.write(r, c, value)
    wb.save(str(tmp_path / "北坪乡.xls"))
    v, issues = run(tmp_path)
    assert len(v.members) == len(FAMILY_A)
    assert list(v.members["source_row"]) == [3, 4, 5, 6]
    assert v.members["id_ok"].all()
    assert v.files[0].status == "已处理"


def test_instruction_sheet_and_hidden_sheet_skipped(tmp_path):
    path = tmp_path / "城关镇.xlsx"
    write_member_roster(path, township="城关镇")
    wb = openpyxl.load_workbook(path)
    info = wb.create_sheet("填表说明", 0)
    info["A1"] = "填表说明：姓名、证件号码、与户主关系为必填"
    info["A3"] = "姓名"
    info["B3"] = "证件号码"
    info["C3"] = "与户主关系"
    info["A4"] = "示例人"
    hidden = wb.create_sheet("旧数据")
    for c, h in enumerate(MEMBER_HEADERS, 1):
        hidden.cell(1, c, h)
    hidden.sheet_state = "hidden"
    wb.save(path)
    v, issues = run(tmp_path)
    assert set(v.members["source_sheet"]) == {"花名册"}
    skipped = issues[issues["代码"] == "F011"]
    assert set(skipped["工作表"]) == {"填表说明", "旧数据"}


def test_aliases_fullwidth_brackets_units_and_spaces(tmp_path):
    headers = list(MEMBER_HEADERS)
    headers[5] = "公民身份号码"
    headers[8] = "身体 状况"
    headers[9] = "劳动力状况"
    headers[13] = "家庭人口数(人)"
    headers[14] = "工资性收入(元)"
    write_member_roster(tmp_path / "a.xlsx", headers=headers)
    v, issues = run(tmp_path)
    assert "F009" not in codes(issues)
    assert "F010" not in codes(issues)  # 序号 is known and ignored: no note
    assert v.members["wage_income"].iloc[0] == 12000.0 and v.members["health"].iloc[0] == "长期慢性病"


def test_missing_required_column_is_one_clear_issue(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    headers = [h for h in MEMBER_HEADERS if h != "劳动技能"]
    ws.append(headers)
    for row in family_rows(FAMILY_C, "白沙镇", "白沙村", "1"):
        del row[9]
        ws.append(row)
    wb.save(tmp_path / "缺列.xlsx")
    v, issues = run(tmp_path)
    f009 = issues[issues["代码"] == "F009"]
    assert len(f009) == 1
    assert f009["列"].item() == "劳动技能" and "劳动力状况" in f009["说明"].item()
    assert f009["行号"].item() == 1 and f009["工作表"].item() == "Sheet"
    assert len(v.members) == 0


def test_duplicate_column_warned_and_kept(tmp_path):
    headers = MEMBER_HEADERS + ["身份证号"]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(headers)
    for row in family_rows(FAMILY_C, "白沙镇", "白沙村", "1"):
        ws.append(row + ["重复"])
    wb.save(tmp_path / "重复列.xlsx")
    v, issues = run(tmp_path)
    assert "F012" in codes(issues)
    assert v.members["id_ok"].all()  # the first ID column is used


def test_na_text_is_not_lost(tmp_path):
    headers = MEMBER_HEADERS + ["务工情况"]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(headers)
    for n, row in enumerate(family_rows(FAMILY_C, "白沙镇", "白沙村", "1")):
        ws.append(row + (["NA"] if n == 0 else ["无"]))
    wb.save(tmp_path / "na.xlsx")
    v, _ = run(tmp_path)
    assert list(v.members["employment"]) == ["NA", "无"]


def _xlsx_bytes(tmp_path):
    write_member_roster(tmp_path / "x.xlsx")
    data = (tmp_path / "x.xlsx").read_bytes()
    (tmp_path / "x.xlsx").unlink()
    return data


@pytest.mark.parametrize("name,content,code", [
    ("空文件.xlsx", b"", "F002"),
    ("文本改名.xlsx", "姓名,证件号码\n张三,1\n".encode("utf-8"), "F003"),
    ("网页.xls", b"<html><body><table><tr><td>1</td></tr></table></body></html>", "F006"),
    ("加密.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600 + "EncryptionInfo".encode("utf-16-le")
     + b"\0" * 100, "F004"),
    ("乱码.csv", b"\xff\xfe\xff\x81\xff", "F013"),
])
def test_bad_files_become_one_issue_and_batch_goes_on(tmp_path, name, content, code):
    write_member_roster(tmp_path / "好文件.xlsx")
    (tmp_path / name).write_bytes(content)
    v, issues = run(tmp_path)
    bad = issues[issues["文件"] == name]
    assert list(bad["代码"]) == [code] and bad["级别"].item() == "错误"
    assert name in bad["说明"].item()
    assert len(v.members) == 7  # the good file was still read
    status = {f.rel: f.status for f in v.files}
    assert status[name] == "失败" and status["好文件.xlsx"] == "已处理"


def test_truncated_zip(tmp_path):
    data = _xlsx_bytes(tmp_path)
    (tmp_path / "截断.xlsx").write_bytes(data[: len(data) // 2])
    _, issues = run(tmp_path)
    assert list(issues.loc[issues["文件"] == "截断.xlsx", "代码"]) == ["F005"]


def test_zip_bomb_refused(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (64 << 20))
    (tmp_path / "炸弹.xlsx").write_bytes(buf.getvalue())
    _, issues = run(tmp_path)
    assert list(issues.loc[issues["文件"] == "炸弹.xlsx", "代码"]) == ["F007"]


def test_lock_hidden_and_other_files_skipped_not_errors(tmp_path):
    write_member_roster(tmp_path / "白沙镇.xlsx")
    (tmp_path / "~$白沙镇.xlsx").write_bytes(b"lock")
    (tmp_path / ".隐藏.xlsx").write_bytes(b"x")
    (tmp_path / "说明.docx").write_bytes(b"doc")
    sub = tmp_path / "子文件夹"
    sub.mkdir()
    write_member_roster(sub / "清水乡.xlsx", township="清水乡")
    v, issues = run(tmp_path)
    skipped = issues[issues["代码"] == "F001"]
    assert set(skipped["文件"]) == {"~$白沙镇.xlsx", ".隐藏.xlsx", "说明.docx"}
    assert set(skipped["级别"]) == {"提示"}
    assert set(v.members["source_file"]) == {"白沙镇.xlsx", "子文件夹/清水乡.xlsx"}


def test_no_roster_header(tmp_path):
    wb = openpyxl.Workbook()
    wb.active["A1"] = "这是一个会议通知"
    wb.save(tmp_path / "通知.xlsx")
    _, issues = run(tmp_path)
    assert "F008" in codes(issues, "通知.xlsx")


def test_side_tables_recognised_by_headers_with_cell_problems(tmp_path):
    from fourcard_excel.ingest.ids import make_id

    write_member_roster(tmp_path / "白沙镇.xlsx")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["岗位名称", "设岗层级", "乡镇", "行政村", "姓名", "证件号码"])
    ws.append(["保洁员", "村级", "白沙镇", "白沙村", "张三", make_id("431226", "19700101", 11)])
    ws.append(["护林员", "组级", "白沙镇", "白沙村", "李四", int(make_id("431226", "19710101", 13))])
    wb.save(tmp_path / "公益岗位.xlsx")
    v, issues = run(tmp_path)
    posts = v.tables["posts"]
    assert list(posts["post_level"]) == ["村级", ""] and posts["id_number"].iloc[1] == ""
    side = issues[issues["文件"] == "公益岗位.xlsx"].set_index("代码")
    assert side.loc["V002", "行号"] == 3 and side.loc["V002", "列"] == "设岗层级" and side.loc["V002", "值"] == "组级"
    assert side.loc["I005", "行号"] == 3 and side.loc["I005", "列"] == "证件号码"
    assert len(v.members) == 7  # the posts roster is not read as a roster


def test_column_without_header_but_with_data_is_kept(tmp_path):
    write_member_roster(tmp_path / "白沙镇.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "白沙镇.xlsx")
    ws = wb.active
    col = len(MEMBER_HEADERS) + 2  # one empty column, then data under no header
    ws.cell(5, col, "低保户")
    wb.save(tmp_path / "白沙镇.xlsx")
    v, issues = run(tmp_path)
    name = f"extra:第{col}列"
    assert name in v.members.columns and "低保户" in set(v.members[name])
    hit = issues[(issues["代码"] == "F010") & (issues["列"] == f"第{col}列")]
    assert len(hit) == 1
    assert f"extra:第{col - 1}列" not in v.members.columns  # an empty unnamed column stays out


def test_unexpected_failure_in_one_file_does_not_stop_the_batch(tmp_path, monkeypatch):
    from fourcard_excel import pipeline
    from fourcard_excel.ingest import read

    write_member_roster(tmp_path / "白沙镇.xlsx")
    write_gbk_csv(tmp_path / "西河镇.csv")
    real = read.read_file

    def flaky(f, data, log):
        if f.rel == "白沙镇.xlsx":
            raise IndexError("an unforeseen layout")
        return real(f, data, log)

    monkeypatch.setattr(pipeline, "read_file", flaky)
    monkeypatch.setenv("FOURCARD_WORKERS", "1")  # the patch lives in this process, not in workers
    v, issues = run(tmp_path)
    bad = issues[issues["文件"] == "白沙镇.xlsx"]
    assert list(bad["代码"]) == ["F005"] and "其余文件照常处理" in bad["说明"].item()
    assert set(v.members["source_file"]) == {"西河镇.csv"}
    assert {f.rel: f.status for f in v.files}["白沙镇.xlsx"] == "失败"


def test_id_and_text_cells_plain_codes_and_others_alike():
    """Plain ASCII codes (the fast path) and every other cell give the text cell_text gives."""
    import numpy as np
    import pandas as pd

    from fourcard_excel.ingest.ids import make_id
    from fourcard_excel.ingest.normalize import id_text, to_text

    good = next(i for i in (make_id("420101", "19800305", s) for s in range(40)) if i.endswith("X"))
    cells = [good.lower(), "HB0012", "１２３", " 4201 ", "1E5", "1e+05", 4.2e17, 12.0, np.nan, None, "",
             "42 01", dt.date(2020, 1, 2), "hb0012"]
    texts, numeric = id_text(pd.Series(cells * 2, dtype=object))
    assert texts.tolist()[:len(cells)] == [good.upper(), "HB0012", "123", "4201", "1E5", "1E+05",
                                           "420000000000000000", "12", "", "", "", "4201", "2020-01-02",
                                           "HB0012"]
    assert numeric.tolist()[:len(cells)] == [False, False, False, False, True, True, True, True, False,
                                             False, False, False, False, False]
    assert to_text(pd.Series(cells, dtype=object)).tolist() == [
        good.lower(), "HB0012", "123", "4201", "1E5", "1e+05", "420000000000000000", "12", "", "", "",
        "42 01", "2020-01-02", "hb0012"]


def test_merged_ranges_filled_alike_in_the_array_and_in_the_rows():
    """The data area held as one array is filled from merged ranges exactly as the sheet's rows
    are (ranges reaching into the header, past the last row or column, overlapping, one cell)."""
    import random

    from fourcard_excel.ingest.read import _body

    def fill_rows(rows, merged, start):  # the reference: each range's top-left value, cell by cell
        for (r0, c0), (r1, c1) in merged:
            if r1 < start or (r0 == r1 and c0 == c1):
                continue
            r0 = max(r0, start)
            value = rows[r0][c0] if r0 < len(rows) and c0 < len(rows[r0]) else ""
            for r in range(r0, min(r1, len(rows) - 1) + 1):
                for c in range(c0, min(c1, len(rows[r]) - 1) + 1):
                    rows[r][c] = value

    rng = random.Random(7)
    for _ in range(200):
        nrows, width, start = rng.randint(1, 12), rng.randint(1, 6), rng.randint(0, 4)
        rows = [[rng.choice(["", "户主", "配偶", 1.0, 2, None, dt.date(2020, 1, 2)]) for _ in range(width)]
                for _ in range(nrows)]
        merged = []
        for _ in range(rng.randint(0, 6)):
            r0, c0 = rng.randint(0, nrows + 1), rng.randint(0, width + 1)
            merged.append(((r0, c0), (r0 + rng.randint(0, 4), c0 + rng.randint(0, 3))))
        expected = [list(r) for r in rows]
        fill_rows(expected, merged, start)
        got = _body([list(r) for r in rows], merged, start, width)
        assert got.tolist() == expected[start:]
        assert [[type(v) for v in r] for r in got.tolist()] == [[type(v) for v in r] for r in expected[start:]]
        ragged = [list(r) for r in rows] + [["x"] * (width + 1)]  # a longer row: the row-by-row path
        assert _body(ragged, merged, start, width).tolist()[:len(got)] == got.tolist()
