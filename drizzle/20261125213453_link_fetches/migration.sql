CREATE TABLE "link_fetches" (
	"normalized_url" text PRIMARY KEY,
	"link_id" uuid NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "links_pending_url_idx" ON "links" ("normalized_url") WHERE "status" = 'PENDING';