"""The S3 backend of ``portal.core.storage``: files as objects in one bucket of an S3-compatible
object store (AWS S3, MinIO, Ceph RGW, ...), reached with boto3.

The bucket stays private: the app reads objects with its own credentials and streams them
through its views after the access checks; it never hands out bucket URLs. Keys are stored as
``S3_PREFIX + key``, so one bucket can hold several deployments.

Atomicity comes from S3 itself: an object written by one PUT, or by a multipart upload (boto3
switches to one above 8 MB), becomes visible complete, at once, or not at all; boto3 aborts a
failed multipart upload. S3 and its compatible stores read their own writes consistently.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import IO, Any

from portal.core.storage import Data, Storage, StoredFile, check_key, is_key

log = logging.getLogger(__name__)

ADDRESSING_STYLES = ("auto", "path", "virtual")


@dataclass(frozen=True)
class S3Settings:
    """Where the bucket is and how to reach it (hashable: one client per distinct setting)."""

    bucket: str
    endpoint_url: str | None = None
    region: str | None = None
    access_key_id: str | None = None
    secret_access_key: str | None = None
    prefix: str = ""
    addressing_style: str = "auto"

    def __repr__(self) -> str:  # never print the secret
        return f"S3Settings(bucket={self.bucket!r}, endpoint_url={self.endpoint_url!r})"

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> S3Settings:
        bucket = (config.get("S3_BUCKET") or "").strip()
        if not bucket:
            raise ValueError("STORAGE_BACKEND=s3 needs S3_BUCKET")
        access_key = config.get("S3_ACCESS_KEY_ID") or None
        secret_key = config.get("S3_SECRET_ACCESS_KEY") or None
        if bool(access_key) != bool(secret_key):
            raise ValueError("S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together")
        endpoint = config.get("S3_ENDPOINT_URL") or None
        style = config.get("S3_ADDRESSING_STYLE") or ("path" if endpoint else "auto")
        if style not in ADDRESSING_STYLES:
            raise ValueError(f"S3_ADDRESSING_STYLE must be one of {', '.join(ADDRESSING_STYLES)}")
        prefix = (config.get("S3_PREFIX") or "").strip("/")
        if prefix:
            check_key(prefix)
        return cls(
            bucket=bucket,
            endpoint_url=endpoint,
            region=config.get("S3_REGION") or None,
            access_key_id=access_key,
            secret_access_key=secret_key,
            prefix=f"{prefix}/" if prefix else "",
            addressing_style=style,
        )


@functools.lru_cache(maxsize=16)
def s3_storage(settings: S3Settings) -> S3Storage:
    """One backend (and boto3 client, which is thread-safe) per setting and process."""
    return S3Storage(settings)


def _not_found(exc: Exception) -> bool:
    error = getattr(exc, "response", {}).get("Error", {})
    return str(error.get("Code")) in {"404", "NoSuchKey", "NotFound"}


class S3Storage(Storage):
    def __init__(self, settings: S3Settings) -> None:
        import boto3
        from botocore.config import Config
        from botocore.exceptions import ClientError

        self.settings = settings
        self._client_error = ClientError
        self.client = boto3.session.Session().client(
            "s3",
            endpoint_url=settings.endpoint_url,
            region_name=settings.region,
            aws_access_key_id=settings.access_key_id,
            aws_secret_access_key=settings.secret_access_key,
            config=Config(
                s3={"addressing_style": settings.addressing_style},
                retries={"mode": "standard", "max_attempts": 3},
                connect_timeout=5,
                read_timeout=60,
            ),
        )

    def describe(self) -> str:
        where = f" at {self.settings.endpoint_url}" if self.settings.endpoint_url else ""
        return f"the bucket s3://{self.settings.bucket}/{self.settings.prefix}{where}"

    def _name(self, key: str) -> str:
        return self.settings.prefix + check_key(key)

    def save(self, key: str, data: Data) -> None:
        name = self._name(key)
        if isinstance(data, bytes | bytearray | memoryview):
            self.client.put_object(Bucket=self.settings.bucket, Key=name, Body=bytes(data))
        else:
            # Streamed in parts of 8 MB: a large file is never held in memory whole.
            self.client.upload_fileobj(data, self.settings.bucket, name)

    def open(self, key: str) -> IO[bytes]:
        name = self._name(key)
        try:
            response = self.client.get_object(Bucket=self.settings.bucket, Key=name)
        except self._client_error as exc:
            if _not_found(exc):
                raise FileNotFoundError(f"no stored file {key!r}") from exc
            raise
        return response["Body"]

    def stat(self, key: str) -> StoredFile | None:
        name = self._name(key)
        try:
            head = self.client.head_object(Bucket=self.settings.bucket, Key=name)
        except self._client_error as exc:
            if _not_found(exc):
                return None
            raise
        return StoredFile(
            key=key,
            size=head["ContentLength"],
            etag=head["ETag"].strip('"'),
            modified_at=head["LastModified"],
        )

    def delete(self, key: str) -> None:
        # S3 answers 204 for a key that is not there either.
        self.client.delete_object(Bucket=self.settings.bucket, Key=self._name(key))

    def list_keys(self, prefix: str = "") -> Iterator[str]:
        """S3 lists keys in UTF-8 byte order, which is sorted order."""
        start = len(self.settings.prefix)
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.settings.bucket, Prefix=self.settings.prefix + prefix
        )
        for page in pages:
            for entry in page.get("Contents", ()):
                key = entry["Key"][start:]
                if is_key(key):
                    yield key
                else:
                    log.warning("Storage: skipping object %r, not a valid key", entry["Key"])
