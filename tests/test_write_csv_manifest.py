"""issues.csv / 问题清单.xlsx, households.csv, members.csv and manifest.json."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from write_fixtures import INJECTIONS, fill_rgb, make_result  # noqa: E402

import fourcard_excel  # noqa: E402
from fourcard_excel.issues import ISSUE_COLUMNS, IssueLog  # noqa: E402
from fourcard_excel.write import csvs, write_issue_files  # noqa: E402


def read_csv_rows(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM expected for Excel"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


@pytest.fixture(scope="module")
def result():
    return make_result(60)


def test_issue_files(tmp_path, result):
    paths = write_issue_files(result.issues, tmp_path)
    assert [p.name for p in paths] == ["问题清单.xlsx", "issues.csv"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["issues.csv", "问题清单.xlsx"]  # no temp left
    rows = read_csv_rows(tmp_path / "issues.csv")
    assert rows[0] == ISSUE_COLUMNS
    assert len(rows) == len(result.issues) + 1
    # grouped by file: the file column is sorted
    files = [r[2] for r in rows[1:]]
    assert files == sorted(files)
    # the injected value is escaped in CSV
    values = [r[6] for r in rows[1:]]
    assert "'" + INJECTIONS[0] in values

    wb = openpyxl.load_workbook(tmp_path / "问题清单.xlsx")
    assert wb.sheetnames == ["问题清单", "按文件汇总"]
    ws = wb["问题清单"]
    assert [c.value for c in ws[2]] == ISSUE_COLUMNS
    assert ws.freeze_panes == "C3"
    assert ws.auto_filter.ref == f"A2:H{len(result.issues) + 2}"
    cells = [ws.cell(r, 7) for r in range(3, ws.max_row + 1)]
    inj = [c for c in cells if c.value == INJECTIONS[0]]
    assert inj and inj[0].data_type == "s" and inj[0].quotePrefix
    # 错误 rows are tinted
    err = [r for r in range(3, ws.max_row + 1) if ws.cell(r, 1).value == "错误"]
    assert fill_rgb(ws, err[0], 1) == "FFFCE4E4"
    summary = wb["按文件汇总"]
    last = [c.value for c in summary[summary.max_row]]
    assert last[0] == "合计" and last[-1] == len(result.issues)


def test_issue_files_empty(tmp_path):
    paths = write_issue_files(IssueLog().frame(), tmp_path / "新建")
    rows = read_csv_rows(paths[1])
    assert rows == [ISSUE_COLUMNS]
    wb = openpyxl.load_workbook(paths[0])
    assert wb["问题清单"].max_row == 2


def test_escape_text():
    s = pd.Series(["=1+1", "+86", "-5", "@x", "\tA", "正常", "", None, "a=b"])
    assert csvs.escape_text(s).tolist() == ["'=1+1", "'+86", "'-5", "'@x", "'\tA", "正常", "", "", "a=b"]
    # the one-pass scan must not be fooled by blanks or the record separator inside a value
    assert csvs.escape_text(pd.Series(["", "x", "a\x1e=b", "\x1eb"])).tolist() == ["", "x", "a\x1e=b", "'\x1eb"]
    assert csvs.escape_text(pd.Series(["", "", "ok"])).tolist() == ["", "", "ok"]


def test_issue_csv_order_is_independent_of_input_order(tmp_path, result):
    a = write_issue_files(result.issues, tmp_path / "a")[1].read_bytes()
    shuffled = result.issues.sample(frac=1.0, random_state=3)
    b = write_issue_files(shuffled, tmp_path / "b")[1].read_bytes()
    assert a == b


REQUIRED_HH = ["乡镇", "行政村", "户编号", "户主姓名", "户主证件号码", "家庭人口", "人均纯收入", "卡别", "判定规则",
               "判定依据", "排除情形", "优先因素", "申报卡别", "是否一致", "来源文件", "来源行号"]


@pytest.fixture(scope="module")
def written(tmp_path_factory, result):
    from fourcard_excel.write import write_outputs

    root = tmp_path_factory.mktemp("run")
    out_dir = root / "输出"
    paths = write_outputs(result, out_dir)
    return root, out_dir, paths


def test_nothing_outside_out_and_no_temp_files(written):
    root, out_dir, paths = written
    assert [p.name for p in root.iterdir()] == ["输出"]
    names = sorted(p.relative_to(out_dir).as_posix() for p in out_dir.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(out_dir).as_posix() for p in paths)
    assert not [n for n in names if n.endswith(".tmp") or "/." in n or n.startswith(".")]
    assert {"households.csv", "members.csv", "issues.csv", "问题清单.xlsx", "全县汇总.xlsx",
            "manifest.json"} <= set(names)


def test_households_csv(written, result):
    _, out_dir, _ = written
    rows = read_csv_rows(out_dir / "households.csv")
    header = rows[0]
    for col in REQUIRED_HH:
        assert col in header, col
    assert header[:3] == ["乡镇", "行政村", "村民小组"]
    assert len(rows) - 1 == len(result.households)
    rec = [dict(zip(header, r)) for r in rows[1:]]
    assert all(r["户编号"].startswith("0") and len(r["户编号"]) == 15 for r in rec)  # text kept
    assert all(len(r["户主证件号码"]) == 18 for r in rec)
    assert {r["是否一致"] for r in rec} == {"是", "否", ""}
    assert any(r["户主姓名"] == "'" + INJECTIONS[0] for r in rec)
    assert any(r["判定依据"] == "'" + INJECTIONS[3] for r in rec)
    assert all(r["人均纯收入"].count(".") == 1 and len(r["人均纯收入"].split(".")[1]) == 2 for r in rec)
    keys = [(r["乡镇"], r["行政村"], r["户编号"]) for r in rec]
    assert keys == sorted(keys)


def test_members_csv(written, result):
    _, out_dir, _ = written
    rows = read_csv_rows(out_dir / "members.csv")
    header = rows[0]
    assert {"家庭识别码", "姓名", "证件号码", "与户主关系", "来源文件", "来源行号", "备注"} <= set(header)
    assert not [h for h in header if h.startswith("extra:")]
    assert len(rows) - 1 == len(result.members)
    rec = [dict(zip(header, r)) for r in rows[1:]]
    assert any(r["备注"] == "'" + INJECTIONS[1] for r in rec)
    assert any(r["务工情况"] == "'" + INJECTIONS[4] for r in rec)
    assert {r["花名册类型"] for r in rec} == {"成员花名册"}


def test_rerun_is_identical(tmp_path, written, result):
    from fourcard_excel.write import write_outputs

    _, first, _ = written
    shuffled = make_result(60)
    shuffled.households = shuffled.households.sample(frac=1.0, random_state=1)
    shuffled.members = shuffled.members.sample(frac=1.0, random_state=2)
    shuffled.issues = shuffled.issues.sample(frac=1.0, random_state=3)
    second = tmp_path / "again"
    write_outputs(shuffled, second)
    for name in ("households.csv", "members.csv", "issues.csv"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    # the workbooks too (fixed document date, sorted rows)
    for name in ("全县汇总.xlsx", "问题清单.xlsx", "乡镇结果/城关镇.xlsx", "乡镇结果/石门乡.xlsx"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_manifest(written, result):
    _, out_dir, paths = written
    data = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    assert data["version"] == fourcard_excel.__version__
    assert data["command"] == result.command
    assert data["as_of"] == "2024-03-18" and data["seed"] == 20240318
    assert data["rules"]["sha256"] == result.rules.sha256
    assert data["rules"]["path"] == "/规则/四卡规则.toml"
    assert len(data["inputs"]) == len(result.files)
    first = data["inputs"][0]
    assert set(first) >= {"file", "township", "status", "rows", "sha256", "size"}
    assert {i["status"] for i in data["inputs"]} == {"已处理", "失败", "已跳过"}
    counts = data["counts"]
    assert counts["households"] == len(result.households)
    assert counts["member_rows"] == len(result.members)
    assert sum(counts["households_by_card"].values()) == len(result.households)
    assert counts["issues"] == len(result.issues)
    assert counts["rows_read"] == int(result.files["读入行数"].sum())
    t = data["timings_seconds"]
    assert t["read"] == 1.25 and t["write"] > 0
    outputs = {o["file"]: o for o in data["outputs"]}
    assert "乡镇结果/城关镇.xlsx" in outputs and "manifest.json" not in outputs
    csv_hash = hashlib.sha256((out_dir / "households.csv").read_bytes()).hexdigest()
    assert outputs["households.csv"]["sha256"] == csv_hash


def test_extra_paths_listed_in_manifest(tmp_path):
    from fourcard_excel.write import write_outputs
    from fourcard_excel.write.atomic import write_text

    result = make_result(12)
    extra = write_text(tmp_path / "县级抽查名单.csv", "乡镇,户编号\n")
    paths = write_outputs(result, tmp_path, extra_paths=[extra])
    assert paths[0] == extra and paths[-1].name == "manifest.json"
    data = json.loads(paths[-1].read_text(encoding="utf-8"))
    assert "县级抽查名单.csv" in {o["file"] for o in data["outputs"]}
