"""Read returned files in separate reader processes, each file under a memory and a time limit.

A file from outside may make the reading library panic (a BaseException), abort the process
(`memory allocation of 549755813888 bytes failed`), eat all memory or never finish. Each of those
stays inside the reader process: the process is replaced, that file gets a Chinese reason, the
other files are read. Two processes also put both cores to work on a large inbox.

How the limits hold on every system the clerk may use:
- memory: the parent polls each busy reader's resident memory (psutil, every 50 ms) and kills
  it above `Limits.memory`; this is the limit on Windows, which has no RLIMIT. Where RLIMIT_AS
  exists (Linux, macOS) the reader also caps its own address space, so a single huge allocation
  fails at once instead of between two polls.
- time: the parent kills a reader that spends more than `Limits.seconds` on one file.
- a crash (abort, segfault, a panic that escapes) ends the reader's pipe: that file's problem.
Readers are started as `python -m weiwen.intake.worker` with subprocess (the same on Windows and
Linux; multiprocessing's spawn would re-import the caller's __main__, i.e. pandas), and import
only python-calamine and the standard library. A small batch of files checked safe beforehand
(inline.py: a street office's dozen returns, one corrected file) is read in this process: it
costs less than starting a reader.
"""
from __future__ import annotations

import os
import pickle
import queue
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from collections.abc import Callable, Iterable

from .. import logfile
from . import inline
from . import reasons as R
from .formats import FileData, read_guarded

LOG_FILE = Path(tempfile.gettempdir()) / "weiwen-read.log"
POLL = 0.05
STARTUP = 60.0          # s for a reader process to start (a slow PC right after boot)


def _env_number(name: str, default: float) -> float:
    try:
        return float(os.environ[name])
    except (KeyError, ValueError):
        return default


@dataclass(frozen=True)
class Limits:
    """Per-file limits. WEIWEN_READ_MEMORY_MB / WEIWEN_READ_SECONDS / WEIWEN_READ_WORKERS /
    WEIWEN_READ_INLINE_KB change the defaults (a slow PC, a test). `inline`: bytes of small
    files, checked safe, that may be read in this process instead (0: every file in a reader
    process)."""
    memory: int = 1 << 30                 # bytes of resident memory for one reader process
    seconds: float = 60.0                 # for one file
    workers: int = 2
    inline: int = inline.SMALL_BATCH

    @classmethod
    def default(cls) -> Limits:
        return cls(memory=int(_env_number("WEIWEN_READ_MEMORY_MB", 1024) * 2 ** 20),
                   seconds=_env_number("WEIWEN_READ_SECONDS", 60.0),
                   workers=max(1, int(_env_number("WEIWEN_READ_WORKERS",
                                                  min(2, os.cpu_count() or 1)))),
                   inline=int(_env_number("WEIWEN_READ_INLINE_KB", inline.SMALL_BATCH / 1024)
                              * 1024))


@dataclass
class Outcome:
    """One file read: its data, or the reason it could not be read (Chinese) and the detail
    (library text, for the log)."""
    data: FileData | None
    reason: str = ""
    detail: str = ""
    seconds: float = 0.0
    peak: int = 0                         # highest resident memory seen, bytes (0: not measured)


def read_in_process(path: Path) -> Outcome:
    """The same reading without a separate process: a panic or any exception becomes the
    outcome, but an abort or a memory blow-up would still end the run (see read_files)."""
    start = time.perf_counter()
    data, reason, detail = read_guarded(path)
    return Outcome(data, reason, detail, time.perf_counter() - start)


class _Reader:
    """One reader process and the thread that waits for its answers."""

    def __init__(self, limits: Limits, answers: queue.Queue, log: IO[bytes]) -> None:
        cmd = [sys.executable, "-m", "weiwen.intake.worker", str(limits.memory)]
        flags = getattr(subprocess, "CREATE_NO_WINDOW", 0)      # no console flashing on Windows
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=log, creationflags=flags, env=_child_env())
        self.job: Path | None = None
        self.ready = False
        self.born = time.monotonic()
        self.started = 0.0
        self.peak = 0
        self.killed = ""                  # why the parent ended it
        self.answers = answers
        self._ps = _psutil_process(self.proc.pid)
        threading.Thread(target=self._listen, daemon=True).start()

    def _listen(self) -> None:
        try:
            while True:
                self.answers.put((self, pickle.load(self.proc.stdout)))
        except Exception:             # EOF: the process ended (or sent garbage)
            self.answers.put((self, None))

    def send(self, path: Path) -> None:
        self.job, self.started, self.peak, self.killed = path, time.monotonic(), 0, ""
        if not self.ready:
            self.started = float("inf")       # set when the process says it is ready
        pickle.dump(str(path), self.proc.stdin)
        self.proc.stdin.flush()

    def rss(self) -> int:
        if self._ps is None:
            return 0
        try:
            return self._ps.memory_info().rss
        except Exception:
            return 0

    def kill(self, why: str) -> None:
        self.killed = why
        try:
            self.proc.kill()
        except OSError:
            pass

    def close(self) -> None:
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=2)
        except Exception:
            self.kill("closing")
            try:
                self.proc.wait(timeout=2)
            except Exception:
                pass


def _reading_log() -> IO[bytes]:
    """The reading log, which the reader processes write their stderr to; the null device when
    it cannot be opened (another account's on a shared temp folder): reading goes on without."""
    try:
        return logfile.open_log(LOG_FILE)
    except OSError:
        return open(os.devnull, "ab")


def log_detail(name: str, detail: str) -> None:
    """One entry in the reading log for a file a later step could not use (library or Python
    text the clerk never sees). Never raises: the log is a help, not a requirement."""
    logfile.append(LOG_FILE, f"--- {time.strftime('%Y-%m-%d %H:%M:%S')} [{name}]\n{detail}\n",
                   limit=8000)


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("RUST_BACKTRACE", "0")
    # the reader must import the same weiwen as the caller, installed or not
    here = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (here, env.get("PYTHONPATH", "")) if p)
    return env


def _psutil_process(pid: int):
    try:
        import psutil
        return psutil.Process(pid)
    except Exception:
        return None


def read_files(paths: Iterable[Path], limits: Limits | None = None, *,
               done: Callable[[Path, Outcome], None] | None = None) -> dict[Path, Outcome]:
    """Every path read, each under `limits`: by the reader processes, or here when the batch is
    small and the file checked safe (inline.py). Never raises for a file."""
    limits = limits or Limits.default()
    paths = list(paths)
    results: dict[Path, Outcome] = {}
    if not paths:
        return results
    here, there = inline.split(paths, limits.inline) if limits.inline > 0 else ([], paths)
    todo = deque(there)
    answers: queue.Queue = queue.Queue()
    readers: list[_Reader] = []
    with _reading_log() as log:
        log.write(f"--- {time.strftime('%Y-%m-%d %H:%M:%S')} reading {len(paths)} files"
                  f" ({len(here)} in this process)\n".encode())
        log.flush()

        def finish(path: Path, outcome: Outcome) -> None:
            results[path] = outcome
            if outcome.data is None:
                log.write(logfile.scrub(f"[{path.name}] {outcome.reason} | {outcome.detail}\n"[:4000])
                          .encode())
                log.flush()
            if done is not None:
                done(path, outcome)

        for path in here:
            finish(path, read_in_process(path))
        try:
            _loop(todo, limits, answers, readers, log, finish)
        finally:
            for reader in readers:
                reader.close()
    return results


def _loop(todo: deque, limits: Limits, answers: queue.Queue, readers: list[_Reader],
          log: IO[bytes], finish: Callable[[Path, Outcome], None]) -> None:
    busy = 0
    while todo or busy:
        while todo and (busy < len(readers) or len(readers) < limits.workers):
            reader = next((r for r in readers if r.job is None), None)
            if reader is None:
                reader = _Reader(limits, answers, log)
                readers.append(reader)
            reader.send(todo.popleft())
            busy += 1
        try:
            reader, answer = answers.get(timeout=POLL)
        except queue.Empty:
            _watch(readers, limits)
            continue
        if answer == "ready":
            reader.ready = True
            if reader.job is not None:
                reader.started = time.monotonic()
            continue
        if reader.job is None:       # a reader that ended while idle
            if answer is None and reader in readers:
                readers.remove(reader)
            continue
        path, elapsed = reader.job, max(0.0, time.monotonic() - min(reader.started, time.monotonic()))
        reader.job = None
        busy -= 1
        if answer is None:           # the process ended mid-file
            readers.remove(reader)
            reader.proc.wait()
            finish(path, _death(reader, path, limits, elapsed))
            continue
        status, payload, peak = answer
        reader.peak = max(reader.peak, peak)
        if status == "ok":
            finish(path, Outcome(payload, seconds=elapsed, peak=reader.peak))
        else:
            reason, detail = payload
            finish(path, Outcome(None, reason, detail, elapsed, reader.peak))
        if reader.peak > limits.memory // 2:        # give the memory back before the next file
            readers.remove(reader)
            reader.close()


def _watch(readers: list[_Reader], limits: Limits) -> None:
    now = time.monotonic()
    for reader in readers:
        if reader.job is None or reader.killed:
            continue
        rss = reader.rss()
        reader.peak = max(reader.peak, rss)
        if rss > limits.memory:
            reader.kill("memory")
        elif now - reader.started > limits.seconds:
            reader.kill("time")
        elif not reader.ready and now - reader.born > STARTUP:
            reader.kill("start")              # Python did not even start: counted as a crash


def _death(reader: _Reader, path: Path, limits: Limits, elapsed: float) -> Outcome:
    code = reader.proc.returncode
    detail = f"reader process ended: exit code {code}, killed for {reader.killed or 'nothing'}"
    if reader.killed == "time":
        return Outcome(None, R.TIMEOUT.format(seconds=f"{limits.seconds:g}"), detail, elapsed,
                       reader.peak)
    if reader.killed == "memory" or reader.peak > limits.memory * 0.8:
        return Outcome(None, R.MEMORY.format(limit=R.megabytes(limits.memory)), detail, elapsed,
                       reader.peak)
    log_says_memory = _alloc_failed(path)
    reason = R.MEMORY.format(limit=R.megabytes(limits.memory)) if log_says_memory else R.CRASHED
    return Outcome(None, reason, detail, elapsed, reader.peak)


def _alloc_failed(path: Path) -> bool:
    """Whether the reader's last words in the log, after it started on `path`, were a failed
    allocation (Rust prints "memory allocation of N bytes failed" before aborting)."""
    try:
        with open(LOG_FILE, "rb") as f:
            f.seek(max(0, f.seek(0, 2) - (1 << 20)))
            tail = f.read().decode("utf-8", "replace")
    except OSError:
        return False
    marker = f"[start] {path.name}"
    return marker in tail and "memory allocation of" in tail.rsplit(marker, 1)[-1]
