using System.Data.Common;
using System.Globalization;
using System.Text.Json;

namespace Farm.Controller.Security;

/// <summary>How the security tables write times (UTC, round-trip, so text order is time order) and label lists.</summary>
internal static class StoreText
{
    public static string Time(DateTimeOffset at) => at.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    public static DateTimeOffset? Time(DbDataReader reader, int column) =>
        reader.IsDBNull(column) ? null : DateTimeOffset.Parse(reader.GetString(column), CultureInfo.InvariantCulture);

    public static string Labels(IEnumerable<string> labels) => JsonSerializer.Serialize(labels.ToArray());

    public static string[]? Labels(DbDataReader reader, int column) =>
        reader.IsDBNull(column) ? null : JsonSerializer.Deserialize<string[]>(reader.GetString(column)) ?? [];

    public static object OrNull(object? value) => value ?? DBNull.Value;
}
