"""`fourcard-excel validate`: townships check their own roster before submitting."""

from __future__ import annotations

from pathlib import Path

import click

from ..issues import ERROR
from ..pipeline import files_frame, validate_inputs
from .common import (
    as_of_option,
    check_out_dir,
    check_prefer,
    duplicate_summary,
    issue_summary,
    prefer_option,
    progress_printer,
    quiet_option,
)


@click.command("validate")
@click.argument("input_path", metavar="输入", type=click.Path(exists=True))
@click.option("-o", "--out", "out_dir", type=click.Path(file_okay=False), default="校验结果", show_default=True,
              metavar="输出文件夹", help="问题清单写到这个文件夹（issues.csv 和 问题清单.xlsx）。")
@as_of_option
@prefer_option
@quiet_option
def validate_cmd(input_path: str, out_dir: str, as_of, prefer, quiet: bool) -> None:
    """校验花名册（乡镇提交前自查）。

    输入可以是一个文件（.xlsx/.xls/.csv），也可以是一个文件夹（含子文件夹）。
    检查表头、必填项、证件号码（位数、校验位、出生日期、是否被存成数字）、
    户主与成员关系、性别、年龄、收入合计等，把问题写成问题清单。

    \b
    示例：
      fourcard-excel validate 白沙镇花名册.xlsx -o 校验结果
      fourcard-excel validate 花名册文件夹 --as-of 2024-03-18

    \b
    退出码：0 没有“错误”级问题；1 有“错误”级问题（需改正后再提交）；2 命令用法错误。
    """
    from ..write import write_issue_files

    out = Path(out_dir)
    check_out_dir(Path(input_path), out)
    check_prefer(Path(input_path), prefer)
    v = validate_inputs(Path(input_path), as_of=as_of, progress=progress_printer(quiet), prefer=prefer)
    issues = v.log.frame()
    files = files_frame(v, issues)
    written = write_issue_files(issues, out)
    m = v.members
    processed = int((files["状态"] == "已处理").sum())
    click.echo(f"文件：{len(files)} 个（已读取 {processed}，跳过 {int((files['状态'] == '已跳过').sum())}，"
               f"失败 {int((files['状态'] == '失败').sum())}）")
    for line in duplicate_summary(files):
        click.echo(line)
    click.echo(f"数据行：{len(m)} 行，家庭：{m['hh_key'].nunique() if len(m) else 0} 户")
    for line in issue_summary(issues):
        click.echo(line)
    click.echo("问题清单：" + "，".join(str(p) for p in written))
    errors = int((issues["级别"] == ERROR).sum())
    if errors:
        click.echo(f"有 {errors} 条“错误”，请按问题清单改正后再提交。")
        raise SystemExit(1)
    click.echo("没有“错误”级问题，可以提交。")


COMMANDS = [validate_cmd]
