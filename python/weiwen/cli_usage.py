"""How the `weiwen` command fails, in the clerk's words: a usage error (a missing folder, a bad option
value, an unknown option or command, a stray argument) becomes one Chinese line — one JSON object
with --json — and help pages get Chinese headings. The English text click would show is never
printed. Also the other exits: an operating-system refusal (a file open in Excel, a full
disk) in Chinese, and a bug of ours as one line with the details in a log file.

Typer 0.26 and later run on their own copy of click (`typer._click`, private), so this module
imports no click at all and uses only what Typer exports and click documents: `WeiwenGroup` is
the app's Group (`typer.Typer(cls=...)`), its main() runs the command in non-standalone mode and
turns click's UsageError (recognised by click's documented class names and attributes) into our
line; each command's Context (a `typer.Context`) formats help with `ChineseHelpFormatter`, a
subclass of the Context's own formatter class (only the type checker names that class's module).
"""
from __future__ import annotations

import json
import re
import sys
import tempfile
import traceback
from contextlib import contextmanager
from datetime import datetime
from difflib import get_close_matches
from pathlib import Path
from typing import TYPE_CHECKING, Any
from collections.abc import Iterator, Sequence

import typer
from typer.core import TyperGroup

from . import logfile

if TYPE_CHECKING:       # what typer.Context.formatter_class is; at run time it is taken from there
    from typer._click.formatting import HelpFormatter
else:
    HelpFormatter = typer.Context.formatter_class

PROG = "weiwen"
JSON_FLAG = "--json"

#: parameter names as the clerk knows them
PARAM_NAMES = {"directory": "活动文件夹", "output": "输出文件"}
_HEADINGS = {"Arguments": "参数", "Options": "选项", "Commands": "命令"}
_TYPES = {"<path>": "", "<str>": "<文字>", "<text>": "<文字>", "<int>": "<整数>",
          "<integer>": "<整数>", "<float>": "<数字>"}
_HELP_WORDS = ((re.compile(r"\[required\]"), "[必填]"),
               (re.compile(r"\[env var: ([^\]]+)\]"), r"[也可用环境变量 \1]"),
               (re.compile(r"\[default: ([^\]]+)\]"), r"[默认：\1]"),
               (re.compile(r"Show this message and exit\."), "显示本说明并退出。"))
_CJK = re.compile(r"[\u4e00-\u9fff]")
#: ctx.meta key holding the usage message this module raised itself. Whether a message is ours is
#: decided by this mark and click's exception types, never by Chinese in the text: click echoes the
#: clerk's own words (a Chinese path, a misspelt Chinese option) inside its English templates.
_OURS = "weiwen.usage_message"


class ChineseHelpFormatter(HelpFormatter):
    """click's help layout with Chinese headings and words (用法、参数、选项、命令)."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        args = re.sub(r"\{([^}]*)\}", r"\1", args)
        args = args.replace("[OPTIONS]", "[选项]").replace("COMMAND [ARGS]...", "命令 [参数]...")
        super().write_usage(prog, args, prefix="用法：")

    @contextmanager
    def section(self, name: str) -> Iterator[None]:
        with super().section(_HEADINGS.get(name, name)):
            yield

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{heading}：\n")

    def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = 30,
                 col_spacing: int = 2) -> None:
        super().write_dl([(_term(term), _help_words(text)) for term, text in rows],
                         col_max, col_spacing)


def _term(term: str) -> str:
    for english, chinese in _TYPES.items():
        term = term.replace(f" {english}", f" {chinese}" if chinese else "")
    return term


def _help_words(text: str) -> str:
    for pattern, chinese in _HELP_WORDS:
        text = pattern.sub(chinese, text)
    return text


class ChineseContext(typer.Context):
    formatter_class = ChineseHelpFormatter


class WeiwenGroup(TyperGroup):
    """The `weiwen` group: Chinese help for every command, usage errors as one Chinese line."""

    context_class = ChineseContext

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for command in self.commands.values():
            command.context_class = ChineseContext

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             windows_expand_args: bool = True, **extra: Any) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        try:
            code = super().main(args=args, prog_name=prog_name, complete_var=complete_var,
                                standalone_mode=False, windows_expand_args=windows_expand_args,
                                **extra)
        except Interrupted as stop:
            code = interrupted(stop.command, as_json=JSON_FLAG in argv)
        except typer.Abort:
            print("已中断。", file=sys.stderr)
            code = 1
        except Exception as error:
            kinds = _kinds(error)
            if "NoArgsIsHelpError" in kinds:            # `weiwen` alone: the help
                print(error.format_message())           # type: ignore[attr-defined]
                code = 0
            elif "UsageError" in kinds:
                # a parse error may come without its command's context: take the command from argv
                command = _command_of(getattr(error, "ctx", None)) or \
                    next((a for a in argv if a in self.commands), "")
                code = show_failure(command or PROG, usage_message(error, command),
                                    getattr(error, "exit_code", 2), as_json=JSON_FLAG in argv)
            elif "ClickException" in kinds:
                code = show_failure(PROG, "命令无法执行。请运行 weiwen --help 查看用法。",
                                    2, as_json=JSON_FLAG in argv)
            else:                                       # a bug of ours: no traceback shown
                command = next((a for a in argv if a in self.commands), "")
                code = internal_error(f"{PROG} {command}".strip(), as_json=JSON_FLAG in argv)
        code = code if isinstance(code, int) else 0
        if standalone_mode:
            sys.exit(code)
        return code

    def invoke(self, ctx: Any) -> Any:
        # Typer turns Ctrl+C into a bare exit 130 before any handler of ours could speak; caught
        # here, inside it, the clerk is told what was interrupted and that nothing is half-written
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt as exc:
            raise Interrupted(f"{PROG} {ctx.invoked_subcommand or ''}".strip()) from exc

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            ctx.meta[_OURS] = _unknown_command(name, list(self.commands))
            ctx.fail(ctx.meta[_OURS])
        return super().resolve_command(ctx, args)


def _kinds(error: BaseException) -> set[str]:
    """click's exception class names along the error's class hierarchy (the same names in
    click and in Typer's copy of it)."""
    return {c.__name__ for c in type(error).__mro__}


def show_failure(command: str, message: str, code: int, *, as_json: bool) -> int:
    """The one way a failed command ends: `错误：…` on stderr, or with --json one JSON object on
    stdout (ok false, the message, the exit code). Returns the exit code."""
    if as_json:
        name = command.removeprefix(f"{PROG} ") or PROG       # "merge", like a report's command
        print(json.dumps({"ok": False, "command": name, "message": message, "exit_code": code},
                         ensure_ascii=False))
    else:
        print(f"错误：{message}", file=sys.stderr)
    return code


class Interrupted(Exception):
    """Ctrl+C during a command (`command`: `weiwen run`); an Exception, so Typer lets it through."""

    def __init__(self, command: str) -> None:
        super().__init__(command)
        self.command = command


#: exit code of a command stopped by Ctrl+C (128 + SIGINT, what shells and scripts expect)
INTERRUPTED = 130


def interrupted(command: str, *, as_json: bool = False) -> int:
    """Ctrl+C: one line saying what stopped and that nothing is half-written — the workbook and
    each step's set of output files are written whole to a temporary file and then put in place,
    so they are either as before or whole; steps already done stay done."""
    if command == f"{PROG} serve":
        message = "工作台已关闭。要再打开，请再运行一次 weiwen serve 活动文件夹。"
    else:
        message = (f"已中断“{command}”。工作簿和每一组输出文件都是整份写入的，不会只写了一半："
                   f"要么还是原来的，要么已是新的。请再运行一次同样的命令（{command} 活动文件夹），"
                   f"把没做完的做完。")
    if as_json:
        return show_failure(command, message, INTERRUPTED, as_json=True)
    print(message, file=sys.stderr)
    return INTERRUPTED


LOG_FILE = Path(tempfile.gettempdir()) / "weiwen-error.log"

#: what the operating system refuses (not a bug of ours): errno → the clerk's words
def internal_error(command: str, *, as_json: bool = False) -> int:
    """A bug of ours, inside an `except`: the traceback to LOG_FILE, one line for the clerk."""
    logged = logfile.append(LOG_FILE, f"--- {datetime.now():%Y-%m-%d %H:%M:%S} {command}\n"
                                      f"{traceback.format_exc()}\n")
    where = (f"详细信息已记录在 {LOG_FILE}，请把该文件发给技术支持。" if logged else
             "详细信息无法写入临时文件夹，请把这段说明和您当时的操作告诉技术支持。")
    return show_failure(command, f"运行“{command}”时程序内部出错，工作簿未被修改或已保留备份（.backup）。"
                        + where, 1, as_json=as_json)


# --- click's usage errors in Chinese --------------------------------------------------------------

def usage_message(error: Any, command: str = "") -> str:
    """One Chinese sentence or two for a click usage error: what is wrong and what to type
    (`command`: the subcommand, when the error does not carry its context)."""
    ctx, kinds, message = error.ctx, _kinds(error), str(getattr(error, "message", ""))
    path = f"{PROG} {command}" if command else PROG
    helpline = f"运行 {path} --help 查看用法和例子。"
    if "MissingParameter" in kinds:
        example = _example(ctx)
        return f"缺少{_param_name(error.param)}。" + (f"{example}。" if example else helpline)
    if "NoSuchOption" in kinds:
        possible = getattr(error, "possibilities", None) or []
        guess = f"是不是要用 {'、'.join(possible)}？" if possible else ""
        return f"{path} 没有 {error.option_name} 这个选项。{guess}{helpline}"
    if "BadOptionUsage" in kinds:
        if "requires" in message:
            return f"选项 {error.option_name} 后面要写上它的值。{helpline}"
        if "does not take a value" in message:
            return f"选项 {error.option_name} 不带值，只写 {error.option_name} 即可。{helpline}"
        return f"选项 {error.option_name} 的写法不对。{helpline}"
    if "BadParameter" in kinds:
        hint = _param_hint(error)
        return f"{hint}{' ' if hint[-1].isascii() else ''}的值不对：{_bad_value(message)}。{helpline}"
    extra = re.match(r"Got unexpected extra argument(?:s|\(s\))? \((.*)\)", message)
    if extra:
        wanted = next((p for p in (ctx.command.params if ctx is not None else [])
                       if p.param_type_name == "argument"), None)
        return (f"多了“{extra.group(1)}”：{path} 只要一个{_param_name(wanted)}。路径里有空格时，"
                f"请用引号把整个路径括起来，例如 {path} \"D:\\慰问 2027\\春节\"。")
    if message.startswith("Missing command"):
        return f"缺少命令，例如 weiwen merge 2027春节慰问。运行 {PROG} --help 查看全部命令。"
    if ctx is not None and ctx.meta.get(_OURS) == message:
        return message                                # ours already (an unknown command)
    return f"命令写法不对。{helpline}"


def _command_of(ctx: Any) -> str:
    """The subcommand's name ('' for the group itself or without a context)."""
    return ctx.info_name if ctx is not None and ctx.parent is not None and ctx.info_name else ""


def _param_name(param: Any) -> str:
    if param is None:
        return "参数"
    if param.param_type_name == "option":
        return f"选项 {param.opts[0]}"
    return PARAM_NAMES.get(param.name or "", param.name or "参数")


def _param_hint(error: Any) -> str:
    param, ctx = error.param, error.ctx
    if param is None:
        return "参数"
    name = _param_name(param)
    envvar = getattr(param, "envvar", None)
    source = ctx.get_parameter_source(param.name) if ctx is not None and param.name else None
    if envvar and getattr(source, "name", "") == "ENVIRONMENT":
        return f"{name}（来自环境变量 {envvar}）"
    return name


def _bad_value(message: str) -> str:
    """click's own type checks are put in Chinese (their templates first: they echo the clerk's
    value, which may be Chinese); our callbacks' messages are Chinese already."""
    known = ((r"'?(.*?)'? is not a valid integer", "“{}”不是整数"),
             (r"'?(.*?)'? is not a valid float", "“{}”不是数字"),
             (r"'?(.*?)'? is not a valid boolean", "“{}”不是“是/否”的值"),
             (r"'?(.*?)'? is not one of", "“{}”不在可选的值里"),
             (r"'?(.*?)'? is not in the range", "“{}”超出了允许的范围"),
             (r"(?:Path|File|Directory) '(.*?)' does not exist", "找不到 {}"))
    for pattern, chinese in known:
        found = re.match(pattern, message)
        if found:
            return chinese.format(found.group(1))
    # Typer's own wording (pydantic's): "Input should be a valid integer, unable to parse …"
    for words, chinese in (("valid integer", "要填整数"), ("valid number", "要填数字"),
                           ("valid float", "要填数字"), ("valid boolean", "只能填是或否")):
        if words in message:
            return chinese
    if _CJK.search(message):
        return message.rstrip("。.")
    return "不符合要求"


def _example(ctx: Any) -> str:
    """The `例：weiwen …` line of the command's help."""
    text = (ctx.command.help or "") if ctx is not None else ""
    return next((line.strip() for line in text.splitlines() if line.strip().startswith("例：")), "")


def _unknown_command(name: str, commands: list[str]) -> str:
    if Path(name).exists():     # the folder without a command: `weiwen 2027春节慰问`
        return (f"缺少命令：要对“{name}”做什么？例如 {PROG} run {name}（一次做完）。"
                f"运行 {PROG} --help 查看全部命令。")
    matches = get_close_matches(name, commands, n=2)
    guess = f"是不是 {'、'.join(f'{PROG} {m}' for m in matches)}？" if matches else ""
    return f"没有“{name}”这个命令。{guess}运行 {PROG} --help 查看全部命令。"
