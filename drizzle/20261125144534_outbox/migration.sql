CREATE TABLE "event_streams" (
	"topic" text,
	"key" text,
	"last_seq" bigint DEFAULT 0 NOT NULL,
	"published_seq" bigint DEFAULT 0 NOT NULL,
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
ALTER TABLE "posts" ADD COLUMN "created_seq" bigint;--> statement-breakpoint
CREATE INDEX "event_streams_unpublished_idx" ON "event_streams" ("topic","key") WHERE "last_seq" > "published_seq";--> statement-breakpoint
CREATE INDEX "events_created_at_idx" ON "events" ("created_at");--> statement-breakpoint
-- A channel's highlight stream numbers its events by version: start existing channels' streams at their version
-- (with nothing before it kept, so an older cursor is answered as expired).
INSERT INTO "event_streams" ("topic", "key", "last_seq", "published_seq", "pruned_seq")
SELECT 'channel:highlight', "id"::text, "version", "version", "version" FROM "channels"
ON CONFLICT DO NOTHING;
