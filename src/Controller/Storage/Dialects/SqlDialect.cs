using System.Data.Common;

namespace Farm.Controller.Storage.Dialects;

/// <summary>
/// What differs between the relational stores Farm runs on; everything else (the stores' queries)
/// is written once in the SQL the three share: <c>@name</c> parameters, text times in ISO 8601 UTC,
/// and <c>"trigger"</c> quoted because SQL Server reserves it.
/// </summary>
/// <remarks>
/// Contract: a dialect is immutable after construction and thread-safe; <see cref="CreateConnection"/>
/// returns a new, closed connection each call (pooled by the provider), which the caller opens and
/// disposes. Statement builders only assemble text from the table and column names the stores pass
/// (never from user input), and every value travels as a parameter named after its column
/// (<c>@trigger</c> for the quoted <c>"trigger"</c>).
/// Migrations are ordered and never edited once released: a change is the next number, in every
/// dialect at once.
/// </remarks>
public abstract class SqlDialect
{
    /// <summary>The name used in configuration: sqlite, postgres or sqlserver.</summary>
    public abstract string Name { get; }

    /// <summary>Where the store is, for messages and health: no password.</summary>
    public abstract string Location { get; }

    /// <summary>The schema, in order.</summary>
    public abstract IReadOnlyList<Migration> Migrations { get; }

    /// <summary>Creates the table that records applied migrations, when it is missing.</summary>
    public abstract string CreateMigrationsTable { get; }

    /// <summary>
    /// Run first in each migration's transaction, so that controllers starting at once apply a
    /// migration one at a time; null where the store's transactions already exclude each other.
    /// </summary>
    public virtual string? MigrationLock => null;

    /// <summary>Run once before migrating, outside any transaction; null when nothing is needed.</summary>
    public virtual string? BeforeMigrations => null;

    /// <summary>Run on every connection opened: settings that last for a connection only. Default none.</summary>
    public virtual string? OnOpen => null;

    /// <summary>The current time as text, for <c>schema_migrations.applied_at</c> in a printed script.</summary>
    public abstract string NowText { get; }

    public abstract DbConnection CreateConnection();

    /// <summary>
    /// Inserts a row of <paramref name="columns"/> (values in parameters named <c>@column</c>); when
    /// a row with the same <paramref name="keys"/> exists, applies <paramref name="set"/> to it (its
    /// assignments read the proposed row as <c>excluded.column</c>) if <paramref name="when"/> (about the
    /// existing row, qualified with the table's name) holds, or leaves it as it is when
    /// <paramref name="set"/> is null. Affects one row when it inserted or updated, none otherwise.
    /// </summary>
    public virtual string Upsert(string table, string[] keys, string[] columns, string? set, string? when = null)
    {
        var insert = $"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select(Parameter))})";
        var conflict = $"ON CONFLICT ({string.Join(", ", keys)})";
        return set is null
            ? $"{insert} {conflict} DO NOTHING;"
            : $"{insert} {conflict} DO UPDATE SET {set}{(when is null ? "" : " WHERE " + when)};";
    }

    /// <summary>The parameter that carries a column's value: <c>@name</c>, without the quotes of a quoted name.</summary>
    protected static string Parameter(string column) => "@" + column.Trim('"');

    /// <summary>An UPDATE that returns <paramref name="returning"/> columns of each row it changed.</summary>
    public virtual string UpdateReturning(string table, string set, string where, string[] returning) =>
        $"UPDATE {table} SET {set} WHERE {where} RETURNING {string.Join(", ", returning)};";

    /// <summary>
    /// A SELECT of at most <paramref name="limitParameter"/> rows; <paramref name="rest"/> is the
    /// statement after the word SELECT, ending with its ORDER BY.
    /// </summary>
    public virtual string SelectLimited(string rest, string limitParameter) => $"SELECT {rest} LIMIT {limitParameter};";
}
