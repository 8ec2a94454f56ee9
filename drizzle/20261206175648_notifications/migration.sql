CREATE TYPE "notification_kind" AS ENUM('STORY_VIEWED', 'STORY_REACTED', 'POST_REACTED', 'MENTIONED');--> statement-breakpoint
CREATE TABLE "notifications" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"user_id" uuid NOT NULL,
	"kind" "notification_kind" NOT NULL,
	"subject_id" uuid NOT NULL,
	"emoji" text DEFAULT '' NOT NULL,
	"count" integer DEFAULT 1 NOT NULL,
	"actor_ids" uuid[] NOT NULL,
	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	"read_at" timestamp(3) with time zone
);
--> statement-breakpoint
CREATE UNIQUE INDEX "notifications_coalesce_key" ON "notifications" ("user_id","kind","subject_id","emoji");--> statement-breakpoint
CREATE INDEX "notifications_inbox_idx" ON "notifications" ("user_id","updated_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "notifications_unread_idx" ON "notifications" ("user_id") WHERE "read_at" is null;--> statement-breakpoint
CREATE INDEX "notifications_subject_idx" ON "notifications" ("subject_id");--> statement-breakpoint
CREATE INDEX "notifications_updated_idx" ON "notifications" ("updated_at");--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_user_id_users_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE;