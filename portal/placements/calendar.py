"""Calendar invitations (ICS) for viewings; a rescheduled viewing keeps its UID and raises the
SEQUENCE so calendars update the event instead of adding one."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app
from icalendar import Calendar, Event, vCalAddress, vText

from portal.core.clock import BERLIN
from portal.core.db import utcnow

VIEWING_LENGTH = timedelta(minutes=45)


def viewing_uid(placement_id: int) -> str:
    host = urlsplit(current_app.config["PORTAL_BASE_URL"]).hostname or "portal"
    return f"placement-{placement_id}-viewing@{host}"


def viewing_invitation(placement, summary: str, description: str, organiser_email: str) -> str:
    """The ICS text (METHOD:REQUEST) for the placement's viewing, in Europe/Berlin time."""
    calendar = Calendar()
    calendar.add("prodid", "-//Endlich ein ZUHAUSE Duisburg//Portal//DE")
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    event = Event()
    event.add("uid", viewing_uid(placement.id))
    event.add("sequence", placement.viewing_sequence)
    event.add("dtstamp", utcnow())
    start = placement.viewing_at.astimezone(BERLIN)
    event.add("dtstart", start)
    event.add("dtend", start + VIEWING_LENGTH)
    event.add("summary", summary)
    event.add("description", description)
    if placement.viewing_place:
        event.add("location", vText(placement.viewing_place))
    organiser = vCalAddress(f"mailto:{organiser_email}")
    organiser.params["cn"] = vText("Kümmerer-Team")
    event.add("organizer", organiser)
    event.add("status", "CONFIRMED")
    calendar.add_component(event)
    # icalendar adds the VTIMEZONE for Europe/Berlin so every client reads local time.
    calendar.add_missing_timezones()
    return calendar.to_ical().decode()
