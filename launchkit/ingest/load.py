"""Loading files into the contract tables without losing or doubling a row, one transaction per file.

For every file: rows_read == loaded + updated + duplicates + rejected (+ ignored, for trace formats
that carry spans of no interest). The counts go to the `loads` manifest; rejected rows go to
`rejects` with their row number, column, reason and raw values. A file whose content was loaded
before is skipped. Validation runs inside DuckDB (launchkit.ingest.compile); merging is
launchkit.ingest.merge. Pricing and publishing the snapshot are the load job's (launchkit.jobs.load).

A bad file is one failed file, never a stopped batch: whatever a format's reader raises on
malformed input becomes a one-line failure naming the file (launchkit.ingest.formats.reader_errors),
the file's transaction is rolled back and the failure recorded with the file's content hash, so it
is reported once and not read again by the hourly run until its content changes. A fault of the
moment (a full disk, an I/O error, DuckDB failing to write: launchkit.faults) or a launchkit defect
also rolls the file back and fails only that file, but is not recorded: the next run reads the file
again. Rows rejected for a reason that can change (the time window, a configured cap) are held
and re-evaluated by every run (launchkit.ingest.held).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb

from launchkit.config import Config
from launchkit.config.limits import Limits
from launchkit.contract import TABLES, table_for_file
from launchkit.errors import CountsError, InputFileError, WarehouseError
from launchkit.faults import passing_cause
from launchkit.ingest import manifest
from launchkit.ingest import tabular as tabular_files
from launchkit.ingest.files import Scan, expand_paths, scan_bytes
from launchkit.ingest.formats import (
    FORMATS,
    TABULAR_FORMATS,
    delimited,
    detect_format,
    format_by_name,
    is_gzip,
    is_tabular,
    parquet_claim,
    reader_errors,
    record_of,
    trace_reader,
)
from launchkit.ingest.inflate import record_too_long
from launchkit.ingest.merge import load_staged
from launchkit.ingest.result import FileResult, Staged
from launchkit.ingest.source import Source, prepared
from launchkit.ingest.tabular import (
    MAX_LINE_SIZE,
    LineTooLong,
    check_columns,
    csv_header,
    duckdb_error,
    header_problem,
    jsonl_table,
    malformed_csv_lines,
    stage_tabular,
)
from launchkit.progress import Count, Progress, ProgressFn
from launchkit.store.connect import damaged, is_damage
from launchkit.store.sql import quote_ident
from launchkit.store.transaction import transaction
from launchkit.store.warehouse import Warehouse

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _ReadOptions:
    """How a file is read; a read that meets a limit is repeated with other options."""

    max_line_size: int | None = None
    normalize_line_ends: bool = False


class _Retry(Exception):
    """Roll back and load the file again, read with these options."""

    def __init__(self, options: _ReadOptions) -> None:
        self.options = options


@contextmanager
def _typing_errors(name: str, fmt: str, shown: Path) -> Iterator[None]:
    """DuckDB typing and merging the staged rows: a parse error is the file's (the CSV reader streams a
    large file during the merge), but an I/O or memory error is the environment's."""
    try:
        yield
    except (duckdb.IOException, duckdb.OutOfMemoryException):
        raise
    except duckdb.Error as exc:
        raise duckdb_error(exc, name, fmt, shown) from None


@contextmanager
def staged_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    fmt: str,
    table: str | None,
    config: Config,
    *,
    normalize_line_ends: bool = False,
    max_line_size: int | None = None,
) -> Iterator[Staged]:
    """The file read by its format's reader and staged as temp relations on `con`: what the loader merges.

    This is the boundary: whatever a reader raises leaves as one InputFileError naming the file
    (launchkit.ingest.formats.reader_errors); only LineTooLong asks for another read. The file is
    read through its stand-in (launchkit.ingest.source), removed on leaving.
    """
    name = str(path)
    limits = config.input_limits
    with ExitStack() as stack:
        with reader_errors(name, fmt):
            src = stack.enter_context(prepared(path, fmt, normalize_line_ends=normalize_line_ends, limits=limits))
            if is_tabular(fmt):
                tbl = str(table)
                if max_line_size is None and src.inflated is not None:  # its longest line is known
                    max_line_size = max(MAX_LINE_SIZE, src.inflated.longest_line + 2)
                columns, kind = stage_tabular(
                    con, src.path, fmt, name=name, max_line_size=max_line_size, record_limit=limits.max_record
                )
                _check_tabular_columns(path, src, fmt, tbl, columns)
                if record_of(fmt).objects:
                    jsonl_table(con, columns)
                staged = Staged(tables={tbl: "_src"}, kind=kind)
            else:
                staged = trace_reader(fmt)(con, src.path, config)
                if staged.scratch is not None:  # the staged views read its files until the merge is done
                    stack.callback(staged.scratch.cleanup)
        staged.notes = list(staged.notes) + src.notes
        staged.read_from = str(src.path)
        yield staged


def _merge_traces(
    con: duckdb.DuckDBPyConnection, path: Path, staged: Staged, fmt: str, digest: str
) -> list[FileResult]:
    name = str(path)
    shown = Path(staged.read_from or name)
    results: list[FileResult] = []
    # One manifest row per table fed; the ignored and pre-rejected records are booked on the first.
    for table, rel in staged.tables.items():
        with _typing_errors(name, fmt, shown):
            r = load_staged(con, load_id=manifest.next_load_id(con), path=name, table=table, stg=rel)
        con.execute(f"DROP {staged.kind} IF EXISTS {quote_ident(rel)}")
        r.format = fmt
        results.append(r)
    if staged.pre_rejects or staged.ignored or not results:
        if not results:
            results.append(FileResult(file=name, table=None, format=fmt, load_id=manifest.next_load_id(con)))
        first = results[0]
        first_id = first.load_id if first.load_id is not None else manifest.next_load_id(con)
        first.load_id = first_id
        for row, column, reason, raw in staged.pre_rejects:
            manifest.reject(con, first_id, name, first.table or fmt, row, column, reason, raw)
        first.rejected += len(staged.pre_rejects)
        first.rows_read += len(staged.pre_rejects) + staged.ignored
        first.ignored += staged.ignored
        first.ignored_by_reason = dict(staged.ignored_by_reason)
    if staged.warnings:
        results[0].warnings = list(staged.warnings)
    for r in results:
        r.notes = list(staged.notes) + r.notes
        manifest.record(con, r, digest, "loaded")
    return results


def _check_tabular_columns(path: Path, src: Source, fmt: str, table: str, columns: list[str]) -> None:
    """The staged columns are the contract's; a CSV header DuckDB had to rename says why."""
    try:
        check_columns(path, TABLES[table], columns)
    except InputFileError:
        if delimited(fmt):
            problem = header_problem(csv_header(src.path, len([c for c in columns if c != "_row"])))
            if problem:
                raise InputFileError(str(path), problem) from None
        raise


def _merge_tabular(
    con: duckdb.DuckDBPyConnection, path: Path, staged: Staged, fmt: str, table: str, scan: Callable[[], Scan]
) -> FileResult:
    name = str(path)
    load_id = manifest.next_load_id(con)
    # The line count of the file's bytes bounds its CSV records; not so for compressed bytes.
    bound = (lambda: scan().lines - 1) if delimited(fmt) and not is_gzip(path) else None
    with _typing_errors(name, fmt, Path(staged.read_from or name)):
        result = load_staged(con, load_id=load_id, path=name, table=table, stg="_src", max_records=bound)
        malformed = malformed_csv_lines(con) if delimited(fmt) else []
    for line, reason in malformed:
        manifest.reject(con, load_id, name, table, line, None, reason, None)
    result.rows_read += len(malformed)
    result.rejected += len(malformed)
    result.format = fmt
    result.notes = staged.notes + result.notes
    con.execute(f"DROP {staged.kind} IF EXISTS _src")
    manifest.record(con, result, scan().digest, "loaded")
    return result


def _digest_of(path: Path) -> str:
    """The content hash of a file that failed, or '' when it cannot be read."""
    try:
        return scan_bytes(path).digest if path.is_file() else ""
    except OSError:
        return ""


def _failed(
    con: duckdb.DuckDBPyConnection,
    name: str,
    table: str | None,
    fmt: str | None,
    reason: str,
    digest: str | None = None,
) -> FileResult:
    """Record a file that failed as a whole (once: re-running the same failure changes nothing)."""
    reason = " ".join(reason.split())  # one line, whatever a reader said
    r = FileResult(file=name, table=table, format=fmt, error=reason)
    digest = _digest_of(Path(name)) if digest is None else digest
    try:
        if not manifest.failure_recorded(con, name, digest, reason):
            r.load_id = manifest.next_load_id(con)
            manifest.record(con, r, digest, "failed")
    except Exception as exc:
        cause = passing_cause(exc)
        if cause is None:
            raise
        return _passing(name, table, fmt, cause)
    return r


def _passing(name: str, table: str | None, fmt: str | None, cause: str) -> FileResult:
    """A file that failed for a passing reason: not recorded, so the next run reads it again."""
    return FileResult(
        file=name,
        table=table,
        format=fmt,
        transient=True,
        error=f"{cause}; nothing was loaded and the file is read again by the next run",
    )


def _detect(path: Path, limits: Limits | None = None) -> str | None:
    """The file's format, told from its content as a trace reader would read it (decompressed, transcoded)."""
    by_name = format_by_name(path)
    if by_name is not None:
        return by_name
    try:
        with prepared(path, "otlp", limits=limits) as src:
            return detect_format(path, content=src.path)
    except Exception as exc:
        if passing_cause(exc) is not None:
            raise
        return detect_format(path)


def _resolve(
    path: Path, table: str | None, fmt: str | None, limits: Limits | None = None
) -> tuple[str, str | None, bool]:
    """The file's format and table, and whether the format was detected; InputFileError when unusable."""
    name = str(path)
    if not path.is_file():
        raise InputFileError(name, "no such file")
    if path.stat().st_size == 0:
        raise InputFileError(name, "empty file")
    detected = False
    if fmt is None:
        fmt = _detect(path, limits)
        detected = fmt is not None and not is_tabular(fmt)
        if fmt is None:
            raise InputFileError(name, "unknown format: expected .csv, .parquet, .jsonl, or a trace format (--format)")
    if fmt not in FORMATS:
        raise InputFileError(name, f"unknown format '{fmt}' (one of {', '.join(FORMATS)})")
    if is_tabular(fmt):
        table = table or table_for_file(path.name)
        if table is None:
            raise InputFileError(
                name,
                f"cannot tell the table from the file name; name it <table>_... or pass --table ({', '.join(TABLES)})",
            )
        if table not in TABLES:
            raise InputFileError(name, f"unknown table '{table}' ({', '.join(TABLES)})")
    return fmt, table, detected


def load_file(
    wh: Warehouse,
    path: str | Path,
    *,
    config: Config,
    table: str | None = None,
    fmt: str | None = None,
) -> list[FileResult]:
    """Load one file in one transaction; a bad file gives a FileResult with `error`, never an exception.

    The one exception: a damaged warehouse file raises WarehouseDamaged (naming it and the restore
    command), since no input file is at fault and none should be recorded as failed.
    """
    con = wh.con
    path = Path(path)
    name = str(path)
    try:
        fmt, table, detected = _resolve(path, table, fmt, config.input_limits)
    except InputFileError as exc:
        cause = passing_cause(exc)
        return [_passing(name, table, fmt, cause) if cause else _failed(con, name, table, fmt, exc.reason)]
    except OSError as exc:
        return [_passing(name, table, fmt, f"cannot read the file: {passing_cause(exc) or exc}")]
    tabular = is_tabular(fmt)
    scan: Callable[[], Scan]
    scanned: Scan | None = None
    try:
        if path.stat().st_size >= tabular_files.SMALL_FILE and not manifest.path_loaded_before(con, name):
            # A large new file is hashed in a thread while it is read (DuckDB, or the trace workers:
            # hashing releases the GIL); whether its content was loaded before (under another name) is
            # checked once the hash is known, before anything commits. A path loaded before is hashed
            # first: a re-run skips fast.
            pool = ThreadPoolExecutor(max_workers=1)
            future = pool.submit(scan_bytes, path)
            pool.shutdown(wait=False)
            scan = future.result
        else:
            done = scanned = scan_bytes(path)
            if manifest.already_loaded(con, done.digest, table if tabular else None):
                return [FileResult(file=name, table=table, format=fmt, skipped=True, detected=detected)]
            scan = lambda: done  # noqa: E731
    except OSError as exc:
        return [_passing(name, table, fmt, f"cannot read the file: {passing_cause(exc) or exc}")]
    # A CSV mixing line ends is read with them made one kind (DuckDB's sniffer refuses the mix);
    # a large file's scan runs beside the first read, which is then repeated if it was mixed.
    read = _ReadOptions(normalize_line_ends=delimited(fmt) and scanned is not None and mixed_line_ends(path, scanned))
    while True:
        try:
            results = _load_once(con, path, fmt, table, scan, config, read)
        except _Retry as again:
            read = again.options
            continue
        except _Damaged as bad:
            raise damaged(wh.path or "(in memory)", bad.cause) from None
        for r in results:
            r.detected = detected
        return results


def mixed_line_ends(path: Path, scan: Scan) -> bool:
    """Whether a CSV file mixes line ends (LF, CRLF, lone CR), which DuckDB's CSV reader refuses
    (told from its bytes; a gzip file's compressed bytes tell nothing)."""
    return scan.newlines == "mixed" and not is_gzip(path)


def _mixed(path: Path, scan: Callable[[], Scan]) -> bool:
    try:
        return mixed_line_ends(path, scan())
    except OSError:
        return False


def _restored(con: duckdb.DuckDBPyConnection, name: str, cause: BaseException | None = None) -> None:
    """The session zone back to UTC after a file's transaction rolled back; a connection that is gone
    stops the batch (nothing more can load)."""
    try:
        con.execute("SET TimeZone = 'UTC'")
    except duckdb.Error as exc:
        raise WarehouseError(f"the warehouse connection failed while loading {name}: {exc}") from cause


class _Skip(Exception):
    """Roll the file's transaction back: its content was loaded before (told once its hash is known)."""

    def __init__(self, result: FileResult) -> None:
        self.result = result


def _load_in_transaction(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    fmt: str,
    table: str | None,
    scan: Callable[[], Scan],
    config: Config,
    read: _ReadOptions,
) -> list[FileResult]:
    """The file read, staged and merged, inside the transaction its caller holds (raises _Skip, _Retry)."""
    name = str(path)
    manifest.set_zone(con, config.timezone)
    manifest.set_window(con, config.earliest, config.max_future_hours, manifest.now(), config.max_turn_cost_usd)
    with staged_file(
        con,
        path,
        fmt,
        table,
        config,
        normalize_line_ends=read.normalize_line_ends,
        max_line_size=read.max_line_size,
    ) as staged:
        if not is_tabular(fmt):
            digest = scan().digest
            if manifest.already_loaded(con, digest, None):  # a large file, hashed while it was read
                raise _Skip(FileResult(file=name, table=None, format=fmt, skipped=True))
            results = _merge_traces(con, path, staged, fmt, digest)
        else:
            tbl = str(table)
            results = [_merge_tabular(con, path, staged, fmt, tbl, scan)]
            digest = scan().digest
            if delimited(fmt) and not read.normalize_line_ends and mixed_line_ends(path, scan()):
                # DuckDB read it with one kind of line end; read it again with them made one kind.
                raise _Retry(replace(read, normalize_line_ends=True))
            if manifest.already_loaded(con, digest, tbl, besides=results[0].load_id or -1):
                raise _Skip(FileResult(file=name, table=table, format=fmt, skipped=True))
    con.execute("SET TimeZone = 'UTC'")
    for r in results:
        if not r.reconciles():  # a defect, not bad input: never commit counts that do not add up
            raise CountsError(
                name,
                {
                    "read": r.rows_read,
                    "loaded": r.loaded,
                    "updated": r.updated,
                    "duplicates": r.duplicates,
                    "rejected": r.rejected,
                    "ignored": r.ignored,
                },
            )
    return results


def _load_once(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    fmt: str,
    table: str | None,
    scan: Callable[[], Scan],
    config: Config,
    read: _ReadOptions,
) -> list[FileResult]:
    """One attempt at loading the file in one transaction (launchkit.store.transaction; raises _Retry to
    be called again). Every branch below runs after the transaction rolled back."""
    name = str(path)
    try:
        with transaction(con):
            return _load_in_transaction(con, path, fmt, table, scan, config, read)
    except _Skip as skip:
        _restored(con, name)
        return [skip.result]
    except _Retry:
        _restored(con, name)
        raise
    except LineTooLong as exc:
        _restored(con, name, exc)
        limits = config.input_limits
        if exc.limit < limits.max_record:  # one more read, with the longest record launchkit reads
            raise _Retry(replace(read, max_line_size=limits.max_record)) from None
        return [_failed(con, name, table, fmt, record_too_long(exc.needed, limits), _known_digest(scan))]
    except (InputFileError, CountsError) as exc:
        _restored(con, name, exc)
        _raise_if_damaged(exc)
        cause = passing_cause(exc)
        if cause is not None:
            return [_passing(name, table, fmt, cause)]
        if (
            isinstance(exc, InputFileError)
            and delimited(fmt)
            and not read.normalize_line_ends
            and (is_gzip(path) or _mixed(path, scan))
        ):  # a gzip file's mix of line ends shows only when it is read
            raise _Retry(replace(read, normalize_line_ends=True)) from None
        reason = exc.reason if isinstance(exc, InputFileError) else str(exc)
        return [_failed(con, name, table, fmt, reason, _known_digest(scan))]
    except Exception as exc:
        _restored(con, name, exc)
        _raise_if_damaged(exc)
        log.debug("error while loading %s", name, exc_info=True)
        cause = passing_cause(exc)
        if cause is not None:
            return [_passing(name, table, fmt, cause)]
        text = " ".join(str(exc).split())[:300]
        return [
            FileResult(
                file=name,
                table=table,
                format=fmt,
                error=(
                    f"internal error while loading ({type(exc).__name__}: {text}); nothing was loaded and the "
                    "failure is not recorded, so the next run tries again (a launchkit defect)"
                ),
            )
        ]
    except BaseException:
        _restored(con, name)
        raise


class _Damaged(Exception):
    """The warehouse file itself failed while a file loaded (not the input's fault): stop the batch."""

    def __init__(self, cause: BaseException) -> None:
        self.cause = cause
        super().__init__(str(cause))


def _raise_if_damaged(exc: BaseException) -> None:
    """A damaged warehouse is no input file's failure: recording it against every file would be a lie."""
    seen: BaseException | None = exc
    while seen is not None:
        if is_damage(seen):
            raise _Damaged(seen) from None
        seen = seen.__cause__ or seen.__context__


def _known_digest(scan: Callable[[], Scan]) -> str:
    try:
        return scan().digest
    except OSError:
        return ""


def _not_data(path: Path, table: str | None, fmt: str | None) -> str | None:
    """Why a file found in a folder is not one launchkit loads (None: it is), e.g. a README.json."""
    if fmt is not None:
        return None
    found = _detect(path)
    if found in TABULAR_FORMATS:
        if table is not None or table_for_file(path.name) is not None:
            return None
        return f"no table in its name (name it <table>_...: {', '.join(TABLES)}; or pass --table)"
    if found is None:
        return "not a launchkit data file (no table in its name, and not a trace format launchkit reads)"
    return None


def ingest(
    wh: Warehouse,
    paths: Iterable[str | Path],
    *,
    config: Config,
    table: str | None = None,
    fmt: str | None = None,
    progress: ProgressFn | None = None,
) -> list[FileResult]:
    """Load every file named, and every data file in folders named; one result per file and table.

    A file named explicitly must load or fail; an entry of a folder that is not a launchkit data
    file (a subfolder, a README, no table prefix, unrecognised JSON, a .zip) is reported as passed
    over with its reason, not as a failure. `progress` is told how far the load has got
    (launchkit.progress: bytes, with the files and rows done); it never prints.
    """
    entries = list(expand_paths(paths))
    # a file of judgements on loaded rows (Phoenix evaluations) loads after the other files
    entries.sort(key=lambda e: e[2] is None and parquet_claim(e[0]) is not None)
    sizes = [_size(path) for path, _, _ in entries]
    files = bytes_done = rows = 0

    def tell(current: Path | None = None) -> None:
        if progress is not None:
            counts = (Count("files", files, len(entries)), Count("rows", rows))
            progress(Progress(sum(sizes), bytes_done, "B", counts, str(current) if current else None))

    tell()
    results: list[FileResult] = []
    for (path, from_folder, passed), size in zip(entries, sizes):
        tell(path)
        why = passed if passed is not None else (_not_data(path, table, fmt) if from_folder else None)
        if why is not None:
            done = [FileResult(file=str(path), table=None, skipped=True, passed_over=True, reason=why)]
        else:
            done = load_file(wh, path, config=config, table=table, fmt=fmt)
        results.extend(done)
        files, bytes_done, rows = files + 1, bytes_done + size, rows + sum(r.rows_read for r in done)
        tell()
    return results


def _size(path: Path) -> int:
    """A file's bytes for the progress; 0 for a subfolder passed over, or a missing file (it fails in load_file)."""
    try:
        return path.stat().st_size if path.is_file() else 0
    except OSError:
        return 0
