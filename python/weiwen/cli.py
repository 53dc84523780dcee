"""The `weiwen` command line: each command parses its options, calls one pipeline function and
prints the report (or one JSON object with --json, `ok` true or false). Exit 0 when the run
completed, problems found or not; exit 2 with a one-line Chinese message when the campaign cannot
be used or the command was mistyped (cli_usage.py); exit 1, with the details in a log, on a bug.
A path inside a campaign (inbox/, output/…, the workbook) runs the command on that campaign.
"""
from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from .books import FileBook
from .campaign import Campaign, init as init_campaign, unfit_for_demo
from .cli_report import print_report
from .cli_usage import PROG, WeiwenGroup, internal_error, interrupted, show_failure
from .cli_wps import wps_app
from .errors import REFUSALS, WeiwenError, os_reason
from .excel_setup import setup as setup_excel
from .lock import campaign_lock
from .pipeline import Options, perform
from .protect import ENV_VAR as PASSWORD_ENV, check_password, protect_outputs
from .web.server import serve as serve_workbench

app = typer.Typer(cls=WeiwenGroup, add_completion=False, no_args_is_help=True,
                  rich_markup_mode=None,
                  help="走访慰问：合并各单位回收表、检查、计算金额、生成签字表、领导走访名单、"
                       "汇总表和抽查名单。每个命令的说明：weiwen 命令 --help。")
console = Console(stderr=False, highlight=False, soft_wrap=True)


def _password_ok(value: str | None) -> str | None:
    if value is not None:
        try:
            check_password(value)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from exc
    return value


DirArg = Annotated[Path, typer.Argument(
    metavar="活动文件夹", show_default=False,
    help="活动文件夹（含 Weiwen.xlsm、inbox、output；指向其中的 inbox 等文件夹或工作簿也可以）")]
JsonOpt = Annotated[bool, typer.Option("--json", help="只输出一个 JSON 对象（供脚本使用）")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="不显示进度，只显示结果")]
PasswordOpt = Annotated[str | None, typer.Option(
    "--password", envvar=PASSWORD_ENV, show_envvar=True, callback=_password_ok,
    help="把要邮寄的 .xlsx 输出加上打开密码，另存到 output/加密发送")]


def _internal_error(command: str, as_json: bool = False) -> None:
    """Never a traceback on the clerk's screen: the details go to a log file, exit code 1."""
    raise typer.Exit(internal_error(command, as_json=as_json))


def _fail(message: str, command: str = "weiwen", as_json: bool = False) -> None:
    # one plain line (no rich wrapping): scripts and the clerk read it whole
    raise typer.Exit(show_failure(command, message, 2, as_json=as_json))


def _run(tag: str, directory: Path, as_json: bool, quiet: bool, *,
         password: str | None = None, **options: Any) -> None:
    """The whole of a command: open the campaign, lock it, run the operation on the workbook
    file, print the report (or one JSON object)."""
    command = f"weiwen {tag}"
    try:
        campaign, where = Campaign.locate(directory)
        if where and not as_json:
            console.print(f"注意：{where}")
        book = FileBook(campaign)
        with campaign_lock(campaign.root, command):
            if quiet or as_json:
                report = perform(tag, book, Options(**options))
            else:
                with console.status("正在处理…") as status:
                    report = perform(tag, book, Options(**options),
                                     lambda msg: status.update(f"{msg}…"))
            if password:
                report.notes += protect_outputs(campaign.root, report.outputs, password).notes()
    except WeiwenError as exc:
        _fail(str(exc), command, as_json)
        return
    except OSError as exc:
        if exc.errno not in REFUSALS:
            _internal_error(command, as_json)
        _fail(f"无法读写 {exc.filename or '活动文件夹里的文件'}（{os_reason(exc)}）。"
              f"请关闭打开它的程序，或检查这个文件夹的权限后重试。", command, as_json)
        return
    except Exception:  # a bug of ours: one readable line for the clerk, the details in a log
        _internal_error(command, as_json)
        return
    if as_json:
        if where:
            report.notes.insert(0, where)
        print(json.dumps({"ok": True, **report.to_dict(), "campaign": str(campaign.root)},
                         ensure_ascii=False, default=str))
    else:
        print_report(report, console)


@app.command()
def init(directory: DirArg,
         force: Annotated[bool, typer.Option("--force", help="覆盖已有的活动工作簿（先备份）")] = False) -> None:
    """新建活动文件夹：复制工作簿，建立 inbox、outbox、output。

    已有的活动不会被覆盖（确需重建工作簿加 --force，旧工作簿先备份到 .backup）。

    例：weiwen init 2027春节慰问
    """
    try:
        campaign = init_campaign(directory, force=force)
    except WeiwenError as exc:
        _fail(str(exc), "weiwen init")
        return
    except OSError as exc:   # no permission, a name Windows refuses, a full disk
        _fail(f"无法在 {directory} 建立活动文件夹（{os_reason(exc)}）。请换一个文件夹，"
              f"例如“文档”里的 2027春节慰问。", "weiwen init")
        return
    console.print(f"已创建活动文件夹：{campaign.root}")
    console.print("下一步：在 Weiwen.xlsm 的“参数”“单位”“标准”表中填写设置，然后运行 weiwen templates。")


@app.command()
def templates(directory: DirArg, as_json: JsonOpt = False, quiet: QuietOpt = False) -> None:
    """生成下发模板：按“单位”表为每个单位（社区、村或科室、企事业单位）在 outbox 里生成一份空白名单（文件名即单位名称）。

    例：weiwen templates 2027春节慰问
    """
    _run("templates", directory, as_json, quiet)


@app.command()
def merge(directory: DirArg, as_json: JsonOpt = False, quiet: QuietOpt = False,
          password: PasswordOpt = None) -> None:
    """合并回收表：把 inbox 里各单位交回的名单合并到“名册”，检查问题，生成退回修改表。

    问题写入“问题”表；有问题的单位各得一份退回修改表（output/退回修改）。再次合并时“备注”列保留；
    合并后请计算金额（weiwen amounts）。

    例：weiwen merge 2027春节慰问
    """
    _run("merge", directory, as_json, quiet, password=password)


@app.command()
def amounts(directory: DirArg, as_json: JsonOpt = False, quiet: QuietOpt = False) -> None:
    """计算金额：按“标准”表给“名册”每户填写金额、发放方式和计发依据。

    例：weiwen amounts 2027春节慰问
    """
    _run("amounts", directory, as_json, quiet)


@app.command()
def check(directory: DirArg, as_json: JsonOpt = False, quiet: QuietOpt = False) -> None:
    """检查：不重新读取 inbox，只对“名册”现有内容重新检查身份证号、重复、类别条件、电话、银行卡号和低保名单。

    改过“标准”表或在“备注”里填了“已核实”后用它；检查会清空金额，之后请再计算金额（weiwen amounts）。

    例：weiwen check 2027春节慰问
    """
    _run("check", directory, as_json, quiet)


@app.command()
def run(directory: DirArg,
        pdf: Annotated[bool, typer.Option("--pdf", help="签字表同时用 LibreOffice 生成 PDF（未安装时只生成 .xlsx 并提示）")] = False,
        as_json: JsonOpt = False, quiet: QuietOpt = False,
        password: PasswordOpt = None) -> None:
    """一次做完：合并回收表 → 检查 → 计算金额 → 签字表 → 走访安排 → 汇总表 → 抽查名单。

    “走访安排”表填了组别时才做走访这一步（检查安排、生成各组走访名单）；同时生成退回修改表。

    例：weiwen run 2027春节慰问
    """
    _run("run", directory, as_json, quiet, password=password, pdf=pdf)


@app.command()
def signoff(directory: DirArg,
            pdf: Annotated[bool, typer.Option("--pdf", help="同时用 LibreOffice 生成 PDF（未安装时只生成 .xlsx 并提示）")] = False,
            as_json: JsonOpt = False, quiet: QuietOpt = False,
            password: PasswordOpt = None) -> None:
    """生成签字表：每个单位一份签字确认表（output/签字确认表），另有一份全部单位的合订本。

    例：weiwen signoff 2027春节慰问 --pdf
    """
    _run("signoff", directory, as_json, quiet, password=password, pdf=pdf)


@app.command()
def summary(directory: DirArg, as_json: JsonOpt = False, quiet: QuietOpt = False,
            password: PasswordOpt = None) -> None:
    """生成汇总表：给财政所的汇总表（output/汇总表.xlsx、工作簿“汇总”表）和银行代发名单。

    例：weiwen summary 2027春节慰问
    """
    _run("summary", directory, as_json, quiet, password=password)


@app.command()
def audit(directory: DirArg,
          redraw: Annotated[bool, typer.Option("--redraw", help="已填写回访结果时仍重新抽取（原文件先备份）")] = False,
          as_json: JsonOpt = False, quiet: QuietOpt = False,
          password: PasswordOpt = None) -> None:
    """抽取抽查名单：每个单位按抽查比例随机抽取回访对象；名单填好后再运行，列出未确认收到的户。

    例：weiwen audit 2027春节慰问
    """
    _run("audit", directory, as_json, quiet, password=password, redraw=redraw)


@app.command()
def payments(directory: DirArg, as_json: JsonOpt = False, quiet: QuietOpt = False,
             password: PasswordOpt = None) -> None:
    """导入代发结果：读取“代发结果”文件夹里银行返回的结果，与银行代发名单核对，写出“发放结果”表和重新发放名单。

    同一个结果导入两次不会重复计算；后来的结果文件（如重新代发的结果）覆盖较早的。

    例：weiwen payments 2027春节慰问
    """
    _run("payments", directory, as_json, quiet, password=password)


@app.command()
def signatures(directory: DirArg, as_json: JsonOpt = False, quiet: QuietOpt = False) -> None:
    """核对签字：读取“回收签字”文件夹里交回的签字表，查出未签字、未留电话、代签、金额不符和未交回的单位。

    纸质签字表：在“名册”的“备注”里给已签字的户写“已签”或“√”，没有交回电子表的单位按这些勾记核对。

    例：weiwen signatures 2027春节慰问
    """
    _run("signatures", directory, as_json, quiet)


@app.command()
def visits(directory: DirArg,
           propose: Annotated[bool, typer.Option(
               "--propose", help="为走访户数不足的联系点自动补足走访对象（已填的行不变）")] = False,
           as_json: JsonOpt = False, quiet: QuietOpt = False) -> None:
    """走访安排：检查各组的走访安排和走访对象，生成各组走访名单（output/走访安排），核对走访照片。

    “走访对象”表为空时自动为每个联系点安排走访户；之后只检查，加 --propose 才为户数不足的联系点补足
    （只从名册里“有效”且尚未安排的户中挑选；挑不够时会说明差几户）。

    例：weiwen visits 2027春节慰问 --propose
    """
    _run("visits", directory, as_json, quiet, propose=True if propose else None)


@app.command()
def demo(directory: Annotated[Path | None, typer.Argument(
             help="演示活动放在哪里（默认：当前目录下新建 weiwen-demo 文件夹）")] = None,
         bureau: Annotated[bool, typer.Option(
             "--bureau", help="机关的慰问活动：单位是科室和企事业单位，每户 1000 元，8 个领导走访组")] = False,
         as_json: JsonOpt = False, quiet: QuietOpt = False) -> None:
    """用内置演示数据建一个完整的活动并全部运行一遍（同 weiwen run），然后显示报告。

    文件夹必须是新的或空的（演示会放入自己的工作簿和 inbox）；不写则在当前文件夹新建 weiwen-demo。

    默认是街道的活动（社区、村）；加 --bureau 是机关（局）的困难职工慰问。

    例：weiwen demo --bureau
    """
    from .demo import make_demo
    from .demo_bureau import make_bureau_demo
    target = directory or _new_demo_dir(Path.cwd(), "weiwen-demo-bureau" if bureau else "weiwen-demo")
    refusal = unfit_for_demo(directory) if directory is not None else ""
    if refusal:      # the demo replaces the workbook and empties inbox/: never a real campaign
        _fail(refusal, "weiwen demo", as_json)
    try:
        plan = (make_bureau_demo if bureau else make_demo)(target, force=directory is not None)
    except WeiwenError as exc:
        _fail(str(exc), "weiwen demo", as_json)
        return
    if not (quiet or as_json):
        console.print(f"演示活动：{plan.root}（{len(plan.files)} 个回收表，{plan.households} 户，"
                      f"预置 {len(plan.planted)} 处常见错误）")
    _run("run", plan.root, as_json, quiet)


def _new_demo_dir(base: Path, name: str = "weiwen-demo") -> Path:
    candidate = base / name
    n = 2
    while candidate.exists():
        candidate = base / f"{name}-{n}"
        n += 1
    return candidate


@app.command("excel-setup")
def excel_setup(directory: Annotated[Path | None, typer.Argument(
        help="活动文件夹（可选）：写入按钮使用的 Python，并检查这个文件夹")] = None,
        quiet: QuietOpt = False) -> None:
    """（每台电脑做一次）安装 xlwings 加载项，让“慰问”按钮使用装有 weiwen 的 Python，并检查设置。

    工作簿的“慰问”选项卡或宏丢了（在 LibreOffice 里存成过 .ods、被 WPS 另存过）时，在任何电脑上运行它都会补回，设置和名册不变。

    例：weiwen excel-setup D:\\慰问\\2027春节
    """
    root = None
    if directory is not None:
        try:
            campaign, where = Campaign.locate(directory)
        except WeiwenError as exc:
            _fail(str(exc), "weiwen excel-setup")
            return
        root = campaign.root
        if where:
            console.print(f"注意：{where}")
    with campaign_lock(root, "weiwen excel-setup") if root else contextlib.nullcontext():
        checks, todo = setup_excel(root)
    for check in checks:
        if quiet and check.ok is not False:
            continue
        mark = {True: "✓", False: "✗", None: "–"}[check.ok]
        console.print(f"{mark} {check.name}：{check.message}")
    if todo and not quiet:
        console.print("\n还需要您自己做：")
        for i, step in enumerate(todo, start=1):
            console.print(f"{i}. {step}")
    if any(check.ok is False for check in checks):
        raise typer.Exit(2)


@app.command()
def serve(directory: Annotated[Path, typer.Argument(
              metavar="活动文件夹", help="活动文件夹（默认：当前文件夹）")] = Path("."),
          port: Annotated[int, typer.Option("--port", help="端口（被占用时自动换一个）")] = 8765,
          host: Annotated[str, typer.Option(
              "--host", help="监听地址；默认只有本机能打开（127.0.0.1），一般不要改")] = "127.0.0.1",
          no_browser: Annotated[bool, typer.Option("--no-browser", help="不自动打开浏览器")] = False) -> None:
    """工作台：在浏览器里做整个活动（上传回收表、按步骤运行、看问题和名册、下载输出文件）。

    给没有 Excel（WPS、信创电脑）的电脑用；按 Ctrl+C 关闭。

    例：weiwen serve 2027春节慰问
    """
    try:
        campaign, where = Campaign.locate(directory)
        if where:
            console.print(f"注意：{where}")
        serve_workbench(campaign.root, host=host, port=port, open_browser=not no_browser)
    except WeiwenError as exc:
        _fail(str(exc), "weiwen serve")
    except OSError as exc:
        _fail(f"无法启动工作台（{os_reason(exc)}）。请检查 --host，或换一个端口（--port 8800）后重试。", "weiwen serve")


@app.command("build-workbook")
def build_workbook(output: Annotated[Path | None, typer.Argument(
        help="输出文件（默认：仓库里的 workbook/Weiwen.xlsm）")] = None) -> None:
    """（开发者用）从源码重新生成 Weiwen.xlsm 工作簿。

    例：weiwen build-workbook
    """
    from .workbook import DEFAULT_OUTPUT, build
    path = build(output or DEFAULT_OUTPUT)
    console.print(f"已生成 {path}")


app.add_typer(wps_app, name="wps")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:       # Ctrl+C before or after a command ran: nothing was written then
        sys.exit(interrupted(PROG))


if __name__ == "__main__":
    main()
