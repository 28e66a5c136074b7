"""Synthetic data for bench/explain.py: 1,000,000 stock levels in one org plus noise orgs,
with movements, reservations, transfers, count sessions, lots and feed events in each."""

from __future__ import annotations

TARGET_ORG = "org_explain"
# (org, items, locations, movements, reservations): 600k levels in the target org, 400k noise.
ORGS = [(TARGET_ORG, 12_000, 50, 200_000, 100_000)] + [
    (f"org_noise_{n}", 5_000, 10, 25_000, 10_000) for n in range(1, 9)
]

LOAD = [
    # Bulk-load only: skip per-row foreign-key triggers (superuser, this transaction only).
    "SET LOCAL session_replication_role = replica",
    """INSERT INTO items (org_id, id, sku, name, unit, reorder_point, version, created_at,
                          updated_at)
       SELECT %(org)s, md5(%(org)s || 'i' || n)::uuid, 'SKU-' || lpad(n::text, 6, '0'),
              'Item ' || n, 'each', CASE WHEN n %% 10 = 0 THEN 60 END, 1, now(), now()
       FROM generate_series(1, %(items)s) n""",
    """INSERT INTO locations (org_id, id, code, name, kind, version, created_at, updated_at)
       SELECT %(org)s, md5(%(org)s || 'l' || n)::uuid, 'LOC-' || lpad(n::text, 4, '0'),
              'Location ' || n, 'warehouse', 1, now(), now()
       FROM generate_series(1, %(locations)s) n""",
    """INSERT INTO stock_levels (org_id, item_id, location_id, on_hand, reserved, version,
                                 updated_at)
       SELECT i.org_id, i.id, l.id, (hashtext(i.id::text || l.id::text) & 127), 0, 1, now()
       FROM items i JOIN locations l ON l.org_id = i.org_id WHERE i.org_id = %(org)s""",
    """INSERT INTO movements (org_id, id, type, reason, reference, actor, created_at)
       SELECT %(org)s, md5(%(org)s || 'm' || n)::uuid,
              (ARRAY['receipt', 'shipment', 'transfer', 'adjustment', 'count'])[1 + n %% 5],
              CASE WHEN n %% 5 = 3 THEN 'correction' END,
              CASE WHEN n %% 50 = 0 THEN 'PO-' || n / 50 END, 'user_bench',
              timestamptz '2026-01-01' + n * interval '10 seconds'
       FROM generate_series(1, %(movements)s) n""",
    """INSERT INTO movement_lines (org_id, movement_id, line_no, item_id, location_id, delta,
                                   on_hand_after)
       SELECT %(org)s, md5(%(org)s || 'm' || n)::uuid, 1,
              md5(%(org)s || 'i' || (1 + n %% %(items)s))::uuid,
              md5(%(org)s || 'l' || (1 + n / 7 %% %(locations)s))::uuid, 1, 1
       FROM generate_series(1, %(movements)s) n""",
    # 70%% settled, 20%% held without expiry, 10%% expiring (half of those already expired).
    """INSERT INTO reservations (org_id, id, reference, status, expires_at, created_by,
                                 created_at, updated_at, version)
       SELECT %(org)s, md5(%(org)s || 'r' || n)::uuid, 'SO-' || n / 10,
              CASE WHEN n %% 10 < 4 THEN 'fulfilled' WHEN n %% 10 < 7 THEN 'released'
                   ELSE 'active' END,
              CASE WHEN n %% 10 = 9 THEN timestamptz '2026-06-01' + (n / 10 %% 2) * interval '1 year'
              END,
              'user_bench', timestamptz '2026-01-01' + n * interval '20 seconds',
              timestamptz '2026-01-01' + n * interval '20 seconds', 1
       FROM generate_series(1, %(reservations)s) n""",
    """INSERT INTO reservation_lines (org_id, reservation_id, line_no, item_id, location_id,
                                      quantity, fulfilled, released, expires_at)
       SELECT %(org)s, md5(%(org)s || 'r' || n)::uuid, 1,
              md5(%(org)s || 'i' || (1 + n %% %(items)s))::uuid,
              md5(%(org)s || 'l' || (1 + n / 3 %% %(locations)s))::uuid, 2,
              CASE WHEN n %% 10 < 4 THEN 2 ELSE 0 END,
              CASE WHEN n %% 10 BETWEEN 4 AND 6 THEN 2 ELSE 0 END,
              CASE WHEN n %% 10 = 9 THEN timestamptz '2026-06-01' + (n / 10 %% 2) * interval '1 year'
              END
       FROM generate_series(1, %(reservations)s) n""",
    # Transfers (a quarter of the movements), mostly received; count sessions (a fiftieth).
    """INSERT INTO transfers (org_id, id, from_location_id, to_location_id, reference, note,
                              status, created_by, created_at, updated_at, version)
       SELECT %(org)s, md5(%(org)s || 't' || n)::uuid,
              md5(%(org)s || 'l' || (1 + n %% %(locations)s))::uuid,
              md5(%(org)s || 'l' || (1 + (n + 1) %% %(locations)s))::uuid,
              'TR-' || n, NULL,
              (ARRAY['received', 'received', 'received', 'in_transit', 'cancelled'])[1 + n %% 5],
              'user_bench', timestamptz '2026-01-01' + n * interval '40 seconds',
              timestamptz '2026-01-01' + n * interval '40 seconds', 1
       FROM generate_series(1, %(movements)s / 4) n""",
    """INSERT INTO count_sessions (org_id, id, location_id, status, blind, listed, reference,
                                   created_by, created_at, updated_at, version, movement_id)
       SELECT %(org)s, md5(%(org)s || 'c' || n)::uuid,
              md5(%(org)s || 'l' || (1 + n %% %(locations)s))::uuid,
              CASE WHEN n %% 10 = 0 THEN 'open' ELSE 'posted' END, false, true, NULL,
              'user_bench', timestamptz '2026-01-01' + n * interval '1 hour',
              timestamptz '2026-01-01' + n * interval '1 hour', 1,
              CASE WHEN n %% 10 <> 0 THEN md5(%(org)s || 'm' || n)::uuid END
       FROM generate_series(1, %(movements)s / 50) n""",
    # Lots: every tenth item tracks them, four lots each (dates spread over two years), held
    # at every location; their levels are marked as having lots.
    """UPDATE items SET tracking = 'lot'
       WHERE org_id = %(org)s AND substr(sku, 5)::int %% 10 = 0""",
    """INSERT INTO lots (org_id, id, item_id, code, expires_on, created_at)
       SELECT %(org)s, md5(%(org)s || 'lot' || i || '-' || k)::uuid,
              md5(%(org)s || 'i' || i)::uuid, 'L-' || i || '-' || k,
              date '2026-01-01' + (i * 7 + k * 30) %% 700, now()
       FROM generate_series(10, %(items)s, 10) i, generate_series(1, 4) k""",
    """INSERT INTO lot_levels (org_id, item_id, location_id, lot_id, on_hand, reserved)
       SELECT %(org)s, md5(%(org)s || 'i' || i)::uuid, md5(%(org)s || 'l' || l)::uuid,
              md5(%(org)s || 'lot' || i || '-' || k)::uuid, 5, 0
       FROM generate_series(10, %(items)s, 10) i, generate_series(1, %(locations)s) l,
            generate_series(1, 4) k""",
    # Reservation lines of tracked items are held in their item's first lot.
    """INSERT INTO reservation_lot_lines (org_id, reservation_id, item_id, location_id, seq,
                                          lot_id, quantity, fulfilled, released)
       SELECT l.org_id, l.reservation_id, l.item_id, l.location_id, 1,
              md5(%(org)s || 'lot' || substr(i.sku, 5)::int || '-1')::uuid, l.quantity,
              l.fulfilled, l.released
       FROM reservation_lines l JOIN items i ON i.org_id = l.org_id AND i.id = l.item_id
       WHERE l.org_id = %(org)s AND i.tracking = 'lot'""",
    """UPDATE reservation_lines l SET lots = true FROM items i
       WHERE l.org_id = %(org)s AND i.org_id = l.org_id AND i.id = l.item_id
         AND i.tracking = 'lot'""",
    """UPDATE stock_levels s SET lots = true FROM items i
       WHERE i.org_id = %(org)s AND s.org_id = i.org_id AND s.item_id = i.id
         AND i.tracking = 'lot'""",
    # The feed: two events per movement, one transaction's worth (txid is this load's).
    """INSERT INTO events (org_id, id, type, occurred_at, subject_id, data)
       SELECT %(org)s, md5(%(org)s || 'e' || n)::uuid,
              (ARRAY['stock_level.changed', 'stock_level.changed', 'movement.posted',
                     'reservation.created', 'stock_level.low'])[1 + n %% 5],
              timestamptz '2026-01-01' + n * interval '5 seconds', 'subject-' || n, '{}'
       FROM generate_series(1, %(movements)s * 2) n""",
]
