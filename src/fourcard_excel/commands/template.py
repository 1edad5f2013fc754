"""``fourcard-excel template``: blank roster and side-table templates from the column registry."""

from __future__ import annotations

from pathlib import Path

import click

from ..documents import templates as tpl


@click.command("template")
@click.option("--kind", type=click.Choice(tpl.KINDS), default="roster", show_default=True,
              help="模板类型：roster 四卡花名册，posts 公益岗位花名册，villages 村情表，contacts 联系走访记录，"
                   "ledger 帮扶措施台账")
@click.option("--level", type=click.Choice(tpl.LEVELS), default="member", show_default=True,
              help="花名册层级：member 一人一行（成员），household 一户一行（家庭）；仅对 roster 有效")
@click.option("-o", "--output", "output", default=None, type=click.Path(path_type=Path),
              help="输出文件（.xlsx）；加 --all 时为文件夹。默认在当前文件夹按模板名保存")
@click.option("--all", "all_", is_flag=True, default=False,
              help="一次生成全部模板（即 templates/ 中提交的文件）")
def template_command(kind: str, level: str, output: Path | None, all_: bool) -> None:
    """生成填报模板（含填表说明、下拉选项和格式校验）。

    模板由列定义生成：表头带输入提示，所有选项类字段（劳动技能、健康状况、在校生状况、
    与户主关系、户类别、脱贫属性、是/否项、风险类型等）有下拉列表；证件号码列为文本格式并限定18位；
    金额、人数不能为负；表头冻结。“填表说明”页列出每一列的填法和示例。

    \b
    示例：
      fourcard-excel template -o 城关镇四卡花名册.xlsx
      fourcard-excel template --level household -o 家庭花名册.xlsx
      fourcard-excel template --kind posts -o 公益岗位花名册.xlsx
      fourcard-excel template --all -o templates
    """
    if all_:
        out_dir = output or Path(".")
        if out_dir.exists() and not out_dir.is_dir():
            raise click.UsageError("使用 --all 时 -o 应为文件夹")
        paths = tpl.write_all_templates(out_dir)
        for p in paths:
            click.echo(f"已生成模板：{p}")
        return
    path = output or Path(tpl.default_filename(kind, level))
    if path.suffix.lower() != ".xlsx":
        raise click.UsageError("模板文件名应以 .xlsx 结尾")
    if kind != "roster" and level != "member":
        click.echo("提示：--level 只对花名册（roster）有效，已忽略。")
        level = "member"
    tpl.write_template(path, kind, level)
    name = tpl.KIND_NAMES[kind] + ("（家庭）" if kind == "roster" and level == "household" else "")
    click.echo(f"已生成{name}模板：{path}")


COMMANDS = [template_command]
