"""The database itself refuses to change an audit event once written.

The one change allowed is the one Django makes when an event's actor or tenant is deleted: that
column becomes NULL (the text labels keep the record readable). Deletes stay possible: retention
purges old events.
"""

from django.db import migrations

SQLITE_UP = """
CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent
FOR EACH ROW WHEN NEW.occurred_at IS NOT OLD.occurred_at
     OR NEW.action IS NOT OLD.action
     OR NEW.actor_label IS NOT OLD.actor_label
     OR NEW.target_type IS NOT OLD.target_type
     OR NEW.target_id IS NOT OLD.target_id
     OR NEW.target_label IS NOT OLD.target_label
     OR NEW.outcome IS NOT OLD.outcome
     OR NEW.source_address IS NOT OLD.source_address
     OR NEW.details IS NOT OLD.details
     OR (NEW.actor_id IS NOT NULL AND NEW.actor_id IS NOT OLD.actor_id)
     OR (NEW.tenant_id IS NOT NULL AND NEW.tenant_id IS NOT OLD.tenant_id)
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS audit_auditevent_no_update;"

POSTGRES_UP = """
CREATE FUNCTION audit_auditevent_refuse_update() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit events are append-only';
END $$ LANGUAGE plpgsql;
CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent
FOR EACH ROW WHEN (NEW.occurred_at IS DISTINCT FROM OLD.occurred_at
     OR NEW.action IS DISTINCT FROM OLD.action
     OR NEW.actor_label IS DISTINCT FROM OLD.actor_label
     OR NEW.target_type IS DISTINCT FROM OLD.target_type
     OR NEW.target_id IS DISTINCT FROM OLD.target_id
     OR NEW.target_label IS DISTINCT FROM OLD.target_label
     OR NEW.outcome IS DISTINCT FROM OLD.outcome
     OR NEW.source_address IS DISTINCT FROM OLD.source_address
     OR NEW.details IS DISTINCT FROM OLD.details
     OR (NEW.actor_id IS NOT NULL AND NEW.actor_id IS DISTINCT FROM OLD.actor_id)
     OR (NEW.tenant_id IS NOT NULL AND NEW.tenant_id IS DISTINCT FROM OLD.tenant_id))
EXECUTE FUNCTION audit_auditevent_refuse_update();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS audit_auditevent_no_update ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_auditevent_refuse_update();
"""


def up(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_UP)
    elif vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP)


def down(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_DOWN)
    elif vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(up, down)]
