"""`process` end to end on the shipped sample_data/: the county office's main job.

The sample generator keeps an answer key (sample_data/预期结果.json) computed by its own small,
independent copy of the SPEC rules; the classifier must agree with it household by household.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from fourcard_excel.cli import main

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"
KEY = json.loads((SAMPLE / "预期结果.json").read_text(encoding="utf-8"))
TOWNS = [t["name"] for t in KEY["townships"]]


def tree_hashes(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    before = tree_hashes(SAMPLE)
    out = tmp_path_factory.mktemp("out") / "四卡结果"
    db = tmp_path_factory.mktemp("db") / "fourcard.sqlite"
    result = CliRunner().invoke(main, ["process", str(SAMPLE), "-o", str(out), "--as-of", KEY["as_of"],
                                       "--seed", "2024", "--db", str(db), "-q"])
    return {"result": result, "out": out, "db": db, "before": before}


def read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def test_exit_code_and_chinese_summary(run):
    res = run["result"]
    assert res.exit_code == 0, res.output
    assert "分类：红卡" in res.output and "结果已写到" in res.output and "随机种子：2024" in res.output


def test_inputs_untouched_and_nothing_written_beside_them(run):
    assert tree_hashes(SAMPLE) == run["before"]


def test_outputs_present(run):
    out = run["out"]
    for name in ("全县汇总.xlsx", "问题清单.xlsx", "县级抽查名单.xlsx", "households.csv", "members.csv", "issues.csv",
                 "spotcheck.csv", "quotas.csv", "manifest.json"):
        assert (out / name).is_file(), name
    towns = {p.stem for p in (out / "乡镇结果").glob("*.xlsx")}
    assert towns == set(TOWNS)
    assert not list(out.rglob("*.tmp")), "temporary files left behind"


def test_every_household_classified_as_the_answer_key_says(run):
    got = read_csv(run["out"] / "households.csv")
    csv_sheet = got["来源文件"].str.endswith(".csv")  # a CSV has no sheets; we name it after the file
    got["key"] = got["来源文件"] + "|" + got["工作表"].where(~csv_sheet, "") + "|" + got["来源行号"]
    cols = KEY["household_columns"]
    want = pd.DataFrame(KEY["households"], columns=cols)
    want["key"] = want["文件"] + "|" + want["工作表"] + "|" + want["户主行号"].astype(str)
    merged = want.merge(got, on="key", how="left", suffixes=("_want", ""))
    assert merged["卡别"].notna().all(), "households missing from households.csv"
    blocked = merged["卡别"] == "未判定"
    # only households carrying a deliberate error may be undetermined
    assert (merged.loc[blocked, "故意问题"] != "").all()
    ok = merged[~blocked]
    wrong = ok[ok["卡别"] != ok["预期卡别"]]
    assert wrong.empty, wrong[["key", "预期卡别", "卡别", "判定依据"]].head(20).to_string()
    assert len(got) == KEY["totals"]["households"]


def test_every_input_row_is_a_member_or_an_issue(run):
    out = run["out"]
    members = read_csv(out / "members.csv")
    issues = read_csv(out / "issues.csv")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    rows_in = {f["file"]: f["rows"] for f in manifest["inputs"]}
    orphan = issues[issues["代码"] == "H004"].groupby("文件").size()
    source_col = next(c for c in members.columns if c in ("来源文件",))
    per_file = members.groupby(source_col).size()
    rosters = [f for f in manifest["inputs"] if f["status"] == "已处理" and per_file.get(f["file"], 0)]
    assert rosters
    for f in rosters:
        assert per_file.get(f["file"], 0) + orphan.get(f["file"], 0) == rows_in[f["file"]], f["file"]
    persons = read_csv(out / "households.csv")["家庭人口"].astype(int).sum()
    assert persons == KEY["totals"]["members"]  # household-level rosters count their declared size


def test_bad_files_listed_with_reasons(run):
    manifest = json.loads((run["out"] / "manifest.json").read_text(encoding="utf-8"))
    status = {f["file"]: (f["status"], f["reason"]) for f in manifest["inputs"]}
    assert status["双溪乡补报名单.xlsx"][0] == "失败" and "不是有效的 Excel" in status["双溪乡补报名单.xlsx"][1]
    assert status["~$城关镇.xlsx"][0] == "已跳过"
    assert status["附表/抽查人员名单.xlsx"][0] == "已处理"
    hashes = {f["file"]: f["sha256"] for f in manifest["inputs"]}
    assert hashes == {name: digest for name, digest in run["before"].items() if name in hashes}
    assert set(hashes) == set(run["before"])  # every file under the input folder is listed


def test_deliberate_problems_reported_where_they_are(run):
    issues = read_csv(run["out"] / "issues.csv")
    where = set(zip(issues["文件"], issues["行号"]))
    for p in KEY["problems"]:
        if p.get("row") and p.get("level") == "错误":
            assert (p["file"], str(p["row"])) in where, p


def test_county_pivot_matches_households_csv(run):
    out = run["out"]
    hh = read_csv(out / "households.csv")
    wb = openpyxl.load_workbook(out / "全县汇总.xlsx", read_only=True)
    ws = wb["总览"]
    rows = [[c for c in r] for r in ws.iter_rows(values_only=True)]
    header_at = next(i for i, r in enumerate(rows) if r and "红卡" in r and "乡镇" in r)
    header = rows[header_at]
    counts = hh.groupby(["乡镇", "卡别"]).size()
    checked = 0
    for r in rows[header_at + 1:]:
        if not r or r[header.index("乡镇")] in (None, "") or r[header.index("乡镇")] not in TOWNS:
            if checked:
                break
            continue
        town = r[header.index("乡镇")]
        for card in ("红卡", "黄卡", "绿卡", "蓝卡"):
            assert int(r[header.index(card)] or 0) == int(counts.get((town, card), 0)), (town, card)
        checked += 1
    assert checked == len(TOWNS)
    with zipfile.ZipFile(out / "全县汇总.xlsx") as zf:
        assert any(n.startswith("xl/charts/chart") for n in zf.namelist())


def test_township_book_colours_and_text_ids(run):
    path = run["out"] / "乡镇结果" / "城关镇.xlsx"
    wb = openpyxl.load_workbook(path)
    assert {"汇总", "红卡", "黄卡", "绿卡", "蓝卡", "不纳入", "未判定", "问题清单", "差异核对"} <= set(wb.sheetnames)
    ws = wb["红卡"]
    assert ws.sheet_properties.tabColor is not None
    assert ws.freeze_panes is not None
    header_row = next(r for r in range(1, 6) if any(c.value == "户主证件号码" for c in ws[r]))
    id_col = next(c.column for c in ws[header_row] if c.value == "户主证件号码")
    first = ws.cell(header_row + 1, id_col)
    assert isinstance(first.value, str) and len(first.value) == 18
    fill = ws.cell(header_row + 1, 1).fill
    has_fill = fill.fgColor.rgb not in (None, "00000000") or ws.conditional_formatting
    assert has_fill


def test_rerun_gives_identical_csvs(run, tmp_path):
    out2 = tmp_path / "again"
    res = CliRunner().invoke(main, ["process", str(SAMPLE), "-o", str(out2), "--as-of", KEY["as_of"], "--seed",
                                    "2024", "--no-db", "-q"])
    assert res.exit_code == 0, res.output
    for name in ("households.csv", "members.csv", "issues.csv", "spotcheck.csv", "quotas.csv"):
        assert (out2 / name).read_bytes() == (run["out"] / name).read_bytes(), name


def test_output_inside_input_refused(tmp_path):
    res = CliRunner().invoke(main, ["process", str(SAMPLE), "-o", str(SAMPLE / "结果"), "--no-db"])
    assert res.exit_code == 2 and "输入文件夹" in res.output
    assert not (SAMPLE / "结果").exists()


def test_disagreements_and_reviews_are_in_the_issue_list(run):
    out = run["out"]
    hh = read_csv(out / "households.csv")
    issues = read_csv(out / "issues.csv")
    c001 = issues[issues["代码"] == "C001"]
    assert len(c001) == (hh["是否一致"] == "否").sum()
    assert len(c001) >= KEY["totals"]["declared_latest_disagrees"] - 11  # less the undetermined ones
    assert (c001["级别"] == "提示").all() and c001["说明"].str.contains("计算卡别为").all()
    c002 = issues[issues["代码"] == "C002"]
    assert len(c002) == (hh["需人工复核"] == "是").sum() > 0


def test_measures_ledger_planted_findings_exactly(run):
    """sample_data/附表/帮扶措施台账.xlsx: every planted departure is reported, nothing else."""
    got = read_csv(run["out"] / "measures.csv")
    side = KEY["side_tables"]

    def key(check, level_town, pid, name):
        return (check, level_town, pid or name)

    want = {key(f["check"], f["township"] if not f["id"] and not f["name"] else "", f["id"], f["name"])
            for f in side["measures_findings"]}
    have = {key(r["检查项"], r["乡镇"] if r["层级"] == "乡镇" else "", r["户主证件号码"], r["户主姓名"])
            for _, r in got.iterrows()}
    assert have == want
    assert len(got) == len(want)
    clean_ids = {c["id"] for c in side["measures_clean_cases"]}
    assert not clean_ids & set(got["户主证件号码"])
    plan = (run["out"] / "一户一策")
    assert {p.stem for p in plan.glob("*.xlsx")} == set(TOWNS)


EXPORT_LAYOUTS = ("monitoring", "jdlk2016")


def test_national_export_townships_read_cleanly(run):
    """The two townships laid out like the national exports: classified as the key says (checked
    above, household by household), no 错误, one 警告 per file for the columns they lack, and
    their irrelevant columns carried to members.csv but not into the township books."""
    exports = [t["name"] for t in KEY["townships"] if t["layout"] in EXPORT_LAYOUTS]
    assert len(exports) == 2
    issues = read_csv(run["out"] / "issues.csv")
    households = read_csv(run["out"] / "households.csv")
    for town in exports:
        files = sorted(set(households.loc[households["乡镇"] == town, "来源文件"]))
        assert len(files) == 1
        mine = issues[issues["文件"] == files[0]]
        assert "错误" not in set(mine["级别"]), mine[mine["级别"] == "错误"].head().to_dict("records")
        f015 = mine[mine["代码"] == "F015"]
        assert len(f015) == 1 and "有消费型汽车" in f015["说明"].iat[0]
        assert (households["乡镇"] == town).sum() == next(t["households"] for t in KEY["townships"]
                                                        if t["name"] == town)
    members = pd.read_csv(run["out"] / "members.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig",
                          nrows=5)
    assert "耕地面积（亩）" in members.columns and "公益性岗位收入" in members.columns
    book = openpyxl.load_workbook(run["out"] / "乡镇结果" / f"{exports[0]}.xlsx", read_only=True)
    for ws in book.worksheets:
        header = next(ws.iter_rows(max_row=8, values_only=True), ())
        headers = {str(c) for row in ws.iter_rows(max_row=8, values_only=True) for c in row if c}
        assert "公益性岗位收入" not in headers and "耕地面积（亩）" not in headers, (ws.title, header)
