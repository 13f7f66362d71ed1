"""``GET /healthz`` for the load balancer and monitoring."""

from __future__ import annotations

import logging

from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from portal.extensions import db

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


@bp.route("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError) as exc:
        db.session.rollback()
        log.warning("Health check: database unreachable: %s", type(exc).__name__)
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok"), 200
