namespace Farm.Controller.Storage.Dialects;

/// <summary>One numbered step of a dialect's schema. The same number means the same tables in every dialect.</summary>
public sealed record Migration(int Version, string Sql);
