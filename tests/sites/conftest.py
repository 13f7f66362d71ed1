from __future__ import annotations

import pytest

from portal.extensions import db
from portal.sites.models import Site


@pytest.fixture
def essen():
    """A second, active site."""
    site = Site(slug="essen", name="Essen", municipality_key="05113000", code_prefix="E")
    db.session.add(site)
    db.session.flush()
    return site
