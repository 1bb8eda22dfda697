using Farm.Agent.Logs;
using Farm.Api.V1;

namespace Farm.Agent.Executors;

/// <summary>What an executor needs for one attempt.</summary>
/// <param name="Offer">The attempt as the controller offered it, references resolved.</param>
/// <param name="Workspace">An empty folder of this attempt, the commands' working directory.</param>
/// <param name="Environment">The action's variables plus Farm's own FARM_* variables.</param>
/// <param name="Output">Where the commands' stdout and stderr go, line by line.</param>
/// <param name="OutputFolder">
/// The host folder holding the $FARM_OUTPUT file, outside the workspace so it never lands in an
/// artifact; container executors mount it at <see cref="ContainerExecutor.OutputFolderPath"/>. Null
/// when the attempt has none.
/// </param>
/// <param name="Stop">How to stop the commands when the attempt's token is cancelled; null kills at once.</param>
public sealed record AttemptContext(
    JobOffer Offer, string Workspace, IReadOnlyDictionary<string, string> Environment, LogSpool Output,
    string? OutputFolder = null, StopRequest? Stop = null)
{
    /// <summary>The commands as one <c>sh -c</c> script that stops at the first failing command.</summary>
    public string Script => "set -e\n" + string.Join("\n", Offer.Spec.Commands) + "\n";
}
