"""`weiwen wps install | uninstall | serve`: the 慰问 tab inside WPS 表格 (package weiwen.wps).

Each command parses its options and calls one function: wps.install.install / uninstall, or
web.wps.serve with the port and token that install recorded.
"""
from __future__ import annotations

from typing import Annotated

import typer

from .cli_usage import WeiwenGroup, internal_error, show_failure
from .errors import WeiwenError, os_reason
from .web.wps import serve as serve_addin
from .wps.install import install as install_addin, read_config, uninstall as uninstall_addin
from .wps.places import places

wps_app = typer.Typer(cls=WeiwenGroup, add_completion=False, no_args_is_help=True,
                      rich_markup_mode=None,
                      help="WPS 表格里的“慰问”选项卡：安装、删除加载项，运行它的本机服务。"
                           "例：weiwen wps install")


def _fail(message: str, command: str) -> None:
    raise typer.Exit(show_failure(command, message, 2, as_json=False))


@wps_app.command("install")
def install(port: Annotated[int | None, typer.Option(
                "--port", help="本机服务的端口（默认 18765；被别的程序占用时换一个）")] = None,
            origin: Annotated[list[str] | None, typer.Option(
                "--origin", metavar="来源", help="（维护用）加载项页面的来源，默认 null（WPS 从本地文件夹加载）")] = None,
            no_start: Annotated[bool, typer.Option(
                "--no-start", help="现在不启动本机服务（下次登录时自动启动）")] = False) -> None:
    """为当前用户安装 WPS 加载项：WPS 表格里出现“慰问”选项卡，按钮与 Excel 里的相同。

    不需要管理员权限；再运行一次不会重复安装。装好后重新启动 WPS，第一次提示时选择信任。

    例：weiwen wps install
    """
    try:
        install_addin(port=port, origins=tuple(origin) if origin else None, start=not no_start,
                      say=typer.echo)
    except WeiwenError as exc:
        _fail(str(exc), "weiwen wps install")
    except OSError as exc:
        _fail(f"无法安装 WPS 加载项（{os_reason(exc)}）。", "weiwen wps install")
    except Exception:
        raise typer.Exit(internal_error("weiwen wps install", as_json=False)) from None


@wps_app.command("uninstall")
def uninstall() -> None:
    """删除 WPS 加载项：撤销 weiwen wps install 做的全部设置（其他加载项保留）。

    例：weiwen wps uninstall
    """
    try:
        uninstall_addin(say=typer.echo)
    except WeiwenError as exc:
        _fail(str(exc), "weiwen wps uninstall")
    except OSError as exc:
        _fail(f"无法删除 WPS 加载项（{os_reason(exc)}）。", "weiwen wps uninstall")


@wps_app.command("serve")
def serve(port: Annotated[int | None, typer.Option(
              "--port", help="端口（默认：安装时记下的端口；0 表示任选一个空闲端口）")] = None) -> None:
    """运行 WPS 加载项的本机服务（安装后登录电脑时自动运行，一般不用手动运行）。

    只在本机 127.0.0.1 上工作；按 Ctrl+C 停止。

    例：weiwen wps serve
    """
    record = read_config(places())
    if record is None:
        _fail("还没有安装 WPS 加载项。请先运行 weiwen wps install。", "weiwen wps serve")
        return
    chosen = int(record.get("port") or 0) if port is None else port
    try:
        serve_addin(port=chosen, token=record["token"],
                    origins=tuple(record.get("origins") or ("null",)), say=typer.echo)
    except OSError as exc:
        _fail(f"无法在端口 {chosen} 上启动走访慰问的 WPS 服务（{os_reason(exc)}）。它可能已经在运行；"
              f"如果端口被别的程序占用，请运行 weiwen wps install --port 18800 换一个端口。",
              "weiwen wps serve")
