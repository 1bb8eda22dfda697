namespace Farm.Cli.Import;

/// <summary>The parts of a CodePipeline action declaration that every translation uses.</summary>
/// <param name="Name">The Farm name, already made valid and unique in its stage.</param>
internal sealed record ActionDeclaration(
    string Name,
    string Category,
    string Owner,
    string Provider,
    string Version,
    int? RunOrder,
    int? TimeoutMinutes,
    string? Namespace,
    string? Region,
    string? RoleArn,
    IReadOnlyList<string> Inputs,
    IReadOnlyList<KeyValuePair<string, string>> Configuration)
{
    /// <summary>The configuration value under <paramref name="key"/>, or null.</summary>
    public string? Config(string key) =>
        Configuration.FirstOrDefault(p => p.Key == key) is { Key: not null } pair ? pair.Value : null;
}
