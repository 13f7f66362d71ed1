"""The export archive: every part of the subject's data, its files byte for byte, the audit
events naming it, and nothing of anyone else; who may download it, and that it is audited."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from sqlalchemy import select

from portal.core.audit import AuditEvent
from portal.extensions import db
from portal.privacy.export import FORMAT, FORMAT_VERSION


def unzip(data: bytes) -> tuple[dict, dict[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    return json.loads(files.pop("data.json")), files


def whole_text(data: bytes) -> str:
    document, files = unzip(data)
    return json.dumps(document).lower()


REASON = {"purpose": "access_request", "explanation": "Letter of the household of 1 December"}


def export_events() -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "privacy.export")))


def test_household_export_holds_every_part_and_nothing_of_others(browser, world):
    worker = browser.login("social_worker")
    household = world.households[0]
    page = f"/backoffice/privacy/households/{household.id}"
    response = browser.post(f"{page}/export", REASON, csrf_from_path=page)
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert response.headers["Cache-Control"] == "no-store"
    assert f"export-{household.code}.zip" in response.headers["Content-Disposition"]
    document, files = unzip(response.data)

    assert document["format"] == FORMAT and document["version"] == FORMAT_VERSION
    assert document["subject"] == {"kind": "household", "id": household.id, "code": household.code}
    for part in (
        "household",
        "identity",
        "consents",
        "participants",
        "placements",
        "interests",
        "profile_views",
        "prevention_cases",
        "audit_events",
        "files",
    ):
        assert part in document, part
    assert document["household"]["code"] == household.code
    assert document["household"]["earliest_move_in"] == household.earliest_move_in.isoformat()
    assert document["identity"]["main_tenant_name"] == household.identity.main_tenant_name
    assert len(document["participants"]) == 2
    assert document["participants"][0]["third_country"] == "yes"
    # The Annex I fields (issue 17) are the household's data too.
    first = document["participants"][0]
    assert (first["birth_year"], first["labour_status"]) == (1985, "long_term_unemployed")
    assert first["education"] == "isced_3_4" and first["rural"] is None
    [placement] = document["placements"]
    assert placement["events"][0]["note"] and placement["follow_ups"][0]["note"]
    assert len(document["interests"]) == 1 and len(document["profile_views"]) == 1

    # Every marker of household 0 is in the archive; none of household 1 or of the landlords'
    # own data (names, addresses, e-mail).
    text = json.dumps(document).lower()
    mine = world.markers.of("h0 ")
    missing = [what for marker, what in mine.items() if marker not in text]
    # The mediation case and its note are the case's, not the household's export.
    assert sorted(missing) == [
        "h0 prevention mediation email",
        "h0 prevention mediation message",
        "h0 prevention mediation name",
        "h0 tenant case message",
        "h0 tenant case name",
        "h0 tenant case note",
    ]
    for prefix in ("h1 ", "l0 user", "l1 "):
        leaked = [w for m, w in world.markers.of(prefix).items() if m in text]
        assert leaked == [], prefix

    # The signed form, byte for byte, and listed with its checksum.
    [consent] = document["consents"]
    key = household.consents[0].document_key
    assert files[consent["document_file"]] == world.files[key]
    [listed] = document["files"]
    assert listed["path"] == consent["document_file"] and listed["size"] == 64
    assert set(files) == {consent["document_file"]}

    actions = {(e["action"], e["object_type"]) for e in document["audit_events"]}
    assert ("household.created", "households") in actions
    assert ("consent.recorded", "consents") in actions
    assert ("placement.proposed", "placements") in actions
    assert all("ip_address" not in e for e in document["audit_events"])
    other = world.households[1]
    assert all(
        e["object_id"] != other.id or e["object_type"] != "households"
        for e in document["audit_events"]
    )

    [event] = export_events()
    assert event.actor_id == worker.id and event.object_id == household.id
    assert event.details == {"object_kind": "household", "reason": "access_request"}


def test_landlord_export_holds_the_landlord_side_only(browser, world):
    specialist = browser.login("specialist")
    user, flat, draft, photo, case = world.landlords[0]
    page = f"/backoffice/privacy/users/{user.id}"
    response = browser.post(f"{page}/export", csrf_from_path=page)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    document, files = unzip(response.data)
    assert document["subject"] == {"kind": "landlord", "id": user.id}
    assert document["user"]["email"] == user.email
    assert "password_hash" not in document["user"] and "session_token" not in document["user"]
    assert document["organisation"]["name"] == user.organisation.name
    assert {f["id"] for f in document["flats"]} == {flat.id, draft.id}
    [with_photo] = [f for f in document["flats"] if f["id"] == flat.id]
    [photo_entry] = with_photo["photos"]
    assert len(photo_entry["files"]) == 2
    for name in photo_entry["files"]:
        assert files[name] == world.files[name.removeprefix("files/")]
    assert {i["household_code"] for i in document["interests"]} == {
        h.code for h in world.households if h.id in {world.households[0].id}
    }
    placements = document["placements"]
    assert {p["household_code"] for p in placements} == {world.households[0].code}
    assert [c["number"] for c in document["mediation_cases"]] == [case.number]
    assert document["mediation_cases"][0]["replies"][0]["text"]

    text = json.dumps(document).lower()
    for marker, what in world.markers.of("l0 ").items():
        assert marker in text, what
    # The team's notes and the household's restricted data stay out; so does landlord 1.
    for prefix in ("l1 ", "h0 case notes", "h0 step note", "h0 phone", "h1 "):
        leaked = [w for m, w in world.markers.of(prefix).items() if m in text]
        assert leaked == [], prefix
    actions = {(e["action"], e["object_type"]) for e in document["audit_events"]}
    assert ("auth.login", "users") in actions and ("flat.created", "flats") in actions
    logins = [e for e in document["audit_events"] if e["action"] == "auth.login"]
    assert all("ip_address" in e for e in logins)  # the landlord's own
    [event] = export_events()
    assert event.actor_id == specialist.id and event.object_type == "users"


@pytest.mark.parametrize(
    "role, subject, allowed",
    [
        ("social_worker", "household", True),
        ("admin", "household", True),
        ("specialist", "household", False),
        ("landlord", "household", False),
        ("specialist", "landlord", True),
        ("admin", "landlord", True),
        ("social_worker", "landlord", False),
        ("landlord", "landlord", False),
    ],
)
def test_who_may_export(browser, world, role, subject, allowed):
    browser.login(role)
    if subject == "household":
        path = f"/backoffice/privacy/households/{world.households[0].id}"
    else:
        path = f"/backoffice/privacy/users/{world.landlords[0][0].id}"
    token = browser.csrf("/")
    page = browser.client.get(path)
    reason = REASON if subject == "household" else {}
    response = browser.client.post(f"{path}/export", data={"csrf_token": token} | reason)
    if allowed:
        assert page.status_code == 200 and response.status_code == 200
        assert len(export_events()) == 1
    else:
        assert page.status_code == 403 and response.status_code == 403
        assert export_events() == []


def test_export_needs_a_login_and_a_csrf_token(browser, world):
    path = f"/backoffice/privacy/households/{world.households[0].id}/export"
    response = browser.post(path)  # anonymous, with a valid token
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    page = browser.client.get(path.removesuffix("/export"))
    assert page.status_code == 302 and "/account/login" in page.headers["Location"]
    browser.login("social_worker")
    assert browser.client.post(path).status_code == 400
    assert export_events() == []


def test_staff_accounts_have_no_landlord_privacy_page(browser, world):
    browser.login("admin")
    staff = world.households[0].created_by_id
    assert browser.client.get(f"/backoffice/privacy/users/{staff}").status_code == 404


def test_cli_export_writes_the_archive(runner, world, tmp_path):
    household = world.households[0]
    target = tmp_path / "out" / "h.zip"
    refused = runner.invoke(
        args=["privacy", "export", "--household", household.code, "--to", str(target)]
    )
    assert refused.exit_code != 0 and "--reason" in refused.output and not target.exists()
    result = runner.invoke(
        args=[
            "privacy",
            "export",
            "--household",
            household.code,
            "--to",
            str(target),
            "--reason",
            "access_request",
            "--explanation",
            "Letter of the household of 1 December",
        ]
    )
    assert result.exit_code == 0, result.output
    document, files = unzip(target.read_bytes())
    assert document["household"]["id"] == household.id and len(files) == 1
    assert target.stat().st_mode & 0o777 == 0o600
    user = world.landlords[0][0]
    target = tmp_path / "l.zip"
    result = runner.invoke(args=["privacy", "export", "--user", user.email, "--to", str(target)])
    assert result.exit_code == 0, result.output
    assert unzip(target.read_bytes())[0]["user"]["id"] == user.id
    assert len(export_events()) == 2
    bad = runner.invoke(
        args=[
            "privacy",
            "export",
            "--household",
            "NOPE",
            "--to",
            str(target),
            "--reason",
            "other",
            "--explanation",
            "a test of the refusal",
        ]
    )
    assert bad.exit_code != 0 and "no such" in bad.output
    both = runner.invoke(
        args=["privacy", "export", "--household", "x", "--user", "y", "--to", str(target)]
    )
    assert both.exit_code != 0


def test_the_back_office_pages_offer_the_export(browser, world):
    household = world.households[0]
    export_url = f"/backoffice/privacy/households/{household.id}/export"
    browser.login("social_worker")
    html = browser.client.get(f"/backoffice/households/{household.id}").get_data(as_text=True)
    assert f"/backoffice/privacy/households/{household.id}#export-title" in html
    html = browser.client.get(f"/backoffice/privacy/households/{household.id}").get_data(
        as_text=True
    )
    assert export_url in html and 'name="explanation"' in html
    browser.logout()
    browser.login("specialist")
    html = browser.client.get(f"/backoffice/households/{household.id}").get_data(as_text=True)
    assert export_url not in html
    html = browser.client.get("/backoffice/landlords").get_data(as_text=True)
    assert f"/backoffice/privacy/users/{world.landlords[0][0].id}" in html
