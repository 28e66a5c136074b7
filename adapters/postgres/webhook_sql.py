"""Statements and row mappers of the webhooks repository and the delivery queue."""

from __future__ import annotations

from psycopg import sql

from adapters.postgres.positions import settled
from adapters.postgres.repository import Row, compiled, utc
from application.webhooks.ports import Attempt, Delivery
from domain.events import EventType
from domain.webhooks import Webhook

_COLUMNS = sql.SQL("""w.id, w.url, w.types, w.description, w.enabled, w.disabled_reason,
       w.version, w.created_at, w.updated_at""")
# A new endpoint's place in the feed is its own transaction: it receives what commits later.
INSERT_WEBHOOK = compiled("""
INSERT INTO webhooks (org_id, id, url, types, description, enabled, disabled_reason, secret,
                      version, created_at, updated_at, after_txid, after_seq, next_attempt_at)
VALUES (%(org_id)s, %(id)s, %(url)s, %(types)s::text[], %(description)s, %(enabled)s,
        %(disabled_reason)s, %(secret)s, %(version)s, %(created_at)s, %(updated_at)s,
        pg_current_xact_id(), 0, %(created_at)s)
""")
GET_WEBHOOK = compiled(
    sql.SQL("SELECT {} FROM webhooks w WHERE w.org_id = %(org_id)s AND w.id = %(id)s").format(
        _COLUMNS
    )
)
GET_WEBHOOK_FOR_UPDATE = compiled(
    sql.SQL(
        "SELECT {} FROM webhooks w WHERE w.org_id = %(org_id)s AND w.id = %(id)s FOR UPDATE"
    ).format(_COLUMNS)
)
# Enabling an endpoint again makes it due at once, still at the event it failed on.
SAVE_WEBHOOK = compiled("""
UPDATE webhooks SET url = %(url)s, types = %(types)s::text[], description = %(description)s,
       next_attempt_at = CASE WHEN %(enabled)s AND NOT enabled THEN %(updated_at)s
                              ELSE next_attempt_at END,
       attempts = CASE WHEN %(enabled)s AND NOT enabled THEN 0 ELSE attempts END,
       failing_since = CASE WHEN %(enabled)s AND NOT enabled THEN NULL ELSE failing_since END,
       enabled = %(enabled)s, disabled_reason = %(disabled_reason)s, version = %(version)s,
       updated_at = %(updated_at)s
WHERE org_id = %(org_id)s AND id = %(id)s
""")
DELETE_WEBHOOK = compiled("DELETE FROM webhooks WHERE org_id = %(org_id)s AND id = %(id)s")
LIST_WEBHOOKS = compiled(
    sql.SQL(
        "SELECT {} FROM webhooks w WHERE w.org_id = %(org_id)s"
        " ORDER BY w.created_at, w.id LIMIT %(limit)s"
    ).format(_COLUMNS)
)
LIST_WEBHOOKS_AFTER = compiled(
    sql.SQL(
        "SELECT {} FROM webhooks w WHERE w.org_id = %(org_id)s"
        " AND (w.created_at, w.id) > (%(after_created_at)s, %(after_id)s)"
        " ORDER BY w.created_at, w.id LIMIT %(limit)s"
    ).format(_COLUMNS)
)
GET_SECRET = compiled("SELECT secret FROM webhooks WHERE org_id = %(org_id)s AND id = %(id)s")
SET_SECRET = compiled(
    "UPDATE webhooks SET secret = %(secret)s WHERE org_id = %(org_id)s AND id = %(id)s"
)

_DELIVERY = sql.SQL("""SELECT d.id, d.webhook_id, d.event_id, d.event_type, d.status, d.manual,
       d.created_at, d.payload FROM webhook_deliveries d
WHERE d.org_id = %(org_id)s AND d.webhook_id = %(webhook_id)s""")
LIST_DELIVERIES = compiled(
    sql.SQL("{} ORDER BY d.created_at DESC, d.id DESC LIMIT %(limit)s").format(_DELIVERY)
)
LIST_DELIVERIES_AFTER = compiled(
    sql.SQL(
        "{} AND (d.created_at, d.id) < (%(after_created_at)s, %(after_id)s)"
        " ORDER BY d.created_at DESC, d.id DESC LIMIT %(limit)s"
    ).format(_DELIVERY)
)
GET_DELIVERY = compiled(sql.SQL("{} AND d.id = %(id)s").format(_DELIVERY))
SELECT_ATTEMPTS = compiled("""
SELECT delivery_id, attempted_at, status_code, duration_ms, error FROM webhook_attempts
WHERE org_id = %(org_id)s AND delivery_id = ANY(%(ids)s) ORDER BY delivery_id, attempt_no
""")
INSERT_REDELIVERY = compiled("""
INSERT INTO webhook_deliveries (org_id, id, webhook_id, event_id, event_type, payload, status,
                                manual, created_at, updated_at)
SELECT org_id, %(new_id)s, webhook_id, event_id, event_type, payload, 'pending', true,
       %(now)s, %(now)s
FROM webhook_deliveries WHERE org_id = %(org_id)s AND id = %(id)s
""")

# --- the worker's statements, all under the endpoint's lease -------------------------------
NEXT_REDELIVERY = compiled("""
SELECT d.id, d.event_id, d.event_type, d.payload FROM webhook_deliveries d
JOIN webhooks w ON w.org_id = d.org_id AND w.id = d.webhook_id
WHERE d.org_id = %(org_id)s AND d.webhook_id = %(id)s AND w.lease_token = %(lease)s
  AND d.manual AND d.status = 'pending'
ORDER BY d.created_at, d.id LIMIT 1
""")
NEXT_EVENT = compiled(
    sql.SQL("""
SELECT e.txid::text::bigint AS position, e.seq, e.id, e.type, e.occurred_at, e.subject_id,
       e.data
FROM webhooks w JOIN events e ON e.org_id = w.org_id
WHERE w.org_id = %(org_id)s AND w.id = %(id)s AND w.lease_token = %(lease)s AND {settled}
  AND (e.txid, e.seq) > (w.after_txid, w.after_seq) AND e.type = ANY(w.types)
ORDER BY e.txid, e.seq LIMIT 1
""").format(settled=sql.SQL(settled("e")))
)
LOCK_LEASED = compiled("""
SELECT attempts, failing_since FROM webhooks
WHERE org_id = %(org_id)s AND id = %(id)s AND lease_token = %(lease)s FOR UPDATE
""")
_ATTEMPT = sql.SQL("""
INSERT INTO webhook_attempts (org_id, delivery_id, attempt_no, attempted_at, status_code,
                              duration_ms, error)
SELECT %(org_id)s, d.id,
       coalesce((SELECT max(a.attempt_no) FROM webhook_attempts a
                 WHERE a.org_id = %(org_id)s AND a.delivery_id = d.id), 0) + 1,
       %(attempted_at)s, %(status_code)s, %(duration_ms)s, %(error)s
FROM d
""")
RECORD_EVENT_ATTEMPT = compiled(
    sql.SQL("""
WITH d AS (
    INSERT INTO webhook_deliveries AS x (org_id, id, webhook_id, event_id, event_type, payload,
                                         status, manual, created_at, updated_at)
    VALUES (%(org_id)s, %(new_id)s, %(id)s, %(event_id)s, %(event_type)s, %(payload)s::jsonb,
            %(status)s, false, %(attempted_at)s, %(attempted_at)s)
    ON CONFLICT (org_id, webhook_id, event_id) WHERE NOT manual
    DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at
    RETURNING x.id
){}""").format(_ATTEMPT)
)
RECORD_REDELIVERY_ATTEMPT = compiled(
    sql.SQL("""
WITH d AS (
    UPDATE webhook_deliveries SET status = %(status)s, updated_at = %(attempted_at)s
    WHERE org_id = %(org_id)s AND id = %(delivery_id)s
    RETURNING id
){}""").format(_ATTEMPT)
)
FINISH_LEASE = compiled("""
UPDATE webhooks SET
    after_txid = coalesce(%(after_position)s::text::xid8, after_txid),
    after_seq = coalesce(%(after_seq)s::bigint, after_seq),
    attempts = %(attempts)s, failing_since = %(failing_since)s,
    next_attempt_at = %(next_attempt_at)s,
    enabled = enabled AND NOT %(disable)s,
    disabled_reason = CASE WHEN %(disable)s THEN %(disabled_reason)s ELSE disabled_reason END,
    version = version + CASE WHEN %(disable)s THEN 1 ELSE 0 END,
    updated_at = CASE WHEN %(disable)s THEN %(attempted_at)s ELSE updated_at END,
    lease_until = NULL, lease_token = NULL
WHERE org_id = %(org_id)s AND id = %(id)s AND lease_token = %(lease)s
""")

# --- the queue across orgs (the app.webhooks policies of migration 0014) -------------------
START_QUEUE = "SELECT set_config('app.webhooks', 'on', true)"
LEASE_DUE = """
WITH due AS (
    SELECT org_id, id FROM webhooks
    WHERE enabled AND next_attempt_at <= %(now)s
      AND (lease_until IS NULL OR lease_until < %(now)s)
    ORDER BY next_attempt_at LIMIT 1
    FOR UPDATE SKIP LOCKED
)
UPDATE webhooks w SET lease_until = %(until)s, lease_token = %(token)s
FROM due WHERE w.org_id = due.org_id AND w.id = due.id
RETURNING w.org_id, w.id, w.url, w.types, w.description, w.enabled, w.disabled_reason,
          w.version, w.created_at, w.updated_at, w.secret, w.attempts, w.failing_since
"""
BIND_ORG = "SELECT set_config('app.org_id', %(org_id)s, true)"
RELEASE = """
UPDATE webhooks SET lease_until = NULL, lease_token = NULL, next_attempt_at = %(at)s
WHERE org_id = %(org_id)s AND id = %(id)s AND lease_token = %(token)s
"""


def webhook_from_row(row: Row) -> Webhook:
    """Rebuild an endpoint from its row."""
    return Webhook(
        id=row["id"],
        url=row["url"],
        types=frozenset(EventType(t) for t in row["types"]),
        description=row["description"],
        enabled=row["enabled"],
        disabled_reason=row["disabled_reason"],
        version=row["version"],
        created_at=utc(row["created_at"]),
        updated_at=utc(row["updated_at"]),
    )


def delivery_from_row(row: Row, attempts: list[Row]) -> Delivery:
    """Rebuild a delivery and its attempts."""
    return Delivery(
        id=row["id"],
        webhook_id=row["webhook_id"],
        event_id=row["event_id"],
        event_type=row["event_type"],
        status=row["status"],
        manual=row["manual"],
        created_at=utc(row["created_at"]),
        attempts=tuple(
            Attempt(utc(a["attempted_at"]), a["status_code"], a["duration_ms"], a["error"])
            for a in attempts
        ),
    )
