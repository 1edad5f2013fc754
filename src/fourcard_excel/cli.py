"""Command line: ``fourcard-excel``. Thin layer over the library; all messages in Chinese."""

from __future__ import annotations

import importlib

import click

from . import __version__
from .chinese_click import ChineseGroup

# Command modules under fourcard_excel.commands; each exposes COMMANDS (a list of click commands).
COMMAND_MODULES = ("validate", "process", "sample", "quotas", "template", "forms", "notice", "history",
                   "measures", "ui", "rollup")

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(cls=ChineseGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "-V", "--version", prog_name="fourcard-excel",
                      message="%(prog)s 版本 %(version)s", help="显示版本号并退出。")
def main() -> None:
    """红黄绿蓝卡（四卡）分类帮扶花名册工具（fourcard-excel）。

    \b
    常用命令：
      fourcard-excel validate 花名册文件夹 -o 校验结果     乡镇提交前自查
      fourcard-excel process  花名册文件夹 -o 输出文件夹   县扶贫办汇总分类
    每个命令加 --help 查看说明和示例。
    """


def _register() -> None:
    for name in COMMAND_MODULES:
        modname = f"{__package__}.commands.{name}"
        try:
            module = importlib.import_module(modname)
        except ModuleNotFoundError as exc:  # a command family not built yet
            if exc.name != modname:
                raise
            continue
        for command in module.COMMANDS:
            main.add_command(command)


_register()
