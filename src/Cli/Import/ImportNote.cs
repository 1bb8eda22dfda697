namespace Farm.Cli.Import;

/// <summary>
/// Something a person should know about the imported file: a change of meaning, a rename, or a
/// part that Farm cannot run as it is and that was written so that it fails until someone edits it.
/// </summary>
/// <param name="Where">The stage and action (<c>Build/compile</c>), the stage, or <c>pipeline</c>.</param>
/// <param name="Message">What happened and what to do, as one sentence without a final period.</param>
internal sealed record ImportNote(string Where, string Message)
{
    public override string ToString() => $"{Where}: {Message}";
}
