-- The relay walks the events in numbering order from one position (the index of 20261206182545_event_pull)
-- instead of reading every stream's row once a second: its cost follows the events, not the streams.
CREATE TABLE "event_relay_position" (
	"id" smallint PRIMARY KEY DEFAULT 1,
	"numbered_xid" xid8 NOT NULL,
	"topic" text NOT NULL,
	"key" text NOT NULL,
	"seq" bigint NOT NULL
);
--> statement-breakpoint
-- Start just before the oldest event the per-stream marks did not cover yet (or after the newest, when none
-- is waiting): nothing unpublished is skipped, and at most the events of one transaction go out twice.
INSERT INTO "event_relay_position" ("id", "numbered_xid", "topic", "key", "seq")
SELECT 1, coalesce(
  (SELECT min(e.numbered_xid) FROM events e
     LEFT JOIN event_relay r ON r.topic = e.topic AND r.key = e.key
    WHERE e.numbered_xid IS NOT NULL AND e.seq > coalesce(r.published_seq, 0)),
  (SELECT max(numbered_xid) FROM events),
  '0'::xid8), '', '', 0;
--> statement-breakpoint
DROP TABLE "event_relay";
