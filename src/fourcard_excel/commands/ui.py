"""`fourcard-excel ui`: the local web page."""

from __future__ import annotations

from pathlib import Path

import click

from .common import CommandError


@click.command("ui")
@click.option("--port", type=click.IntRange(1, 65535), default=8765, show_default=True, metavar="端口",
              help="网页使用的端口；被占用时自动换下一个空闲端口。")
@click.option("--workdir", type=click.Path(file_okay=False), default=None, metavar="文件夹",
              help="保存每次运行（上传的文件和结果）的文件夹，默认是用户目录下的 fourcard-excel。")
@click.option("--no-browser", is_flag=True, help="不自动打开浏览器（只显示地址）。")
@click.option("--max-upload", type=click.IntRange(1, 100_000), default=200, show_default=True, metavar="MB",
              help="一次上传的文件总大小上限（MB）。")
def ui_cmd(port: int, workdir: str | None, no_browser: bool, max_upload: int) -> None:
    """打开网页界面（不用命令行也能处理花名册和自查）。

    \b
    只在本机（127.0.0.1）提供网页，地址里带一个每次启动都不同的访问令牌，没有令牌的访问一律拒绝。
    每次处理都在工作文件夹里建一个以时间命名的文件夹，保存上传的文件（inputs）和结果（outputs）。
    按 Ctrl+C 停止。

    \b
    示例：
      fourcard-excel ui
      fourcard-excel ui --port 9000 --workdir D:/四卡工作 --no-browser
    """
    from ..ui.server import NoFreePort, serve

    folder = Path(workdir) if workdir else Path.home() / "fourcard-excel"
    try:
        folder.expanduser().mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CommandError(f"无法创建工作文件夹“{folder}”（{exc.strerror}），请用 --workdir 换一个位置") from exc
    try:
        serve(folder, port=port, open_browser=not no_browser, max_upload=max_upload << 20,
              echo=lambda line: click.echo(line))
    except NoFreePort as exc:
        raise CommandError(str(exc)) from exc
    except KeyboardInterrupt:
        pass
    click.echo("网页界面已停止。")


COMMANDS = [ui_cmd]
