"""The storage suite: the same tests against both backends of ``portal.core.storage``, the
upload folder and an S3 bucket on moto's standalone S3 server (a real S3-protocol server on
127.0.0.1, reached over HTTP by boto3; nothing is mocked). ``any_storage`` (tests/conftest.py)
runs each test once per backend; with PORTAL_TEST_REQUIRE_SERVICES=1 a missing moto fails."""

from __future__ import annotations

import hashlib
import io
import os
import stat
import threading
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.config import ConfigurationError, build_config
from portal.core import storage
from portal.core.storage import LocalStorage, check_key
from portal.core.storage_s3 import S3Storage

BAD_KEYS = [
    "../x",
    "/etc/passwd",
    "a/../../b",
    "..",
    "",
    "a\x00b",
    "a\\..\\b",
    "./a",
    "a//b",
    "a/",
    "a\nb",
    "x" * 600,
    None,
    b"photos/x",
]


def _key(prefix: str = "photos") -> str:
    return f"{prefix}/{storage.new_key()}-320.webp"


class Pattern(io.RawIOBase):
    """``size`` bytes made on the fly (never held whole), optionally failing after ``fail_at``
    bytes; ``sha256`` is that of the bytes handed out."""

    def __init__(self, size: int, fail_at: int | None = None) -> None:
        super().__init__()
        self.left, self.given, self.fail_at = size, 0, fail_at
        self.block = hashlib.sha256(b"seed").digest() * 2048  # 64 KiB
        self.sha = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.fail_at is not None and self.given >= self.fail_at:
            raise OSError("the upload broke off")
        n = min(len(buffer), self.left, len(self.block))
        buffer[:n] = self.block[:n]
        self.left -= n
        self.given += n
        self.sha.update(self.block[:n])
        return n


# --- the interface, on both backends --------------------------------------------------------


def test_round_trip(any_storage):
    key = _key()
    assert not storage.exists(key) and storage.stat(key) is None
    assert list(storage.list_keys()) == []

    storage.save(key, b"first")
    storage.save(key, b"second")  # replaces

    assert storage.exists(key)
    assert storage.read(key) == b"second"
    with storage.open(key) as stream:
        assert stream.read(3) == b"sec" and stream.read() == b"ond"
    info = storage.stat(key)
    assert info.key == key and info.size == 6 and info.etag
    assert abs(info.modified_at - datetime.now(UTC)) < timedelta(minutes=5)
    assert list(storage.list_keys()) == [key]

    storage.save(key, b"third")
    assert storage.stat(key).etag != info.etag  # a changed file has a new ETag

    storage.delete(key)
    assert not storage.exists(key)
    storage.delete(key)  # already gone: fine
    with pytest.raises(FileNotFoundError):
        storage.read(key)
    with pytest.raises(FileNotFoundError):
        storage.open(key)
    assert list(storage.list_keys()) == []


def test_empty_and_binary_files(any_storage):
    data = bytes(range(256)) * 3
    storage.save("consents/empty", b"")
    storage.save("consents/binary", bytearray(data))
    storage.save("consents/view", memoryview(data))

    assert storage.read("consents/empty") == b""
    assert storage.stat("consents/empty").size == 0
    assert storage.read("consents/binary") == data == storage.read("consents/view")


def test_list_keys_is_sorted_and_filters_by_prefix(any_storage):
    keys = ["photos/b-320.webp", "consents/x", "photos/a-320.webp", "photos/sub/c", "top"]
    for key in keys:
        storage.save(key, key.encode())

    assert list(storage.list_keys()) == sorted(keys)
    assert list(storage.list_keys("photos/")) == [
        "photos/a-320.webp",
        "photos/b-320.webp",
        "photos/sub/c",
    ]
    assert list(storage.list_keys("consents/")) == ["consents/x"]
    assert list(storage.list_keys("nothing/")) == []


def test_a_missing_file_is_neither_listed_nor_found_under_a_folder_name(any_storage):
    storage.save("photos/a/b", b"x")

    # "photos/a" is a folder on disk and a mere prefix in a bucket: no file either way.
    assert not storage.exists("photos/a")
    with pytest.raises(FileNotFoundError):
        storage.read("photos/a")


@pytest.mark.parametrize("key", BAD_KEYS, ids=repr)
def test_keys_that_could_leave_the_storage_are_refused(any_storage, key):
    for call in (
        lambda: storage.save(key, b"x"),
        lambda: storage.open(key),
        lambda: storage.read(key),
        lambda: storage.stat(key),
        lambda: storage.exists(key),
        lambda: storage.delete(key),
    ):
        with pytest.raises(ValueError):
            call()
    assert list(storage.list_keys()) == []
    if isinstance(any_storage, S3Storage):
        whole_bucket = any_storage.client.list_objects_v2(Bucket=any_storage.settings.bucket)
        assert whole_bucket.get("Contents", []) == []
    else:
        assert not (any_storage.root.parent / "x").exists()
        assert not any(any_storage.root.parent.rglob("x"))


def test_check_key_accepts_what_the_portal_makes():
    for key in (_key(), f"consents/{storage.new_key()}", f"consents/{storage.new_key()}.pdf"):
        assert check_key(key) == key


def test_a_large_file_is_streamed_in_and_out(any_storage):
    """20 MB from a stream that is never held whole (on S3 a multipart upload), read back in
    chunks: the same bytes."""
    size = 20 * 1024 * 1024 + 123
    source = Pattern(size)
    key = f"consents/{storage.new_key()}"

    storage.save(key, source)

    assert storage.stat(key).size == size
    read_back = hashlib.sha256()
    chunks = 0
    with storage.open(key) as stream:
        while chunk := stream.read(storage.CHUNK):
            read_back.update(chunk)
            chunks += 1
    assert read_back.hexdigest() == source.sha.hexdigest()
    assert chunks >= 20


@pytest.mark.parametrize("size", [300_000, 12 * 1024 * 1024], ids=["small", "multipart"])
def test_a_failed_save_leaves_the_old_file_and_nothing_else(any_storage, size):
    key = f"consents/{storage.new_key()}"
    storage.save(key, b"complete old file")

    with pytest.raises(OSError, match="broke off"):
        storage.save(key, Pattern(size, fail_at=size - 100_000))
    with pytest.raises(OSError, match="broke off"):
        storage.save(f"consents/{storage.new_key()}", Pattern(size, fail_at=size - 100_000))

    assert storage.read(key) == b"complete old file"
    assert list(storage.list_keys()) == [key]
    if isinstance(any_storage, S3Storage):  # no multipart upload left hanging in the bucket
        pending = any_storage.client.list_multipart_uploads(Bucket=any_storage.settings.bucket)
        assert pending.get("Uploads", []) == []
    else:  # no temporary file left behind
        assert os.listdir(any_storage.root / "consents") == [key.split("/")[1]]


def test_readers_see_the_old_or_the_new_file_never_a_part(any_storage):
    key = f"photos/{storage.new_key()}"
    versions = [bytes([n]) * 400_000 for n in range(1, 4)]
    storage.save(key, versions[0])
    store = any_storage  # the thread has no app context: the backend itself
    seen: list[bytes] = []
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            seen.append(store.read(key))

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for round_ in range(12):
            store.save(key, versions[round_ % 3])
    finally:
        stop.set()
        thread.join()
    assert seen and all(data in versions for data in seen)


# --- what differs between the backends ------------------------------------------------------


@pytest.fixture
def folder(app, uploads, monkeypatch):
    """The upload folder as the backend, also under PORTAL_TEST_STORAGE=s3."""
    monkeypatch.setitem(app.config, "STORAGE_BACKEND", "local")
    return uploads


def test_local_files_are_private_to_the_service(folder):
    uploads = folder
    key = _key()
    storage.save(key, b"x")

    path = LocalStorage(uploads).path_for(key)
    assert path == (uploads / key).resolve()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o750


def test_local_storage_refuses_a_symlink_leading_out(folder, tmp_path):
    uploads = folder
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_bytes(b"secret")
    uploads.mkdir()
    (uploads / "link").symlink_to(outside)

    with pytest.raises(ValueError):
        storage.save("link/x", b"x")
    with pytest.raises(ValueError):
        storage.read("link/secret")
    assert not (outside / "x").exists()
    assert list(storage.list_keys()) == []  # the link is not followed


def test_s3_objects_live_on_the_server_under_the_prefix_and_are_not_public(s3_uploads, s3_server):
    import boto3

    key = _key()
    storage.save(key, b"on the server")

    bucket = s3_uploads.settings.bucket
    # Another client of its own reads the object from the server, under the prefix ...
    other = boto3.session.Session().client(
        "s3",
        endpoint_url=s3_server,
        region_name="us-east-1",
        aws_access_key_id="another-key",
        aws_secret_access_key="another-secret",
    )
    body = other.get_object(Bucket=bucket, Key=f"uploads/{key}")["Body"].read()
    assert body == b"on the server"
    # ... while a request without credentials is refused: photos are never public.
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{s3_server}/{bucket}/uploads/{key}")  # noqa: S310
    assert refused.value.code == 403
    assert s3_uploads.describe() == f"the bucket s3://{bucket}/uploads/ at {s3_server}"


def test_s3_lists_only_its_prefix_and_skips_foreign_objects(s3_uploads):
    client, bucket = s3_uploads.client, s3_uploads.settings.bucket
    client.put_object(Bucket=bucket, Key="other-deployment/photos/a", Body=b"not ours")
    client.put_object(Bucket=bucket, Key="uploads/../escape", Body=b"planted")
    client.put_object(Bucket=bucket, Key="uploads/photos//double", Body=b"planted")
    storage.save("photos/mine", b"ours")

    assert list(storage.list_keys()) == ["photos/mine"]


def test_s3_backends_are_cached_per_setting(app, s3_uploads):
    assert storage.backend() is s3_uploads
    assert storage.backend_for(dict(app.config, S3_PREFIX="other")) is not s3_uploads


# --- configuration --------------------------------------------------------------------------


def test_local_is_the_default(tmp_path):
    config = build_config(str(tmp_path), {})
    assert config["STORAGE_BACKEND"] == "local"
    assert isinstance(storage.backend_for(config), LocalStorage)


def test_s3_settings_from_the_environment(tmp_path):
    config = build_config(
        str(tmp_path),
        {
            "STORAGE_BACKEND": "s3",
            "S3_ENDPOINT_URL": "https://minio.internal:9000",
            "S3_BUCKET": "portal-uploads",
            "S3_REGION": "eu-central-1",
            "S3_ACCESS_KEY_ID": "key",
            "S3_SECRET_ACCESS_KEY": "secret",
            "S3_PREFIX": "/duisburg/",
        },
    )
    backend = storage.backend_for(config)
    assert isinstance(backend, S3Storage)
    assert backend.settings.prefix == "duisburg/"
    assert backend.settings.addressing_style == "path"  # MinIO and Ceph want path-style
    assert "secret" not in repr(backend.settings)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"STORAGE_BACKEND": "ftp"}, "STORAGE_BACKEND"),
        ({"STORAGE_BACKEND": "s3"}, "S3_BUCKET"),
        ({"STORAGE_BACKEND": "s3", "S3_BUCKET": "b", "S3_ACCESS_KEY_ID": "k"}, "go together"),
        ({"STORAGE_BACKEND": "s3", "S3_BUCKET": "b", "S3_ADDRESSING_STYLE": "x"}, "ADDRESSING"),
        ({"STORAGE_BACKEND": "s3", "S3_BUCKET": "b", "S3_PREFIX": "a/../b"}, "invalid"),
    ],
)
def test_incomplete_storage_settings_stop_the_start(tmp_path, env, message):
    with pytest.raises(ConfigurationError, match=message):
        build_config(str(tmp_path), env)


def test_files_follow_the_database(any_storage, db):
    kept, dropped, removed = (f"photos/{storage.new_key()}" for _ in range(3))
    for key in (kept, dropped, removed):
        storage.save(key, b"x")

    db.session.execute(select(1))  # inside a transaction, as in a request
    storage.delete_after_rollback([dropped])
    db.session.rollback()
    db.session.execute(select(1))
    storage.delete_after_commit([removed])
    storage.delete_after_rollback([kept])  # the commit comes first: kept stays
    db.session.commit()

    assert list(storage.list_keys()) == [kept]


def test_a_deletion_that_fails_after_the_commit_is_logged_not_raised(app, db, monkeypatch, caplog):
    from tests.services import free_port

    settings = {
        "STORAGE_BACKEND": "s3",
        "S3_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}",  # nothing listens there
        "S3_BUCKET": "unreachable",
        "S3_ACCESS_KEY_ID": "k",
        "S3_SECRET_ACCESS_KEY": "s",
    }
    for name, value in settings.items():
        monkeypatch.setitem(app.config, name, value)

    storage.delete_after_commit(["photos/gone", "../not-ours"])
    db.session.commit()

    assert "could not delete 'photos/gone'" in caplog.text
    assert "not-ours" not in caplog.text
