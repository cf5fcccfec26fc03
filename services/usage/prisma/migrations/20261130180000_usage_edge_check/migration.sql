-- The ingest edge's read in ONE round trip (docs/usage.md, "Counted once"): the keys of a batch already
-- counted (with their fingerprints) and the organization's closed periods ending after the batch's
-- earliest event. A tenant transaction (BEGIN, set_config, two queries, COMMIT) cost five round trips
-- holding a pooled connection per request. The function enters the tenant itself, local to the
-- statement's transaction, before it reads: row-level security applies as in any tenant transaction
-- (no SECURITY DEFINER; it runs as the caller). Called outside a transaction, the setting ends with it.
CREATE FUNCTION usage_edge_check(account text, keys text[], earliest timestamptz)
RETURNS TABLE (seen_key text, seen_fingerprint text, closed_start timestamptz, closed_end timestamptz)
LANGUAGE plpgsql AS $$
BEGIN
  IF account IS NULL OR account = '' THEN
    RAISE EXCEPTION 'usage_edge_check: an empty tenant id is no tenant';
  END IF;
  PERFORM set_config('app.tenant_id', account, true);
  RETURN QUERY
    SELECT e.idempotency_key, e.fingerprint, NULL::timestamptz, NULL::timestamptz
      FROM usage_events e
     WHERE e.account_id = account AND e.idempotency_key = ANY (keys)
    UNION ALL
    SELECT NULL, NULL, c.period_start::timestamptz, c.period_end::timestamptz
      FROM closed_periods c
     WHERE c.account_id = account AND c.period_end > earliest;
END
$$;
