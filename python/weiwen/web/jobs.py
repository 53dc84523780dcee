"""One step at a time, in the background, with its progress for the page to poll.

The page starts a step and polls its state; a second start while one runs is refused with the
campaign lock's own message (who, what, since when). Another program holding the campaign (a
`weiwen run` in a terminal, an Excel button) is refused by the campaign lock itself inside the
step. A workbook open in Excel or WPS is detected before a step that writes it.
"""
from __future__ import annotations

import datetime as dt
import itertools
import logging
import os
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from collections.abc import Callable

from ..campaign import Campaign
from ..errors import WeiwenError
from ..lock import busy_message, in_use_message, lock_path, read_lock
from . import ops

log = logging.getLogger("weiwen.web")
#: the workbench's log: steps, refusals and our own errors (never an address or a name)
LOG_FILE = Path(tempfile.gettempdir()) / "weiwen-web.log"

def workbook_in_use(workbook: Path) -> str | None:
    """Why the workbook cannot be written now (open in Excel / WPS), or None: refused before a
    step starts, said as the page's clerk acts (再点按钮)."""
    return in_use_message(workbook, "再点按钮")


_numbers = itertools.count(1)


@dataclass
class Job:
    tag: str
    label: str
    number: int = field(default_factory=lambda: next(_numbers))
    started: float = field(default_factory=time.monotonic)
    started_at: dt.datetime = field(default_factory=dt.datetime.now)
    progress: list[str] = field(default_factory=list)
    state: str = "running"             # running / done / failed
    outcome: ops.Outcome | None = None
    error: str = ""
    finished: float | None = None

    def view(self) -> dict[str, Any]:
        end = self.finished or time.monotonic()
        out: dict[str, Any] = {"id": self.number, "tag": self.tag, "label": self.label,
                               "state": self.state,
                               "progress": self.progress[-8:], "seconds": round(end - self.started, 1),
                               "started": self.started_at.strftime("%H:%M:%S")}
        if self.outcome is not None:
            out.update(message=self.outcome.message, notes=self.outcome.notes, facts=self.outcome.facts,
                       outputs=len(self.outcome.outputs))
        if self.error:
            out["message"] = self.error
        return out


class Runner:
    """Runs at most one step of one campaign at a time (threads, not processes: the steps are
    the package's own functions)."""

    def __init__(self, campaign: Campaign, *, on_done: Callable[[Job], None] | None = None,
                 perform: Callable[..., ops.Outcome] = ops.perform) -> None:
        self.campaign = campaign
        self.on_done = on_done
        self.perform = perform
        self._guard = threading.Lock()
        self.current: Job | None = None
        self.last: Job | None = None
        self._thread: threading.Thread | None = None

    def _running(self) -> Job | None:
        job = self.current
        return job if job is not None and job.state == "running" else None

    def busy(self) -> bool:
        return self._running() is not None

    def start(self, tag: str, options: dict[str, bool] | None = None) -> tuple[Job | None, str]:
        """Start the step, or (None, why not) in one Chinese line."""
        step = ops.STEP_BY_TAG.get(tag)
        if step is None:
            return None, f"没有“{tag}”这个操作。"
        with self._guard:
            running = self._running()
            if running is not None:
                info = read_lock(self.campaign.root) or {
                    "command": ops.lock_name(ops.STEP_BY_TAG[running.tag])}
                return None, busy_message(info, lock_path(self.campaign.root))
            if step.writes_workbook:
                why = workbook_in_use(self.campaign.workbook)
                if why:
                    return None, why
            job = Job(tag=tag, label=step.label)
            self.current = job
        self._thread = threading.Thread(target=self._work, args=(job, options or {}),
                                        name=f"weiwen-{tag}", daemon=True)
        self._thread.start()
        return job, ""

    def wait(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def _work(self, job: Job, options: dict[str, bool]) -> None:
        def progress(message: str) -> None:
            job.progress.append(message)
        log.info("step %s started", job.tag)
        try:
            job.outcome = self.perform(job.tag, self.campaign, progress=progress, options=options)
            job.state = "done"
        except WeiwenError as exc:
            job.error, job.state = str(exc), "failed"
        except Exception:   # a bug of ours: one line on the page, the details in the log
            log.error("step %s failed\n%s", job.tag, traceback.format_exc())
            job.error = (f"运行“{job.label}”时程序内部出错，工作簿未被修改或已保留备份（.backup）。"
                         f"详细信息已记录在工作台的日志里（{_log_hint()}），请发给技术支持。")
            job.state = "failed"
        finally:
            job.finished = time.monotonic()
            log.info("step %s %s in %.1f s", job.tag, job.state, job.finished - job.started)
            with self._guard:
                self.last = job
            if self.on_done:
                try:
                    self.on_done(job)
                except Exception:
                    log.error("after step %s\n%s", job.tag, traceback.format_exc())


def _log_hint() -> str:
    return os.fspath(LOG_FILE)
