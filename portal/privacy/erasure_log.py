"""The erasure log: one JSON line per erasure, appended to ``ERASURE_LOG`` outside the database.

A restored backup brings back a database without the newest ``erasures`` rows; this file keeps
them (put it on storage that is not restored with the database, and back it up separately).
Lines are only ever appended, each forced to disk before the erasure commits.

Several application servers (issue 19): every host erases, so the log must live on storage all
of them reach (a shared volume), and two hosts must never append to one file over a network file
system (appends from several NFS clients can overwrite each other). Put ``{host}`` into the path,
e.g. ``/srv/shared/erasures/{host}.jsonl``: each host appends to its own file, and ``read`` reads
the files of all hosts.
"""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path
from typing import Any

from flask import current_app

HOST = "{host}"


def _log_path() -> Path:
    """This host's log file."""
    return Path(current_app.config["ERASURE_LOG"].replace(HOST, socket.gethostname()))


def _all_paths() -> list[Path]:
    """The log files of every host (one, when the path names no ``{host}``)."""
    configured = Path(current_app.config["ERASURE_LOG"])
    if HOST not in configured.name:
        return [_log_path()]
    return sorted(configured.parent.glob(configured.name.replace(HOST, "*")))


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
    """The erasure log's entries (of every host); a damaged line (a crash mid-write) is skipped,
    never fatal."""
    lines = [
        line
        for path in _all_paths()
        if path.exists()
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    entries = []
    for line in lines:
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
