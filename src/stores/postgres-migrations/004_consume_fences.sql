-- 004: every consume id that must never spend the ticket: given back, or fenced off before it
-- landed. One id was not enough: a second release overwrote the first fence, and that consume,
-- still in flight, then spent the ticket with no one left to give it back.
ALTER TABLE websocket_tickets ADD COLUMN barred_consume_ids text[] NOT NULL DEFAULT '{}';
