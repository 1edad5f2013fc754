"""Rerunning `process` into the same output folder leaves no stale township results behind."""

from __future__ import annotations

from click.testing import CliRunner
from rosters import write_gbk_csv, write_member_roster

from fourcard_excel.cli import main


def run(src, out):
    res = CliRunner().invoke(main, ["process", str(src), "-o", str(out), "--as-of", "2024-03-18", "--seed", "1",
                                    "--no-db", "-q"])
    assert res.exit_code == 0, res.output


def test_rerun_removes_results_of_a_township_no_longer_in_the_input(tmp_path):
    src, out = tmp_path / "花名册", tmp_path / "结果"
    src.mkdir()
    write_member_roster(src / "白沙镇.xlsx", township="白沙镇")
    write_gbk_csv(src / "西河镇.csv", township="西河镇")  # other people: no duplicate IDs
    run(src, out)
    assert (out / "乡镇结果" / "西河镇.xlsx").is_file() and (out / "公示名单" / "西河镇").is_dir()
    (out / "我的笔记.txt").write_text("县扶贫办自己的文件", encoding="utf-8")
    edited = out / "乡镇结果" / "白沙镇.xlsx"

    (src / "西河镇.csv").unlink()
    run(src, out)
    assert not (out / "乡镇结果" / "西河镇.xlsx").exists()
    assert not (out / "公示名单" / "西河镇").exists()  # emptied folders go too
    assert edited.is_file() and (out / "我的笔记.txt").is_file()  # current results and user files stay


def test_a_result_edited_by_the_user_is_never_deleted(tmp_path):
    src, out = tmp_path / "花名册", tmp_path / "结果"
    src.mkdir()
    write_member_roster(src / "白沙镇.xlsx", township="白沙镇")
    write_gbk_csv(src / "西河镇.csv", township="西河镇")  # other people: no duplicate IDs
    run(src, out)
    book = out / "乡镇结果" / "西河镇.xlsx"
    book.write_bytes(book.read_bytes() + b"edited")
    (src / "西河镇.csv").unlink()
    run(src, out)
    assert book.is_file()
