using System.CommandLine;

namespace Farm.Cli.Commands;

/// <summary>Everything a verb needs: its parsed arguments, the connection and where to write.</summary>
/// <param name="Parse">The parsed command line, to read the verb's own options.</param>
/// <param name="Controller">The connection to the controller.</param>
/// <param name="Output">Standard output: results only, so scripts can capture them.</param>
/// <param name="Error">Standard error: progress, warnings and failures.</param>
internal sealed record VerbContext(ParseResult Parse, ControllerConnection Controller, TextWriter Output, TextWriter Error);
