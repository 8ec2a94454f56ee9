CREATE TABLE "retired_refresh_tokens" (
	"session_id" uuid,
	"hash" text,
	"retired_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "retired_refresh_tokens_pkey" PRIMARY KEY("session_id","hash")
);
--> statement-breakpoint
ALTER TABLE "retired_refresh_tokens" ADD CONSTRAINT "retired_refresh_tokens_session_id_sessions_id_fkey" FOREIGN KEY ("session_id") REFERENCES "sessions"("id") ON DELETE CASCADE;--> statement-breakpoint
-- The one retired token each session knew of until now.
INSERT INTO "retired_refresh_tokens" ("session_id", "hash", "retired_at")
  SELECT "id", "previous_hash", coalesce("rotated_at", now()) FROM "sessions" WHERE "previous_hash" IS NOT NULL AND "revoked_at" IS NULL;
