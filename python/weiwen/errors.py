"""What truly cannot go on: a campaign that cannot be used at all.

Everything else is a Problem (problems.py). These exceptions are turned into one Chinese line at
the edge: exit code 2 on the command line, a message box in Excel.
"""
from __future__ import annotations

import errno
import re


class WeiwenError(Exception):
    """Base class; str(error) is the one-line Chinese message shown to the clerk."""


class CampaignError(WeiwenError):
    """The folder is not a usable campaign (no workbook, unreadable workbook, missing sheets)."""


class CampaignBusy(WeiwenError):
    """Another command is working on the same campaign right now."""


class NotReady(WeiwenError):
    """An output step cannot make a meaningful output from the roster as it is (empty, no amounts,
    nothing paid), or a merge found no row to put in 名册; the message names what to do first.
    The workbook and the existing outputs are left as they are."""


#: what the system's refusal means, in the clerk's words (OSError.errno → Chinese)
REFUSALS = {errno.EACCES: "没有权限，或文件正被 Excel、WPS 等程序打开",
            errno.EPERM: "没有权限，或文件正被 Excel、WPS 等程序打开",
            errno.ENOSPC: "磁盘已满", errno.EROFS: "磁盘或文件夹是只读的",
            errno.ENAMETOOLONG: "路径太长", errno.EEXIST: "已有同名的文件",
            errno.ENOTDIR: "路径中有一段是文件而不是文件夹",
            errno.EADDRINUSE: "端口已被占用", errno.EADDRNOTAVAIL: "这台电脑没有这个监听地址",
            errno.EINVAL: "名称里有 Windows 不允许的字符（\\ / : * ? \" < > |）"}
_CJK = re.compile(r"[\u4e00-\u9fff]")


def os_reason(exc: OSError) -> str:
    if exc.errno is None:           # raised by our own code, its words already Chinese
        return str(exc) if _CJK.search(str(exc)) else "系统拒绝了这个操作"
    return REFUSALS.get(exc.errno, f"系统错误代码 {exc.errno}")


def damaged_workbook(name: str, doing: str, detail: str) -> str:
    """The clerk's line for a workbook that cannot be read as one (every command and excel-setup
    say it alike): what failed, that the file is as it was, how to take the last good copy back."""
    return (f"无法{doing}工作簿 {name}：它可能已损坏（{detail}），工作簿保持原样。"
            f"请从活动文件夹的 .backup 文件夹里找回最近的备份（复制出来、改名为 {name}，"
            f"放回活动文件夹），再运行一次。")
