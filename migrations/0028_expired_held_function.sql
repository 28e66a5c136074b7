-- What a stock level's open reservation lines past expiry still hold, as a function the level
-- reads call only for a level with something reserved (ADR 0040). Invariant 3: open quantities
-- of expired holds never count as reserved. The predicate is adapters/postgres/expiry_sql.py's
-- expired_hold (and reservation_lines_expiring_idx's), written out here; the contract suite's
-- expiry tests hold the two to the same answers.
--
-- A string body with a FROM clause is never inlined into the caller: that is the point. An
-- inlined subquery (or a lateral join) is set up by the executor on every read, whether or not
-- the level has anything reserved. STABLE: it reads with the calling statement's snapshot.
-- SECURITY INVOKER (the default): row-level security applies as for the caller's own query.
-- Its statement is a lookup by a prefix of the index's key, the same plan for every org: it
-- runs on the cached generic plan, never planned again per call (ADR 0039).
CREATE FUNCTION expired_held(
    p_org_id text, p_item_id uuid, p_location_id uuid, p_now timestamptz
) RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE
SET plan_cache_mode = force_generic_plan
AS $$
SELECT coalesce(sum(l.quantity - l.fulfilled - l.released), 0)::bigint
FROM reservation_lines l
WHERE l.org_id = p_org_id AND l.item_id = p_item_id AND l.location_id = p_location_id
  AND l.expires_at <= p_now AND l.fulfilled + l.released < l.quantity
$$;
