"""`python -m weiwen.printcheck CAMPAIGN [--png DIR] [--only 名称]`: the print check, for a person.

Renders every output of the campaign (output/**/*.xlsx) through LibreOffice, checks each page,
prints what is wrong (file, sheet, page, what) and, with --png, writes every page as a PNG for
review. Exit 0 when every page passes, 1 when something is wrong, 2 when it cannot run.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ..outputs.pdf import PdfUnavailable
from . import check_campaign


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m weiwen.printcheck",
        description="打印检查：用 LibreOffice 把活动的全部输出渲染成 PDF 并逐页检查。",
        epilog="例：python -m weiwen.printcheck weiwen-demo --png /tmp/pages")
    parser.add_argument("campaign", type=Path, help="活动文件夹（含 output）")
    parser.add_argument("--png", type=Path, default=None, help="把每一页存成 PNG 的文件夹")
    parser.add_argument("--only", action="append", default=[],
                        help="只检查路径含这段文字的文件（可多次），如 汇总表 或 签字确认表/")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        report = check_campaign(args.campaign, png_dir=args.png, only=args.only)
    except PdfUnavailable as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    except ImportError as exc:
        print(f"错误：缺少 {exc.name}，请先 pip install -r requirements-dev.txt", file=sys.stderr)
        return 2
    files = len(report.pages)
    pages = sum(sum(s.values()) for s in report.pages.values())
    for finding in report.findings:
        print(finding)
    seconds = time.perf_counter() - started
    verdict = "全部通过" if report.ok else f"发现 {len(report.findings)} 处问题 {report.by_check()}"
    print(f"打印检查：{files} 个文件，{pages} 页，{verdict}（{seconds:.1f} 秒）")
    if args.png is not None:
        print(f"PNG：{len(report.pngs)} 张，在 {args.png}")
    return 0 if report.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
