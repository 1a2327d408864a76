-- 002: session lifetime (PROTOCOL.md §3, docs/sessions.md).
-- A session is live while now() < least(expires_at, lease_until). expires_at is the session's
-- own expiry (it was the record TTL); lease_until is renewed by the owning instance for all of
-- its sessions in one UPDATE, so the rows of an instance that died lapse within the lease.

-- The `exp` of the user JWT a ticket was issued from (never the token itself).
ALTER TABLE websocket_tickets ADD COLUMN token_expires_at timestamptz;

-- Rows written by instances of the previous version (no lease) default to a lease that never
-- lapses: they keep their old behaviour, expiring with expires_at.
ALTER TABLE websocket_sessions ADD COLUMN lease_until timestamptz NOT NULL DEFAULT 'infinity';
-- The cleanup job deletes lapsed leases too.
CREATE INDEX websocket_sessions_lease_until_idx ON websocket_sessions (lease_until);

-- As websocket_create_session of 001 (same lock, same count, one round trip), with the
-- session's own expiry and a lease. 001's function stays for instances of the previous
-- version during a rolling upgrade.
CREATE FUNCTION websocket_create_session(
  p_session_id text, p_user_id text, p_entity_id text, p_entity_type text, p_chat_server_key text,
  p_authenticated_at timestamptz, p_expires_at timestamptz, p_lease_ms integer, p_max integer
) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(2026, hashtext(p_user_id));
  IF (SELECT count(*) FROM websocket_sessions
       WHERE user_id = p_user_id AND expires_at > now() AND lease_until > now()) >= p_max THEN
    RETURN false;
  END IF;
  INSERT INTO websocket_sessions
      (session_id, user_id, entity_id, entity_type, chat_server_key, authenticated_at, expires_at, lease_until)
    VALUES (p_session_id, p_user_id, p_entity_id, p_entity_type, p_chat_server_key,
            p_authenticated_at, p_expires_at, now() + p_lease_ms * interval '1 millisecond');
  RETURN true;
END
$$;
