"""`python -m weiwen.printcheck CAMPAIGN [--png DIR] [--only 名称]`: the print check, for a person.

Renders every output of the campaign (output/**/*.xlsx) through LibreOffice, checks each page,
prints what is wrong (file, sheet, page, what) and, with --png, writes every page as a PNG for
review. Exit 0 when every page passes, 1 when something is wrong, 2 when it cannot run — a folder
that is not a campaign, or no output file to check (nothing checked is nothing passed).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import NoReturn

from ..campaign import Campaign
from ..errors import CampaignError
from ..names import OUTPUT_DIR
from ..outputs.pdf import PdfUnavailable
from . import campaign_outputs, check_files, select_outputs

PROG = "python -m weiwen.printcheck"
EXAMPLE = f"例：{PROG} 2027春节慰问 --png 打印预览"


class _ChineseFormatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):  # type: ignore[no-untyped-def]
        super().add_usage(usage, actions, groups, prefix="用法：")


class _ChineseParser(argparse.ArgumentParser):
    """argparse with its headings and its errors in Chinese: the clerk runs this before printing."""

    def error(self, message: str) -> NoReturn:
        if "required" in message:
            text = f"缺少活动文件夹。{EXAMPLE}"
        elif message.startswith("unrecognized arguments:"):
            extra = message.removeprefix("unrecognized arguments:").strip()
            text = (f"多了“{extra}”：只要一个活动文件夹。路径里有空格时，请用引号把整个路径括起来，"
                    f"例如 {PROG} \"D:\\慰问 2027\\春节\"。")
        elif message.endswith("expected one argument"):
            option = message.removeprefix("argument ").split(":")[0].split("/")[-1]
            text = f"选项 {option} 后面要写上它的值。运行 {PROG} --help 查看用法和例子。"
        else:
            text = f"命令写法不对。运行 {PROG} --help 查看用法和例子。"
        self.exit(2, f"错误：{text}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _ChineseParser(
        prog=PROG, add_help=False, formatter_class=_ChineseFormatter, epilog=EXAMPLE,
        description="打印检查：用 LibreOffice 把活动的全部输出渲染成 PDF 并逐页检查。")
    given = parser.add_argument_group("参数")
    given.add_argument("campaign", type=Path, metavar="活动文件夹", help="活动文件夹（含 output）")
    options = parser.add_argument_group("选项")
    options.add_argument("--png", type=Path, default=None, metavar="文件夹",
                         help="把每一页存成 PNG 的文件夹")
    options.add_argument("--only", action="append", default=[], metavar="名称",
                         help="只检查路径含这段文字的文件（可多次），如 汇总表 或 签字确认表/")
    options.add_argument("-h", "--help", action="help", help="显示本说明并退出")
    return parser


def _nothing_to_check(campaign: Campaign, only: list[str]) -> str:
    """Why no file was checked, and what to do, when a campaign gives none."""
    if only and campaign_outputs(campaign.root):
        return (f"{campaign.output} 里没有路径含“{'、'.join(only)}”的输出文件，什么也没有检查。"
                f"请检查 --only 后面的文字（如 汇总表 或 签字确认表/）。")
    return (f"活动“{campaign.root.name}”的 {OUTPUT_DIR} 文件夹里还没有输出文件，什么也没有检查。"
            f"请先运行 weiwen run {campaign.root}（或 signoff、summary 等命令）生成输出，再做打印检查。")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    started = time.perf_counter()
    try:
        campaign, where = Campaign.locate(args.campaign)
    except CampaignError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    if where:
        print(f"注意：{where}")
    files = select_outputs(campaign.root, args.only)
    if not files:
        print(f"错误：{_nothing_to_check(campaign, args.only)}", file=sys.stderr)
        return 2
    try:
        report = check_files(files, base=campaign.output, png_dir=args.png)
    except PdfUnavailable as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    except ImportError as exc:
        print(f"错误：缺少 {exc.name}，请先 pip install -r requirements-dev.txt", file=sys.stderr)
        return 2
    pages = sum(sum(s.values()) for s in report.pages.values())
    for finding in report.findings:
        print(finding)
    seconds = time.perf_counter() - started
    verdict = "全部通过" if report.ok else f"发现 {len(report.findings)} 处问题 {report.by_check()}"
    print(f"打印检查：{len(report.pages)} 个文件，{pages} 页，{verdict}（{seconds:.1f} 秒）")
    if args.png is not None:
        print(f"PNG：{len(report.pngs)} 张，在 {args.png}")
    return 0 if report.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
