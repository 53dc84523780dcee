"""Why a returned file could not be read, in words the clerk can pass on to the unit.

The readers raise `ReadFailure(reason, detail)`: `reason` is one of the Chinese sentences below
(shown in 问题), `detail` is the library's own text (English, for the log only). Light module: the
reader processes import it.
"""
from __future__ import annotations

EMPTY = "文件是空的（0 字节），请让该单位重新发送"
TRUNCATED = "文件不完整或已损坏，可能下载或复制没有完成，请让该单位重新发送"
DAMAGED = "文件已损坏，表格程序也无法读出内容，请让该单位重新保存后再发送"
PASSWORD = ("文件设置了打开密码，请让该单位在 Excel 或 WPS 里去掉密码（文件 → 信息 → 保护工作簿 → "
            "用密码进行加密，清空密码）后重新发送；也可以自己用密码打开后另存一份没有密码的放进 inbox")
RENAMED = "文件内容不是 Excel 表格（{what}），可能只是改了扩展名，请让该单位发送名单表格本身"
HTML = ("文件其实是网页格式（某些系统“导出 Excel”得到的），请用 Excel 或 WPS 打开后"
        "“另存为” .xlsx 再放进 inbox")
XML2003 = "文件是 Excel 2003 XML 格式，请用 Excel 或 WPS 打开后“另存为” .xlsx 再放进 inbox"
ARCHIVE = "文件是压缩包，请先解压，把里面的表格放进 inbox"
ZIP_BOMB = ("文件解压后超过 {limit}，不像是一份名单（可能已损坏或被恶意构造），"
            "请让该单位把名单复制到新的模板里重新发送")
UNSAFE_XML = "文件里含有不安全的 XML 内容（实体定义），已拒绝读取，请让该单位把名单复制到新的模板里重新发送"
TOO_SPREAD = ("工作表“{sheet}”里的单元格分布太散（约 {cells} 个格子，最远到 {far}），不像是一份名单，"
              "请让该单位删除表格之外多余的内容后重新发送")
TOO_BIG = ("表格里的单元格范围超过一亿格（可能有离数据很远的单元格），不像是一份名单，"
           "请让该单位删除表格之外多余的内容后重新发送")
MEMORY = ("读取时占用内存超过 {limit}（表格里可能有离数据很远的单元格，或文件已损坏），"
          "已停止读取，请让该单位删除表格之外多余的内容、另存为 .xlsx 后重新发送")
TIMEOUT = ("读取超过 {seconds} 秒仍未完成（文件可能已损坏或异常庞大），已停止读取，"
           "请让该单位删除多余的内容、另存为 .xlsx 后重新发送")
CRASHED = "读取时表格程序异常退出（文件可能已损坏），请让该单位重新保存为 .xlsx 后再发送"
LOCKED = "文件无法打开，可能正被其他程序占用，请关闭打开它的程序后重新合并"
CSV_CELL = ("第 {row} 行超过 {limit} 个字符，不像是名单（可能是其他文件改了扩展名），"
            "请让该单位重新导出")
CSV_WIDE = "第 {row} 行超过 {limit} 列（Excel 的上限），不像是名单，请让该单位重新导出"
NO_SHEETS = "文件里没有可读的工作表（只有图表、宏表或对话框），请让该单位发送名单所在的表格"


class ReadFailure(Exception):
    """A returned file that cannot be read: `reason` for the clerk, `detail` for the log."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


def megabytes(n: int) -> str:
    return f"{n / 2 ** 30:.0f} GB" if n >= 2 ** 30 else f"{n / 2 ** 20:.0f} MB"
