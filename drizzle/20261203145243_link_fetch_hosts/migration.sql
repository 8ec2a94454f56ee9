ALTER TABLE "link_fetches" ADD COLUMN "host" text DEFAULT '' NOT NULL;--> statement-breakpoint
CREATE INDEX "link_fetches_host_idx" ON "link_fetches" ("host");--> statement-breakpoint
-- Claims taken before hosts were recorded.
UPDATE "link_fetches" SET "host" = coalesce(substring("normalized_url" from '^[a-z][a-z0-9+.-]*://(?:[^@/]*@)?([^/?#]*)'), '');--> statement-breakpoint
-- The claim on a page's one fetch (link_fetches), under the per-host limit, cluster-wide. The lock on the
-- host serialises the claims of its pages, and each statement below reads what they committed (a function's
-- statements take their own snapshots), so a host never holds more than p_per_host unexpired claims;
-- p_only_idle: only when it holds none (a first attempt, which must not overtake the host's queue).
-- The statement that calls it read the link and the cache from a snapshot taken before the lock; both are read
-- again under it, so a fetch of the same page that finished in between is seen: 'done' when the link is no longer
-- PENDING; 'cached' when a preview of the page fetched within p_ttl_seconds exists (p_use_cache), for the caller
-- to read with a statement of its own. The link that holds a page's claim may claim it again (its job cut off and
-- run anew). Otherwise 'claimed'; 'page-busy' with the seconds left on another link's claim of the page; or
-- 'host-busy'.
CREATE OR REPLACE FUNCTION plaza_claim_link_fetch(
  p_url text, p_link uuid, p_per_host int, p_seconds float8, p_only_idle boolean, p_use_cache boolean, p_ttl_seconds float8
)
RETURNS TABLE (claim_state text, wait_seconds float8)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_host text := coalesce(substring(p_url from '^[a-z][a-z0-9+.-]*://(?:[^@/]*@)?([^/?#]*)'), '');
  v_until timestamptz;
  v_held int;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('plaza link host ' || v_host, 0));
  IF NOT EXISTS (SELECT 1 FROM links l WHERE l.id = p_link AND l.status = 'PENDING') THEN
    RETURN QUERY SELECT 'done'::text, NULL::float8;
    RETURN;
  END IF;
  IF p_use_cache AND EXISTS (
    SELECT 1 FROM links c WHERE c.normalized_url = p_url AND c.status = 'READY'
      AND c.fetched_at > now() - make_interval(secs => p_ttl_seconds)
  ) THEN
    RETURN QUERY SELECT 'cached'::text, NULL::float8;
    RETURN;
  END IF;
  SELECT f.expires_at INTO v_until FROM link_fetches f
  WHERE f.normalized_url = p_url AND f.expires_at > now() AND f.link_id <> p_link;
  IF FOUND THEN
    RETURN QUERY SELECT 'page-busy'::text, greatest(0, extract(epoch FROM v_until - now()))::float8;
    RETURN;
  END IF;
  SELECT count(*) INTO v_held FROM link_fetches f
  WHERE f.host = v_host AND f.expires_at > now() AND f.normalized_url <> p_url;
  IF v_held >= (CASE WHEN p_only_idle THEN 1 ELSE p_per_host END) THEN
    RETURN QUERY SELECT 'host-busy'::text, NULL::float8;
    RETURN;
  END IF;
  INSERT INTO link_fetches (normalized_url, link_id, expires_at, host)
  VALUES (p_url, p_link, now() + make_interval(secs => p_seconds), v_host)
  ON CONFLICT (normalized_url) DO UPDATE SET link_id = excluded.link_id, expires_at = excluded.expires_at, host = excluded.host;
  RETURN QUERY SELECT 'claimed'::text, NULL::float8;
END
$$;
