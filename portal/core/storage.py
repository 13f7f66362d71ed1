"""Uploaded files on disk, under ``UPLOAD_DIR`` (outside ``static/``, so nothing is served
without a view that checks access first).

Callers pass paths relative to the upload folder; names of new files come from ``new_key()``,
never from the uploader, so a user can neither choose nor guess where a file lands.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from pathlib import Path, PurePosixPath

from flask import current_app
from sqlalchemy import event

from portal.extensions import db

FILE_MODE = 0o640
DIR_MODE = 0o750
# Name prefix of a file save() is still writing; it becomes visible under its real name or not at
# all, so readers of the folder (backups) skip these.
PARTIAL_PREFIX = ".tmp-"


def new_key() -> str:
    """A fresh random file name (32 hex characters, 128 bits) made by the server."""
    return secrets.token_hex(16)


def _root() -> Path:
    return Path(current_app.config["UPLOAD_DIR"]).resolve()


def path_for(relative: str) -> Path:
    """The absolute path of ``relative`` inside the upload folder.

    Guarantees the result lies strictly inside ``UPLOAD_DIR``: absolute paths, ``..`` parts,
    backslashes, NUL bytes, empty names and symlinks that lead outside raise ``ValueError``.
    Needs an app context, not a request context.
    """
    if not isinstance(relative, str) or not relative or "\x00" in relative or "\\" in relative:
        raise ValueError(f"invalid storage path: {relative!r}")
    pure = PurePosixPath(relative)
    if pure.is_absolute() or any(part in ("", ".", "..") for part in relative.split("/")):
        raise ValueError(f"invalid storage path: {relative!r}")
    root = _root()
    # resolve() follows symlinks, so a link planted inside the folder cannot lead out of it.
    target = (root / pure).resolve()
    if target == root or not target.is_relative_to(root):
        raise ValueError(f"storage path escapes the upload folder: {relative!r}")
    return target


def save(relative: str, data: bytes) -> None:
    """Write ``data`` to ``relative`` atomically, creating missing directories.

    Readers see either the old file or the complete new one, never a partial write: the bytes
    go to a temporary file in the same directory, are flushed to disk and then renamed over the
    target. The file ends up with mode 0o640. On failure the temporary file is removed.
    """
    target = path_for(relative)
    target.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=PARTIAL_PREFIX, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(data)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.chmod(tmp_name, FILE_MODE)
        os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise


def delete(relative: str) -> None:
    """Remove the file at ``relative``; a file that is already gone is not an error.

    Raises ``ValueError`` like ``path_for`` for a path outside the upload folder.
    """
    with contextlib.suppress(FileNotFoundError):
        path_for(relative).unlink()


def delete_after_commit(keys: list[str]) -> None:
    """Remove the files at ``keys`` once the current transaction commits, never on rollback:
    removed rows lose their files only once the removal is committed."""
    _delete_when(keys, "commit")


def delete_after_rollback(keys: list[str]) -> None:
    """Remove the files at ``keys`` if the current transaction rolls back: new files whose rows
    never reach the database go again."""
    _delete_when(keys, "rollback")


def _delete_when(keys: list[str], outcome: str) -> None:
    """Files follow the database. Only the first outcome after the call counts; a key that
    points outside the upload folder was never ours to delete and is skipped."""
    if not keys:
        return
    session = db.session()
    done = False

    def finish(happened: str) -> None:
        nonlocal done
        if done:
            return
        done = True
        if happened == outcome:
            for key in keys:
                with contextlib.suppress(ValueError):
                    delete(key)

    event.listen(session, "after_commit", lambda _s: finish("commit"), once=True)
    event.listen(session, "after_soft_rollback", lambda _s, _p: finish("rollback"), once=True)
