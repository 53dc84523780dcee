"""The `weiwen` console script: loads the command line (pandas, openpyxl: about half a second)
and runs it. A Ctrl+C while loading is one Chinese line, not a Python traceback: nothing has been
read or written yet."""
from __future__ import annotations

import sys


def main() -> None:
    try:
        from .cli import main as run
    except KeyboardInterrupt:
        print("已中断：weiwen 还没有开始处理，什么也没有改动。需要时请再运行一次。", file=sys.stderr)
        sys.exit(130)
    run()
