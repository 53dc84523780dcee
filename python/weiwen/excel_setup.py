"""weiwen excel-setup: prepare a PC once for the 慰问 buttons, and say what is left to the clerk.

Steps, each a `Check` (ok True / False, or None where it does not apply on this system):
1. the xlwings add-in: installed with xlwings' own `xlwings addin install`, then looked for with
   `xlwings addin status` (Windows and macOS only: xlwings drives Microsoft Excel there);
2. the interpreter: this Python (pythonw.exe beside it on Windows) is written into the campaign
   workbook's hidden xlwings.conf sheet as INTERPRETER_WIN / INTERPRETER_MAC, so the buttons start
   the Python that has weiwen and never another one on PATH;
3. that interpreter imports weiwen and xlwings and reads the campaign folder passed to it
   (a folder name in Chinese has to survive the trip);
4. the folder is not inside OneDrive (xlwings cannot find a synced workbook's local path);
5. what only the clerk or the IT department can do: Trust Center, Mark of the Web, ASR rules.
Before 2 (on every system): a workbook that lost its ribbon or VBA project on the way through
another format (.ods, WPS, .xlsx) gets them back, its data kept (`restore_parts`).
"""
from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Callable

from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook

from .excel_kept import missing_parts
from .fileio import atomic_write, atomic_write_bytes, backup
from .lock import in_use_message
from .errors import damaged_workbook, os_reason
from .names import WORKBOOK_FILE, Sheet
from .sheet_splice import sheet_paths

#: subprocess.run, or a stand-in in tests; always called with text=True
Runner = Callable[..., subprocess.CompletedProcess[str]]

INTERPRETER_KEYS = {"win32": "INTERPRETER_WIN", "darwin": "INTERPRETER_MAC"}
ONEDRIVE_ENV = ("OneDrive", "OneDriveCommercial", "OneDriveConsumer")


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool | None          # None: does not apply on this system
    message: str


def excel_platform(platform: str = sys.platform) -> bool:
    return platform in INTERPRETER_KEYS


def interpreter(platform: str = sys.platform, python: str = sys.executable) -> Path:
    """The Python the buttons should start: pythonw.exe (no console window) on Windows if present."""
    path = Path(python)
    if platform == "win32":
        windowless = path.with_name("pythonw.exe")
        if windowless.is_file():
            return windowless
    return path


#: the list of sheets and where each one is stored: without them no sheet can be found
_BOOK_PARTS = ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")


class ConfSheetMissing(Exception):
    """The workbook is whole, but its list of sheets has no xlwings.conf: the clerk deleted it."""


class DamagedWorkbook(Exception):
    """The workbook cannot be read whole; the message says what is missing or broken."""


def _load_whole(workbook: Path) -> Workbook:
    """The workbook through openpyxl, once it is known to hold every sheet it lists.

    Raises ConfSheetMissing only when the workbook's own list of sheets has no xlwings.conf;
    a sheet listed but absent from the file, or a file openpyxl cannot read, is DamagedWorkbook.
    openpyxl skips a listed sheet whose part is not in the file without a word, and saving would
    then lose that sheet for good; a part missing elsewhere surfaces as a KeyError from deep inside.
    """
    try:
        with zipfile.ZipFile(workbook) as archive:
            present = set(archive.namelist())
            parts = sheet_paths(archive) if present.issuperset(_BOOK_PARTS) else {}
    except OSError:
        raise
    except Exception as exc:  # not a zip, cut short, not XML: all damage
        raise DamagedWorkbook("文件内容无法解析") from exc
    missing = [part for part in _BOOK_PARTS if part not in present] + \
        [f"“{name}”表（{part}）" for name, part in parts.items() if part not in present]
    if missing:
        raise DamagedWorkbook(f"文件里缺少：{'、'.join(missing)}")
    if Sheet.XLWINGS_CONF not in parts:
        raise ConfSheetMissing(Sheet.XLWINGS_CONF)
    try:
        return load_workbook(workbook, keep_vba=True)
    except OSError:
        raise
    except Exception as exc:  # openpyxl raises whatever its parser meets in a damaged part
        raise DamagedWorkbook("文件内容无法解析") from exc


def write_interpreter(workbook: Path, key: str, value: str, campaign_root: Path) -> None:
    """Set `key` = `value` in the workbook's hidden xlwings.conf sheet (backup first, atomic).

    The sheet keeps only keys with values, in one block from A1: xlwings reads column A down to
    the first blank cell, and a key with an empty value would override the clerk's own setting.
    Raises ConfSheetMissing when the sheet was deleted, DamagedWorkbook when the file is damaged.
    """
    wb = _load_whole(workbook)
    ws = wb[Sheet.XLWINGS_CONF]
    rows = [[c.value for c in row[:3]] for row in ws.iter_rows(max_col=3)]
    rows = [r + [None] * (3 - len(r)) for r in rows if r and r[0] and r[1] not in (None, "")]
    rows = [r for r in rows if str(r[0]).upper() != key.upper()]
    rows.append([key, value, "运行 weiwen excel-setup 时写入：按钮用这个 Python（装有 weiwen）"])
    ws.delete_rows(1, ws.max_row)
    for row in rows:
        ws.append(row)
    backup(workbook, campaign_root)
    atomic_write(workbook, wb.save)


def _addin(platform: str, python: str, run: Runner) -> list[Check]:
    if not excel_platform(platform):
        return [Check("xlwings 加载项", None,
                      "这台电脑不是 Windows 或 macOS：xlwings 加载项和“慰问”选项卡的按钮只能在装有 "
                      "Microsoft Excel 的 Windows 或 macOS 电脑上使用。这里请用命令行，"
                      "例如 weiwen run 活动文件夹。")]
    cli = [python, "-m", "xlwings.cli", "addin"]
    advice = "请先关闭所有 Excel 窗口，在命令提示符中运行 xlwings addin install 再试。"
    try:
        installed = run([*cli, "install"], capture_output=True, text=True, timeout=300)
        status = run([*cli, "status"], capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired as exc:
        # xlwings waits on Excel (a dialog left open, an Excel still starting): say so, go on
        return [Check("xlwings 加载项", False,
                      f"安装 xlwings 加载项等了 {exc.timeout:.0f} 秒没有完成（可能有 Excel 窗口或对话框"
                      f"开着）。{advice}")]
    except OSError as exc:
        return [Check("xlwings 加载项", False, f"无法启动 {python} 来安装 xlwings 加载项（{exc}）。{advice}")]
    if "installed at" in (status.stdout or ""):
        return [Check("xlwings 加载项", True, "已安装 xlwings 加载项。请关闭并重新打开 Excel。")]
    detail = (installed.stderr or installed.stdout or "").strip().splitlines()[-1:] or [""]
    return [Check("xlwings 加载项", False, f"没能安装 xlwings 加载项。{advice}（{detail[0]}）")]


def _interpreter_works(python: Path, platform: str, root: Path | None, run: Runner) -> Check:
    # pythonw.exe prints nothing: ask python.exe beside it
    probe = python.with_name("python.exe") if python.name.lower() == "pythonw.exe" else python
    code = ("import sys, pathlib, weiwen.excel, xlwings; "
            "p = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else None; "
            "print('ok' if p is None or (p / sys.argv[2]).is_file() else 'no-folder')")
    args = [str(probe), "-c", code] + ([str(root), WORKBOOK_FILE] if root else [])
    try:
        done = run(args, capture_output=True, text=True, timeout=120)
    except OSError as exc:
        return Check("Python 和 weiwen", False, f"无法启动 {probe}：{exc}")
    except subprocess.TimeoutExpired as exc:
        return Check("Python 和 weiwen", False,
                     f"{probe} 等了 {exc.timeout:.0f} 秒没有回应（杀毒软件可能在拦截它）。"
                     "请把 Python 安装目录加入杀毒软件的信任列表，再运行一次。")
    if done.returncode != 0:
        return Check("Python 和 weiwen", False,
                     f"{probe} 无法导入 weiwen 或 xlwings。请在这个 Python 里运行 "
                     "pip install -r requirements.txt（在解压的 weiwen 文件夹里）。")
    if done.stdout.strip() != "ok":
        return Check("Python 和 weiwen", False,
                     f"{probe} 读不到活动文件夹 {root}（含中文的路径在传递时出错）。"
                     "请把活动文件夹放在路径简单的位置，例如 D:\\慰问\\2027春节，再运行一次。")
    note = "" if str(python).isascii() else \
        "（注意：Python 装在含中文的路径下；若按钮报“找不到 Python”，请把 Python 重装到只含英文的路径。）"
    where = f"，能读取活动文件夹 {root}" if root else ""
    return Check("Python 和 weiwen", True, f"{python} 能导入 weiwen 和 xlwings{where}。{note}")


def _parts_back(workbook: Path, root: Path) -> Check:
    name = "“慰问”选项卡和宏"
    missing = missing_parts(workbook)
    if missing is None:
        return Check(name, False, damaged_workbook(WORKBOOK_FILE, "读取", "文件内容无法解析"))
    if missing:
        in_use = in_use_message(workbook, "再运行一次 weiwen excel-setup", probe=False)
        if in_use:      # the program that has it open would save its own copy over the parts
            return Check(name, False, f"{WORKBOOK_FILE} 里没有{'和'.join(missing)}，这次没有补回：{in_use}")
    try:
        missing = restore_parts(workbook, root)
    except DamagedWorkbook as exc:
        return Check(name, False, damaged_workbook(WORKBOOK_FILE, "读取", str(exc)))
    except PermissionError:
        return Check(name, False, f"无法写入 {workbook}：请先在 Excel、WPS 或 LibreOffice 中关闭它，再运行一次。")
    except OSError as exc:
        return Check(name, False, f"无法写入工作簿 {WORKBOOK_FILE}（{os_reason(exc)}），工作簿保持原样。"
                                  f"请检查活动文件夹的权限和磁盘空间后再运行一次。")
    if not missing:
        return Check(name, True, f"{WORKBOOK_FILE} 里都在。")
    return Check(name, True, f"{WORKBOOK_FILE} 里原来没有{'和'.join(missing)}，已补回；设置、名册和您加的表都不变"
                             f"（原工作簿已备份到活动文件夹的 .backup 里）。")


def _onedrive(root: Path) -> Check:
    synced = [Path(os.environ[v]) for v in ONEDRIVE_ENV if os.environ.get(v)]
    inside = any(root == s or s in root.parents for s in synced) or \
        any("onedrive" in part.lower() for part in root.parts)
    if inside:
        return Check("活动文件夹位置", False,
                     f"活动文件夹 {root} 在 OneDrive 同步文件夹里：按钮找不到工作簿在本机上的位置，"
                     "会无法运行。请把活动文件夹移到本机硬盘，例如 D:\\慰问\\2027春节。")
    return Check("活动文件夹位置", True, f"活动文件夹 {root} 在本机硬盘上（不在 OneDrive 里）。")


def restore_parts(workbook: Path, campaign_root: Path) -> list[str]:
    """Put back the ribbon and the VBA project a save through another format dropped (.ods in
    LibreOffice, WPS, .xlsx renamed): the clerk's workbook through openpyxl, as the build makes
    the shipped one (codeNames, xlwings.conf and the messages' names where missing, then the
    parts), so its settings, 名册 and the clerk's own sheets stay. Backup first, atomic.
    Returns what was missing (empty: the workbook has both, nothing written). Raises
    DamagedWorkbook when the file cannot be read whole."""
    missing = missing_parts(workbook)
    if not missing:
        return []           # both there, or not a zip at all (the caller says so)
    # imported here: the VBA builder (pyopenvba) costs every command's start a quarter second
    from . import excel_parts  # noqa: PLC0415
    try:
        wb = _load_whole(workbook)
    except ConfSheetMissing:
        wb = load_workbook(workbook, keep_vba=True)    # whole; the settings sheet is made again
    wb.vba_archive = None           # the parts are made afresh below, never half of the old ones
    if Sheet.XLWINGS_CONF not in wb.sheetnames:
        excel_parts.add_conf_sheet(wb)
    else:
        excel_parts.add_texts(wb)
    excel_parts.set_code_names(wb)
    saved = io.BytesIO()
    wb.save(saved)
    data = excel_parts.add_parts(saved.getvalue())
    backup(workbook, campaign_root)
    atomic_write_bytes(workbook, data)
    return missing


def still_to_do(platform: str, root: Path | None) -> list[str]:
    """What only the clerk (or the IT department) can do, in plain Chinese."""
    if not excel_platform(platform):
        return []
    parent = root.parent if root else Path("活动文件夹的上一级文件夹")
    steps = [
        f"允许宏运行：Excel → 文件 → 选项 → 信任中心 → 信任中心设置 → 受信任位置 → 添加新位置，"
        f"选 {parent}，勾选“同时信任此位置的子文件夹”。",
        "如果打开 Weiwen.xlsm 时出现红色提示条“Microsoft 已阻止宏运行”：关闭 Excel，右键该文件 → "
        "属性 → 勾选“解除锁定” → 确定，再打开。",
        "如果点按钮后没有反应或杀毒软件提示拦截：这是单位的安全策略（攻击面减少规则“阻止 Office "
        "应用程序创建子进程”）。请信息中心把 Python 安装目录和活动文件夹加入例外；在此之前请用命令行 "
        "weiwen run 活动文件夹，再在 Excel 中查看结果。",
        "最后打开活动文件夹里的 Weiwen.xlsm，点“慰问”选项卡上的“说明”试一下。",
    ]
    return steps


def setup(root: Path | None, *, platform: str = sys.platform, python: str = sys.executable,
          run: Runner = subprocess.run) -> tuple[list[Check], list[str]]:
    """Do the set-up steps that apply here; return the checks and what is left to the clerk."""
    checks = _addin(platform, python, run)
    chosen = interpreter(platform, python)
    if root is not None:
        workbook = root / WORKBOOK_FILE
        checks.append(_parts_back(workbook, root))
        if excel_platform(platform):
            key = INTERPRETER_KEYS[platform]
            by_hand = (f"也可以在 Excel 的 xlwings 选项卡“Interpreter”一栏填入 {chosen}，"
                       "按钮就会用这个 Python。")
            try:
                write_interpreter(workbook, key, str(chosen), root)
                checks.append(Check("按钮使用的 Python", True,
                                    f"已在 {WORKBOOK_FILE} 的 xlwings.conf 中写入 {key} = {chosen}。"))
            except PermissionError:
                checks.append(Check("按钮使用的 Python", False,
                                    f"无法写入 {workbook}：请先在 Excel 中关闭它，再运行一次。"))
            except ConfSheetMissing:
                # The clerk unhid and deleted the sheet. Not recreated here: a new sheet would have
                # no document module in the VBA project, which Excel then invents on open.
                checks.append(Check("按钮使用的 Python", False,
                                    f"{WORKBOOK_FILE} 里隐藏的“{Sheet.XLWINGS_CONF}”表不见了（可能被删除），"
                                    f"没有写入。{by_hand}"))
            except DamagedWorkbook as exc:
                checks.append(Check("按钮使用的 Python", False,
                                    damaged_workbook(WORKBOOK_FILE, "写入", str(exc)) + by_hand))
            except OSError as exc:      # a full disk, a read-only folder: not damage
                checks.append(Check("按钮使用的 Python", False,
                                    f"无法写入工作簿 {WORKBOOK_FILE}（{os_reason(exc)}），工作簿保持原样。"
                                    f"请检查活动文件夹的权限和磁盘空间后再运行一次。{by_hand}"))
        else:
            checks.append(Check("按钮使用的 Python", None,
                                f"这台电脑上没有 Excel，不修改 {WORKBOOK_FILE} 的 xlwings.conf。"))
    checks.append(_interpreter_works(chosen, platform, root, run))
    if root is not None:
        checks.append(_onedrive(root))
    return checks, still_to_do(platform, root)
