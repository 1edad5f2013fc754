"""Public notice lists (公示名单): public columns only, masked IDs, notice period, sorting."""

from __future__ import annotations

import datetime as dt
import re

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from test_forms import make_result

from fourcard_excel.documents import notice
from fourcard_excel.ingest.ids import mask_id
from fourcard_excel.registry import DISABILITY_GRADES, HEALTH

FULL_ID = re.compile(r"\d{17}[\dX]")
SENSITIVE = [t for t in HEALTH] + ["大病", "慢性病", "残", *DISABILITY_GRADES, "收入", "致贫", "在校",
                                   "小学", "普通高中", "本科", "之女", "之子", "劳动力"]


def _all_cells(path):
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None:
                    yield str(c.value)
        # headers/footers are printed too
        yield str(ws.oddFooter.center.text or "")
        yield str(ws.oddHeader.center.text or "")


def _table(path):
    ws = openpyxl.load_workbook(path)["公示名单"]
    rows = list(ws.iter_rows(values_only=True))
    h = next(i for i, r in enumerate(rows) if r[0] == "序号")
    body = []
    for r in rows[h + 1:]:
        if not isinstance(r[0], (int, float)):  # 序号 (the Rust writer stores 1 as 1.0)
            break
        body.append(r)
    return ws, rows, rows[h], body


def test_one_notice_per_village_with_only_carded_households(tmp_path):
    result = make_result()
    paths = notice.write_notices(result, tmp_path)
    rel = sorted(str(p.relative_to(tmp_path)) for p in paths)
    # 东风村 has only an undetermined household: no notice
    assert rel == ["城关镇/红旗村.xlsx", "龙场镇/新华村.xlsx"]
    ws, rows, header, body = _table(tmp_path / "城关镇" / "红旗村.xlsx")
    assert list(header) == ["序号", "村民小组", "户主姓名", "家庭人口", "卡别"]
    # sorted by 村民小组 in natural order (一组, 二组, 三组, 十组), 不纳入 left out
    assert [(r[1], r[2], r[4]) for r in body] == [
        ("一组", "王建国", "黄卡"), ("二组", "钱小花", "蓝卡"), ("三组", "张德福", "红卡"), ("十组", "赵有才", "绿卡")]
    assert [r[0] for r in body] == [1, 2, 3, 4]
    assert body[0][3] == 3
    assert rows[0][0] == "城关镇红旗村2024年红黄绿蓝卡分类管理公示名单"
    assert rows[1][0] == "公示时间：2024年4月3日至2024年4月10日（公示期7天）"
    texts = list(_all_cells(tmp_path / "城关镇" / "红旗村.xlsx"))
    assert any(t.startswith("监督举报电话：＿") for t in texts)  # a line to fill in
    assert "合计：共4户9人（红卡1户、黄卡1户、绿卡1户、蓝卡1户）" in texts
    # printable: A4 portrait, header row repeated, one page wide
    assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "portrait"
    assert ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == "$4:$4"
    assert ws.print_area


def test_no_full_id_and_no_health_term_in_any_cell(tmp_path):
    result = make_result()
    for masked in (False, True):
        out = tmp_path / str(masked)
        paths = notice.write_notices(result, out, mask_id=masked, phone="0857-1234567")
        assert paths
        for path in paths:
            for text in _all_cells(path):
                assert not FULL_ID.search(text), (path, text)
                for term in SENSITIVE:
                    assert term not in text, (path, term, text)


def test_masked_ids_use_the_shared_mask(tmp_path):
    result = make_result()
    notice.write_notices(result, tmp_path, mask_id=True, phone="0857-1234567")
    ws, rows, header, body = _table(tmp_path / "龙场镇" / "新华村.xlsx")
    assert header[-1] == notice.ID_COLUMN
    hh = result.households.set_index("head_name")
    for r in body:
        full = hh.loc[r[2], "head_id"]
        assert r[5] == mask_id(pd.Series([full])).iloc[0]
        assert r[5][:6] == full[:6] and r[5][-4:] == full[-4:] and full[6:14] not in r[5]
    assert any("0857-1234567" in str(v) for row in rows for v in row if v)


def test_schedule_fallbacks():
    result = make_result(schedule={"year": 2025, "notice_days": 5, "stages": [["公开公示", "04-01", ""]]})
    s = notice.notice_schedule(result.rules)
    assert s["year"] == 2025 and s["days"] == 5
    assert str(s["start"]) == "2025-04-01" and str(s["end"]) == "2025-04-06"
    s = notice.notice_schedule(make_result(schedule={}).rules)
    assert s["start"] is None and s["days"] == 7
    assert notice.group_number("第十二村民小组") == 12
    assert notice.group_number("3组") == 3
    assert notice.card_scheme_name(result.rules) == "红黄绿蓝卡"


def test_formula_like_names_stay_text(tmp_path):
    result = make_result()
    result.households.loc[result.households["head_name"] == "赵有才", "head_name"] = "=HYPERLINK(\"x\")"
    notice.write_notices(result, tmp_path)
    wb = openpyxl.load_workbook(tmp_path / "城关镇" / "红旗村.xlsx")
    ws = wb["公示名单"]
    cell = next(c for row in ws.iter_rows() for c in row if c.value == "=HYPERLINK(\"x\")")
    assert cell.data_type == "s"
    assert cell.quotePrefix


def test_notice_command(tmp_path, monkeypatch):
    from fourcard_excel.commands import notice as cmd

    result = make_result()
    monkeypatch.setattr(cmd, "classify_or_exit", lambda *a, **k: result)
    src = tmp_path / "花名册"
    src.mkdir()
    res = CliRunner().invoke(cmd.notice_command, [str(src), "-o", str(tmp_path / "out"), "--mask-id",
                                                  "--phone", "0857-1234567"])
    assert res.exit_code == 0, res.output
    assert "已生成公示名单 2 个村" in res.output
    assert (tmp_path / "out" / "城关镇" / "红旗村.xlsx").is_file()


def test_notices_from_a_real_pipeline_run(tmp_path):
    pipeline = pytest.importorskip("fourcard_excel.pipeline")
    from test_templates import _fill

    from fourcard_excel.documents import templates as tpl

    folder = tmp_path / "花名册"
    _fill(tpl.write_template(folder / "城关镇.xlsx", "roster", "member"), "member")
    result = pipeline.classify_inputs(folder, as_of=dt.date(2024, 3, 18))
    for masked in (False, True):
        paths = notice.write(result, tmp_path / f"out{masked}", mask_id=masked)
        assert [p.relative_to(tmp_path / f"out{masked}").as_posix() for p in paths] == ["公示名单/城关镇/红旗村.xlsx"]
        for text in _all_cells(paths[0]):
            assert not FULL_ID.search(text)
            assert not any(term in text for term in SENSITIVE), text
        _, rows, _, body = _table(paths[0])
        assert len(body) == 3
        assert rows[1][0] == "公示时间：2024年4月3日至2024年4月10日（公示期7天）"


def test_notice_cli_end_to_end(tmp_path):
    pytest.importorskip("fourcard_excel.pipeline")
    from test_templates import _fill

    from fourcard_excel.cli import main
    from fourcard_excel.documents import templates as tpl

    folder = tmp_path / "花名册"
    _fill(tpl.write_template(folder / "城关镇.xlsx", "roster", "member"), "member")
    res = CliRunner().invoke(main, ["notice", str(folder), "-o", str(tmp_path / "公示"), "--mask-id",
                                    "--as-of", "2024-03-18"])
    assert res.exit_code == 0, res.output
    path = tmp_path / "公示" / "城关镇" / "红旗村.xlsx"
    for text in _all_cells(path):
        assert not FULL_ID.search(text) and not any(t in text for t in SENSITIVE)
    _, _, header, body = _table(path)
    assert header[-1] == notice.ID_COLUMN and all("********" in r[5] for r in body)
