"""The sample-data generator (scripts/make_sample_data.py): determinism, size, the committed copy,
and that the answer key points at the right rows of the written files."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
from pathlib import Path

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "make_sample_data.py"
COMMITTED = ROOT / "sample_data"


def _load():
    spec = importlib.util.spec_from_file_location("make_sample_data", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_sample_data", mod)
    spec.loader.exec_module(mod)
    return mod


def _hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    mod = _load()
    a = tmp_path_factory.mktemp("sample_a")
    b = tmp_path_factory.mktemp("sample_b")
    key = mod.generate(a, seed=2024)
    mod.generate(b, seed=2024)
    return a, b, key


def test_generation_is_deterministic(generated):
    a, b, _ = generated
    ha, hb = _hashes(a), _hashes(b)
    assert ha == hb
    assert len(ha) >= 17


def test_size_of_county(generated):
    _, _, key = generated
    assert len(key["townships"]) >= 8
    assert key["totals"]["households"] >= 3000
    assert sum(1 for t in key["townships"] if t["supervised"]) == 2
    for t in key["townships"]:
        assert 5 <= len(t["villages"]) <= 12
    for card in ("红卡", "黄卡", "绿卡", "蓝卡", "不纳入"):
        assert key["totals"]["cards"].get(card, 0) > 0


def test_folder_is_small(generated):
    a, _, _ = generated
    assert sum(p.stat().st_size for p in a.rglob("*") if p.is_file()) < 5_000_000


def test_committed_sample_data_equals_fresh_generation(generated):
    a, _, _ = generated
    assert COMMITTED.is_dir(), "sample_data/ missing: run python scripts/make_sample_data.py"
    assert _hashes(COMMITTED) == _hashes(a), "sample_data/ is stale: re-run python scripts/make_sample_data.py"


def test_other_seed_differs(tmp_path):
    mod = _load()
    c1 = mod.sc.County(1, scale=0.05)
    c2 = mod.sc.County(2, scale=0.05)
    assert [h.head.id for h in c1.households] != [h.head.id for h in c2.households]


def test_boundary_rows_match_clean_file(generated):
    a, _, key = generated
    cases = {b["case"]: b for b in key["boundary_cases"]}
    assert len(cases) == 24
    ws = openpyxl.load_workbook(a / "城关镇.xlsx", read_only=True).active
    rows = {i: r for i, r in enumerate(ws.iter_rows(values_only=True), start=1)}
    header = list(rows[2])
    name_col, id_col = header.index("姓名"), header.index("证件号码")
    for b in cases.values():
        assert b["file"] == "城关镇.xlsx"
        row = rows[b["row"]]
        assert row[name_col] == b["head_name"] and row[id_col] == b["head_id"]
    assert cases["B03"]["per_capita"] == 5000 and cases["B03"]["card"] == "黄卡"
    assert cases["B04"]["per_capita"] == 5001 and cases["B04"]["card"] == "绿卡"
    assert cases["B05"]["per_capita"] == 4999 and cases["B05"]["card"] == "蓝卡"
    assert cases["B06"]["per_capita"] == 5000 and cases["B06"]["card"] == "不纳入"
    assert cases["B07"]["card"] == "不纳入" and cases["B08"]["card"] == "蓝卡"
    assert cases["B14"]["card"] == "黄卡" and cases["B14"]["exclusions"]


def test_layout_quirks(generated):
    a, _, key = generated
    # lock file and corrupt file
    assert (a / "~$城关镇.xlsx").stat().st_size == 165
    assert not (a / "双溪乡补报名单.xlsx").read_bytes().startswith(b"PK")
    # GBK CSV is not valid UTF-8
    raw = (a / "石门乡四卡花名册.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert "公民身份号码" in raw.decode("gbk")
    # a real BIFF .xls (OLE magic)
    assert (a / "桃源镇四卡申报花名册.xls").read_bytes()[:4] == bytes.fromhex("D0CF11E0")
    # instructions first, hidden sheet
    wb = openpyxl.load_workbook(a / "龙潭镇四卡申报花名册.xlsx", read_only=True)
    assert wb.sheetnames[0] == "填表说明"
    assert wb["下拉选项"].sheet_state == "hidden"
    # IDs typed as numbers are float cells
    floats = [p for p in key["problems"] if p["code"] == "id_number_as_number"]
    assert floats
    ws = openpyxl.load_workbook(a / floats[0]["file"]).active
    header = [c.value for c in ws[3]]
    cell = ws.cell(floats[0]["row"], header.index("身份证号码") + 1)
    assert isinstance(cell.value, float) and 4.3e17 < cell.value < 4.4e17
    assert f"{cell.value:.15G}" == floats[0]["value"]
    # merged layout: household cells merged, totals and notes rows
    ws = openpyxl.load_workbook(a / "白沙镇2024年四卡申报表.xlsx").active
    assert len(ws.merged_cells.ranges) > 500
    firsts = [ws.cell(r, 1).value for r in range(1, ws.max_row + 1)]
    assert "合计" in firsts and any(str(v).startswith("填表人") for v in firsts if v)
    # subfolder with two files for one township; person listed in two townships
    assert {"青山乡/青山乡（上片）.xlsx", "青山乡/青山乡（下片）.xlsx"} <= set(key["files"])
    dup = [p for p in key["problems"] if p["code"] == "person_in_two_townships"]
    assert {p["township"] for p in dup} == {"河口镇", "双溪乡"} and len({p["value"] for p in dup}) == 1


def test_side_tables(generated):
    a, _, key = generated
    side = key["side_tables"]
    assert side["posts_total"] >= 520
    kinds = {f["kind"] for f in side["post_findings"]}
    assert {"county_shortfall", "township_shortfall", "village_shortfall", "village_no_posts",
            "holder_not_yellow", "holder_not_in_roster"} <= kinds
    assert side["contact_findings"]
    wb = openpyxl.load_workbook(a / "附表" / "公益岗位花名册.xlsx", read_only=True)
    rows = list(wb.active.iter_rows(values_only=True))
    assert list(rows[1]) == ["岗位名称", "设岗层级", "乡镇", "行政村", "姓名", "证件号码", "月工资", "资金来源"]
    assert len(rows) - 2 == side["posts_total"]
    holders = {r[5] for r in rows[2:]}
    unknown = [f["id"] for f in side["post_findings"] if f["kind"] == "holder_not_in_roster"]
    assert len(unknown) == 2 and set(unknown) <= holders
    assert not set(unknown) & {h[6] for h in key["households"]}
    not_yellow = [f for f in side["post_findings"] if f["kind"] == "holder_not_yellow"]
    assert 0 < len(not_yellow) < 0.1 * len(holders)


def test_key_is_valid_json(generated):
    a, _, _ = generated
    key = json.loads((a / "预期结果.json").read_text(encoding="utf-8"))
    assert len(key["households"]) == key["totals"]["households"]
    assert (a / "说明.md").read_text(encoding="utf-8").startswith("# 样例数据说明")
