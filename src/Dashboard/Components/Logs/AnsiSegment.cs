namespace Farm.Dashboard.Components.Logs;

/// <summary>A run of log text with one look: <see cref="Css"/> is empty for plain text.</summary>
public sealed record AnsiSegment(string Text, string Css);
