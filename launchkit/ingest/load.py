"""Loading files into the contract tables without losing or doubling a row, one transaction per file.

For every file: rows_read == loaded + updated + duplicates + rejected (+ ignored, for trace formats
that carry spans of no interest). The counts go to the `loads` manifest; rejected rows go to
`rejects` with their row number, column, reason and raw values. A file whose content was loaded
before is skipped. Validation runs inside DuckDB (launchkit.ingest.compile); merging is
launchkit.ingest.merge. Pricing and publishing the snapshot are the load job's (launchkit.jobs.load).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import duckdb

from launchkit.config import Config
from launchkit.contract import TABLES, table_for_file
from launchkit.errors import CountsError, InputFileError
from launchkit.ingest import manifest
from launchkit.ingest import tabular as tabular_files
from launchkit.ingest.files import expand_paths, scan_bytes
from launchkit.ingest.formats import FORMATS, TABULAR_FORMATS, detect_format, is_tabular, trace_reader
from launchkit.ingest.merge import load_staged
from launchkit.ingest.progress import IngestProgress, ProgressFn
from launchkit.ingest.result import FileResult
from launchkit.ingest.tabular import check_columns, first_line, jsonl_table, malformed_csv_lines, stage_tabular
from launchkit.store.runner import Warehouse


def _load_trace_file(
    con: duckdb.DuckDBPyConnection, path: Path, fmt: str, digest: str, config: Config
) -> list[FileResult]:
    staged = trace_reader(fmt)(con, path, config)
    results: list[FileResult] = []
    # One manifest row per table fed; the ignored and pre-rejected records are booked on the first.
    for table, rel in staged.tables.items():
        r = load_staged(con, load_id=manifest.next_load_id(con), path=str(path), table=table, stg=rel)
        r.format = fmt
        results.append(r)
    if staged.pre_rejects or staged.ignored or not results:
        if not results:
            results.append(FileResult(file=str(path), table=None, format=fmt, load_id=manifest.next_load_id(con)))
        first = results[0]
        first_id = first.load_id if first.load_id is not None else manifest.next_load_id(con)
        first.load_id = first_id
        for row, column, reason, raw in staged.pre_rejects:
            manifest.reject(con, first_id, str(path), first.table or fmt, row, column, reason, raw)
        first.rejected += len(staged.pre_rejects)
        first.rows_read += len(staged.pre_rejects) + staged.ignored
        first.ignored += staged.ignored
        first.ignored_by_reason = dict(staged.ignored_by_reason)
    if staged.warnings:
        results[0].warnings = list(staged.warnings)
    for r in results:
        r.notes = list(staged.notes)
        manifest.record(con, r, digest, "loaded")
    return results


def _load_tabular(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    fmt: str,
    table: str,
    digest: Callable[[], str],
    max_records: Callable[[], int] | None = None,
) -> FileResult:
    spec = TABLES[table]
    columns, kind = stage_tabular(con, path, fmt)
    check_columns(path, spec, columns)
    if fmt == "jsonl":
        jsonl_table(con, columns)
    load_id = manifest.next_load_id(con)
    try:
        result = load_staged(con, load_id=load_id, path=str(path), table=table, stg="_src", max_records=max_records)
    except duckdb.Error as exc:  # the reader met something it cannot parse mid-file
        raise InputFileError(str(path), f"not a readable {fmt.upper()} file ({first_line(exc, path)})") from None
    malformed = malformed_csv_lines(con) if fmt == "csv" else []
    for line, reason in malformed:
        manifest.reject(con, load_id, str(path), table, line, None, reason, None)
    result.rows_read += len(malformed)
    result.rejected += len(malformed)
    result.format = fmt
    con.execute(f"DROP {kind} IF EXISTS _src")
    manifest.record(con, result, digest(), "loaded")
    return result


def _failed(
    con: duckdb.DuckDBPyConnection,
    name: str,
    table: str | None,
    fmt: str | None,
    reason: str,
    digest: str | None = None,
) -> FileResult:
    """Record a file that failed as a whole (once: re-running the same failure changes nothing)."""
    r = FileResult(file=name, table=table, format=fmt, error=reason)
    if not manifest.failure_recorded(con, name, digest or "", reason):
        r.load_id = manifest.next_load_id(con)
        manifest.record(con, r, digest or "", "failed")
    return r


def _resolve(path: Path, table: str | None, fmt: str | None) -> tuple[str, str | None, bool]:
    """The file's format and table, and whether the format was detected; InputFileError when unusable."""
    name = str(path)
    if not path.is_file():
        raise InputFileError(name, "no such file")
    if path.stat().st_size == 0:
        raise InputFileError(name, "empty file")
    detected = False
    if fmt is None:
        fmt = detect_format(path)
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
    """Load one file in one transaction; a bad file gives a FileResult with `error`, never an exception."""
    con = wh.con
    path = Path(path)
    name = str(path)
    try:
        fmt, table, detected = _resolve(path, table, fmt)
    except InputFileError as exc:
        return [_failed(con, name, table, fmt, exc.reason)]
    tabular = is_tabular(fmt)
    scan: Callable[[], tuple[str, int]]
    if tabular and path.stat().st_size >= tabular_files.SMALL_FILE and not manifest.path_loaded_before(con, name):
        # A large new file is hashed in a thread while DuckDB reads it (both release the GIL);
        # whether its content was loaded before (under another name) is checked once the hash is
        # known, before anything commits. A path loaded before is hashed first: a re-run skips fast.
        pool = ThreadPoolExecutor(max_workers=1)
        future = pool.submit(scan_bytes, path)
        pool.shutdown(wait=False)
        scan = future.result
    else:
        scanned = scan_bytes(path)
        if manifest.already_loaded(con, scanned[0], table if tabular else None):
            return [FileResult(file=name, table=table, format=fmt, skipped=True, detected=detected)]
        scan = lambda: scanned  # noqa: E731
    digest = None
    con.execute("BEGIN TRANSACTION")
    try:
        manifest.set_zone(con, config.timezone)
        if not tabular:
            digest = scan()[0]
            results = _load_trace_file(con, path, fmt, digest, config)
        else:
            tbl = str(table)
            bound = (lambda: scan()[1] - 1) if fmt == "csv" else None
            results = [_load_tabular(con, path, fmt, tbl, lambda: scan()[0], max_records=bound)]
            digest = scan()[0]
            if manifest.already_loaded(con, digest, tbl, besides=results[0].load_id or -1):
                con.execute("ROLLBACK")
                con.execute("SET TimeZone = 'UTC'")
                return [FileResult(file=name, table=table, format=fmt, skipped=True, detected=detected)]
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
        con.execute("COMMIT")
    except (InputFileError, CountsError) as exc:
        con.execute("ROLLBACK")
        con.execute("SET TimeZone = 'UTC'")
        reason = exc.reason if isinstance(exc, InputFileError) else str(exc)
        return [_failed(con, name, table, fmt, reason, digest or scan()[0])]
    except BaseException:
        con.execute("ROLLBACK")
        con.execute("SET TimeZone = 'UTC'")
        raise
    for r in results:
        r.detected = detected
    return results


def _is_data_file(path: Path, table: str | None, fmt: str | None) -> bool:
    """Whether a file found in a folder is one launchkit can load (others, e.g. a README.json, are passed over)."""
    if fmt is not None:
        return True
    found = detect_format(path)
    if found in TABULAR_FORMATS:
        return table is not None or table_for_file(path.name) is not None
    return found is not None


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

    A file named explicitly must load or fail; a file in a folder that is not a launchkit data
    file (no table prefix, unrecognised JSON) is reported as passed over, not as a failure.
    `progress` is told how far the load has got (launchkit.ingest.progress); it never prints.
    """
    files = list(expand_paths(paths))
    sizes = [_size(path) for path, _ in files]
    state = IngestProgress(files_total=len(files), bytes_total=sum(sizes))
    if progress is not None:
        progress(state)
    results: list[FileResult] = []
    for (path, from_folder), size in zip(files, sizes):
        if progress is not None:
            progress(replace(state, current=str(path)))
        if from_folder and not _is_data_file(path, table, fmt):
            done = [FileResult(file=str(path), table=None, skipped=True, passed_over=True)]
        else:
            done = load_file(wh, path, config=config, table=table, fmt=fmt)
        results.extend(done)
        state = replace(
            state,
            files_done=state.files_done + 1,
            bytes_done=state.bytes_done + size,
            rows_read=state.rows_read + sum(r.rows_read for r in done),
        )
        if progress is not None:
            progress(state)
    return results


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:  # a missing file fails in load_file, with its reason
        return 0
