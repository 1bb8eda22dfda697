namespace Farm.Cli.Commands;

/// <summary>What a verb does once its arguments are parsed: talk to the controller, write output, return an exit code.</summary>
internal delegate Task<int> VerbBody(VerbContext context, CancellationToken cancellation);
