"""``fourcard-excel sample`` (draw the county 30% spot-check) and ``check-sample`` (check a
returned, filled-in list)."""

from __future__ import annotations

from pathlib import Path

import click

from ..checks import spotcheck as sc
from .common import (
    CommandError,
    UsageProblem,
    as_of_option,
    check_out_dir,
    classify_or_exit,
    rules_option,
)


class RateType(click.ParamType):
    name = "比例"

    def convert(self, value, param, ctx):
        if isinstance(value, float):
            return value
        text = str(value).strip().replace("％", "%")
        try:
            return float(text[:-1]) / 100 if text.endswith("%") else float(text)
        except ValueError:
            self.fail(f"“{value}”不是有效比例，请写成 0.3 或 30%", param, ctx)


def _inspector_frame(path: Path | None):
    if path is None:
        return None
    try:
        return sc.read_inspectors(path)
    except sc.SpotCheckError as exc:
        raise UsageProblem(str(exc)) from exc


@click.command("sample", short_help="县级30%抽查：按乡镇×卡别分层随机抽取、分组，生成抽查名单")
@click.argument("input_path", metavar="输入", type=click.Path(exists=True, path_type=Path))
@click.option("-o", "--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              metavar="输出文件夹", help="输出文件夹（不能放在输入文件夹里）。")
@click.option("--seed", type=int, default=None, metavar="整数",
              help="随机种子。同一种子、同一批数据，抽中的户完全相同（与文件名、文件顺序、行顺序无关）；"
                   "不指定时自动选取并显示，记录在名单“汇总”页。")
@click.option("--rate", type=RateType(), default=None, metavar="比例",
              help="抽查比例，如 0.3 或 30%；默认取规则文件 [spotcheck] rate（30%），不得低于 min_rate。")
@click.option("--inspectors", "inspectors_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, metavar="人员名单",
              help="抽查人员名单（.xlsx/.csv，列：姓名、单位、所在乡镇；所在乡镇空白为县直人员）。"
                   "不指定时只抽名单、不分组。")
@click.option("--team-size", type=int, default=None, metavar="人数",
              help="每组至少人数，默认取规则文件 [spotcheck] team_size（2），不得少于2。")
@click.option("--force-disagree", is_flag=True,
              help="计算卡别与申报卡别不一致的户必抽（计入30%）。")
@rules_option
@as_of_option
def sample(input_path: Path, out_dir: Path, seed: int | None, rate: float | None,
           inspectors_path: Path | None, team_size: int | None, force_disagree: bool,
           rules_path: str | None, as_of) -> None:
    """县级抽查（工作方案附表备注3、4）：对红黄绿蓝卡户按30%比例复核，复核小组2人以上、同时签字。

    按“乡镇×卡别”分层，每层抽取 向上取整(比例×户数) 户，每个乡镇、每种卡别都不少于30%。
    给定随机种子和同一批数据，抽样结果与文件名、文件顺序、行顺序无关，可复现。
    指定抽查人员名单时，组成每组不少于2人的抽查组，按乡镇整体分配（过大的乡镇按村拆分），
    抽查人不检查本人所在乡镇，各组户数尽量均衡（汇总页列出各组工作量差）。

    \b
    输出：
      县级抽查名单.xlsx   汇总（各层户数、应抽、实抽、比例，随机种子，抽查组）；
                          每组一页（不分组时每乡镇一页），按乡镇、村、户排序，
                          含空白的 核查卡别、核查意见、抽查人签字1、抽查人签字2、日期，横向打印
      spotcheck.csv       乡镇,行政村,户编号,户主姓名,户主证件号码,卡别,抽查组,抽查人
      manifest.json       运行记录（输入文件、规则、随机种子等）
    \b
    示例：
      fourcard-excel sample 花名册 -o 抽查
      fourcard-excel sample 花名册 -o 抽查 --seed 20240330 --inspectors 抽查人员.xlsx
      fourcard-excel sample 花名册 -o 抽查 --rate 40% --team-size 3 --force-disagree
    抽查结束后把填好的名单交回，用 check-sample 核验。
    \b
    退出码：0 已生成名单；1 没有四卡户可抽，或抽查人员不足以组队；2 用法、规则文件或人员名单错误。
    """
    check_out_dir(input_path, out_dir)
    inspectors = _inspector_frame(inspectors_path)
    result = classify_or_exit(input_path, rules_path, as_of)
    result.command = "sample"
    picked = seed is None and result.seed is None
    try:
        sc.run(result, seed=seed, rate=rate, force_disagree=force_disagree, inspectors=inspectors,
               team_size=team_size)
    except sc.SpotCheckError as exc:
        raise UsageProblem(str(exc)) from exc

    data = result.outputs[sc.NAME]
    meta, strata, teams, drawn = data["meta"], data["strata"], data["teams"], data["sample"]
    if picked:
        click.echo(f"随机种子：{meta['seed']}（未指定 --seed，已自动选取；重抽同一名单请加 --seed {meta['seed']}）")
    else:
        click.echo(f"随机种子：{meta['seed']}")
    paths = sc.write(result, out_dir)
    try:  # the run manifest records the seed (write/manifest.py)
        from ..write.manifest import write_manifest  # noqa: PLC0415
    except ImportError:  # pragma: no cover - manifest writer not installed
        write_manifest = None
    if write_manifest is not None:
        paths.append(write_manifest(result, list(paths), out_dir))
    n_all = int(strata["四卡户数"].sum()) if len(strata) else 0
    click.echo(f"四卡户 {n_all} 户，分 {len(strata)} 层（乡镇×卡别），抽取 {len(drawn)} 户"
               + (f"（{len(drawn) / n_all:.1%}）" if n_all else "")
               + (f"，其中申报卡别不一致必抽 {int(drawn['forced'].sum())} 户" if force_disagree else "") + "。")
    if len(teams):
        click.echo(f"抽查组 {len(teams)} 个，每组户数 {int(teams['户数'].min())}–{int(teams['户数'].max())}，"
                   f"工作量差 {meta['load_spread']} 户：")
        for rec in teams.itertuples(index=False):
            click.echo(f"  {rec.抽查组}（{rec.抽查人}）：{rec.负责乡镇}，{rec.户数} 户")
    spot_issues = result.issues[result.issues["代码"].isin(["S005", "S006"])] if len(result.issues) else None
    if spot_issues is not None:
        for rec in spot_issues.itertuples(index=False):
            click.echo(f"{rec.级别}（{rec.代码}）：{rec.说明}", err=True)
    n_blocked = int((result.households["card"] == "未判定").sum()) if "card" in result.households else 0
    if n_blocked:
        click.echo(f"提示：有 {n_blocked} 户因数据错误未判定卡别，不在抽样范围内（请用 validate/process 查看问题清单）。")
    click.echo("输出：" + "、".join(str(p) for p in paths))
    if n_all == 0:
        raise CommandError("没有判定为四卡的家庭，无法抽查")
    if spot_issues is not None and (spot_issues["代码"] == "S005").any():
        click.get_current_context().exit(1)


@click.command("check-sample", short_help="核验交回的县级抽查名单：覆盖率、双人签字、核查卡别")
@click.argument("filled", metavar="交回名单.xlsx", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--results", "-o", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              metavar="输出文件夹", help="核验结果输出文件夹。")
def check_sample(filled: Path, out_dir: Path) -> None:
    """核验抽查组交回、已填写的县级抽查名单（由 sample 生成的 县级抽查名单.xlsx）。

    \b
    核验内容：
      覆盖率       每个乡镇×卡别，已填核查卡别且两人签字的户数不少于四卡户数的30%（向上取整）
      签字不全     已填核查卡别、但抽查人签字少于两人的行
      未核查       核查卡别空白的行
      卡别不一致   核查卡别与计算卡别不同的行（提示，供调整卡别）
    四卡户数取自名单的“汇总”页，不需要花名册。
    \b
    输出：
      抽查核验结果.xlsx   覆盖率、问题清单、签字不全、未核查、卡别不一致
    \b
    示例：
      fourcard-excel check-sample 交回/县级抽查名单.xlsx --results 核验结果
    \b
    退出码：0 全部合格；1 有分层覆盖率不足、签字不全或未核查的行；2 文件不是县级抽查名单或无法读取。
    """
    try:
        frames, issues = sc.check_returned(filled)
    except ValueError as exc:  # SpotCheckError / spotcheck_book.BookError
        raise UsageProblem(str(exc)) from exc
    out = sc.write_check(frames, issues, out_dir)
    cov = frames["覆盖率"]
    ok = int((cov["是否达标"] == "达标").sum())
    rows = frames["核查明细"]
    click.echo(f"名单共 {len(rows)} 户，已核查 {int(rows['已核查'].sum())} 户，"
               f"有效核查（两人签字）{int(rows['有效核查'].sum())} 户。")
    click.echo(f"覆盖率：{len(cov)} 层中 {ok} 层达标" + ("。" if ok == len(cov) else "，未达标：" + "、".join(
        f"{r.乡镇}{r.卡别}（{r.覆盖率:.1%}）" for r in cov[cov["是否达标"] != "达标"].itertuples(index=False)) + "。"))
    click.echo(f"签字不全 {len(frames['签字不全'])} 户，未核查 {len(frames['未核查'])} 户，"
               f"核查卡别与计算卡别不一致 {len(frames['卡别不一致'])} 户。")
    click.echo(f"输出：{out}")
    if sc.check_failed(issues):
        click.echo("核验未通过：请补齐核查、签字或抽查户数后重新交回。", err=True)
        click.get_current_context().exit(1)
    click.echo("核验通过。")


COMMANDS = [sample, check_sample]
