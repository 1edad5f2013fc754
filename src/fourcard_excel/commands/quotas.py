"""``fourcard-excel quotas``: 公益岗位 quota compliance and priority hiring, standalone."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from .. import issues as iss
from ..checks import quotas as q
from .common import (
    CommandError,
    as_of_option,
    check_out_dir,
    classify_or_exit,
    rules_option,
    use_side_file,
)


def _pct(x) -> str:
    return "—" if x is None else f"{x * 100:.1f}%"


@click.command("quotas", short_help="公益岗位数量达标、光伏收益使用和黄卡户优先聘用核查")
@click.argument("input_path", metavar="输入", type=click.Path(exists=True, path_type=Path))
@click.option("-o", "--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="输出文件夹（不能是输入文件夹或其子文件夹）")
@click.option("--posts", "posts_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="公益岗位花名册文件（不指定时从输入文件夹中按表头识别）")
@click.option("--villages", "villages_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="村情表文件（不指定时从输入文件夹中按表头识别）")
@rules_option
@as_of_option
def quotas(input_path: Path, out_dir: Path, posts_path: Path | None, villages_path: Path | None,
           rules_path: Path | None, as_of: dt.date | None) -> None:
    """核查公益岗位（工作方案四(一)、(二)）：各级岗位数量是否达到最低要求，光伏收益用于
    黄卡户公益岗位工资是否不低于80%，聘用人员是否为黄卡户，以及有劳动能力、尚未安排岗位的黄卡户。

    输入为花名册文件夹（或单个花名册文件）；公益岗位花名册和村情表可放在同一文件夹中
    （按表头自动识别），也可用 --posts / --villages 指定。

    \b
    输出：
      quotas.csv            达标情况（层级,乡镇,行政村,要求,实际,缺口,是否达标）
      公益岗位核查.xlsx     达标情况（未达标红色、达标绿色）、人员核对、候选黄卡户、光伏收益、问题清单
    \b
    示例：
      fourcard-excel quotas 花名册 -o 公益岗位核查
      fourcard-excel quotas 花名册 -o 公益岗位核查 --posts 公益岗位花名册.xlsx --villages 村情表.xlsx
    \b
    退出码：0 全部达标；1 有未达标项，或没有公益岗位花名册；2 用法或规则文件错误。
    """
    check_out_dir(input_path, out_dir)
    result = classify_or_exit(input_path, rules_path, as_of)

    side_issues = []
    for kind, path, label in (("posts", posts_path, "公益岗位花名册"), ("villages", villages_path, "村情表")):
        if path is None:
            continue
        side_issues.append(use_side_file(result, kind, path, label))

    q.run(result)
    if "quotas" not in result.outputs:
        raise CommandError("没有找到公益岗位花名册：请把公益岗位花名册放入输入文件夹，或用 --posts 指定"
                           "（模板见 templates/）")

    out_dir.mkdir(parents=True, exist_ok=True)
    paths = q.write(result, out_dir)
    issues = result.issues
    side_files = set()
    for frame in side_issues:
        side_files |= set(frame["文件"])
    for kind in ("posts", "villages"):
        table = result.tables.get(kind)
        if table is not None and "source_file" in table.columns:
            side_files |= set(table["source_file"].astype(str))
    mine = issues["代码"].str.startswith("Q") | issues["文件"].isin(side_files - {""})
    paths.append(q.write_workbook(result, out_dir / q.WORKBOOK_NAME, issues[mine]))

    s = result.outputs["post_summary"]
    quota = result.outputs["quotas"]
    short = quota[quota["是否达标"] == q.NO]
    click.echo(f"公益岗位共 {s['posts']} 个，黄卡户聘用 {s['priority']} 个（占 {_pct(s['share'])}）。")
    click.echo(f"数量要求核查 {s['requirements']} 项，未达标 {s['shortfalls']} 项"
               + (f"（其中全县 {int((short['层级'] == q.LEVEL_COUNTY_TOTAL).sum())} 项、县级 "
                  f"{int((short['层级'] == q.LEVEL_COUNTY).sum())} 项、乡镇 "
                  f"{int((short['层级'] == q.LEVEL_TOWNSHIP).sum())} 项、村 "
                  f"{int((short['层级'] == q.LEVEL_VILLAGE).sum())} 项）" if len(short) else "") + "。")
    click.echo(f"聘用人员不是黄卡户 {s['not_priority']} 人，在花名册中找不到 {s['not_found']} 人；"
               f"有劳动能力、未安排岗位的黄卡户 {s['candidates']} 户。")
    if s["pv_checked"]:
        click.echo(f"光伏收益使用核查 {s['pv_checked']} 个村，不足{_pv_min(result)} {s['pv_failed']} 个村。")
    if s["unplaced"]:
        click.echo(f"有 {s['unplaced']} 个岗位无法归到乡镇或村情表中的村，只计入全县总数（见问题清单）。")
    n_err = int((issues[mine]["级别"] == iss.ERROR).sum())
    if n_err:
        click.echo(f"公益岗位花名册或村情表有 {n_err} 处错误，见问题清单。")
    click.echo("输出：" + "、".join(str(p) for p in paths))
    if s["shortfalls"] or s["pv_failed"]:
        click.get_current_context().exit(1)


def _pv_min(result) -> str:
    cfg = q.quota_config(result.rules)
    return f"{float(cfg['pv_share_min']) * 100:g}%的"


COMMANDS = [quotas]
