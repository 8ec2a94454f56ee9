-- Link errors are categories now (src/modules/links/fetch-errors.ts): the free text stored before could say what a
-- private name resolved to. Stored errors, and the ones carried by kept link events (a replay sends them again),
-- are mapped to their category.
CREATE OR REPLACE FUNCTION plaza_link_error_category(p_status text, p_error text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN p_error IS NULL THEN NULL
    WHEN p_status = 'BLOCKED' THEN 'BLOCKED'
    WHEN p_error ~ '^[A-Z_]+$' THEN p_error
    WHEN p_error ILIKE '%timed out%' THEN 'TIMEOUT'
    WHEN p_error ~ '^HTTP [0-9]' THEN 'HTTP_ERROR'
    WHEN p_error ILIKE '%redirect%' THEN 'REDIRECTS'
    WHEN p_error ILIKE 'unsupported content type%' THEN 'NOT_HTML'
    WHEN p_error ILIKE '%limit%' THEN 'TOO_LARGE'
    WHEN p_error ILIKE '%no title%' OR p_error ILIKE '%nothing to show%' THEN 'NO_PREVIEW'
    WHEN p_error ILIKE 'network error%' THEN 'UNREACHABLE'
    ELSE 'UNEXPECTED'
  END
$$;--> statement-breakpoint
UPDATE "links" SET "error" = plaza_link_error_category("status"::text, "error") WHERE "error" IS NOT NULL AND "error" !~ '^[A-Z_]+$';--> statement-breakpoint
UPDATE "events" SET "payload" = jsonb_set("payload", '{link,error}',
    to_jsonb(plaza_link_error_category("payload"->'link'->>'status', "payload"->'link'->>'error')))
  WHERE "topic" = 'link:updated' AND "payload"->'link'->>'error' IS NOT NULL AND "payload"->'link'->>'error' !~ '^[A-Z_]+$';--> statement-breakpoint
DROP FUNCTION plaza_link_error_category(text, text);
