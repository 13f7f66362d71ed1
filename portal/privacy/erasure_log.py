"""The erasure log: one JSON line per erasure, appended to ``ERASURE_LOG`` outside the database.

A restored backup brings back a database without the newest ``erasures`` rows; this file keeps
them (put it on storage that is not restored with the database, and back it up separately).
Lines are only ever appended, each forced to disk before the erasure commits.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from flask import current_app


def _log_path() -> Path:
    return Path(current_app.config["ERASURE_LOG"])


def append(entry: dict[str, Any]) -> None:
    """Append one line to the erasure log and force it to disk (append-only, never rewritten)."""
    path = _log_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(entry, sort_keys=True, ensure_ascii=True) + "\n"
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, line.encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def read() -> list[dict[str, Any]]:
    """The erasure log's entries; a damaged line (a crash mid-write) is skipped, never fatal."""
    path = _log_path()
    if not path.exists():
        return []
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
            entries.append(
                {
                    "kind": str(entry["kind"]),
                    "object_id": int(entry["object_id"]),
                    "object_created_at": entry.get("object_created_at"),
                    "erased_at": entry.get("erased_at"),
                    "erased_by_id": entry.get("erased_by_id"),
                }
            )
        except (ValueError, KeyError, TypeError):
            continue
    return entries
