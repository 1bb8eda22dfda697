namespace Farm.Core.Pipelines;

/// <summary>A pipeline variable, referenced as <c>#{variables.NAME}</c> and overridable at start.</summary>
/// <param name="Name">Variable name: a letter or underscore, then letters, digits, underscores or dashes.</param>
/// <param name="Default">Value used when a start does not override it; empty when not given.</param>
/// <param name="Description">What the variable is for, shown to people who start the pipeline.</param>
public sealed record VariableDefinition(string Name, string Default, string Description);
