"""The web page in a real browser: Debian's headless Chromium driven by Playwright.

The county page is driven on sample_data/ exactly as a clerk would (folder picked, 评定基准日 and
随机种子 typed, 开始处理 pressed) and its results are held against a CLI run with the same inputs
and options. Set FOURCARD_UI_SCREENSHOT=docs/网页界面.png to refresh the README's screenshot.
"""

from __future__ import annotations

import io
import json
import os
import re
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from playwright.sync_api import expect, sync_playwright
from rosters import write_member_roster
from ui_live import LiveServer

from fourcard_excel.cli import main

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"
CHROMIUM = "/usr/bin/chromium"  # Debian's package (.ci/run installs it); no Playwright download
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ROWS_JS = "rows => rows.map(r => Array.from(r.cells).map(c => c.textContent.trim()))"


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)  # a fresh profile each launch
        yield b
        b.close()


def test_county_page_gives_the_cli_results_for_sample_data(browser, tmp_path):
    cli_out = tmp_path / "cli"
    res = CliRunner().invoke(main, ["process", str(SAMPLE), "-o", str(cli_out), "--as-of", "2024-03-18",
                                    "--seed", "2024", "--db", str(tmp_path / "cli.sqlite"), "-q"])
    assert res.exit_code == 0, res.output
    n_files = sum(1 for p in SAMPLE.rglob("*") if p.is_file())

    with LiveServer(tmp_path / "wd") as srv:
        ctx = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True, locale="zh-CN")
        page = ctx.new_page()
        page.goto(srv.url("/"))
        page.set_input_files("#folder", str(SAMPLE))  # the whole folder, subfolders included
        expect(page.locator("#chosen")).to_contain_text(f"已选择 {n_files} 个文件")
        page.fill("#as_of", "2024-03-18")
        page.fill("#seed", "2024")

        other = ctx.new_page()  # a colleague's tab, ready to start a second batch
        other.goto(srv.base + "/")  # the cookie set on the first visit is enough
        other.set_input_files("#files", str(SAMPLE / "城关镇.xlsx"))

        page.get_by_role("button", name="开始处理").click()
        page.wait_for_url(re.compile(r"/runs/[0-9_-]+$"))
        other.get_by_role("button", name="开始处理").click()
        expect(other.locator("#form-error")).to_contain_text("已有一项处理正在进行")
        assert other.url.endswith("/")

        page.wait_for_selector("#summary", timeout=150_000)
        run_inputs = tmp_path / "wd" / page.url.rsplit("/", 1)[1] / "inputs"
        for original in (p for p in SAMPLE.rglob("*") if p.is_file()):
            copy = run_inputs / original.relative_to(SAMPLE)
            assert copy.read_bytes() == original.read_bytes()
            assert abs(copy.stat().st_mtime - original.stat().st_mtime) < 0.01  # modification times kept
        shown = page.eval_on_selector_all("#summary tr", ROWS_JS)

        # #summary is households.csv counted by 乡镇 × 卡别
        hh = pd.read_csv(cli_out / "households.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
        counts = pd.crosstab(hh["乡镇"], hh["卡别"])
        header, body, total = shown[0], shown[1:-1], shown[-1]
        assert header[0] == "乡镇" and header[-1] == "合计"
        assert header[1:5] == ["红卡", "黄卡", "绿卡", "蓝卡"]
        assert [r[0] for r in body] == sorted(counts.index)
        for row in body:
            for card, value in zip(header[1:-1], row[1:-1]):
                assert int(value) == int(counts.loc[row[0]].get(card, 0)), (row[0], card)
            assert int(row[-1]) == int((hh["乡镇"] == row[0]).sum())
        assert total[0] == "合计" and int(total[-1]) == len(hh)

        # the bar chart is drawn from the shipped script, one stacked bar per township
        assert page.locator("#chart svg").count() == 1
        # (a segment per non-zero card: the 2016 建档立卡 township of the sample has no 蓝卡)
        assert page.locator("#chart svg rect title").count() >= sum(int(v) > 0 for r in body for v in r[1:5])
        expect(page.locator("#files")).to_contain_text("已跳过")
        expect(page.locator("#top")).to_contain_text("D003")
        expect(page.locator("#outputs")).to_contain_text("乡镇结果/青山乡.xlsx")

        shot = Path(os.environ.get("FOURCARD_UI_SCREENSHOT") or tmp_path / "网页界面.png")
        box = page.locator("#chart").bounding_box()
        page.screenshot(path=str(shot), full_page=True,
                        clip={"x": 0, "y": 0, "width": 1280, "height": box["y"] + box["height"] + 16})
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

        # the issue table filters and pages
        page.select_option("select[name=level]", "错误")
        page.get_by_role("button", name="筛选").click()
        levels = {r[0] for r in page.eval_on_selector_all("#issues tbody tr", ROWS_JS)}
        assert levels == {"错误"}
        page.goto(page.url.split("?")[0])
        assert page.locator("#issues tbody tr").count() == 50
        page.locator("#next-page").click()
        expect(page.locator("#pager")).to_contain_text("第 2 /")

        with page.expect_download() as info:  # a link per output file
            page.locator("#outputs").get_by_role("link", name="乡镇结果/青山乡.xlsx").click()
        assert info.value.suggested_filename == "青山乡.xlsx"
        book = openpyxl.load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()), read_only=True)
        assert book.sheetnames == openpyxl.load_workbook(cli_out / "乡镇结果" / "青山乡.xlsx", read_only=True).sheetnames

        with page.expect_download() as info:
            page.get_by_role("link", name="下载全部结果").click()
        download = info.value
        assert download.suggested_filename.endswith(".zip")
        with zipfile.ZipFile(download.path()) as zf:
            names = set(zf.namelist())
            assert zf.read("households.csv") == (cli_out / "households.csv").read_bytes()
            cli_names = {p.relative_to(cli_out).as_posix() for p in cli_out.rglob("*") if p.is_file()}
            assert names == cli_names
            for name in sorted(n for n in names if n.endswith(".csv")):
                assert zf.read(name) == (cli_out / name).read_bytes(), name
            manifest = json.loads(zf.read("manifest.json"))
            cli_manifest = json.loads((cli_out / "manifest.json").read_text(encoding="utf-8"))
            assert (manifest["as_of"], manifest["seed"]) == ("2024-03-18", 2024)
            assert manifest["inputs"] == cli_manifest["inputs"] and manifest["counts"] == cli_manifest["counts"]
        ctx.close()


def test_selfcheck_page_lists_the_problems_and_gives_the_issue_book(browser, tmp_path):
    (tmp_path / "in").mkdir()
    roster = tmp_path / "in" / "白沙镇.xlsx"
    write_member_roster(roster, number_id_row=1)
    cli_out = tmp_path / "cli"
    res = CliRunner().invoke(main, ["validate", str(roster), "-o", str(cli_out), "--as-of", "2024-03-18"])
    assert res.exit_code == 1, res.output
    cli_issues = pd.read_csv(cli_out / "issues.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")

    with LiveServer(tmp_path / "wd") as srv:
        ctx = browser.new_context(accept_downloads=True)
        page = ctx.new_page()
        page.goto(srv.url("/selfcheck"))
        page.set_input_files("#files", str(roster))
        page.fill("#as_of", "2024-03-18")
        page.get_by_role("button", name="开始自查").click()
        expect(page.locator("#verdict")).to_contain_text("请按问题清单改正后再提交", timeout=60_000)
        rows = page.eval_on_selector_all("#issues tbody tr", ROWS_JS)
        assert len(rows) == len(cli_issues)
        assert sorted(map(tuple, rows)) == sorted(map(tuple, cli_issues.astype(str).values.tolist()))
        with page.expect_download() as info:
            page.locator("#issue-book").click()
        ui_book = openpyxl.load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()))
        cli_book = openpyxl.load_workbook(cli_out / "问题清单.xlsx")
        assert ui_book.sheetnames == cli_book.sheetnames
        for a, b in zip(ui_book.worksheets, cli_book.worksheets):
            assert list(a.values) == list(b.values)
        ctx.close()


def test_no_token_and_a_traversal_name_are_refused_in_the_browser(browser, tmp_path):
    with LiveServer(tmp_path / "wd") as srv:
        stranger = browser.new_context()
        page = stranger.new_page()
        response = page.goto(srv.base + "/")
        assert response.status == 403
        expect(page.locator("body")).to_contain_text("拒绝访问")
        stranger.close()

        ctx = browser.new_context()
        page = ctx.new_page()
        page.goto(srv.url("/"))
        answer = page.request.post(srv.base + "/runs", headers={"X-Requested-With": "fetch"}, multipart={
            "as_of": "2024-03-18",
            "files": {"name": "../../evil.xlsx", "mimeType": "application/octet-stream", "buffer": b"PK\x03\x04"},
        })
        assert answer.status == 400
        assert "已拒绝" in answer.json()["error"]
        assert not list(tmp_path.rglob("evil.xlsx"))
        ctx.close()
