"""Uploaded files (photos, consent scans) behind one interface with two backends.

``STORAGE_BACKEND=local`` (the default) keeps them in ``UPLOAD_DIR``, outside ``static/``;
``STORAGE_BACKEND=s3`` keeps them in a bucket of any S3-compatible object store (AWS, MinIO,
Ceph; ``portal.core.storage_s3``), which every application server reaches, so several servers
can run without a shared volume. Either way nothing is served without a view that checks
access first: files are streamed through the app (``send``), never from a public folder or
bucket.

Callers name files by keys (``photos/<key>-320.webp``, ``consents/<key>``): ``/``-separated,
checked by ``check_key`` so no key reaches outside the storage. The random part comes from
``new_key()``, never from the uploader, so a user can neither choose nor guess where a file lands.
Every backend guarantees the same: a save is atomic (readers see the old file or the complete
new one, never a partial write, and a failed save leaves nothing behind), deleting a missing
file is not an error, and ``list_keys`` lists complete files only, in sorted order.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
import secrets
import shutil
import stat as stat_module
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any

from flask import Response, current_app, request, send_file
from sqlalchemy import event

from portal.extensions import db

log = logging.getLogger(__name__)

FILE_MODE = 0o640
DIR_MODE = 0o750
# Name prefix of a file the local backend is still writing; it becomes visible under its real
# name or not at all, so ``list_keys`` (and with it backups) skips these.
PARTIAL_PREFIX = ".tmp-"
# S3 allows 1024 bytes; ours are far shorter, and a long one is a mistake or an attack.
KEY_MAX_BYTES = 512
CHUNK = 1024 * 1024
_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f\\]")

Data = bytes | bytearray | memoryview | IO[bytes]


def new_key() -> str:
    """A fresh random file name (32 hex characters, 128 bits) made by the server."""
    return secrets.token_hex(16)


def check_key(key: object) -> str:
    """``key`` itself once it is a relative ``/``-separated name with no empty, ``.`` or ``..``
    part, no backslash, no control character and at most ``KEY_MAX_BYTES`` bytes; raises
    ``ValueError`` otherwise. Every backend checks every key it is given."""
    if (
        not isinstance(key, str)
        or not key
        or _FORBIDDEN.search(key)
        or len(key.encode("utf-8", "surrogatepass")) > KEY_MAX_BYTES
        or key.startswith("/")
        or any(part in ("", ".", "..") for part in key.split("/"))
    ):
        raise ValueError(f"invalid storage key: {key!r}")
    return key


def is_key(key: str) -> bool:
    try:
        check_key(key)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class StoredFile:
    """What a backend knows of a stored file without reading it."""

    key: str
    size: int
    etag: str
    modified_at: datetime  # timezone-aware UTC


class Storage(ABC):
    """The interface both backends implement (see the module docstring for the guarantees)."""

    @abstractmethod
    def save(self, key: str, data: Data) -> None:
        """Store ``data`` (bytes, or a binary file object read to its end in chunks) under
        ``key``, replacing any file there, atomically."""

    @abstractmethod
    def open(self, key: str) -> IO[bytes]:
        """The file at ``key`` for reading (a stream: large files are not held in memory);
        ``FileNotFoundError`` when there is none. The caller closes it."""

    def read(self, key: str) -> bytes:
        """All bytes of the file at ``key``; ``FileNotFoundError`` when there is none."""
        with self.open(key) as stream:
            return stream.read()

    @abstractmethod
    def stat(self, key: str) -> StoredFile | None:
        """Size, ETag and time of the file at ``key``, or None when there is none."""

    def exists(self, key: str) -> bool:
        return self.stat(key) is not None

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove the file at ``key``; a file that is already gone is not an error."""

    @abstractmethod
    def list_keys(self, prefix: str = "") -> Iterator[str]:
        """The keys of all complete files that start with ``prefix``, sorted. Names that are not
        valid keys (put there by someone else) are left out."""

    @abstractmethod
    def describe(self) -> str:
        """Where the files are, for messages to the operator (no credentials)."""


class LocalStorage(Storage):
    """Files in a directory: ``root/<key>``, mode 0o640, directories 0o750."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def describe(self) -> str:
        return f"the upload folder {self.root}"

    def path_for(self, key: str) -> Path:
        """The absolute path of ``key``, strictly inside the folder: besides ``check_key``,
        symlinks that lead outside raise ``ValueError`` (resolve() follows them, so a link
        planted inside the folder cannot lead out of it)."""
        check_key(key)
        root = self.root.resolve()
        target = (root / PurePosixPath(key)).resolve()
        if target == root or not target.is_relative_to(root):
            raise ValueError(f"storage key escapes the upload folder: {key!r}")
        return target

    def save(self, key: str, data: Data) -> None:
        """The bytes go to a temporary file in the same directory, are flushed to disk and then
        renamed over the target; on failure the temporary file is removed."""
        target = self.path_for(key)
        target.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=PARTIAL_PREFIX, suffix=".part")
        try:
            with os.fdopen(fd, "wb") as tmp:
                if isinstance(data, bytes | bytearray | memoryview):
                    tmp.write(data)
                else:
                    shutil.copyfileobj(data, tmp, CHUNK)
                tmp.flush()
                os.fsync(tmp.fileno())
            os.chmod(tmp_name, FILE_MODE)
            os.replace(tmp_name, target)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp_name)
            raise

    def open(self, key: str) -> IO[bytes]:
        path = self.path_for(key)
        if not path.is_file():
            raise FileNotFoundError(f"no stored file {key!r}")
        return path.open("rb")

    def stat(self, key: str) -> StoredFile | None:
        try:
            result = self.path_for(key).stat()
        except FileNotFoundError:
            return None
        if not stat_module.S_ISREG(result.st_mode):
            return None
        return StoredFile(
            key=key,
            size=result.st_size,
            etag=f"{result.st_mtime_ns:x}-{result.st_size:x}",
            modified_at=datetime.fromtimestamp(result.st_mtime, UTC),
        )

    def delete(self, key: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path_for(key).unlink()

    def list_keys(self, prefix: str = "") -> Iterator[str]:
        """Symlinks are neither followed nor listed: storage never makes any. Sorted like S3
        (by the whole key), so a folder's entries are ordered as ``name/`` for a subfolder."""
        for key in self._walk(self.root, "", prefix):
            if is_key(key):
                yield key

    def _walk(self, directory: str | os.PathLike[str], base: str, prefix: str) -> Iterator[str]:
        try:
            with os.scandir(directory) as scan:
                entries = [
                    (f"{base}{entry.name}/" if entry.is_dir(follow_symlinks=False) else "", entry)
                    for entry in scan
                ]
        except (FileNotFoundError, NotADirectoryError):
            return
        named = sorted((folder or f"{base}{entry.name}", entry) for folder, entry in entries)
        for name, entry in named:
            if not (name.startswith(prefix) or prefix.startswith(name)):
                continue
            if entry.is_dir(follow_symlinks=False):
                yield from self._walk(entry.path, name, prefix)
            elif (
                entry.is_file(follow_symlinks=False)
                and not entry.name.startswith(PARTIAL_PREFIX)
                and name.startswith(prefix)
            ):
                yield name


# --- the configured backend -------------------------------------------------------------------

BACKENDS = ("local", "s3")


def backend_for(config: Mapping[str, Any]) -> Storage:
    """The backend ``config`` describes (``STORAGE_BACKEND``, ``UPLOAD_DIR``, ``S3_*``)."""
    kind = config.get("STORAGE_BACKEND") or "local"
    if kind == "local":
        return LocalStorage(config["UPLOAD_DIR"])
    if kind == "s3":
        from portal.core.storage_s3 import S3Settings, s3_storage

        return s3_storage(S3Settings.from_config(config))
    raise ValueError(f"STORAGE_BACKEND must be one of {', '.join(BACKENDS)}, not {kind!r}")


def backend() -> Storage:
    """The backend of the current app (read from its config at each call, so a changed
    setting takes effect at once; S3 clients are cached per setting)."""
    return backend_for(current_app.config)


def save(key: str, data: Data) -> None:
    backend().save(key, data)


def open(key: str) -> IO[bytes]:  # noqa: A001 (storage.open, like io.open)
    return backend().open(key)


def read(key: str) -> bytes:
    return backend().read(key)


def stat(key: str) -> StoredFile | None:
    return backend().stat(key)


def exists(key: str) -> bool:
    return backend().exists(key)


def delete(key: str) -> None:
    """Remove the file at ``key`` (gone already: fine; an invalid key: ``ValueError``)."""
    backend().delete(key)


def list_keys(prefix: str = "") -> Iterator[str]:
    return backend().list_keys(prefix)


# --- serving ----------------------------------------------------------------------------------


class _Deferred(io.RawIOBase):
    """A stream opened at its first read: a response answered with 304 Not Modified never
    fetches the file's bytes (one HEAD request on S3, not a GET)."""

    def __init__(self, opener: Callable[[], IO[bytes]]) -> None:
        super().__init__()
        self._opener = opener
        self._stream: IO[bytes] | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._stream is None:
            self._stream = self._opener()
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()
        super().close()


def send(
    key: str,
    *,
    mimetype: str,
    as_attachment: bool = False,
    download_name: str | None = None,
    conditional: bool = True,
    max_age: int | None = None,
) -> Response | None:
    """A response that streams the stored file at ``key`` through the app, or None when there
    is none. The caller checks access first. With ``conditional`` it carries the file's ETag and
    answers If-None-Match, If-Modified-Since and Range requests. ``ValueError`` for an invalid
    key."""
    store = backend()
    info = store.stat(key)
    if info is None:
        return None
    response = send_file(
        _Deferred(lambda: store.open(key)),
        mimetype=mimetype,
        as_attachment=as_attachment,
        download_name=download_name,
        conditional=False,
        etag=info.etag if conditional else False,
        last_modified=info.modified_at,
        max_age=max_age,
    )
    response.content_length = info.size
    if conditional:
        response = response.make_conditional(
            request.environ, accept_ranges=True, complete_length=info.size
        )
    return response


# --- files follow the database ----------------------------------------------------------------


def delete_after_commit(keys: list[str]) -> None:
    """Remove the files at ``keys`` once the current transaction commits, never on rollback:
    removed rows lose their files only once the removal is committed."""
    _delete_when(keys, "commit")


def delete_after_rollback(keys: list[str]) -> None:
    """Remove the files at ``keys`` if the current transaction rolls back: new files whose rows
    never reach the database go again."""
    _delete_when(keys, "rollback")


def _delete_when(keys: list[str], outcome: str) -> None:
    """Files follow the database. Only the first outcome after the call counts; an invalid key
    was never ours to delete and is skipped; a failed deletion is logged as an error. The
    backend is the one configured now: the listener may run where no app context is pushed."""
    if not keys:
        return
    store = backend()
    session = db.session()
    done = False

    def finish(happened: str) -> None:
        nonlocal done
        if done:
            return
        done = True
        if happened != outcome:
            return
        for key in keys:
            try:
                store.delete(key)
            except ValueError:
                continue
            except Exception:
                # The transaction is over: a file that could not be removed (the object store
                # unreachable) is left behind, said loudly, rather than failing a done request.
                log.exception("Storage: could not delete %r from %s", key, store.describe())

    event.listen(session, "after_commit", lambda _s: finish("commit"), once=True)
    event.listen(session, "after_soft_rollback", lambda _s, _p: finish("rollback"), once=True)
