CREATE TABLE "channel_live" (
	"channel_id" uuid PRIMARY KEY,
	"viewer_count" integer NOT NULL,
	"live_since" timestamp with time zone DEFAULT now() NOT NULL,
	"refreshed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "channel_live_rank_idx" ON "channel_live" ("viewer_count" DESC NULLS LAST,"channel_id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "channels_newest_idx" ON "channels" ("created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
ALTER TABLE "channel_live" ADD CONSTRAINT "channel_live_channel_id_channels_id_fkey" FOREIGN KEY ("channel_id") REFERENCES "channels"("id") ON DELETE CASCADE;