"""The CLI speaks Chinese: help, version, usage errors; every command has a worked example."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from fourcard_excel import __version__
from fourcard_excel.cli import main

COMMANDS = sorted(main.commands)


def test_all_command_families_registered():
    assert {"validate", "process", "sample", "check-sample", "quotas", "template", "forms", "notice", "history",
            "export"} <= set(COMMANDS)


def test_top_help_is_chinese():
    res = CliRunner().invoke(main, ["--help"])
    assert res.exit_code == 0
    for word in ("用法：", "选项", "命令", "显示本帮助并退出"):
        assert word in res.output
    for english in ("Usage:", "Options:", "Commands:", "Show this message"):
        assert english not in res.output


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_help_has_an_example(name):
    res = CliRunner().invoke(main, [name, "--help"])
    assert res.exit_code == 0, res.output
    assert "示例" in res.output and f"fourcard-excel {name}" in res.output
    assert "Usage:" not in res.output and "Show this message" not in res.output


def test_version():
    res = CliRunner().invoke(main, ["--version"])
    assert res.exit_code == 0 and f"版本 {__version__}" in res.output


def test_usage_errors_are_chinese_with_exit_code_2(tmp_path):
    runner = CliRunner()
    res = runner.invoke(main, ["validate"])
    assert res.exit_code == 2 and "缺少参数“输入”" in res.output
    res = runner.invoke(main, ["process", str(tmp_path / "没有这个文件夹")])
    assert res.exit_code == 2 and "不存在" in res.output
    res = runner.invoke(main, ["process", str(tmp_path), "--seed", "abc"])
    assert res.exit_code == 2 and "整数" in res.output
    res = runner.invoke(main, ["validate", str(tmp_path), "--as-of", "2024-13-45"])
    assert res.exit_code == 2 and "不是有效日期" in res.output
