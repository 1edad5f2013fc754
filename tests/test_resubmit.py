"""Resubmitted and copied rosters: a township's households are never merged twice (issue 14).

Rosters are written with openpyxl into tmp_path (valid IDs from make_id); modification times are
set with os.utime, as Windows keeps them when a file is copied and Excel sets them on saving.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import random
import shutil
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from rosters import FAMILY_A, FAMILY_B, FAMILY_C, MEMBER_HEADERS, family_rows, write_household_roster

from fourcard_excel.cli import main
from fourcard_excel.commands.common import duplicate_summary
from fourcard_excel.ingest.discover import ENCRYPTION_MARKER, OLE_MAGIC, InputFile
from fourcard_excel.ingest.resubmit import match_prefer
from fourcard_excel.pipeline import classify_inputs, process
from fourcard_excel.registry import UNDETERMINED

AS_OF = dt.date(2024, 3, 18)
NOW = time.time()
DAY = 86400
FAMILIES = (FAMILY_A, FAMILY_B, FAMILY_C)
# (工资性, 生产经营性, 转移性) per household: spans the cards' per-capita bands
INCOMES = ((0, 0, 2400), (1500, 800, 3000), (6000, 1000, 1200), (26000, 6000, 0), (14000, 2000, 3600))
WAGE_COL = MEMBER_HEADERS.index("工资性收入（元）")
VILLAGES = ("白沙村", "新民村", "枫树村", "高坪村")


def households(township: str, numbers, *, code: str = "431226001", villages=VILLAGES) -> list[list]:
    """Member rows of households ``numbers`` (their 户编号 and IDs depend on the number only)."""
    rows = []
    for i in numbers:
        rows += family_rows(FAMILIES[i % 3], township, villages[i % len(villages)], f"{code}{i:07d}",
                            seq0=i * 20, incomes=INCOMES[i % len(INCOMES)])
    for n, row in enumerate(rows, 1):
        row[0] = n
    return rows


def write_roster(path: Path, rows: list[list], *, mtime: float | None = None, headers=MEMBER_HEADERS,
                 title: str = "2024年四卡申报花名册", extra_sheet: bool = False) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "花名册"
    ws.append([title])
    ws.append(list(headers))
    for row in rows:
        ws.append(row)
    if extra_sheet:
        ws2 = wb.create_sheet("填报情况")
        ws2.append(["村", "户数"])
        ws2.append(["白沙村", 12])
    wb.save(path)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def revise(rows: list[list], numbers, wage: int) -> list[list]:
    """The same households with a new 工资性收入 on the head rows of households ``numbers``."""
    out = [list(r) for r in rows]
    hids = {f"431226001{i:07d}" for i in numbers}
    for row in out:
        if row[3] in hids:
            row[WAGE_COL] = wage
    return out


def run(folder: Path, **kw):
    return classify_inputs(folder, as_of=AS_OF, **kw)


def cards(result) -> dict[str, str]:
    hh = result.households
    return dict(zip(hh["hh_key"], hh["card"].astype(str)))


def files(result) -> dict[str, dict]:
    return {row["文件"]: row for row in result.files.to_dict("records")}


def codes(result, code: str):
    return result.issues[result.issues["代码"] == code]


@pytest.fixture
def township(tmp_path):
    """白沙乡's roster (30 households), alone in its folder, and what it gives alone."""
    rows = households("白沙乡", range(30))
    alone = tmp_path / "alone"
    alone.mkdir()
    write_roster(alone / "白沙乡花名册.xlsx", rows, mtime=NOW - 3 * DAY)
    return rows, run(alone)


def test_fixture_spans_several_cards(township):
    _, alone = township
    assert len(alone.households) == 30
    assert alone.households["card"].astype(str).nunique() >= 3
    assert not codes(alone, "F021").shape[0] and not codes(alone, "F020").shape[0]


def test_identical_copy_is_read_once(tmp_path, township):
    rows, alone = township
    folder = tmp_path / "in"
    folder.mkdir()
    original = write_roster(folder / "白沙乡花名册.xlsx", rows, mtime=NOW - 3 * DAY)
    shutil.copy2(original, folder / "白沙乡花名册 - 副本.xlsx")  # Windows keeps the modification time
    result = run(folder)

    assert cards(result) == cards(alone)
    assert len(result.members) == len(alone.members)
    info = files(result)
    assert info["白沙乡花名册.xlsx"]["状态"] == "已处理"
    copy = info["白沙乡花名册 - 副本.xlsx"]
    assert (copy["状态"], copy["重复于"], copy["读入行数"], copy["乡镇"]) == ("已跳过", "白沙乡花名册.xlsx", 0, "白沙乡")
    note = codes(result, "F020")
    assert len(note) == 1 and note["级别"].iat[0] == "提示"
    assert note["文件"].iat[0] == "白沙乡花名册 - 副本.xlsx" and "“白沙乡花名册.xlsx”" in note["说明"].iat[0]
    assert not result.issues["代码"].isin(["I006", "I007", "H002"]).any()


def test_revision_and_copy_beside_the_original(tmp_path, township):
    rows, alone = township
    changed = [0, 5, 10, 15, 20, 25]  # 工资性收入 raised to 40000: no longer poor
    revised_rows = revise(rows, changed, 40000)
    folder = tmp_path / "in"
    folder.mkdir()
    original = write_roster(folder / "白沙乡花名册.xlsx", rows, mtime=NOW - 3 * DAY)
    shutil.copy2(original, folder / "白沙乡花名册 - 副本.xlsx")
    write_roster(folder / "白沙乡花名册(修改后).xlsx", revised_rows, mtime=NOW - DAY)
    only_revision = tmp_path / "revision"
    only_revision.mkdir()
    write_roster(only_revision / "白沙乡花名册(修改后).xlsx", revised_rows)

    result = run(folder)
    expected = run(only_revision)
    got = cards(result)

    assert set(got) == set(cards(alone))  # the same households as without the copies
    assert got == cards(expected)  # the revised file's values are the ones used
    hh = result.households.set_index("hh_key")
    for i in changed:
        assert hh.loc[f"白沙乡|431226001{i:07d}", "wage_income"] == 40000
    assert sum(got[k] != v for k, v in cards(alone).items()) >= 3  # the revision changed cards
    undetermined = {k for k, v in got.items() if v == UNDETERMINED}
    assert undetermined <= {k for k, v in cards(alone).items() if v == UNDETERMINED}
    assert len(result.issues[result.issues["级别"] == "错误"]) == len(expected.issues[expected.issues["级别"] == "错误"])

    info = files(result)
    assert info["白沙乡花名册(修改后).xlsx"]["状态"] == "已处理"
    for name in ("白沙乡花名册.xlsx", "白沙乡花名册 - 副本.xlsx"):
        assert info[name]["状态"] == "已跳过" and info[name]["重复于"] == "白沙乡花名册(修改后).xlsx"
    assert info["白沙乡花名册.xlsx"]["读入行数"] == len(rows) and info["白沙乡花名册.xlsx"]["户数"] == 0
    warning = codes(result, "F021")
    assert len(warning) == 1 and warning["级别"].iat[0] == "警告" and warning["乡镇"].iat[0] == "白沙乡"
    text = warning["说明"].iat[0]
    for name in ("白沙乡花名册.xlsx", "白沙乡花名册(修改后).xlsx", "白沙乡花名册 - 副本.xlsx", "修改日期最新", "--prefer"):
        assert name in text
    assert "删除或移走" in text
    copy_note = codes(result, "F020")
    assert len(copy_note) == 1 and "最终选用“白沙乡花名册(修改后).xlsx”" in copy_note["说明"].iat[0]
    # only the file used speaks: the original's own read notes (the columns it lacks, F015) are not repeated
    assert set(codes(result, "F015")["文件"]) == {"白沙乡花名册(修改后).xlsx"}


def test_per_village_files_of_one_township_still_merge(tmp_path):
    folder = tmp_path / "in" / "青山乡"
    folder.mkdir(parents=True)
    write_roster(folder / "青山乡（上片）.xlsx", households("青山乡", range(0, 16), villages=("青山村", "岩门村")),
                 mtime=NOW - DAY)
    write_roster(folder / "青山乡（下片）.xlsx", households("青山乡", range(16, 30), villages=("竹林村", "石桥村")))
    result = run(tmp_path / "in")
    assert len(result.households) == 30
    assert set(result.files["状态"]) == {"已处理"} and not result.files["重复于"].any()
    assert codes(result, "F021").empty and codes(result, "F020").empty
    assert duplicate_summary(result.files) == []  # process/validate print no duplicate line


def test_partial_overlap_keeps_both_files(tmp_path):
    """Two households moved between rosters (new 户编号, same 户主): both files merge as before."""
    folder = tmp_path / "in"
    folder.mkdir()
    write_roster(folder / "白沙乡花名册.xlsx", households("白沙乡", range(0, 20)), mtime=NOW - DAY)
    moved = households("白沙乡", [3, 4])
    for row in moved:
        row[3] = "431226009" + row[3][9:]  # the new village gave them a new 户编号
    write_roster(folder / "白沙乡补充花名册.xlsx", households("白沙乡", range(20, 38)) + moved)
    result = run(folder)

    assert set(result.files["状态"]) == {"已处理"}
    assert codes(result, "F021").empty
    assert len(result.households) == 20 + 18 + 2
    dup = codes(result, "I007")
    assert set(dup["文件"]) == {"白沙乡花名册.xlsx", "白沙乡补充花名册.xlsx"}


def test_newer_file_with_one_village_does_not_displace_the_whole_roster(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    rows = households("白沙乡", range(30))
    write_roster(folder / "白沙乡花名册.xlsx", rows, mtime=NOW - 3 * DAY)
    one_village = [r for r in rows if r[2] == "白沙村"]
    write_roster(folder / "白沙村补报.xlsx", one_village, mtime=NOW - DAY)
    result = run(folder)

    assert set(result.files["状态"]) == {"已处理"}  # nothing set aside: no household is lost
    assert len(result.households) == 30
    warning = codes(result, "F021")
    assert len(warning) == 1 and "没有跳过任何文件" in warning["说明"].iat[0]


def test_county_exports_compare_with_each_other_not_with_a_township_file(tmp_path):
    """A county-wide export (no township holds half its rows) and its re-export are one submission;
    a township's own file beside them is not swallowed by either."""
    folder = tmp_path / "in"
    folder.mkdir()
    county = (households("白沙乡", range(0, 10)) + households("清水乡", range(10, 20), code="431226002")
              + households("东岭乡", range(20, 30), code="431226003"))
    write_roster(folder / "全县监测对象导出.xlsx", county, mtime=NOW - 3 * DAY)
    write_roster(folder / "全县监测对象导出（3月20日）.xlsx", revise(county, [0, 1], 40000), mtime=NOW - DAY)
    write_roster(folder / "白沙乡花名册.xlsx", households("白沙乡", range(0, 10)), mtime=NOW)
    result = run(folder)

    info = files(result)
    assert info["全县监测对象导出.xlsx"]["重复于"] == "全县监测对象导出（3月20日）.xlsx"
    assert info["白沙乡花名册.xlsx"]["状态"] == "已处理" and info["全县监测对象导出（3月20日）.xlsx"]["状态"] == "已处理"
    assert len(result.households) == 30
    text = codes(result, "F021")["说明"].iat[0]
    assert text.startswith("重复提交：以下 2 个文件") and "白沙乡花名册.xlsx" not in text
    # the township file repeats 10 households of the export used: reported, not merged silently
    assert set(codes(result, "I006")["文件"]) == {"白沙乡花名册.xlsx", "全县监测对象导出（3月20日）.xlsx"}


def test_household_level_rosters_resubmitted(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    write_household_roster(folder / "东岭乡户表.xlsx")
    os.utime(folder / "东岭乡户表.xlsx", (NOW - DAY, NOW - DAY))
    write_household_roster(folder / "东岭乡户表（更正）.xlsx")
    wb = openpyxl.load_workbook(folder / "东岭乡户表（更正）.xlsx")
    wb.active.cell(2, 14, 8000)  # 工资性收入 of the first household
    wb.save(folder / "东岭乡户表（更正）.xlsx")
    result = run(folder)

    assert len(result.households) == 2
    assert files(result)["东岭乡户表.xlsx"]["重复于"] == "东岭乡户表（更正）.xlsx"
    assert sorted(result.households["wage_income"]) == [8000, 9000]


def test_a_damaged_copy_loses_to_the_clean_roster(tmp_path, township):
    rows, alone = township
    folder = tmp_path / "in"
    folder.mkdir()
    good = write_roster(folder / "白沙乡花名册.xlsx", rows, mtime=NOW - 3 * DAY)
    data = good.read_bytes()
    (folder / "白沙乡花名册（下载不全）.xlsx").write_bytes(data[: len(data) // 2])
    damaged = write_roster(folder / "白沙乡花名册（损坏）.xlsx", revise(rows, range(30), 0), extra_sheet=True)
    damaged.write_bytes(_corrupt_member(damaged.read_bytes(), "xl/worksheets/sheet2.xml", b"\x00garbage"))
    os.utime(damaged, (NOW, NOW))  # newer than the good roster, but a sheet cannot be read
    result = run(folder)

    assert cards(result) == cards(alone)
    info = files(result)
    assert info["白沙乡花名册（下载不全）.xlsx"]["状态"] == "失败"
    assert info["白沙乡花名册（损坏）.xlsx"]["重复于"] == "白沙乡花名册.xlsx"
    text = codes(result, "F021")["说明"].iat[0]
    assert "能完整读取" in text and "读取时有错误" in text
    # the damaged copy's own sheet error is not reported: the file is not used
    assert "白沙乡花名册（损坏）.xlsx" not in set(codes(result, "F005")["文件"])


def test_prefer_on_the_command_line(tmp_path, township):
    rows, alone = township
    folder = tmp_path / "in"
    folder.mkdir()
    write_roster(folder / "白沙乡花名册.xlsx", rows, mtime=NOW - 3 * DAY)
    write_roster(folder / "白沙乡花名册(修改后).xlsx", revise(rows, [0, 5, 10], 40000), mtime=NOW - DAY)
    out = tmp_path / "out"
    runner = CliRunner()
    res = runner.invoke(main, ["process", str(folder), "-o", str(out), "--as-of", "2024-03-18", "--no-db", "-q",
                               "--seed", "1", "--prefer", "白沙乡花名册.xlsx"])
    assert res.exit_code == 0, res.output
    assert "重复提交：1 个文件" in res.output

    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    inputs = {f["file"]: f for f in manifest["inputs"]}
    assert inputs["白沙乡花名册(修改后).xlsx"]["duplicate_of"] == "白沙乡花名册.xlsx"
    assert inputs["白沙乡花名册(修改后).xlsx"]["status"] == "已跳过"
    assert "duplicate_of" not in inputs["白沙乡花名册.xlsx"]
    assert manifest["counts"]["duplicates_set_aside"] == 1
    households = _read_csv(out / "households.csv")
    assert len(households) == 30
    issues = _read_csv(out / "issues.csv")
    f021 = [r for r in issues if r["代码"] == "F021"]
    assert len(f021) == 1 and "按 --prefer 指定" in f021[0]["说明"]

    wb = openpyxl.load_workbook(out / "全县汇总.xlsx", read_only=True)
    table = [list(r) for r in wb["文件清单"].iter_rows(values_only=True)]
    header = table[1]
    col = header.index("重复于（已选用的文件）")
    by_file = {r[header.index("文件")]: r for r in table[2:]}
    assert by_file["白沙乡花名册(修改后).xlsx"][col] == "白沙乡花名册.xlsx"
    assert by_file["白沙乡花名册(修改后).xlsx"][header.index("状态")] == "已跳过"
    assert not by_file["白沙乡花名册.xlsx"][col]
    wb.close()

    # without --prefer the newer file is used: the summary and the cards follow it
    again = runner.invoke(main, ["process", str(folder), "-o", str(tmp_path / "out2"), "--as-of", "2024-03-18",
                                 "--no-db", "-q", "--seed", "1"])
    assert again.exit_code == 0, again.output
    assert len(_read_csv(tmp_path / "out2" / "households.csv")) == 30
    used = json.loads((tmp_path / "out2" / "manifest.json").read_text(encoding="utf-8"))
    assert {f["file"]: f.get("duplicate_of") for f in used["inputs"]}["白沙乡花名册.xlsx"] == "白沙乡花名册(修改后).xlsx"


def test_prefer_naming_no_input_file_is_a_usage_error(tmp_path, township):
    rows, _ = township
    folder = tmp_path / "in"
    folder.mkdir()
    write_roster(folder / "白沙乡花名册.xlsx", rows)
    res = CliRunner().invoke(main, ["validate", str(folder), "-o", str(tmp_path / "out"), "--prefer", "黄土乡.xlsx"])
    assert res.exit_code == 2
    assert "黄土乡.xlsx" in res.output and "不是输入文件夹中的文件" in res.output
    result = run(folder, prefer=["黄土乡.xlsx"])  # the library reports it instead
    assert len(codes(result, "F022")) == 1


def test_validate_sets_copies_aside_too(tmp_path, township):
    rows, _ = township
    folder = tmp_path / "in"
    folder.mkdir()
    write_roster(folder / "白沙乡花名册.xlsx", rows, mtime=NOW - 3 * DAY)
    write_roster(folder / "白沙乡花名册(修改后).xlsx", revise(rows, [1], 5000), mtime=NOW - DAY)
    res = CliRunner().invoke(main, ["validate", str(folder), "-o", str(tmp_path / "out"), "-q"])
    assert "重复提交：1 个文件" in res.output
    assert "家庭：30 户" in res.output
    issues = _read_csv(tmp_path / "out" / "issues.csv")
    assert not any(r["代码"] in ("I006", "I007", "H002") for r in issues)


def test_prefer_matches_paths_names_and_subfolders(tmp_path):
    (tmp_path / "白沙乡").mkdir()
    paths = [tmp_path / "白沙乡" / "花名册.xlsx", tmp_path / "花名册.xlsx", tmp_path / "清水乡.xlsx"]
    found = [InputFile(path=p, rel=p.relative_to(tmp_path).as_posix()) for p in paths]
    for p in paths:
        p.write_bytes(b"x")
    assert match_prefer(found, "白沙乡/花名册.xlsx") == {"白沙乡/花名册.xlsx"}
    assert match_prefer(found, str(paths[2])) == {"清水乡.xlsx"}
    assert match_prefer(found, "花名册.xlsx") == {"花名册.xlsx"}  # the root file, by its relative name
    assert match_prefer(found, "清水乡.xlsx") == {"清水乡.xlsx"}
    assert match_prefer(found, "黄土乡.xlsx") == set()


# ---------------------------------------------------------------- 45 damaged and hostile copies


def _corrupt_member(data: bytes, member: str, content: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, content if info.filename == member else src.read(info.filename))
    return out.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return out.getvalue()


def _gbk_csv(path: Path, rows, headers=MEMBER_HEADERS) -> None:
    with open(path, "w", encoding="gbk", newline="") as fh:
        csv.writer(fh).writerows([list(headers), *rows])


def hostile_copies(folder: Path, good: Path, rows: list[list]) -> None:
    """45 damaged, hostile or stale copies of ``good`` (newest clean file) in ``folder``."""
    data = good.read_bytes()
    older = NOW - 10 * DAY
    rng = random.Random(14)

    def put(name: str, content: bytes, mtime: float = older) -> None:
        (folder / name).write_bytes(content)
        os.utime(folder / name, (mtime, mtime))

    # files that yield no rows (失败, or a sheet without its required columns)
    put("副本（下载一半）.xlsx", data[: len(data) // 2], NOW)
    put("副本（少了结尾）.xlsx", data[:-200], NOW)
    put("副本（空文件）.xlsx", b"", NOW)
    put("副本（网页）.xls", "<html><body><table><tr><td>姓名</td></tr></table></body></html>".encode(), NOW)
    put("副本（网页）.xlsx", b"<!DOCTYPE html><html><head><meta charset='utf-8'></head></html>", NOW)
    put("副本（文本改名）.xlsx", "这是一份说明，不是表格。".encode(), NOW)
    put("副本（乱码）.csv", bytes(rng.randrange(128, 256) for _ in range(300)), NOW)
    put("副本（加密）.xlsx", OLE_MAGIC + bytes(504) + ENCRYPTION_MARKER + bytes(64), NOW)
    put("副本（旧格式损坏）.xls", OLE_MAGIC + bytes(rng.randrange(256) for _ in range(2000)), NOW)
    put("副本（压缩炸弹）.xlsx", _zip({"xl/workbook.xml": b"<workbook/>",
                                     "xl/worksheets/sheet1.xml": b"0" * (3 << 20)}), NOW)
    put("副本（不是工作簿的压缩包）.xlsx", _zip({"readme.txt": "说明".encode()}), NOW)
    put("副本（随机字节）.xlsx", bytes(rng.randrange(256) for _ in range(4000)), NOW)
    put("副本（工作表损坏）.xlsx", _corrupt_member(data, "xl/worksheets/sheet1.xml", b"<worksheet><sheetData><row"),
        NOW)
    put("副本（工作簿损坏）.xlsx", _corrupt_member(data, "xl/workbook.xml", b"\x00\x01\x02"), NOW)
    # damaged copies that still yield the roster's rows: newer, but a sheet cannot be read
    for n, junk in enumerate((b"\x00garbage", b"<worksheet><sheetData><row r=\"1\"><c t=\"s\"><v>99</v>", b"<x")):
        name = f"副本（附表损坏{n + 1}）.xlsx"
        write_roster(folder / name, revise(rows, range(30), 0), extra_sheet=True)
        put(name, _corrupt_member((folder / name).read_bytes(), "xl/worksheets/sheet2.xml", junk), NOW + 120 + n)
    # broken headers
    no_id = [h if h != "证件号码" else "身份信息" for h in MEMBER_HEADERS]
    write_roster(folder / "副本（表头缺证件号码）.xlsx", rows, headers=no_id, mtime=NOW)
    write_roster(folder / "副本（没有表头）.xlsx", rows, headers=[""] * len(MEMBER_HEADERS), mtime=NOW)
    wb = openpyxl.load_workbook(good)
    wb.active.sheet_state = "hidden"
    wb.create_sheet("空白页")
    wb.save(folder / "副本（花名册被隐藏）.xlsx")
    os.utime(folder / "副本（花名册被隐藏）.xlsx", (NOW, NOW))
    # byte-identical copies (one of them even newer than the good roster)
    shutil.copy2(good, folder / "白沙乡花名册 - 副本.xlsx")
    shutil.copy2(good, folder / "白沙乡花名册 - 副本 (2).xlsx")
    put("白沙乡花名册(1).xlsx", data, NOW + 60)
    # older clean copies: rows removed, shuffled, values changed, columns renamed, other formats
    for n in range(5):
        kept = [r for r in rows if rng.random() > 0.3 + 0.1 * n]
        write_roster(folder / f"旧版（删了部分行{n + 1}）.xlsx", kept, mtime=older - n)
    for n in range(3):
        shuffled = [list(r) for r in rows]
        rng.shuffle(shuffled)
        write_roster(folder / f"旧版（行顺序打乱{n + 1}）.xlsx", shuffled, mtime=older - 10 - n)
    for n in range(3):
        write_roster(folder / f"旧版（收入未更正{n + 1}）.xlsx", revise(rows, range(n, 30, 3), 99000),
                     mtime=older - 20 - n)
    for n, renamed in enumerate(("户 编 码", "家庭编码")):
        write_roster(folder / f"旧版（户编号列改名{n + 1}）.xlsx", rows,
                     headers=[h if h != "户编号" else renamed for h in MEMBER_HEADERS], mtime=older - 30 - n)
    blank_town = [[c if j != 1 else "" for j, c in enumerate(r)] for r in rows]
    write_roster(folder / "旧版（乡镇未填）.xlsx", blank_town, mtime=older - 40)
    for n in range(2):
        _gbk_csv(folder / f"旧版（另存为CSV{n + 1}）.csv", rows[n:])
        os.utime(folder / f"旧版（另存为CSV{n + 1}）.csv", (older - 50 - n, older - 50 - n))
    wb = openpyxl.Workbook()
    half = len(rows) // 2
    for sheet_no, part in enumerate((rows[:half], rows[half:])):
        ws = wb.active if sheet_no == 0 else wb.create_sheet()
        ws.title = f"花名册{sheet_no + 1}"
        ws.append(MEMBER_HEADERS)
        for r in part:
            ws.append(r)
    wb.save(folder / "旧版（分两页）.xlsx")
    os.utime(folder / "旧版（分两页）.xlsx", (older - 60, older - 60))
    injected = [list(r) for r in rows]
    for r in injected[:6]:
        r[4] = '=HYPERLINK("http://example.invalid","点我")'
    write_roster(folder / "旧版（单元格被改成公式）.xlsx", injected, mtime=older - 70)
    write_roster(folder / "旧版（只剩一户）.xlsx", rows[:4], mtime=older - 80)
    # not rosters at all: lock file, hidden file, other types
    put("~$白沙乡花名册.xlsx", b"\x00" * 165, NOW)
    put(".白沙乡花名册.xlsx", data, NOW)
    put("白沙乡花名册.txt", "见附件".encode(), NOW)


def test_45_hostile_copies_leave_the_good_roster_alone(tmp_path, township):
    rows, alone = township
    folder = tmp_path / "in"
    folder.mkdir()
    good = write_roster(folder / "白沙乡花名册.xlsx", rows, mtime=NOW - 3 * DAY)
    hostile_copies(folder, good, rows)
    names = sorted(p.name for p in folder.iterdir())
    assert len(names) == 46

    result = process(folder, tmp_path / "out", as_of=AS_OF, seed=1, use_db=False)
    assert cards(result) == cards(alone)  # exactly the cards the roster gets alone

    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    inputs = {f["file"]: f for f in manifest["inputs"]}
    assert sorted(inputs) == names  # every file accounted for
    used = [f for f in inputs.values() if f["status"] == "已处理" and f["households"]]
    assert [f["file"] for f in used] == ["白沙乡花名册(1).xlsx"]  # the newest identical copy of the good roster
    for f in inputs.values():
        assert f["status"] in ("已处理", "已跳过", "失败"), f
        if f["status"] != "已处理":
            assert f["reason"], f
        if f.get("duplicate_of"):
            assert f["status"] == "已跳过" and f["duplicate_of"] == "白沙乡花名册(1).xlsx", f
    set_aside = {name for name, f in inputs.items() if f.get("duplicate_of")}
    assert {"白沙乡花名册.xlsx", "白沙乡花名册 - 副本.xlsx", "副本（附表损坏1）.xlsx", "旧版（分两页）.xlsx",
            "旧版（乡镇未填）.xlsx", "旧版（户编号列改名2）.xlsx", "旧版（另存为CSV1）.csv"} <= set_aside
    assert manifest["counts"]["duplicates_set_aside"] == len(set_aside)
    failed = {name for name, f in inputs.items() if f["status"] == "失败"}
    assert {"副本（下载一半）.xlsx", "副本（空文件）.xlsx", "副本（网页）.xls", "副本（加密）.xlsx",
            "副本（压缩炸弹）.xlsx", "副本（工作表损坏）.xlsx"} <= failed

    # rows: every row read is a member, an orphan row (H004), in a sheet refused for a missing
    # required column (F009) or in a file set aside as a whole (duplicate_of)
    issues = result.issues
    orphans = int((issues["代码"] == "H004").sum())
    aside_rows = sum(f["rows"] for name, f in inputs.items() if name in set_aside)
    refused = set(issues.loc[issues["代码"] == "F009", "文件"])
    assert refused == {"副本（表头缺证件号码）.xlsx"}
    refused_rows = sum(inputs[name]["rows"] for name in refused)
    assert manifest["counts"]["rows_read"] == (manifest["counts"]["member_rows"] + orphans + aside_rows
                                               + refused_rows)
    assert manifest["counts"]["member_rows"] == len(alone.members)
    # one group warning for all the set-aside resubmissions; the damaged ones say why they lost
    f021 = issues[issues["代码"] == "F021"]
    assert len(f021) == 1 and "副本（附表损坏3）.xlsx" in f021["说明"].iat[0]
    assert "修改日期最新" in f021["说明"].iat[0] and "更新的文件读取时有错误" in f021["说明"].iat[0]
    assert len(issues[issues["代码"] == "F020"]) == 3
    assert not issues["代码"].isin(["I006", "I007", "I008", "H002"]).any()


def _read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))
