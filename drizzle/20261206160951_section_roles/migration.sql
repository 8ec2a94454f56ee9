CREATE TYPE "section_role" AS ENUM('MODERATOR', 'MEMBER');--> statement-breakpoint
CREATE TYPE "section_visibility" AS ENUM('PUBLIC', 'MEMBERS');--> statement-breakpoint
CREATE TABLE "section_bans" (
	"section_id" uuid,
	"user_id" uuid,
	"reason" text,
	"until" timestamp with time zone,
	"banned_by" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "section_bans_pkey" PRIMARY KEY("section_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "section_roles" (
	"section_id" uuid,
	"user_id" uuid,
	"role" "section_role" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "section_roles_pkey" PRIMARY KEY("section_id","user_id")
);
--> statement-breakpoint
ALTER TABLE "sections" ADD COLUMN "visibility" "section_visibility" DEFAULT 'PUBLIC'::"section_visibility" NOT NULL;--> statement-breakpoint
CREATE INDEX "section_roles_user_idx" ON "section_roles" ("user_id");--> statement-breakpoint
ALTER TABLE "section_bans" ADD CONSTRAINT "section_bans_section_id_sections_id_fkey" FOREIGN KEY ("section_id") REFERENCES "sections"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "section_bans" ADD CONSTRAINT "section_bans_user_id_users_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "section_bans" ADD CONSTRAINT "section_bans_banned_by_users_id_fkey" FOREIGN KEY ("banned_by") REFERENCES "users"("id");--> statement-breakpoint
ALTER TABLE "section_roles" ADD CONSTRAINT "section_roles_section_id_sections_id_fkey" FOREIGN KEY ("section_id") REFERENCES "sections"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "section_roles" ADD CONSTRAINT "section_roles_user_id_users_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE;