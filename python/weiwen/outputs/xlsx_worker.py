"""A writer process: `python -m weiwen.outputs.xlsx_worker`, started by xlsx.Parallel.

Reads pickled jobs (path, Book, [Sheet]) from stdin, writes each file with xlsx.write and answers
("ok", path) or ("error", path, traceback) on stdout. Started with subprocess, not
multiprocessing: a spawned process would run the caller's main module again.
"""
from __future__ import annotations

import os
import pickle
import sys
import traceback


def main() -> None:
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())      # stray prints go to stderr
    from ..collector import bulk_work
    from .xlsx import write
    jobs = sys.stdin.buffer
    with bulk_work():              # laying out cells is all allocation, never cyclic garbage
        while True:
            try:
                path, book, sheets = pickle.load(jobs)
            except EOFError:
                return
            try:
                write(path, book, sheets)
                answer: tuple = ("ok", path)
            except Exception:
                answer = ("error", path, traceback.format_exc())
            pickle.dump(answer, answers)
            answers.flush()

if __name__ == "__main__":
    main()
