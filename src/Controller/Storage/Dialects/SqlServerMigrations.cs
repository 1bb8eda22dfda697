namespace Farm.Controller.Storage.Dialects;

/// <summary>
/// The SQL Server schema: the tables of <see cref="SqliteMigrations"/>, number for number. Keys are
/// NVARCHAR(450) (an index key may not be MAX), times ISO 8601 text in UTC as in every dialect,
/// hashes VARBINARY. Not run on these machines: see <see cref="SqlServerDialect"/>.
/// </summary>
internal static class SqlServerMigrations
{
    public static readonly IReadOnlyList<Migration> All =
    [
        new(1, """
            CREATE TABLE grain_state (
                grain_id   NVARCHAR(300) NOT NULL,
                state_name NVARCHAR(100) NOT NULL,
                etag       BIGINT NOT NULL,
                data       NVARCHAR(MAX) NOT NULL,
                updated_at NVARCHAR(64) NOT NULL,
                PRIMARY KEY (grain_id, state_name));

            -- Projections of grain state for listing; grain state stays the truth.
            CREATE TABLE pipelines (
                name       NVARCHAR(450) PRIMARY KEY,
                version    INT NOT NULL,
                updated_at NVARCHAR(64) NOT NULL);

            CREATE TABLE executions (
                id               NVARCHAR(450) PRIMARY KEY,
                pipeline         NVARCHAR(400) NOT NULL,
                number           INT NOT NULL,
                pipeline_version INT NOT NULL,
                status           NVARCHAR(32) NOT NULL,
                started_at       NVARCHAR(64) NOT NULL,
                finished_at      NVARCHAR(64),
                message          NVARCHAR(MAX));
            CREATE INDEX executions_by_pipeline ON executions (pipeline, number DESC);
            CREATE INDEX executions_by_status ON executions (status);
            """),
        new(2, """
            -- What started each execution, for history filters.
            ALTER TABLE executions ADD "trigger" NVARCHAR(100) NOT NULL DEFAULT 'manual';
            """),
        new(3, """
            -- Pipeline secrets, AES-256-GCM encrypted with the controller's secrets key.
            CREATE TABLE secrets (
                pipeline   NVARCHAR(400) NOT NULL,
                name       NVARCHAR(200) NOT NULL,
                nonce      VARBINARY(64) NOT NULL,
                ciphertext VARBINARY(MAX) NOT NULL,
                tag        VARBINARY(64) NOT NULL,
                updated_at NVARCHAR(64) NOT NULL,
                PRIMARY KEY (pipeline, name));
            """),
        new(4, """
            -- API tokens, enrollment tokens and agent credentials: SHA-256 hashes only, never values.
            CREATE TABLE api_tokens (
                name       NVARCHAR(450) PRIMARY KEY,
                hash       VARBINARY(32) NOT NULL UNIQUE,
                role       NVARCHAR(32) NOT NULL,
                created_by NVARCHAR(MAX) NOT NULL,
                created_at NVARCHAR(64) NOT NULL,
                revoked_at NVARCHAR(64));

            CREATE TABLE enroll_tokens (
                id         NVARCHAR(64) PRIMARY KEY,
                hash       VARBINARY(32) NOT NULL UNIQUE,
                created_by NVARCHAR(MAX) NOT NULL,
                created_at NVARCHAR(64) NOT NULL,
                expires_at NVARCHAR(64) NOT NULL,
                uses_left  INT NOT NULL);

            -- Enrolled agents. labels: the controller-side labels as a JSON array, NULL when none are set.
            CREATE TABLE agents (
                agent_id        NVARCHAR(200) PRIMARY KEY,
                credential_hash VARBINARY(32) NOT NULL,
                enrolled_at     NVARCHAR(64) NOT NULL,
                enrolled_with   NVARCHAR(200) NOT NULL,
                revoked_at      NVARCHAR(64),
                drained_at      NVARCHAR(64),
                labels          NVARCHAR(MAX),
                claimed_labels  NVARCHAR(MAX) NOT NULL DEFAULT '[]',
                slots           INT NOT NULL DEFAULT 0,
                version         NVARCHAR(100) NOT NULL DEFAULT '',
                last_seen       NVARCHAR(64));

            -- Every change made through the API and every approval.
            CREATE TABLE audit_log (
                id     BIGINT IDENTITY(1, 1) PRIMARY KEY,
                at     NVARCHAR(64) NOT NULL,
                actor  NVARCHAR(MAX) NOT NULL,
                action NVARCHAR(200) NOT NULL,
                target NVARCHAR(MAX) NOT NULL,
                detail NVARCHAR(MAX) NOT NULL);
            """),
        new(5, """
            -- Enrollment tokens can be revoked; one made for an agent id (agent_id) re-enrolls that agent only.
            ALTER TABLE enroll_tokens ADD revoked_at NVARCHAR(64) NULL, agent_id NVARCHAR(200) NULL;
            """),
        new(6, """
            -- What list rows of executions carry besides their status: who or what started each, what
            -- it builds (a JSON array of its source revisions), the resolved variables (a JSON object),
            -- the execution a rollback reuses, and the stage it waits for and why ('' when none).
            -- NULL in a row written before this migration: not known to the history.
            ALTER TABLE executions ADD
                triggered_by      NVARCHAR(MAX) NULL,
                rollback_of       NVARCHAR(450) NULL,
                waiting_for_stage NVARCHAR(MAX) NULL,
                waiting_reason    NVARCHAR(MAX) NULL,
                variables         NVARCHAR(MAX) NULL,
                sources           NVARCHAR(MAX) NULL;
            """),
    ];
}
