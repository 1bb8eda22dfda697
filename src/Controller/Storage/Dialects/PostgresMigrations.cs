namespace Farm.Controller.Storage.Dialects;

/// <summary>
/// The PostgreSQL schema: the tables of <see cref="SqliteMigrations"/>, number for number, in
/// PostgreSQL's types. Times stay ISO 8601 text in UTC, as in every dialect, so the stores' code and
/// comparisons are the same everywhere; BYTEA holds hashes and ciphertext.
/// </summary>
internal static class PostgresMigrations
{
    public static readonly IReadOnlyList<Migration> All =
    [
        new(1, """
            CREATE TABLE grain_state (
                grain_id   TEXT NOT NULL,
                state_name TEXT NOT NULL,
                etag       BIGINT NOT NULL,
                data       TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                PRIMARY KEY (grain_id, state_name));

            -- Projections of grain state for listing; grain state stays the truth.
            CREATE TABLE pipelines (
                name       TEXT PRIMARY KEY,
                version    INTEGER NOT NULL,
                updated_at TEXT NOT NULL);

            CREATE TABLE executions (
                id               TEXT PRIMARY KEY,
                pipeline         TEXT NOT NULL,
                number           INTEGER NOT NULL,
                pipeline_version INTEGER NOT NULL,
                status           TEXT NOT NULL,
                started_at       TEXT NOT NULL,
                finished_at      TEXT,
                message          TEXT);
            CREATE INDEX executions_by_pipeline ON executions (pipeline, number DESC);
            CREATE INDEX executions_by_status ON executions (status);
            """),
        new(2, """
            -- What started each execution, for history filters.
            ALTER TABLE executions ADD COLUMN "trigger" TEXT NOT NULL DEFAULT 'manual';
            """),
        new(3, """
            -- Pipeline secrets, AES-256-GCM encrypted with the controller's secrets key.
            CREATE TABLE secrets (
                pipeline   TEXT NOT NULL,
                name       TEXT NOT NULL,
                nonce      BYTEA NOT NULL,
                ciphertext BYTEA NOT NULL,
                tag        BYTEA NOT NULL,
                updated_at TEXT NOT NULL,
                PRIMARY KEY (pipeline, name));
            """),
        new(4, """
            -- API tokens, enrollment tokens and agent credentials: SHA-256 hashes only, never values.
            CREATE TABLE api_tokens (
                name       TEXT PRIMARY KEY,
                hash       BYTEA NOT NULL UNIQUE,
                role       TEXT NOT NULL,
                created_by TEXT NOT NULL,
                created_at TEXT NOT NULL,
                revoked_at TEXT);

            CREATE TABLE enroll_tokens (
                id         TEXT PRIMARY KEY,
                hash       BYTEA NOT NULL UNIQUE,
                created_by TEXT NOT NULL,
                created_at TEXT NOT NULL,
                expires_at TEXT NOT NULL,
                uses_left  INTEGER NOT NULL);

            -- Enrolled agents. labels: the controller-side labels as a JSON array, NULL when none are set.
            CREATE TABLE agents (
                agent_id        TEXT PRIMARY KEY,
                credential_hash BYTEA NOT NULL,
                enrolled_at     TEXT NOT NULL,
                enrolled_with   TEXT NOT NULL,
                revoked_at      TEXT,
                drained_at      TEXT,
                labels          TEXT,
                claimed_labels  TEXT NOT NULL DEFAULT '[]',
                slots           INTEGER NOT NULL DEFAULT 0,
                version         TEXT NOT NULL DEFAULT '',
                last_seen       TEXT);

            -- Every change made through the API and every approval.
            CREATE TABLE audit_log (
                id     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                at     TEXT NOT NULL,
                actor  TEXT NOT NULL,
                action TEXT NOT NULL,
                target TEXT NOT NULL,
                detail TEXT NOT NULL);
            """),
        new(5, """
            -- Enrollment tokens can be revoked; one made for an agent id (agent_id) re-enrolls that agent only.
            ALTER TABLE enroll_tokens ADD COLUMN revoked_at TEXT, ADD COLUMN agent_id TEXT;
            """),
        new(6, """
            -- What list rows of executions carry besides their status: who or what started each, what
            -- it builds (a JSON array of its source revisions), the resolved variables (a JSON object),
            -- the execution a rollback reuses, and the stage it waits for and why ('' when none).
            -- NULL in a row written before this migration: not known to the history.
            ALTER TABLE executions
                ADD COLUMN triggered_by TEXT,
                ADD COLUMN rollback_of TEXT,
                ADD COLUMN waiting_for_stage TEXT,
                ADD COLUMN waiting_reason TEXT,
                ADD COLUMN variables TEXT,
                ADD COLUMN sources TEXT;
            """),
    ];
}
