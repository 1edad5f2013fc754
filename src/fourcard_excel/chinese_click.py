"""Chinese help and error text for click's own words (Usage, Options, Error: …).

Click writes a few English phrases itself; county staff read Chinese. A help formatter and a
group whose ``main`` reports errors in Chinese keep every word a user sees in Chinese.
"""

from __future__ import annotations

import re
import sys

import click

_METAVARS = ((" TEXT", " 文本"), (" PATH", " 路径"), (" FILE", " 文件"), (" INTEGER", " 整数"),
             (" FLOAT", " 数字"), (" DIRECTORY", " 文件夹"))
_SECTIONS = {"Options": "选项", "Commands": "命令", "Arguments": "参数"}
_PHRASES = (
    ("Show this message and exit.", "显示本帮助并退出。"),
    ("Show the version and exit.", "显示版本号并退出。"),
    ("[default: ", "[默认："),
    ("[required]", "[必填]"),
    ("; required]", "；必填]"),
)
_ERRORS = (
    (re.compile(r"^Missing argument '(.+)'\.?$"), r"缺少参数“\1”。"),
    (re.compile(r"^Missing option '(.+)'\.?$"), r"缺少选项“\1”。"),
    (re.compile(r"^No such option: (.+)$"), r"没有这个选项：\1"),
    (re.compile(r"^No such option '(.+)'\. Did you mean '(.+)'\?$"), r"没有这个选项“\1”，是不是要用“\2”？"),
    (re.compile(r"^No such option '(.+)'\.?$"), r"没有这个选项“\1”。"),
    (re.compile(r"^No such command '(.+)'\.?$"), r"没有这个命令：\1"),
    (re.compile(r"^Got unexpected extra arguments? \((.+)\)$"), r"多出了参数：\1"),
    (re.compile(r"^Invalid value for '(.+)': (?:Path|File) '(.+)' does not exist\.$"), r"“\1”指定的“\2”不存在。"),
    (re.compile(r"^Invalid value for '(.+)': '(.+)' is not a valid integer\.$"), r"“\1”应为整数，“\2”不是。"),
    (re.compile(r"^Invalid value for '(.+)': (.+)$"), r"“\1”的取值无效：\2"),
    (re.compile(r"^Option '(.+)' requires an argument\.$"), r"选项“\1”后面需要填写一个值。"),
)


def _translate(text: str) -> str:
    for old, new in _PHRASES:
        text = text.replace(old, new)
    return text


def _metavars(text: str) -> str:
    for old, new in _METAVARS:
        if text.endswith(old) or old + " " in text:
            text = text.replace(old, new)
    return text


def translate_error(message: str) -> str:
    for pattern, repl in _ERRORS:
        if pattern.match(message):
            return _translate(pattern.sub(repl, message))
    return message


class ChineseHelpFormatter(click.HelpFormatter):
    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        args = args.replace("[OPTIONS]", "[选项]").replace("COMMAND [ARGS]...", "命令 [参数]...")
        super().write_usage(prog, args, prefix="用法：" if prefix is None else prefix)

    def section(self, name: str):
        return super().section(_SECTIONS.get(name, name))

    def write_dl(self, rows, col_max: int = 30, col_spacing: int = 2) -> None:
        super().write_dl([(_metavars(a), _translate(b)) for a, b in rows], col_max, col_spacing)


class ChineseContext(click.Context):
    formatter_class = ChineseHelpFormatter


class ChineseGroup(click.Group):
    context_class = ChineseContext

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        cmd.context_class = ChineseContext
        super().add_command(cmd, name)

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.Abort:
            click.echo("已中止。", err=True)
            sys.exit(1)
        except click.UsageError as exc:
            ctx = exc.ctx
            if ctx is not None:
                click.echo(ctx.get_usage(), err=True)
                click.echo(f"查看帮助：{ctx.command_path} --help", err=True)
            click.echo(f"错误：{translate_error(exc.format_message())}", err=True)
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            click.echo(f"错误：{translate_error(exc.format_message())}", err=True)
            sys.exit(exc.exit_code)
        if isinstance(rv, int) and rv:
            sys.exit(rv)
        sys.exit(0)
