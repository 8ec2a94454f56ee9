CREATE TABLE "event_relay" (
	"topic" text,
	"key" text,
	"published_seq" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "event_relay_pkey" PRIMARY KEY("topic","key")
);
--> statement-breakpoint
CREATE TABLE "event_streams" (
	"topic" text,
	"key" text,
	"last_seq" bigint DEFAULT 0 NOT NULL,
	"pruned_seq" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "event_streams_pkey" PRIMARY KEY("topic","key")
);
--> statement-breakpoint
CREATE TABLE "events" (
	"topic" text,
	"key" text,
	"seq" bigint,
	"payload" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "events_pkey" PRIMARY KEY("topic","key","seq")
);
--> statement-breakpoint
CREATE INDEX "events_created_at_idx" ON "events" USING brin ("created_at");--> statement-breakpoint
-- Room on each page for the HOT updates every recorded event makes to its stream's row.
ALTER TABLE "event_streams" SET (fillfactor = 50);--> statement-breakpoint
-- A channel's highlight stream numbers its events by version: start existing channels' streams at their version
-- (with nothing before it kept, so an older cursor is answered as expired).
INSERT INTO "event_streams" ("topic", "key", "last_seq", "pruned_seq")
SELECT 'channel:highlight', "id"::text, "version", "version" FROM "channels"
ON CONFLICT DO NOTHING;--> statement-breakpoint
INSERT INTO "event_relay" ("topic", "key", "published_seq")
SELECT 'channel:highlight', "id"::text, "version" FROM "channels"
ON CONFLICT DO NOTHING;
