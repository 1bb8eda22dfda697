namespace Farm.Controller.Storage;

/// <summary>The SQLite schema, as ordered migrations. Never edit an applied one: add the next.</summary>
internal static class SqliteMigrations
{
    public static readonly IReadOnlyList<(int Version, string Sql)> All =
    [
        (1, """
            CREATE TABLE grain_state (
                grain_id   TEXT NOT NULL,
                state_name TEXT NOT NULL,
                etag       INTEGER NOT NULL,
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
        (2, """
            -- What started each execution, for history filters.
            ALTER TABLE executions ADD COLUMN trigger TEXT NOT NULL DEFAULT 'manual';
            """),
        (3, """
            -- Pipeline secrets, AES-256-GCM encrypted with the controller's secrets key.
            CREATE TABLE secrets (
                pipeline   TEXT NOT NULL,
                name       TEXT NOT NULL,
                nonce      BLOB NOT NULL,
                ciphertext BLOB NOT NULL,
                tag        BLOB NOT NULL,
                updated_at TEXT NOT NULL,
                PRIMARY KEY (pipeline, name));
            """),
    ];
}
