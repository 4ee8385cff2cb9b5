-- Finishing a deployment finds it by its id (schema version 7).
--
-- record_finish (migration 5) also named the environment in the UPDATE's WHERE, and the
-- plan PostgreSQL keeps for it then went through deployments_by_release, which holds
-- environment and outcome but not the id: every finish read all of the environment's
-- deployments (0.1 ms with 300 of them, and growing with the ledger). The same function,
-- finding the row by (pipeline, id) and checking its environment afterwards.

CREATE OR REPLACE FUNCTION captain.record_finish(
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
    -- Found by its id alone (the unique index); its environment is checked after.
    UPDATE captain.deployments x SET outcome = new_outcome, finished_at = at, reached = is_reached
    WHERE x.pipeline = p AND x.id = dep_id AND x.outcome = 'in progress'
    RETURNING x.seq, x.release, x.environment INTO d;
    IF NOT FOUND OR d.environment <> env THEN
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
