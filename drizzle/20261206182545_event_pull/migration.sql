-- A commit-ordered place for every event across streams, for pulling several streams with one cursor
-- (GET /events): the id of the transaction that numbered it. Numberings of one stream are serialised by its
-- lock and each takes its id after the lock, so a stream's events keep their order; a reader takes only events
-- numbered by transactions older than every one still running (pg_snapshot_xmin), so nothing that commits later
-- can land behind its cursor. Events numbered before this migration have none and are not pulled.
ALTER TABLE "events" ADD COLUMN "numbered_xid" xid8;--> statement-breakpoint
CREATE INDEX "events_pull_idx" ON "events" ("numbered_xid", "topic", "key", "seq") WHERE "numbered_xid" IS NOT NULL;--> statement-breakpoint
CREATE OR REPLACE FUNCTION plaza_number_events(p_topic text, p_key text, p_notify boolean)
RETURNS TABLE (seq bigint, payload jsonb)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
  base bigint;
  ids bigint[];
  numbered bigint;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended(p_topic || ' ' || p_key, 0));
  -- At most 1,000 at a time (a backlog takes several calls), each found through the index of unnumbered events.
  SELECT array_agg(w.id ORDER BY w.id) INTO ids FROM (
    SELECT e.id FROM events e WHERE e.topic = p_topic AND e.key = p_key AND e.seq IS NULL ORDER BY e.id LIMIT 1000
  ) w;
  IF ids IS NULL THEN
    RETURN;
  END IF;
  numbered := cardinality(ids);
  UPDATE event_streams s SET last_seq = s.last_seq + numbered
  WHERE s.topic = p_topic AND s.key = p_key
  RETURNING s.last_seq - numbered INTO base;
  IF NOT FOUND THEN
    INSERT INTO event_streams (topic, key, last_seq) VALUES (p_topic, p_key, numbered);
    base := 0;
  END IF;
  IF p_notify THEN
    PERFORM pg_notify('plaza_events', json_build_array(p_topic, p_key, base + numbered)::text);
  END IF;
  RETURN QUERY
    WITH stamped AS (
      UPDATE events e SET seq = base + w.n, numbered_xid = pg_current_xact_id()
      FROM unnest(ids) WITH ORDINALITY AS w(id, n)
      WHERE e.topic = p_topic AND e.key = p_key AND e.seq IS NULL AND e.id BETWEEN ids[1] AND ids[cardinality(ids)]
        AND e.id = w.id
      RETURNING e.seq, e.payload
    )
    SELECT stamped.seq, stamped.payload FROM stamped ORDER BY stamped.seq;
END
$$;
