"""``fourcard-excel forms``: approval forms (审批表), one A4 page per household, one workbook per village."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from ..documents import forms as forms_lib
from .common import as_of_option, check_out_dir, classify_or_exit, rules_option


@click.command("forms")
@click.argument("input_path", metavar="花名册", type=click.Path(exists=True, path_type=Path))
@click.option("-o", "--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="输出文件夹（每个行政村一个工作簿）")
@click.option("--village", default=None, metavar="行政村",
              help="只生成一个行政村：写村名，重名时写“乡镇/行政村”")
@rules_option
@as_of_option
@click.option("--layout", "layout_path", default=None,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="审批表版式文件，默认 templates/审批表版式.toml")
def forms_command(input_path: Path, out_dir: Path, village: str | None, rules_path: Path | None,
                  as_of: dt.date | None, layout_path: Path | None) -> None:
    """生成审批表（2024年脱贫攻坚分类帮扶动态管理审批表）。

    读取花名册并按规则分类，每户一页A4纵向审批表，预填户主、家庭人口、证件号码、
    致贫原因、类别与脱贫属性勾选、收入、已享受和可享受政策、家庭成员表；
    “上户核查意见”中勾选系统计算的卡别，五个意见栏留出签字和日期。
    每个行政村一个工作簿（乡镇_行政村_审批表.xlsx），已设置打印区域和分页。

    \b
    示例：
      fourcard-excel forms 花名册文件夹 -o 审批表
      fourcard-excel forms 城关镇.xlsx -o 审批表 --village 红旗村
    """
    try:
        layout = forms_lib.load_layout(layout_path)
    except forms_lib.FormLayoutError as exc:
        click.echo(f"错误：{exc}", err=True)
        raise SystemExit(1) from exc
    check_out_dir(input_path, out_dir)
    result = classify_or_exit(input_path, rules_path, as_of)
    paths = forms_lib.write_forms(result, out_dir, village=village, layout=layout)
    if not paths:
        where = f"行政村“{village}”" if village else "花名册"
        click.echo(f"没有生成审批表：{where}中没有可用的家庭。")
        raise SystemExit(1)
    n = len(result.households) if not village else None
    click.echo(f"已生成审批表 {len(paths)} 个工作簿，保存在 {out_dir}" + (f"（共 {n} 户）" if n else ""))


COMMANDS = [forms_command]
