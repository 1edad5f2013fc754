"""`fourcard-excel process`: the county office's main job."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import click

from ..pipeline import process
from ..registry import NOT_CARDED, UNDETERMINED
from .common import (
    CommandError,
    as_of_option,
    check_out_dir,
    check_prefer,
    duplicate_summary,
    issue_summary,
    prefer_option,
    progress_printer,
    quiet_option,
    rules_option,
)


@click.command("process")
@click.argument("input_path", metavar="输入", type=click.Path(exists=True))
@click.option("-o", "--out", "out_dir", type=click.Path(file_okay=False), default="四卡结果", show_default=True,
              metavar="输出文件夹", help="结果写到这个文件夹（不会写到输入文件旁边）。")
@rules_option
@as_of_option
@click.option("--seed", type=int, default=None, metavar="数字",
              help="县级抽查的随机种子；不填则自动选取并记录在清单和抽查表上，填同一数字可重现同一抽查名单。")
@click.option("--force-disagree", is_flag=True,
              help="计算卡别与申报卡别不一致的家庭一律纳入抽查（计入30%）。")
@click.option("--inspectors", type=click.Path(exists=True, dir_okay=False), default=None, metavar="文件",
              help="抽查人员名单（姓名、单位、所在乡镇），用于分组派单。")
@click.option("--team-size", type=int, default=None, metavar="人数", help="每个抽查组的人数（至少2人）。")
@click.option("--posts", type=click.Path(exists=True, dir_okay=False), default=None, metavar="文件",
              help="公益岗位花名册（也可直接放在输入文件夹里，按表头自动识别）。")
@click.option("--villages", type=click.Path(exists=True, dir_okay=False), default=None, metavar="文件",
              help="村情表（是否贫困村、挂牌督战、光伏电站等）。")
@click.option("--contacts", type=click.Path(exists=True, dir_okay=False), default=None, metavar="文件",
              help="帮扶干部联系走访记录。")
@click.option("--ledger", type=click.Path(exists=True, dir_okay=False), default=None, metavar="文件",
              help="帮扶措施台账（也可直接放在输入文件夹里，按表头自动识别）；有台账时核查帮扶措施、生成一户一策。")
@click.option("--db", "db_path", type=click.Path(dir_okay=False), default="fourcard.sqlite", show_default=True,
              metavar="数据库", help="动态管理数据库（记录每期结果，用于对比上期）。")
@click.option("--no-db", is_flag=True, help="不读写动态管理数据库。")
@click.option("--mask-id", is_flag=True, help="公示名单显示脱敏证件号码（前6位和后4位）；默认不显示证件号码。")
@click.option("--phone", default="", metavar="电话", help="公示名单上的监督举报电话。")
@click.option("--county", default=None, metavar="县名",
              help="本县名称，写入 manifest.json 和 Parquet 文件，供市、省汇总（rollup）区分各县；默认取输入文件夹的名称。")
@prefer_option
@quiet_option
def process_cmd(input_path, out_dir, rules_path, as_of, seed, force_disagree, inspectors, team_size, posts,
                villages, contacts, ledger, db_path, no_db, mask_id, phone, county, prefer, quiet) -> None:
    """县扶贫办汇总：校验、分类、抽查、核查并生成全部结果。

    读取输入文件夹（含子文件夹）中各乡镇的花名册，以及放在一起的公益岗位花名册、村情表、
    联系走访记录（按表头自动识别），按规则文件判定红、黄、绿、蓝卡，生成：

    \b
      全县汇总.xlsx          各乡镇分卡统计、图表、问题统计、文件清单、公益岗位、动态调整、帮扶措施
      乡镇结果/<乡镇>.xlsx   每个乡镇一本：汇总、各卡名单（按卡着色）、不纳入、未判定、问题清单、差异核对
      县级抽查名单.xlsx      按乡镇×卡别分层抽取30%，可打印签字
      公示名单/              每村一张公示表（不含健康、收入等敏感信息）
      一户一策/<乡镇>.xlsx   有帮扶措施台账时：每户应享、已享、未享措施，按村分组可打印
      问题清单.xlsx          需退回乡镇改正的全部问题
      households.csv、members.csv、issues.csv、spotcheck.csv、quotas.csv、transitions.csv、measures.csv、manifest.json
      households.parquet、members.parquet、issues.parquet   供市、省汇总（fourcard-excel rollup；
                             有帮扶措施台账时另有 measures.parquet、measures_coverage.parquet）

    \b
    示例：
      fourcard-excel process 花名册 -o 四卡结果
      fourcard-excel process 花名册 -o 四卡结果 --as-of 2024-03-18 --seed 2024 --inspectors 抽查人员.xlsx
      fourcard-excel process 花名册 -o 云溪县结果 --county 云溪县
      fourcard-excel process 花名册 -o 四卡结果 --prefer "白沙乡花名册(修改后).xlsx"

    \b
    同一乡镇的同一批家庭有多个文件（“- 副本”、“(修改后)”重交）时只用一个：完全相同的副本只读一次；
    其余按 --prefer、能完整读取、修改日期最新的顺序选用，其他文件“已跳过”并在问题清单说明。

    \b
    退出码：0 已处理完（数据问题见问题清单）；1 没有读到任何家庭；2 命令用法或规则文件错误。
    """
    from ..background import WorkerCrashed
    from ..checks.spotcheck import SpotCheckError
    from ..rules.ruleset import RulesError

    out = Path(out_dir)
    check_out_dir(Path(input_path), out)
    check_prefer(Path(input_path), prefer)
    command = "fourcard-excel " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    try:
        result = process(Path(input_path), out, rules_path=rules_path, as_of=as_of, seed=seed,
                         force_disagree=force_disagree, inspectors=inspectors, team_size=team_size,
                         db_path=db_path, use_db=not no_db, mask_id=mask_id, phone=phone,
                         side_files={"posts": posts, "villages": villages, "contacts": contacts,
                                     "ledger": ledger},
                         progress=progress_printer(quiet), command=command, prefer=prefer,
                         county=county.strip() if county and county.strip() else None)
    except (RulesError, SpotCheckError) as exc:
        raise click.UsageError(str(exc)) from exc
    except WorkerCrashed as exc:  # while writing (a file that crashes its reader only fails itself)
        raise CommandError(f"写出结果时{exc}；请关闭其他程序后重试，或设置环境变量 FOURCARD_WORKERS=1 "
                           "以单个进程运行") from exc

    hh = result.households
    for line in summary_lines(result):
        click.echo(line)
    if result.seed is not None:
        click.echo(f"县级抽查随机种子：{result.seed}（填 --seed {result.seed} 可重现同一名单）")
    if not no_db:
        click.echo(f"动态管理数据库：{Path(db_path).resolve()}")
    click.echo(f"结果已写到：{out.resolve()}")
    if not len(hh):
        click.echo("没有读到任何家庭，请检查输入文件夹和问题清单。")
        raise SystemExit(1)


def summary_lines(result, ledger_hint: str = "可放入输入文件夹或用 --ledger 指定") -> list[str]:
    """The Chinese summary of a process run: files, copies set aside, households, cards, problems,
    measures (also shown by the web page, with its own ``ledger_hint``)."""
    hh = result.households
    files = result.files
    lines = [f"文件：{len(files)} 个（已处理 {int((files['状态'] == '已处理').sum())}，"
             f"跳过 {int((files['状态'] == '已跳过').sum())}，失败 {int((files['状态'] == '失败').sum())}）",
             *duplicate_summary(files),
             f"家庭：{len(hh)} 户，{int(hh['size'].sum()) if len(hh) else 0} 人（评定基准日 {result.as_of}）"]
    counts = hh["card"].value_counts() if len(hh) else {}
    parts = [f"{name} {int(counts.get(name, 0))} 户" for name in
             [*result.rules.card_names, NOT_CARDED, UNDETERMINED]]
    lines.append("分类：" + "，".join(parts))
    lines += issue_summary(result.issues)
    findings = result.outputs.get("measures")
    if findings is None:
        lines.append(f"帮扶措施：未提供帮扶措施台账，未核查（{ledger_hint}）")
    else:
        plan = result.outputs.get("measures_plan")
        owed = int((plan["未享措施"] != "").sum()) if plan is not None and len(plan) else 0
        lines.append(f"帮扶措施：台账 {len(result.tables.get('ledger', ()))} 行，发现问题 {len(findings)} 条，"
                     f"应享未享 {owed} 户（见 measures.csv、一户一策/）")
    return lines


COMMANDS = [process_cmd]
