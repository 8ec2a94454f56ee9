-- The trace context of the work that recorded an event (a W3C traceparent, when tracing is on): whoever
-- publishes it (its writer, or the relay) sends it along, and its delivery on every instance joins that trace.
ALTER TABLE "events" ADD COLUMN "trace" text;--> statement-breakpoint
-- The sequencer hands each event's trace back with its number (the return type changes: dropped, then made again).
DROP FUNCTION plaza_number_events(text, text, boolean);--> statement-breakpoint
CREATE FUNCTION plaza_number_events(p_topic text, p_key text, p_notify boolean)
RETURNS TABLE (seq bigint, payload jsonb, trace text)
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
      RETURNING e.seq, e.payload, e.trace
    )
    SELECT stamped.seq, stamped.payload, stamped.trace FROM stamped ORDER BY stamped.seq;
END
$$;
