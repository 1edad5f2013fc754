"""``fourcard-excel measures``: the 帮扶措施 check alone (plan §四, §五(一) 一户一策)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from ..checks import measures as m
from ..rules.ruleset import RulesError
from .common import (
    CommandError,
    UsageProblem,
    as_of_option,
    check_out_dir,
    classify_or_exit,
    rules_option,
    use_side_file,
)


@click.command("measures", short_help="帮扶措施台账核查（一户一策、应享未享、补助标准）")
@click.argument("input_path", metavar="输入", type=click.Path(exists=True, path_type=Path))
@click.option("-o", "--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="输出文件夹（不能是输入文件夹或其子文件夹）")
@click.option("--ledger", "ledger_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="帮扶措施台账文件（不指定时从输入文件夹中按表头识别）")
@click.option("--year", type=int, default=None, metavar="年度",
              help="核查哪一年的台账（应享措施是否落实、产业扶贫资金）；默认台账中最近的年度。")
@rules_option
@as_of_option
def measures(input_path: Path, out_dir: Path, ledger_path: Path | None, year: int | None,
             rules_path: Path | None, as_of: dt.date | None) -> None:
    """核查帮扶措施台账（工作方案四、五(一)）：红卡产业分红全覆盖、入股每人2024元、分红不低于15%，
    红卡兜底保障A类、符合条件黄卡兜底保障B类，非贫困低保户应为蓝卡，临时救助每户每年1000－5000元，
    危房改造新建补助（红卡5万、黄卡4万）、修缮加固最高2万，庭院经济奖补只给黄卡户，兜底整户纳入，
    黄卡户均产业扶贫资金不低于绿卡两倍；并为每个有卡的农户生成“一户一策”。标准见规则文件 [measures] 部分。

    输入为花名册文件夹（或单个花名册文件）；帮扶措施台账可放在同一文件夹中（按表头自动识别），
    也可用 --ledger 指定。

    \b
    输出：
      measures.csv            每条问题一行（层级,乡镇,行政村,户编号,户主姓名,户主证件号码,卡别,检查项,要求,实际,说明）
      一户一策/<乡镇>.xlsx    每户应享、未享、可享、已享措施，按村分组，A4横向打印
    \b
    示例：
      fourcard-excel measures 花名册 -o 帮扶措施核查
      fourcard-excel measures 花名册 -o 帮扶措施核查 --ledger 帮扶措施台账.xlsx --year 2024
    \b
    退出码：0 未发现问题；1 有问题，或没有帮扶措施台账；2 用法或规则文件错误。
    """
    check_out_dir(input_path, out_dir)
    result = classify_or_exit(input_path, rules_path, as_of)
    if ledger_path is not None:
        use_side_file(result, "ledger", ledger_path, "帮扶措施台账", found="台账")
    if not len(result.tables.get("ledger", ())):
        raise CommandError("没有找到帮扶措施台账：请把台账（乡镇、户主证件号码、措施类别、金额、年度……）放入输入文件夹，"
                           "或用 --ledger 指定")
    try:
        m.run(result, year=year)
    except RulesError as exc:
        raise UsageProblem(str(exc)) from exc
    if result.outputs.get("measures") is None:
        raise UsageProblem("规则文件没有 [measures] 部分，无法核查帮扶措施；请从 templates/rules.toml 复制该部分")

    out_dir.mkdir(parents=True, exist_ok=True)
    paths = m.write(result, out_dir)
    findings = result.outputs["measures"]
    plan = result.outputs["measures_plan"]
    counts = findings["检查项"].value_counts()
    click.echo(f"核查年度：{result.outputs.get('measures_year') or '未注明'}；台账 {len(result.tables['ledger'])} 行，"
               f"有卡农户 {len(plan)} 户，其中应享未享 {int((plan['未享措施'] != '').sum())} 户。")
    if len(findings):
        click.echo(f"发现问题 {len(findings)} 条：")
        for name, n in counts.items():
            click.echo(f"  {name}：{int(n)} 条")
    else:
        click.echo("未发现问题。")
    click.echo("输出：" + "、".join(str(p) for p in paths))
    if len(findings):
        click.get_current_context().exit(1)


COMMANDS = [measures]
