-- Privileges of the portal's runtime database role (docs/privacy.md).
--
-- Two roles: the OWNER role owns the tables and runs the migrations (`flask db upgrade`); the
-- application (gunicorn, the mail worker, cron jobs) connects as the RUNTIME role, here called
-- portal_app: replace that name if yours differs, e.g.
--   sed 's/portal_app/my_role/g' deploy/postgres-grants.sql | psql "$OWNER_DATABASE_URL"
-- Run it as the owner role after every migration; it is idempotent.
--
-- The audit trail is append-only for the application: INSERT and SELECT, never UPDATE, DELETE
-- or TRUNCATE. (Foreign-key actions such as ON DELETE SET NULL of audit_events.actor_id run
-- with the table owner's rights and keep working.)

GRANT USAGE ON SCHEMA public TO portal_app;

GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO portal_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO portal_app;

-- Tables and sequences the owner creates in later migrations get the same rights ...
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO portal_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO portal_app;

-- ... except these, which this file takes back each time it runs.
REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM portal_app;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON alembic_version FROM portal_app;
-- A submitted report is frozen as it was sent (reports/models.py): written once, never changed.
REVOKE UPDATE, DELETE, TRUNCATE ON submitted_reports FROM portal_app;

-- The one change the trail allows (docs/privacy.md, retention): `flask privacy purge` sets the
-- IP address of events older than AUDIT_IP_RETENTION_DAYS to NULL. The runtime role may UPDATE
-- that column alone, and the trigger lets the update only ever remove an address.
GRANT UPDATE (ip_address) ON audit_events TO portal_app;

CREATE OR REPLACE FUNCTION audit_events_ip_only_forgotten() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.ip_address IS NOT NULL AND NEW.ip_address IS DISTINCT FROM OLD.ip_address THEN
        RAISE EXCEPTION 'audit_events: an IP address can only be removed, never set'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$;

DROP TRIGGER IF EXISTS audit_events_ip_only_forgotten ON audit_events;
CREATE TRIGGER audit_events_ip_only_forgotten
    BEFORE UPDATE OF ip_address ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_ip_only_forgotten();
