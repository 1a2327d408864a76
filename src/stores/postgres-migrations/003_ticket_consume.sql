-- 003: the id of the consume that spent a ticket (issue 18). A consume whose reply was lost
-- (a timeout) is given back by that id alone, so a ticket another consume spent never is.
ALTER TABLE websocket_tickets ADD COLUMN consume_id text;
