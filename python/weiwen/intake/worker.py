"""A reader process: `python -m weiwen.intake.worker MEMORY_BYTES`, started by pool.py.

Reads file paths (pickled) from stdin, answers each with a pickled ("ok", FileData, peak) or
("fail", (reason, detail), peak) on stdout. Library messages and Rust panics go to stderr, which
the pool points at the reading log. Imports nothing heavy: it starts in about 0.1 s.
"""
from __future__ import annotations

import os
import pickle
import sys
from pathlib import Path


def _cap_memory(limit: int) -> None:
    """Where the system allows it (not on Windows), a hard cap on this process's address space:
    an absurd allocation then fails at once instead of growing until the parent notices."""
    try:
        import resource
    except ImportError:
        return
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ValueError, OSError):
        pass


def _peak() -> int:
    try:
        import resource
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024
    except ImportError:
        return 0


def main() -> None:
    limit = int(sys.argv[1]) if len(sys.argv) > 1 else 1 << 30
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())      # stray prints go to the log
    requests = sys.stdin.buffer
    from . import reasons as R
    from .formats import read_guarded
    _cap_memory(limit + (256 << 20))                      # the interpreter's own share on top
    pickle.dump("ready", answers)                         # the clock of the first file starts now
    answers.flush()
    from ..collector import bulk_work
    with bulk_work():          # a file's cells are all allocation, never cyclic garbage
        while True:
            try:
                path = pickle.load(requests)
            except EOFError:
                return
            print(f"[start] {Path(path).name}", file=sys.stderr, flush=True)
            data, reason, detail = read_guarded(Path(path))
            answer = ("ok", data, _peak()) if data is not None else ("fail", (reason, detail), _peak())
            try:
                pickle.dump(answer, answers, protocol=pickle.HIGHEST_PROTOCOL)
            except MemoryError:
                answers.flush()
                pickle.dump(("fail", (R.MEMORY.format(limit=R.megabytes(limit)),
                                     "MemoryError while sending the cells"), _peak()), answers)
            answers.flush()


if __name__ == "__main__":
    main()
