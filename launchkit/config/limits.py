"""What one input may cost to read: a gzip file's decompressed bytes and ratio, one record's bytes
([ingest] max_decompressed_mb, max_compression_ratio, max_record_mb; launchkit.ingest.inflate)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Bytes a gzip file may decompress to, how many times its compressed size, bytes of one record."""

    max_bytes: int = 4096 << 20
    max_ratio: float = 200.0
    max_record: int = 64 << 20
