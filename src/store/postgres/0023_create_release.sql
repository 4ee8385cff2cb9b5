-- Creating a release with its idempotency key in one round trip (schema version 23).
--
-- A CI job's `release create` through the team server was one transaction of eight
-- round trips: BEGIN, the pipeline's row lock, the checks' read, the dependency
-- snapshot's lookup, the insert, its audit event, the key's claim with its answer, and
-- COMMIT. This function makes the same change in one call, when it simply succeeds: no
-- release of this commit yet, no release containing it, the base (if any) recorded. In
-- any other case it writes nothing and says so ('decided elsewhere'), and captain takes
-- the ordinary way, whose checks give the answer (the release again, or the refusal).
-- A key seen before changes nothing either ('key seen').
--
-- The answer stored with the key is the release as the server sends it, whose number
-- only this call knows: captain passes the JSON before the number and after it.
--
-- Called on its own, the call is one transaction; the pipeline's row lock serializes
-- release creation in the pipeline (numbering and the same-commit check cannot race),
-- as the ordinary way does. Append-only, like every migration.
CREATE FUNCTION captain.create_release(
    p text, r_commit text, r_base bigint, r_artifacts jsonb, r_actor text, r_at timestamptz,
    r_commit_count bigint, r_first_commit text, r_hotfix_reason text,
    -- The dependency snapshot: its hash and body, stored once per distinct content.
    s_hash text, s_body jsonb,
    -- The commits the release introduced, as parallel arrays (empty: none).
    c_positions integer[], c_shas text[], c_authors text[], c_times timestamptz[],
    c_subjects text[], c_parents integer[],
    -- The audit event's details.
    details jsonb,
    -- The idempotency key (NULL: none), its request digest, the answer around its number.
    k_token text, k_key text, k_digest bytea, k_body_head bytea, k_body_tail bytea,
    k_now bigint, k_expired_before bigint, k_abandoned_before bigint,
    OUT result text, OUT rel_number bigint)
LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
    snapshot_id bigint;
    deploy_floor bigint;
BEGIN
    PERFORM 1 FROM captain.pipelines WHERE name = p FOR UPDATE;
    IF EXISTS (SELECT 1 FROM captain.releases r WHERE r.pipeline = p AND r.commit_sha = r_commit)
       OR EXISTS (SELECT 1 FROM captain.release_commits c WHERE c.pipeline = p AND c.sha = r_commit)
       OR (r_base IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM captain.releases r WHERE r.pipeline = p AND r.number = r_base))
    THEN
        result := 'decided elsewhere';
        RETURN;
    END IF;
    rel_number := coalesce((SELECT max(r.number) FROM captain.releases r WHERE r.pipeline = p), 0) + 1;
    -- Any deployment of this release starts after it commits, so takes a larger seq.
    deploy_floor := coalesce((SELECT max(d.seq) FROM captain.deployments d), 0);
    IF k_key IS NOT NULL
       AND NOT captain.claim_key(k_token, k_key, k_digest, 200,
                                 k_body_head || convert_to(rel_number::text, 'UTF8') || k_body_tail,
                                 k_now, k_expired_before, k_abandoned_before) THEN
        result := 'key seen';
        rel_number := NULL;
        RETURN;
    END IF;
    -- Most releases share their snapshot with the one before: looked up first. One
    -- inserted meanwhile by another transaction is seen by the statement after.
    SELECT s.id INTO snapshot_id FROM captain.dependency_snapshots s WHERE s.hash = s_hash;
    IF NOT FOUND THEN
        INSERT INTO captain.dependency_snapshots AS s (hash, body) VALUES (s_hash, s_body)
        ON CONFLICT (hash) DO NOTHING RETURNING s.id INTO snapshot_id;
        IF snapshot_id IS NULL THEN
            SELECT s.id INTO snapshot_id FROM captain.dependency_snapshots s WHERE s.hash = s_hash;
        END IF;
    END IF;
    INSERT INTO captain.releases (pipeline, number, commit_sha, base, artifacts, actor, created_at,
                                  commit_count, first_commit, snapshot, deploy_floor, hotfix_reason)
    VALUES (p, rel_number, r_commit, r_base, r_artifacts, r_actor, r_at, r_commit_count,
            r_first_commit, snapshot_id, deploy_floor, r_hotfix_reason);
    IF cardinality(c_shas) > 0 THEN
        INSERT INTO captain.release_commits (pipeline, release, position, sha, author, time, subject, parents)
        SELECT p, rel_number, u.* FROM unnest(c_positions, c_shas, c_authors, c_times, c_subjects, c_parents) AS u;
    END IF;
    INSERT INTO captain.audit_events (pipeline, at, actor, action, target, reason, details)
    VALUES (p, r_at, r_actor, 'release.create', 'v' || rel_number, r_hotfix_reason, details);
    result := 'created';
END $$;
