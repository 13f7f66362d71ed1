"""The erasure log with several application servers: ``{host}`` in ``ERASURE_LOG`` gives each
host its own file on the shared volume (no two hosts append to one file), and reading after a
restore takes the lines of every host."""

from __future__ import annotations

import socket

from portal.privacy import erasure_log


def entry(object_id: int) -> dict:
    return {"kind": "household", "object_id": object_id, "erased_at": "2026-12-06T10:00:00+00:00"}


def test_each_host_appends_to_its_own_file_and_all_are_read(app, tmp_path, monkeypatch):
    shared = tmp_path / "shared"
    monkeypatch.setitem(app.config, "ERASURE_LOG", str(shared / "erasures-{host}.jsonl"))
    for host, object_id in [("app1", 1), ("app2", 2), ("app1", 3)]:
        monkeypatch.setattr(socket, "gethostname", lambda host=host: host)
        erasure_log.append(entry(object_id))
    assert sorted(path.name for path in shared.iterdir()) == [
        "erasures-app1.jsonl",
        "erasures-app2.jsonl",
    ]
    assert len((shared / "erasures-app1.jsonl").read_text().splitlines()) == 2
    assert sorted(e["object_id"] for e in erasure_log.read()) == [1, 2, 3]


def test_a_path_without_host_is_one_file_as_before(app, tmp_path, monkeypatch):
    path = tmp_path / "erasures.jsonl"
    monkeypatch.setitem(app.config, "ERASURE_LOG", str(path))
    erasure_log.append(entry(7))
    assert [e["object_id"] for e in erasure_log.read()] == [7]
    assert path.exists()
