"""Who may use which endpoint: one line per endpoint of ``app.url_map``, grouped by blueprint.

The route matrix (``matrix/test_route_matrix.py``) reads this table. An endpoint without a
line, or a line naming an endpoint that no longer exists, fails the suite: whoever adds a
route decides here who may use it (DESIGN.md §1, and what the view's decorators in
``portal/*/views.py`` and ``portal/*/backoffice.py`` enforce).

A rule is the set of roles allowed to use the endpoint, or a dict ``{"GET": ..., "POST": ...}``
where the methods differ. Roles:

- ``anonymous``: nobody logged in;
- ``owner``: a landlord of organisation A, which owns every object of the test world;
- ``other_landlord``: a landlord of organisation B (the attacker);
- ``specialist``, ``social_worker``, ``admin``: staff.

"Allowed" means the role gets the page (GET 200 or a redirect elsewhere than the login); a POST
by an allowed role may still be refused by the form or the workflow, which the domain tests
check. Every role not listed must be refused: anonymous to the login, the others 403 or 404,
and nothing may change.
"""

from __future__ import annotations

ANONYMOUS = "anonymous"
OTHER_LANDLORD = "other_landlord"
OWNER = "owner"
SPECIALIST = "specialist"
SOCIAL_WORKER = "social_worker"
ADMIN = "admin"
ROLES = (ANONYMOUS, OTHER_LANDLORD, OWNER, SPECIALIST, SOCIAL_WORKER, ADMIN)

EVERYONE = frozenset(ROLES)
LOGGED_IN = EVERYONE - {ANONYMOUS}
# Any landlord: the route shows or changes only the user's own organisation's things, or
# public profiles, and names no object of organisation A.
LANDLORDS = frozenset({OWNER, OTHER_LANDLORD})
# A landlord route on an object of organisation A: the other organisation answers 404.
OWN = frozenset({OWNER})
STAFF = frozenset({SPECIALIST, SOCIAL_WORKER, ADMIN})
CASEWORK = frozenset({SPECIALIST, SOCIAL_WORKER})
NOBODY: frozenset[str] = frozenset()

Rule = frozenset[str] | dict[str, frozenset[str]]

RULES: dict[str, Rule] = {
    # public pages --------------------------------------------------------------------------
    "public.landing": EVERYONE,
    "public.impressum": EVERYONE,
    "public.privacy": EVERYONE,
    "public.accessibility": EVERYONE,
    "public.easy_read": EVERYONE,
    "public.set_language": EVERYONE,
    "health.healthz": EVERYONE,
    # accounts ------------------------------------------------------------------------------
    "accounts.login": EVERYONE,
    "accounts.logout": EVERYONE,  # logging out without a session just goes home
    "accounts.register": EVERYONE,
    "accounts.register_done": EVERYONE,
    "accounts.verify_email": EVERYONE,  # the signed token is the credential
    "accounts.reset_request": EVERYONE,
    "accounts.reset_password": EVERYONE,  # the signed token is the credential
    "accounts.accept_invitation": EVERYONE,  # the signed token is the credential
    "accounts.resend_verification": LOGGED_IN,
    "accounts.change_password": LOGGED_IN,
    "accounts.profile": LOGGED_IN,
    "accounts.invite": LANDLORDS,  # a company's organisation admin, into their own company
    # The page an account with an unconfirmed address is sent to; others go home from it.
    "accounts.confirm_first": LOGGED_IN,
    # Changing the address (needs the password): at once while unconfirmed, else by a link.
    "accounts.change_email": LOGGED_IN,
    "accounts.confirm_email_change": EVERYONE,  # the signed token is the credential
    # A company's first user manages its colleagues; another organisation's user answers 404.
    "accounts.colleagues": LANDLORDS,
    "accounts.remove_colleague": OWN,
    "accounts.hand_over": OWN,
    # second factor -------------------------------------------------------------------------
    # The code page belongs to a half-done login; without one it sends visitors to the login.
    "twofactor.login_code": LOGGED_IN,
    "twofactor.security": LOGGED_IN,
    "twofactor.regenerate_recovery_codes": LOGGED_IN,  # needs a current code (domain tests)
    "twofactor.enable": LOGGED_IN,  # landlords opt in; staff are enrolled already
    "twofactor.cancel_enable": LOGGED_IN,
    "twofactor.disable": LANDLORDS,  # staff may never switch it off
    # back office home and accounts -----------------------------------------------------------
    "backoffice.home": STAFF,
    "backoffice.landlords": CASEWORK,
    "backoffice.organisation": CASEWORK,
    "backoffice.staff": frozenset({ADMIN}),
    "backoffice.reset_second_factor": frozenset({ADMIN}),  # another staff member's, never own
    # A landlord who lost phone and recovery codes: the specialist, after a call (issue 13.15).
    "backoffice.reset_landlord_second_factor": frozenset({SPECIALIST}),
    # listings (landlord) -------------------------------------------------------------------
    "listings.dashboard": LANDLORDS,
    "listings.create": LANDLORDS,
    "listings.show": OWN,
    "listings.edit": OWN,
    "listings.delete": OWN,
    "listings.duplicate": OWN,
    "listings.withdraw": OWN,
    "listings.relist": OWN,
    "listings.submit": OWN,
    "listings.upload_photos": OWN,
    "listings.photo_caption": OWN,
    "listings.photo_cover": OWN,
    "listings.photo_move": OWN,
    "listings.photo_delete": OWN,
    "listings.photo_file": OWN | CASEWORK,  # Flat.can_view: staff who work with flats
    # listings (back office) ----------------------------------------------------------------
    "listings_backoffice.flats": CASEWORK,
    # Social workers read a flat; only a specialist reviews (and only a submitted flat).
    "listings_backoffice.review": {"GET": CASEWORK, "POST": frozenset({SPECIALIST})},
    # Every staff member reads the rent limits in force; only the admin enters new ones.
    "listings_backoffice.rent_limit_table": {"GET": STAFF, "POST": frozenset({ADMIN})},
    "listings_backoffice.rent_limit_csv": frozenset({ADMIN}),
    "listings_backoffice.heating_threshold_table": {"GET": STAFF, "POST": frozenset({ADMIN})},
    # households (landlord): vetted, consented public profiles of the sites where the
    # landlord's organisation has a published flat (issue 19); organisation B has none, so a
    # profile answers it 404 (tests/households/test_sites_landlords.py) -----------------------
    "households.index": LANDLORDS,
    "households.show": OWN,
    # Interest for one of the user's own flats (chosen by its public key); another
    # organisation's flat is refused by the form (tests/households/test_idor.py).
    "households.interest": OWN,
    # households (back office) --------------------------------------------------------------
    "households_backoffice.index": CASEWORK,
    "households_backoffice.detail": CASEWORK,
    "households_backoffice.create": frozenset({SOCIAL_WORKER}),
    "households_backoffice.edit": frozenset({SOCIAL_WORKER}),
    "households_backoffice.change_status": frozenset({SOCIAL_WORKER}),
    "households_backoffice.record_consent": frozenset({SOCIAL_WORKER}),
    "households_backoffice.withdraw_consent": frozenset({SOCIAL_WORKER}),
    "households_backoffice.consent_document": frozenset({SOCIAL_WORKER}),  # tier 3
    "households_backoffice.consent_form": frozenset({SOCIAL_WORKER}),  # printable form
    "households_backoffice.consents": CASEWORK,  # all of the consents the detail page cuts
    "households_backoffice.participants": frozenset({SOCIAL_WORKER}),  # ESF fields, tier 3
    # Prevention cases (issue 16): casework, like mediation cases; never a landlord.
    "households_backoffice.prevention_cases": CASEWORK,
    "households_backoffice.open_prevention": CASEWORK,
    "households_backoffice.link_prevention": CASEWORK,
    "households_backoffice.record_prevention_outcome": CASEWORK,
    # placements (landlord) -----------------------------------------------------------------
    "placements.index": LANDLORDS,
    "placements.notifications": LANDLORDS,
    "placements.show": OWN,
    "placements.accept": OWN,
    "placements.decline": OWN,
    "placements.viewing_times": OWN,
    "placements.write_message": OWN,  # the thread with the team (issue 15)
    "placements.conversation": OWN,  # all of the thread, the placement page the newest
    "placements.confirm_move_in": OWN,  # Wohnungsgeberbestätigung (issue 16)
    "placements.landlord_handover_download": OWN,
    "placements.rent_certificate": OWN,  # the Mietbescheinigung (issue 16)
    "placements.confirm_rent_certificate": OWN,
    "placements.correct_rent_certificate": OWN,
    # placements (back office) --------------------------------------------------------------
    "placements_backoffice.index": CASEWORK,
    "placements_backoffice.export": CASEWORK,
    "placements_backoffice.detail": CASEWORK,
    "placements_backoffice.history": CASEWORK,  # all of the history the page cuts
    "placements_backoffice.mails": CASEWORK,  # all messages to the landlord the page cuts
    "placements_backoffice.conversation": CASEWORK,  # all of the thread the page cuts
    "placements_backoffice.rent_certificate_pdf": CASEWORK,  # issue 16
    "placements_backoffice.refill_rent_certificate": CASEWORK,
    # Social workers reach the route; the STEPS table refuses them all but aftercare steps.
    "placements_backoffice.take_step": CASEWORK,
    "placements_backoffice.record_follow_up": CASEWORK,
    "placements_backoffice.add_note": frozenset({SPECIALIST}),
    "placements_backoffice.paperwork": CASEWORK,  # handover and registration (issue 16)
    "placements_backoffice.record_handover": frozenset({SPECIALIST}),
    "placements_backoffice.record_registration": frozenset({SPECIALIST}),
    "placements_backoffice.handover_download": CASEWORK,
    "placements_backoffice.move_in_download": CASEWORK,
    # money questions (issue 16): specialists record, social workers read them on the page
    "placements_backoffice.request_cost": frozenset({SPECIALIST}),
    "placements_backoffice.decide_cost": frozenset({SPECIALIST}),
    "placements_backoffice.pay_cost": frozenset({SPECIALIST}),
    "placements_backoffice.request_direct_payment": frozenset({SPECIALIST}),
    "placements_backoffice.confirm_direct_payment": frozenset({SPECIALIST}),
    "placements_backoffice.write_message": CASEWORK,  # to the landlord (issue 15)
    "placements_backoffice.propose": frozenset({SPECIALIST}),
    "placements_backoffice.accept_interest": frozenset({SPECIALIST}),
    "placements_backoffice.decline_interest": frozenset({SPECIALIST}),
    # All of a household's open interests, which the household's page cuts: its readers.
    "placements_backoffice.household_interests": CASEWORK,
    # mediation (public form, landlord's own cases) -------------------------------------------
    "mediation.form": EVERYONE,
    "mediation.sent": EVERYONE,
    "mediation.mine": LANDLORDS,
    "mediation.case": OWN,
    "mediation.write_message": OWN,
    "mediation.conversation": OWN,  # all of the thread, the case page the newest
    "mediation.replies": OWN,  # all answers of the team, the case page the newest
    # mediation (back office) ---------------------------------------------------------------
    "mediation_backoffice.index": CASEWORK,
    "mediation_backoffice.detail": CASEWORK,
    "mediation_backoffice.add_note": CASEWORK,
    "mediation_backoffice.reply": CASEWORK,
    "mediation_backoffice.change_status": CASEWORK,
    "mediation_backoffice.assign": CASEWORK,
    "mediation_backoffice.link_placement": CASEWORK,
    "mediation_backoffice.write_message": CASEWORK,
    "mediation_backoffice.conversation": CASEWORK,  # all of the thread the case page cuts
    "mediation_backoffice.replies": CASEWORK,  # all replies the case page cuts
    "mediation_backoffice.notes": CASEWORK,  # all internal notes the case page cuts
    "mediation_backoffice.history": CASEWORK,  # all of the history the case page cuts
    "mediation_backoffice.open_for_placement": CASEWORK,
    # reports: figures only, small numbers suppressed; landlords see their own on the dashboard
    "reports_backoffice.index": STAFF,
    "reports_backoffice.chart": STAFF,
    "reports_backoffice.export_csv": STAFF,
    "reports_backoffice.summary_pdf": STAFF,
    # submitted reports (issue 17): every staff member reads them; specialists and admins submit
    "reports_backoffice.submit": frozenset({SPECIALIST, ADMIN}),
    "reports_backoffice.submission_list": STAFF,
    "reports_backoffice.submission": STAFF,
    "reports_backoffice.submission_file": STAFF,
    # the funding body's exact Annex I figures and per-participant export (issue 17):
    # specialists (the programme's lead is one) and admins; every download with a reason
    "reports_backoffice.annex_page": frozenset({SPECIALIST, ADMIN}),
    "reports_backoffice.annex_export": frozenset({SPECIALIST, ADMIN}),
    # the state-level report (issue 19): every site summed, then suppressed; the state-level
    # reader only, who holds no site report to subtract (no column here: that role is checked
    # in tests/reports/test_sites_reports.py)
    "reports_backoffice.state_index": NOBODY,
    "reports_backoffice.state_csv": NOBODY,
    "reports_backoffice.state_pdf": NOBODY,
    # sites (issue 19): an admin manages the sites they work for; other sites answer 404
    "sites_backoffice.index": frozenset({ADMIN}),
    "sites_backoffice.create": frozenset({ADMIN}),
    "sites_backoffice.show": frozenset({ADMIN}),
    "sites_backoffice.add_staff": frozenset({ADMIN}),
    "sites_backoffice.remove_staff": frozenset({ADMIN}),
    # privacy: exports by those who see the data, erasure and the audit log by admins
    "privacy_backoffice.index": STAFF,
    "privacy_backoffice.household": frozenset({SOCIAL_WORKER, ADMIN}),
    # All of a household's exports, which its pages cut: who reads its data-protection page.
    "privacy_backoffice.household_exports": frozenset({SOCIAL_WORKER, ADMIN}),
    "privacy_backoffice.export_household": frozenset({SOCIAL_WORKER, ADMIN}),
    "privacy_backoffice.erase_household": frozenset({ADMIN}),
    "privacy_backoffice.landlord": frozenset({SPECIALIST, ADMIN}),
    "privacy_backoffice.export_landlord": frozenset({SPECIALIST, ADMIN}),
    "privacy_backoffice.erase_landlord": frozenset({ADMIN}),
    "privacy_backoffice.audit_log": frozenset({ADMIN}),
    # a landlord's own data and the end of their own account (issue 15)
    "own_account.data": LANDLORDS,
    "own_account.data_json": LANDLORDS,
    "own_account.close": LANDLORDS,
}


def allowed(endpoint: str, method: str) -> frozenset[str]:
    """The roles that may use ``endpoint`` with ``method``."""
    rule = RULES[endpoint]
    if isinstance(rule, dict):
        return rule.get(method, NOBODY)
    return rule
