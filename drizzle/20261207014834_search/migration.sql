-- Search (modules/search): full-text vectors kept by the database beside the rows they index (stored generated
-- columns, not declared to drizzle: no read of a row carries them), GIN indexes on them, and trigram indexes
-- for names typed with typos. pg_trgm is a trusted extension: a database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
-- The text search configuration of a language tag ("en", "fr-CA"); `simple` (no stemming) for any other.
CREATE FUNCTION plaza_ts_config(lang text) RETURNS regconfig
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE lower(split_part(coalesce(lang, ''), '-', 1))
    WHEN 'en' THEN 'english'::regconfig WHEN 'fr' THEN 'french'::regconfig WHEN 'de' THEN 'german'::regconfig
    WHEN 'es' THEN 'spanish'::regconfig WHEN 'it' THEN 'italian'::regconfig WHEN 'pt' THEN 'portuguese'::regconfig
    WHEN 'nl' THEN 'dutch'::regconfig WHEN 'ru' THEN 'russian'::regconfig WHEN 'sv' THEN 'swedish'::regconfig
    WHEN 'da' THEN 'danish'::regconfig WHEN 'nb' THEN 'norwegian'::regconfig WHEN 'no' THEN 'norwegian'::regconfig
    WHEN 'fi' THEN 'finnish'::regconfig WHEN 'hu' THEN 'hungarian'::regconfig WHEN 'ro' THEN 'romanian'::regconfig
    WHEN 'tr' THEN 'turkish'::regconfig
    ELSE 'simple'::regconfig END
$$;--> statement-breakpoint
-- A post's text (its language is not known: `simple`), weight B.
ALTER TABLE "posts" ADD COLUMN "search" tsvector GENERATED ALWAYS AS (setweight(to_tsvector('simple', "content"), 'B')) STORED;--> statement-breakpoint
CREATE INDEX "posts_search_idx" ON "posts" USING gin ("search");--> statement-breakpoint
-- Words are many and most are rare: a larger sample of them gives the planner the counts it needs to pick the
-- index for a rare word or a prefix, not a scan of the table (the default sample estimates a prefix at 2 %).
ALTER TABLE "posts" ALTER COLUMN "search" SET STATISTICS 1000;--> statement-breakpoint
-- A link's preview counts for its post: the title (weight A) in its page's language and word for word, the
-- description (weight C) word for word.
ALTER TABLE "links" ADD COLUMN "search" tsvector GENERATED ALWAYS AS (
  setweight(to_tsvector(plaza_ts_config("metadata"->>'lang'), coalesce("metadata"->>'title', '')), 'A')
  || setweight(to_tsvector('simple', coalesce("metadata"->>'title', '')), 'A')
  || setweight(to_tsvector('simple', coalesce("metadata"->>'description', '')), 'C')
) STORED;--> statement-breakpoint
CREATE INDEX "links_search_idx" ON "links" USING gin ("search");--> statement-breakpoint
ALTER TABLE "links" ALTER COLUMN "search" SET STATISTICS 1000;--> statement-breakpoint
ALTER TABLE "products" ADD COLUMN "search" tsvector GENERATED ALWAYS AS (
  setweight(to_tsvector('simple', "name"), 'A') || setweight(to_tsvector('simple', coalesce("description", '')), 'C')
) STORED;--> statement-breakpoint
CREATE INDEX "products_search_idx" ON "products" USING gin ("search");--> statement-breakpoint
CREATE INDEX "products_name_trgm_idx" ON "products" USING gin ("name" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "users_username_trgm_idx" ON "users" USING gin ("username" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "users_display_name_trgm_idx" ON "users" USING gin ("display_name" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "sections_name_trgm_idx" ON "sections" USING gin ("name" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "channels_name_trgm_idx" ON "channels" USING gin ("name" gin_trgm_ops);
