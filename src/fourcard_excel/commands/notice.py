"""``fourcard-excel notice``: public notice lists (公示名单), one printable workbook per village."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from ..documents import notice as notice_lib
from .common import as_of_option, check_out_dir, classify_or_exit, rules_option


@click.command("notice")
@click.argument("input_path", metavar="花名册", type=click.Path(exists=True, path_type=Path))
@click.option("-o", "--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="输出文件夹，按“乡镇/行政村.xlsx”保存")
@click.option("--mask-id", is_flag=True, default=False,
              help="列出部分隐藏的证件号码（只显示前6位和后4位）；默认不列证件号码")
@click.option("--phone", default="", metavar="电话", help="监督举报电话；不填则留空线由村里手写")
@click.option("--village", default=None, metavar="行政村", help="只生成一个行政村（村名或“乡镇/行政村”）")
@rules_option
@as_of_option
def notice_command(input_path: Path, out_dir: Path, mask_id: bool, phone: str, village: str | None,
                   rules_path: Path | None, as_of: dt.date | None) -> None:
    """生成公示名单（每个行政村一个可打印的工作簿）。

    名单只列序号、村民小组、户主姓名、家庭人口、卡别，不含健康、残疾、收入、致贫原因和子女信息；
    标题注明公示期（规则文件 [schedule] 的“公开公示”阶段和公示天数），下方留监督举报电话。
    只列入红、黄、绿、蓝卡户（不纳入、未判定的家庭不公示）。

    \b
    示例：
      fourcard-excel notice 花名册文件夹 -o 公示名单
      fourcard-excel notice 花名册文件夹 -o 公示名单 --mask-id --phone 0857-1234567
    """
    check_out_dir(input_path, out_dir)
    result = classify_or_exit(input_path, rules_path, as_of)
    paths = notice_lib.write_notices(result, out_dir, mask_id=mask_id, phone=phone, village=village)
    if not paths:
        where = f"行政村“{village}”" if village else "花名册"
        click.echo(f"没有生成公示名单：{where}中没有已分卡的家庭。")
        raise SystemExit(1)
    click.echo(f"已生成公示名单 {len(paths)} 个村，保存在 {out_dir}"
               + ("（证件号码已部分隐藏）" if mask_id else "（不含证件号码）"))


COMMANDS = [notice_command]
