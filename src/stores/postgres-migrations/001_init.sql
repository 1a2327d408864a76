-- 001: tickets, sessions, the shared rate limit and oversized events.
-- Applied once, inside a transaction, under the migration advisory lock (see postgres-migrate.ts).
-- Lengths are enforced by the API schemas (PROTOCOL.md §1), so columns are plain text:
-- a value the API accepted can never fail here.

-- The guide's websocket_tickets, adapted: keyed by the SHA-256 of the ticket (never the
-- ticket itself, never a bearer token), and used_at instead of a boolean so a replay is
-- recognised (TICKET_USED) until the ticket would have expired.
CREATE TABLE websocket_tickets (
  ticket_hash     bytea       PRIMARY KEY CHECK (octet_length(ticket_hash) = 32),
  user_id         text        NOT NULL,
  entity_id       text,
  entity_type     text,
  provider_res_id text,
  chat_server_key text        NOT NULL,
  client_ip       text        NOT NULL,
  user_agent      text,
  created_at      timestamptz NOT NULL,
  expires_at      timestamptz NOT NULL,
  used_at         timestamptz
);
-- The cleanup job deletes by expiry.
CREATE INDEX websocket_tickets_expires_at_idx ON websocket_tickets (expires_at);

-- PROTOCOL.md §3 session records, listed per user without a scan.
CREATE TABLE websocket_sessions (
  session_id       text        PRIMARY KEY,
  user_id          text        NOT NULL,
  entity_id        text,
  entity_type      text,
  chat_server_key  text        NOT NULL,
  authenticated_at timestamptz NOT NULL,
  expires_at       timestamptz NOT NULL
);
CREATE INDEX websocket_sessions_user_id_idx ON websocket_sessions (user_id, expires_at);
CREATE INDEX websocket_sessions_expires_at_idx ON websocket_sessions (expires_at);

-- Store a session unless the user already has p_max live ones. The per-user advisory lock
-- serialises concurrent creations for one user across every instance; in READ COMMITTED each
-- statement of this (volatile) function takes a fresh snapshot, so the count sees every
-- session committed before the lock was granted. One round trip, one transaction.
CREATE FUNCTION websocket_create_session(
  p_session_id text, p_user_id text, p_entity_id text, p_entity_type text,
  p_chat_server_key text, p_authenticated_at timestamptz, p_ttl_seconds integer, p_max integer
) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(2026, hashtext(p_user_id));
  IF (SELECT count(*) FROM websocket_sessions
       WHERE user_id = p_user_id AND expires_at > now()) >= p_max THEN
    RETURN false;
  END IF;
  INSERT INTO websocket_sessions
    VALUES (p_session_id, p_user_id, p_entity_id, p_entity_type, p_chat_server_key,
            p_authenticated_at, now() + make_interval(secs => p_ttl_seconds));
  RETURN true;
END
$$;

-- @fastify/rate-limit counters shared by every instance. UNLOGGED: a counter lost in a
-- crash only restarts one window, and skipping the WAL keeps the hot path cheap.
CREATE UNLOGGED TABLE websocket_rate_limits (
  key      text        PRIMARY KEY,
  hits     integer     NOT NULL,
  reset_at timestamptz NOT NULL
);
CREATE INDEX websocket_rate_limits_reset_at_idx ON websocket_rate_limits (reset_at);

-- NOTIFY payloads are limited to 8000 bytes: larger events are parked here and the
-- notification carries only their id. Deleted by the cleanup job after a minute.
CREATE UNLOGGED TABLE websocket_events (
  id         bigserial   PRIMARY KEY,
  payload    text        NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
