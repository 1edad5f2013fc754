"""`fourcard-excel ui` over real HTTP (uvicorn on 127.0.0.1): token, upload safety, one run at a
time, a crashing run, 自查 equal to `validate`, and the command itself (address, port, Ctrl+C)."""

from __future__ import annotations

import io
import json
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from rosters import write_member_roster
from ui_live import LiveServer, folder_files, multipart, request

from fourcard_excel.cli import main
from fourcard_excel.ui.paths import UnsafeName, safe_relpath


def test_upload_names_keep_their_folders_and_never_escape():
    assert safe_relpath("青山乡/青山乡（上片）.xlsx").as_posix() == "青山乡/青山乡（上片）.xlsx"
    assert safe_relpath("附表\\村情表.xlsx").as_posix() == "附表/村情表.xlsx"  # Windows separators
    assert safe_relpath("./a//b.xlsx").as_posix() == "a/b.xlsx"
    assert safe_relpath("白沙镇<1>.xlsx").as_posix() == "白沙镇_1_.xlsx"
    for bad in ["../evil.xlsx", "a/../../evil.xlsx", "..\\evil.xlsx", "/etc/passwd", "C:\\Windows\\evil.xlsx",
                "c:evil.xlsx", "", "...", "a/.../b.xlsx"]:
        with pytest.raises(UnsafeName):
            safe_relpath(bad)


def test_requests_without_the_token_are_refused(tmp_path):
    with LiveServer(tmp_path / "wd") as srv:
        for path in ["/", "/selfcheck", "/static/app.js", "/runs/2024-03-18_120000/status"]:
            status, body, _ = srv.get(path, token=False)
            assert status == 403, path
            assert "拒绝访问" in body.decode()
        status, _, _ = srv.get("/?token=wrong-token", token=False)
        assert status == 403
        status, body, headers = srv.get("/")
        assert status == 200 and "开始处理" in body.decode()
        cookie = headers["set-cookie"].split(";")[0]
        assert cookie.endswith("=" + srv.token) and "HttpOnly" in headers["set-cookie"]
        # the cookie alone is enough afterwards (links on the page carry no token)
        status, body, _ = request(srv.base + "/selfcheck", headers={"Cookie": cookie})
        assert status == 200 and "开始自查" in body.decode()


def test_unsafe_upload_names_are_refused_and_nothing_is_written_outside(tmp_path):
    wd = tmp_path / "wd"
    with LiveServer(wd) as srv:
        # (a Windows "C:\\..." name is cut to its base name by the form parser already)
        for name in ["../evil.xlsx", "..\\..\\evil.xlsx", "/tmp/evil.xlsx", "青山乡/../../evil.xlsx"]:
            status, body, _ = srv.post("/runs", {"as_of": "2024-03-18"}, [("files", name, b"PK\x03\x04")])
            assert status == 400, name
            assert "已拒绝" in json.loads(body)["error"]
        assert not list(tmp_path.rglob("evil.xlsx"))
        assert [p.name for p in wd.iterdir()] == []  # refused starts leave no run folder
        # and the slot was released: the index page is not busy
        assert "正在进行" not in srv.get("/")[1].decode()


def test_the_same_file_twice_is_kept_once_but_two_files_with_one_name_are_refused(tmp_path):
    (tmp_path / "in").mkdir()
    write_member_roster(tmp_path / "in" / "白沙镇.xlsx")
    roster = (tmp_path / "in" / "白沙镇.xlsx").read_bytes()
    with LiveServer(tmp_path / "wd") as srv:
        for files in ([("files", "白沙镇.xlsx", roster), ("files", "白沙镇.xlsx", roster + b"x")],
                      [("files", "白沙镇.xlsx", roster), ("files", "白沙镇.xlsx/说明.csv", b"a,b")]):
            status, body, _ = srv.post("/selfcheck", {"as_of": "2024-03-18"}, files)
            assert status == 400 and "重新上传" in json.loads(body)["error"]
        assert not list((tmp_path / "wd").iterdir())
        status, answer, _ = srv.post("/selfcheck", {"as_of": "2024-03-18",
                                                    "mtimes": json.dumps({"白沙镇.xlsx": 1710720000123})},
                                     [("files", "白沙镇.xlsx", roster), ("files", "白沙镇.xlsx", roster)])
        assert status == 202
        run_id = json.loads(answer)["id"]
        assert srv.wait(run_id)["state"] == "done"
        assert [p.name for p in (tmp_path / "wd" / run_id / "inputs").iterdir()] == ["白沙镇.xlsx"]
        assert (tmp_path / "wd" / run_id / "inputs" / "白沙镇.xlsx").read_bytes() == roster
        # the copy keeps the modification time the page sent (File.lastModified)
        assert abs((tmp_path / "wd" / run_id / "inputs" / "白沙镇.xlsx").stat().st_mtime - 1710720000.123) < 1e-3


def test_upload_size_is_capped(tmp_path):
    with LiveServer(tmp_path / "wd", max_upload=4096) as srv:
        status, body, _ = srv.post("/runs", {"as_of": "2024-03-18"}, [("files", "大.csv", b"x" * 8192)])
        assert status == 413
        assert "超过上限" in json.loads(body)["error"]
        assert not list((tmp_path / "wd").iterdir())


def test_a_second_start_while_one_is_under_way_gets_409(tmp_path):
    (tmp_path / "in").mkdir()
    write_member_roster(tmp_path / "in" / "白沙镇.xlsx")
    roster = (tmp_path / "in" / "白沙镇.xlsx").read_bytes()
    with LiveServer(tmp_path / "wd") as srv:
        # a first start whose upload is still arriving holds the single slot
        body, ctype = multipart({"as_of": "2024-03-18"}, [("files", "白沙镇.xlsx", roster)])
        slow = socket.create_connection(("127.0.0.1", srv.port))
        slow.sendall((f"POST /runs?token={srv.token} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      f"Content-Type: {ctype}\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body[:200])
        deadline = time.time() + 10
        while not srv.app.state.jobs.busy and time.time() < deadline:
            time.sleep(0.02)
        status, answer, _ = srv.post("/selfcheck", {"as_of": "2024-03-18"}, [("files", "白沙镇.xlsx", roster)])
        assert status == 409
        assert json.loads(answer)["error"].startswith("已有一项处理正在进行")
        status, page, _ = srv.post("/runs", {"as_of": "2024-03-18"}, [("files", "白沙镇.xlsx", roster)], fetch=False)
        assert status == 409 and "已有一项处理正在进行" in page.decode()  # a plain form post gets a page
        slow.close()  # the cancelled upload frees the slot and leaves no folder
        deadline = time.time() + 10
        while srv.app.state.jobs.busy and time.time() < deadline:
            time.sleep(0.02)
        status, answer, _ = srv.post("/selfcheck", {"as_of": "2024-03-18"}, [("files", "白沙镇.xlsx", roster)])
        assert status == 202
        assert srv.wait(json.loads(answer)["id"])["state"] == "done"
        assert len(list((tmp_path / "wd").glob("20*"))) == 1


def test_selfcheck_gives_exactly_what_validate_gives(tmp_path):
    (tmp_path / "in").mkdir()
    where = write_member_roster(tmp_path / "in" / "白沙镇.xlsx", number_id_row=1)
    cli_out = tmp_path / "cli"
    res = CliRunner().invoke(main, ["validate", str(tmp_path / "in" / "白沙镇.xlsx"), "-o", str(cli_out),
                                    "--as-of", "2024-03-18"])
    assert res.exit_code == 1, res.output
    with LiveServer(tmp_path / "wd") as srv:
        status, answer, _ = srv.post("/selfcheck", {"as_of": "2024-03-18"},
                                     [("files", "白沙镇.xlsx", (tmp_path / "in" / "白沙镇.xlsx").read_bytes())])
        assert status == 202
        run_id = json.loads(answer)["id"]
        assert srv.wait(run_id)["state"] == "done"
        page = srv.get(f"/runs/{run_id}")[1].decode()
        assert "请按问题清单改正后再提交" in page and "I005" in page
        assert f"<td>{where['number_id']}</td>" in page  # the row number of the problem is shown
        status, csv_bytes, _ = srv.get(f"/runs/{run_id}/out/issues.csv")
        assert status == 200 and csv_bytes == (cli_out / "issues.csv").read_bytes()
        status, book, headers = srv.get(f"/runs/{run_id}/out/问题清单.xlsx")
        assert status == 200 and "attachment" in headers["content-disposition"]
        ui_rows = list(openpyxl.load_workbook(io.BytesIO(book)).worksheets[0].values)
        cli_rows = list(openpyxl.load_workbook(cli_out / "问题清单.xlsx").worksheets[0].values)
        assert ui_rows == cli_rows
        # nothing outside the run's output folder is served
        for path in ["..%2Frun.json", "..%2F..%2Ffourcard.sqlite", "%2Fetc%2Fpasswd"]:
            status, body, _ = srv.get(f"/runs/{run_id}/out/{path}")
            assert status in (403, 404) and b"run.json" not in body[:20], path
        # past runs are listed
        assert f'href="/runs/{run_id}"' in srv.get("/")[1].decode()


def test_an_uploaded_zip_bomb_is_refused_as_in_process(tmp_path):
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"0" * (4 << 20))
    with LiveServer(tmp_path / "wd") as srv:
        status, answer, _ = srv.post("/selfcheck", {"as_of": "2024-03-18"},
                                     [("files", "白沙镇.xlsx", bomb.getvalue())])
        assert status == 202
        run_id = json.loads(answer)["id"]
        assert srv.wait(run_id)["state"] == "done"
        page = srv.get(f"/runs/{run_id}")[1].decode()
        assert "F007" in page and "疑似压缩炸弹" in page
        assert re.search(r'<tr class="st-失败"><td>白沙镇.xlsx</td>', page)


def test_a_failing_run_shows_its_chinese_error_and_the_server_stays_up(tmp_path):
    (tmp_path / "in").mkdir()
    write_member_roster(tmp_path / "in" / "白沙镇.xlsx")
    roster = ("files", "白沙镇.xlsx", (tmp_path / "in" / "白沙镇.xlsx").read_bytes())
    with LiveServer(tmp_path / "wd") as srv:
        status, answer, _ = srv.post("/runs", {"as_of": "2024-03-18"},
                                     [roster, ("rules", "规则.toml", "[[cards]]\nid = 1\nname = ".encode())])
        assert status == 202
        run_id = json.loads(answer)["id"]
        status = srv.wait(run_id)
        assert status["state"] == "failed" and "规则" in status["error"]
        page = srv.get(f"/runs/{run_id}")[1].decode()
        assert 'id="run-error"' in page and "规则" in page
        assert "下载全部结果" not in page
        # the server is still up and takes the next start
        status, answer, _ = srv.post("/runs", {"as_of": "2024-03-18", "seed": "7"}, [roster])
        assert status == 202
        assert srv.wait(json.loads(answer)["id"])["state"] == "done"
        status, body, _ = srv.post("/runs", {"as_of": "2024-13-45"}, [roster])
        assert status == 400 and "不是有效日期" in json.loads(body)["error"]


def test_ui_command_prints_its_address_takes_the_next_free_port_and_stops_on_ctrl_c(tmp_path):
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen(1)
    port = taken.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-c", "from fourcard_excel.cli import main; main()", "ui",
                             "--port", str(port), "--no-browser", "--workdir", str(tmp_path / "wd")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
    try:
        line = proc.stdout.readline().strip()
        m = re.fullmatch(r"请在浏览器打开：http://127\.0\.0\.1:(\d+)/\?token=([A-Za-z0-9_-]{20,})", line)
        assert m, line
        assert int(m.group(1)) > port  # the port asked for was taken
        deadline = time.time() + 20
        while True:
            try:
                status, body, _ = request(f"http://127.0.0.1:{m.group(1)}/?token={m.group(2)}")
                break
            except OSError:
                assert time.time() < deadline
                time.sleep(0.1)
        assert status == 200 and "处理花名册" in body.decode()
        assert request(f"http://127.0.0.1:{m.group(1)}/")[0] == 403
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
        assert proc.returncode == 0, err
        assert "网页界面已停止" in out
        assert "Traceback" not in err
    finally:
        taken.close()
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def test_side_tables_given_in_their_own_fields_are_used_as_process_uses_its_options(tmp_path):
    sample = Path(__file__).resolve().parent.parent / "sample_data"
    rosters = tmp_path / "花名册"
    shutil.copytree(sample, rosters, ignore=shutil.ignore_patterns("附表"))
    side = sample / "附表"
    fields = {"posts": "公益岗位花名册.xlsx", "villages": "村情表.xlsx", "contacts": "联系走访记录.xlsx",
              "inspectors": "抽查人员名单.xlsx"}
    cli_out = tmp_path / "cli"
    args = ["process", str(rosters), "-o", str(cli_out), "--as-of", "2024-03-18", "--seed", "99", "--no-db",
            "--team-size", "3", "-q"]
    for field, name in fields.items():
        args += [f"--{field}", str(side / name)]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    with LiveServer(tmp_path / "wd") as srv:
        uploads = folder_files(rosters) + [(field, name, (side / name).read_bytes()) for field, name in fields.items()]
        status, answer, _ = srv.post("/runs", {"as_of": "2024-03-18", "seed": "99", "team_size": "3"}, uploads)
        assert status == 202
        run_id = json.loads(answer)["id"]
        assert srv.wait(run_id)["state"] == "done"
    out = tmp_path / "wd" / run_id / "outputs"
    csvs = sorted(p.relative_to(cli_out).as_posix() for p in cli_out.rglob("*.csv"))
    assert "quotas.csv" in csvs and "spotcheck.csv" in csvs
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.csv")) == csvs
    for name in csvs:
        assert (out / name).read_bytes() == (cli_out / name).read_bytes(), name
    # and the side tables were really used: posts and contacts checked, inspectors put into teams of 3
    codes = set(pd.read_csv(out / "issues.csv", dtype=str, encoding="utf-8-sig")["代码"])
    assert {"Q002", "D003"} <= codes
    teams = pd.read_csv(out / "spotcheck.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert (teams["抽查人"].str.count("、") == 2).all()


def test_resubmitted_rosters_are_chosen_as_process_chooses_them(tmp_path):
    from test_resubmit import DAY, NOW, households, revise, write_roster

    rows = households("白沙乡", range(30))
    folder = tmp_path / "in"
    folder.mkdir()
    write_roster(folder / "白沙乡花名册.xlsx", rows, mtime=NOW - 3 * DAY)
    write_roster(folder / "白沙乡花名册(修改后).xlsx", revise(rows, [0, 5, 10], 40000), mtime=NOW - DAY)
    expected = {}
    for label, extra in (("newest", []), ("prefer", ["--prefer", "白沙乡花名册.xlsx"])):
        res = CliRunner().invoke(main, ["process", str(folder), "-o", str(tmp_path / label), "--as-of", "2024-03-18",
                                        "--no-db", "--seed", "1", "-q", *extra])
        assert res.exit_code == 0, res.output
        expected[label] = (tmp_path / label / "households.csv").read_bytes()
    assert expected["newest"] != expected["prefer"]
    uploads = folder_files(folder)
    # the page sends each file's modification time (File.lastModified, ms); the newest file wins
    mtimes = json.dumps({name: int((folder / name).stat().st_mtime * 1000) for _, name, _ in uploads})
    with LiveServer(tmp_path / "wd") as srv:
        for label, prefer in (("newest", ""), ("prefer", "白沙乡花名册.xlsx\n")):
            status, answer, _ = srv.post("/runs", {"as_of": "2024-03-18", "seed": "1", "mtimes": mtimes,
                                                   "prefer": prefer}, uploads)
            assert status == 202
            run_id = json.loads(answer)["id"]
            assert srv.wait(run_id)["state"] == "done"
            assert (tmp_path / "wd" / run_id / "outputs" / "households.csv").read_bytes() == expected[label], label
            page = srv.get(f"/runs/{run_id}")[1].decode()
            assert "重复提交：1 个文件" in page and "<th>重复于</th>" in page
        status, body, _ = srv.post("/runs", {"as_of": "2024-03-18", "prefer": "别的乡.xlsx"}, uploads)
        assert status == 400 and "不在上传的文件中" in json.loads(body)["error"]


def test_the_issue_table_shows_values_as_written_not_as_escaped_in_issues_csv(tmp_path):
    from fourcard_excel.issues import IssueLog
    from fourcard_excel.ui.views import issue_page
    from fourcard_excel.write import write_issue_files

    log = IssueLog()
    log.add("V003", "年人均纯收入“-500”不是有效数字，请改正", file="白沙镇.xlsx", sheet="花名册", row=5,
            column="年人均纯收入", value="-500")
    log.add("V003", "年人均纯收入“=A1*2”是公式，不是有效数字，请改为数值", file="白沙镇.xlsx", sheet="花名册", row=6,
            column="年人均纯收入", value="=A1*2")
    write_issue_files(log.frame(), tmp_path)
    assert "'-500" in (tmp_path / "issues.csv").read_text(encoding="utf-8-sig")  # escaped for Excel
    shown = issue_page(tmp_path / "issues.csv")
    values = [row[shown["columns"].index("值")] for row in shown["rows"]]
    assert values == ["-500", "=A1*2"]
    assert issue_page(tmp_path / "issues.csv", q="-500")["matched"] == 1
