ALTER TABLE "events" DROP CONSTRAINT "events_pkey";--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "id" bigint GENERATED ALWAYS AS IDENTITY (sequence name "events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1);--> statement-breakpoint
ALTER TABLE "events" ALTER COLUMN "seq" DROP NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "events_stream_seq_idx" ON "events" ("topic","key","seq");--> statement-breakpoint
CREATE INDEX "events_unnumbered_idx" ON "events" ("topic","key","id") WHERE "seq" is null;--> statement-breakpoint
ALTER TABLE "events" ALTER COLUMN "topic" SET NOT NULL, ALTER COLUMN "key" SET NOT NULL;--> statement-breakpoint
-- The sequencer: numbers a stream's committed, unnumbered events in the order of their ids, after the
-- stream's last number. It first waits for any other numbering of the stream to commit (a transaction-scoped
-- advisory lock on the stream: it writes nothing, so a numbering that finds its work done by another commits
-- without a WAL flush). Each later statement, in a VOLATILE function under READ COMMITTED, takes a snapshot
-- after the lock and so sees every event committed by then. Returns the events it numbered, in order; with
-- p_notify, NOTIFYs plaza_events (the broker without Redis) with the last number, at commit.
CREATE FUNCTION plaza_number_events(p_topic text, p_key text, p_notify boolean)
RETURNS TABLE (seq bigint, payload jsonb)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
  base bigint;
  ids bigint[];
  numbered bigint;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended(p_topic || ' ' || p_key, 0));
  IF NOT EXISTS (SELECT 1 FROM events e WHERE e.topic = p_topic AND e.key = p_key AND e.seq IS NULL) THEN
    RETURN;
  END IF;
  INSERT INTO event_streams AS s (topic, key, last_seq) VALUES (p_topic, p_key, 0)
  ON CONFLICT (topic, key) DO UPDATE SET last_seq = s.last_seq
  RETURNING s.last_seq INTO base;
  -- At most 1,000 at a time (a backlog takes several calls), each found through the index of unnumbered events.
  SELECT array_agg(w.id ORDER BY w.id) INTO ids FROM (
    SELECT e.id FROM events e WHERE e.topic = p_topic AND e.key = p_key AND e.seq IS NULL ORDER BY e.id LIMIT 1000
  ) w;
  UPDATE events e SET seq = base + w.n
  FROM unnest(ids) WITH ORDINALITY AS w(id, n)
  WHERE e.topic = p_topic AND e.key = p_key AND e.seq IS NULL AND e.id BETWEEN ids[1] AND ids[cardinality(ids)]
    AND e.id = w.id;
  numbered := cardinality(ids);
  UPDATE event_streams SET last_seq = base + numbered WHERE topic = p_topic AND key = p_key;
  IF p_notify THEN
    PERFORM pg_notify('plaza_events', json_build_array(p_topic, p_key, base + numbered)::text);
  END IF;
  RETURN QUERY
    SELECT e.seq, e.payload FROM events e
    WHERE e.topic = p_topic AND e.key = p_key AND e.seq > base AND e.seq <= base + numbered
    ORDER BY e.seq;
END
$$;
