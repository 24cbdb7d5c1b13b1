"""A large span file mapped by worker processes, each taking a share of its traces (launchkit.ingest.traces.share).

Each worker reads the whole file (decoding the JSON is a small part of the work), builds and maps
the spans of its own traces exactly as a reading in this process does (facts, the trace buffer,
the fold, the mapping) and writes its rows out in batches as it goes (launchkit.ingest.traces.
stage); this process keeps count of the batches as they arrive. At the end it adds up what the workers
counted (records, ignored spans by reason, rejects, notes) and keeps the first warnings in file
order; the session facts of all batches are aggregated at staging by rules that do not depend on
the order of the spans (launchkit.ingest.traces.spans.SessionFacts). The result is the one a
reading in this process gives, row for row; the tests compare the two.

Memory: each worker bounds its own by a batch (launchkit.ingest.traces.buffer); the rows wait on
disk. A worker that stops early (killed, out of memory) ends the load with an error, and nothing is
merged: the rows are merged only after the reading. A worker whose importing process is gone dies
on its next write.
"""

from __future__ import annotations

import os
import pickle
import queue
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from launchkit.errors import InputFileError
from launchkit.ingest.traces import buffer as trace_buffer
from launchkit.ingest.traces.facts import FactReader
from launchkit.ingest.traces.mapping import KeyedWarning, collect, listed_warnings, map_buffer
from launchkit.ingest.traces.share import Share
from launchkit.ingest.traces.spans import Mapped, Span
from launchkit.ingest.traces.stage import RowFile, keep_batch, take_batch

# A span parser: (path, notes) -> spans; one that also takes a Share skips other workers' spans early.
Parse = Callable[..., Iterator[Span]]

WORKERS_MAX = 4
# Files smaller than this are mapped in the importing process: starting workers would cost more than
# they save (measured with benchmarks/ingest.py --only traces; see docs/telemetry.md).
MIN_BYTES = 8 * 2**20


def worker_count(setting: int) -> int:
    """Worker processes for a large file: `setting` ([ingest] workers), 0 meaning one per CPU this
    process may use, at most WORKERS_MAX. 1 means none: the file is read in the importing process."""
    if setting > 0:
        return setting
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(WORKERS_MAX, cpus))


def map_in_workers(
    parse: Parse,
    path: Path,
    names: tuple[tuple[str, ...], tuple[str, ...]],
    workers: int,
    folder: str,
    *,
    takes_share: bool = False,
    batch: int | None = None,
) -> Mapped:
    """Map the spans of `path` in `workers` processes; they write their row batches into `folder`.

    `parse` must be a module-level function (the workers import it by name); `takes_share` says it
    accepts a Share and skips the spans of other workers' traces before building them. `names` are the
    configured (user, tenant) attribute names; `batch` bounds each worker's memory (default
    launchkit.ingest.traces.buffer.BATCH_FACTS). Raises what a worker raised reading the file.
    """
    limit = batch if batch is not None else trace_buffer.BATCH_FACTS
    inbox: queue.Queue[tuple[str, int, Any]] = queue.Queue(maxsize=2 * workers)
    stop = threading.Event()
    procs: list[subprocess.Popen[bytes]] = []
    threads: list[threading.Thread] = []
    logs: list[IO[bytes]] = []
    out = Mapped()
    parts: dict[int, tuple[Mapped, list[KeyedWarning], int]] = {}
    try:
        for k in range(workers):
            # a fresh interpreter running this module (not multiprocessing: its spawn runs the caller's
            # __main__ again, and a fork would copy DuckDB's running threads)
            log: IO[bytes] = tempfile.TemporaryFile(prefix="launchkit-worker-")  # noqa: SIM115 - closed below
            logs.append(log)
            proc = subprocess.Popen(
                [sys.executable, "-m", __name__],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                env=_same_launchkit(),
            )
            procs.append(proc)
            job = (parse, takes_share, str(path), names, Share(k, workers), limit, folder)
            assert proc.stdin is not None and proc.stdout is not None
            proc.stdin.write(pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL))
            proc.stdin.close()
            t = threading.Thread(target=_relay, args=(k, proc.stdout, inbox, stop), daemon=True)
            t.start()
            threads.append(t)
        while len(parts) < workers:
            kind, k, body = inbox.get()
            if kind == "rows":
                keep_batch(out, body)
            elif kind == "done":
                parts[k] = body
            elif kind == "error":
                raise _error(body)
            elif k not in parts:  # the end of its output, and it never said it was done
                raise RuntimeError(
                    f"trace import worker {k + 1} of {workers} stopped before it finished "
                    f"(exit status {procs[k].wait()}{_last_line(logs[k])})"
                )
    finally:
        stop.set()
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
        for proc in procs:
            proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()
        for t in threads:
            t.join()
        for log in logs:
            log.close()
    return _merged(out, [parts[k] for k in range(workers)])


def _same_launchkit() -> dict[str, str]:
    """The environment for a worker: this launchkit's folder first on its path, so it runs this code
    even where the caller found launchkit by a path of its own (a notebook's sys.path.insert)."""
    import launchkit

    root = str(Path(launchkit.__file__).resolve().parents[1])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([root, *filter(None, [env.get("PYTHONPATH")])])
    return env


def _merged(out: Mapped, parts: list[tuple[Mapped, list[KeyedWarning], int]]) -> Mapped:
    """`out` (the rows staged) with what each worker counted, in the order of the serial reading."""
    listed: list[KeyedWarning] = []
    total = 0
    notes: list[str] = []
    for part, part_listed, part_total in parts:
        out.records += part.records
        out.ignored += part.ignored
        for reason, n in part.ignored_kinds.items():
            out.ignored_kinds[reason] = out.ignored_kinds.get(reason, 0) + n
        out.pre_rejects.extend(part.pre_rejects)
        notes.extend(part.notes)
        listed.extend(part_listed)
        total += part_total
    out.pre_rejects.sort(key=lambda r: r[0])
    out.notes.extend(dict.fromkeys(notes))  # a note about the file is made by every worker: once each
    out.warnings.extend(listed_warnings(listed, total))
    return out


def _relay(k: int, stream: IO[bytes], inbox: queue.Queue[tuple[str, int, Any]], stop: threading.Event) -> None:
    """Pass worker k's messages on to the importing thread, then ("end", k, None)."""
    while not stop.is_set():
        try:
            message = pickle.load(stream)
        except (EOFError, OSError, pickle.UnpicklingError, ValueError):
            message = ("end", k, None)
        while not stop.is_set():
            try:
                inbox.put(message, timeout=0.2)
                break
            except queue.Full:
                continue
        if message[0] in ("end", "done", "error"):
            return


def _error(body: tuple[str | None, str] | BaseException) -> BaseException:
    """The exception a worker reported, as the importing process raises it."""
    if isinstance(body, BaseException):
        return body
    path, reason = body
    return InputFileError(str(path), reason)


def _last_line(log: IO[bytes]) -> str:
    """': ' and the last line a worker wrote to its standard error, if any."""
    log.seek(0)
    lines = [line.strip() for line in log.read().decode("utf-8", "replace").splitlines() if line.strip()]
    return f": {lines[-1]}" if lines else ""


Job = tuple[Parse, bool, str, tuple[tuple[str, ...], tuple[str, ...]], Share, int, str]


def _work(job: Job, out: IO[bytes]) -> None:
    """A worker: map the spans of its share's traces, writing row batches to `out`, then what it counted."""
    parse, takes_share, path, names, share, limit, folder = job

    def send(message: tuple[str, int, Any]) -> None:
        pickle.dump(message, out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()

    try:
        notes: list[str] = []
        reader = FactReader(*names)
        spans = parse(Path(path), notes, share) if takes_share else parse(Path(path), notes)
        mapped = Mapped()
        buffer = trace_buffer.TraceBuffer(limit)
        collect((reader.facts(s) for s in spans if share.owns(s.trace_id)), mapped, buffer)

        def flush(m: Mapped) -> None:
            send(("rows", share.index, take_batch(m, folder)))

        listed, total = map_buffer(buffer, mapped, flush=flush)
        last: list[RowFile] = take_batch(mapped, folder)
        if last:
            send(("rows", share.index, last))
        mapped.notes = notes
        send(("done", share.index, (mapped, listed, total)))
    except InputFileError as exc:
        send(("error", share.index, (exc.path, exc.reason)))
    except Exception as exc:
        try:
            pickle.dumps(exc)
        except Exception:
            exc = RuntimeError(f"{type(exc).__name__}: {exc}")
        send(("error", share.index, exc))


def main() -> None:
    """A worker process: the job on standard input, messages on standard output (print goes to stderr)."""
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed goes to the worker's log, not into the messages
    _work(pickle.load(sys.stdin.buffer), out)
    out.close()


if __name__ == "__main__":
    main()
