-- Recording a deployment's start or finish in one round trip (schema version 5).
--
-- captain decides in Rust whether a start or finish may happen, from what one read
-- showed it; these functions then make the change only if that is still what the
-- environment looks like, under the environment's row lock, and say 'changed' otherwise
-- (captain reads again and decides again). With an idempotency key, the key is claimed
-- first and stored with its answer in the same transaction; a key seen before changes
-- nothing ('key seen'). Called on their own, each is one transaction and one round trip.
--
-- "Changed" and "id taken" are raised as errors (SQLSTATE CPT01, CPT02) so that nothing
-- of the call stays, the key's claim included; an EXCEPTION block would catch them but
-- costs a subtransaction on every call.
--
-- Their statements are keyed lookups whose best plan does not depend on the values:
-- plan_cache_mode = force_generic_plan plans each once per connection instead of
-- re-planning it on every call (PostgreSQL keeps custom plans when it guesses they are
-- cheaper, and planning cost more than the statements themselves).

-- Claims an idempotency key if it is free — new, expired (claimed before
-- k_expired_before), or claimed without an answer by a request that died (at or before
-- k_abandoned_before) — storing the request's digest and its answer (NULL while the
-- request runs): true. False if it is taken, changing nothing. Every claim of a key, by
-- the server or by a recording, goes through here; now and then expired keys are dropped.
CREATE FUNCTION captain.claim_key(
    k_token text, k_key text, k_digest bytea, k_status integer, k_body bytea,
    k_now bigint, k_expired_before bigint, k_abandoned_before bigint)
RETURNS boolean
LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan
AS $$
BEGIN
    INSERT INTO captain.idempotency_keys AS k (token, key, request_digest, status, body, claimed_at)
    VALUES (k_token, k_key, k_digest, k_status, k_body, k_now)
    ON CONFLICT (token, key) DO UPDATE SET request_digest = excluded.request_digest,
        status = excluded.status, body = excluded.body, claimed_at = excluded.claimed_at
    WHERE k.claimed_at < k_expired_before
       OR (k.status IS NULL AND k.claimed_at <= k_abandoned_before);
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    IF random() < 1.0 / 64 THEN
        DELETE FROM captain.idempotency_keys WHERE claimed_at < k_expired_before;
    END IF;
    RETURN true;
END $$;

CREATE FUNCTION captain.record_start(
    p text, env text, stg text, dep_id text, rel bigint, knd text, act text, rsn text,
    at timestamptz, details jsonb,
    -- What the decision saw: the environment's current deployment and the locks.
    seen_current bigint, seen_locks text[],
    -- The idempotency key (NULL: none), its request digest and its answer.
    k_token text, k_key text, k_digest bytea, k_body bytea,
    k_now bigint, k_expired_before bigint, k_abandoned_before bigint,
    OUT result text, OUT seq bigint)
LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
    st record;
BEGIN
    IF k_key IS NOT NULL AND NOT captain.claim_key(k_token, k_key, k_digest, 200, k_body,
                                                   k_now, k_expired_before, k_abandoned_before) THEN
        result := 'key seen';
        RETURN;
    END IF;
    SELECT current_seq, in_progress_seq INTO st FROM captain.environment_state
    WHERE pipeline = p AND environment = env FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO captain.environment_state (pipeline, environment) VALUES (p, env)
        ON CONFLICT DO NOTHING;
        SELECT current_seq, in_progress_seq INTO st FROM captain.environment_state
        WHERE pipeline = p AND environment = env FOR UPDATE;
    END IF;
    IF st.in_progress_seq IS NOT NULL
       OR st.current_seq IS DISTINCT FROM seen_current
       OR ARRAY(SELECT l.target_kind || '/' || l.target || '/' || l.direction
                FROM captain.locks l WHERE l.pipeline = p ORDER BY 1) IS DISTINCT FROM seen_locks
    THEN
        RAISE EXCEPTION USING ERRCODE = 'CPT01',
            MESSAGE = format('environment %s changed since the decision to start', env);
    END IF;
    INSERT INTO captain.deployments AS d (pipeline, id, environment, stage, release, kind, actor,
                                          reason, started_at, outcome, reached)
    VALUES (p, dep_id, env, stg, rel, knd, act, rsn, at, 'in progress', false)
    ON CONFLICT (pipeline, id) DO NOTHING
    RETURNING d.seq INTO seq;
    IF seq IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'CPT02', MESSAGE = format('id %s is taken', dep_id);
    END IF;
    UPDATE captain.environment_state SET in_progress_seq = seq
    WHERE pipeline = p AND environment = env;
    INSERT INTO captain.audit_events (pipeline, at, actor, action, target, reason, details)
    VALUES (p, at, act, 'deployment.start', dep_id, rsn, details);
    result := 'started';
END $$;

CREATE FUNCTION captain.record_finish(
    p text, dep_id text, env text, new_outcome text, at timestamptz, is_reached boolean,
    act text, rsn text,
    k_token text, k_key text, k_digest bytea, k_body bytea,
    k_now bigint, k_expired_before bigint, k_abandoned_before bigint,
    OUT result text)
LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
    d record;
BEGIN
    IF k_key IS NOT NULL AND NOT captain.claim_key(k_token, k_key, k_digest, 200, k_body,
                                                   k_now, k_expired_before, k_abandoned_before) THEN
        result := 'key seen';
        RETURN;
    END IF;
    -- The environment's lock first (the same order as start and rollback take locks).
    PERFORM 1 FROM captain.environment_state
    WHERE pipeline = p AND environment = env FOR UPDATE;
    UPDATE captain.deployments x SET outcome = new_outcome, finished_at = at, reached = is_reached
    WHERE x.pipeline = p AND x.id = dep_id AND x.environment = env AND x.outcome = 'in progress'
    RETURNING x.seq, x.release INTO d;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'CPT01',
            MESSAGE = format('deployment %s changed since the decision to finish it', dep_id);
    END IF;
    UPDATE captain.environment_state st SET
        in_progress_seq = CASE WHEN st.in_progress_seq = d.seq THEN NULL ELSE st.in_progress_seq END,
        last_finished_seq = greatest(coalesce(st.last_finished_seq, 0), d.seq),
        current_seq = CASE WHEN is_reached AND d.seq > coalesce(st.current_seq, 0) THEN d.seq
                           ELSE st.current_seq END
    WHERE st.pipeline = p AND st.environment = env;
    -- The loop's progress row belongs to deployments in progress only.
    DELETE FROM captain.deployment_progress WHERE deployment = d.seq;
    INSERT INTO captain.audit_events (pipeline, at, actor, action, target, reason, details)
    VALUES (p, at, act, 'deployment.finish', dep_id, rsn,
            jsonb_build_object('environment', env, 'release', 'v' || d.release,
                               'outcome', new_outcome));
    result := 'finished';
END $$;
