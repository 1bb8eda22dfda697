using System.CommandLine;
using Farm.Cli.Commands;

namespace Farm.Cli;

/// <summary>
/// Builds the whole command tree in one place, so <c>Program.cs</c> stays a line and tests can parse
/// arguments exactly as the tool does.
/// </summary>
internal static class FarmCommandLine
{
    public static RootCommand Create()
    {
        var root = new RootCommand("farm: apply pipelines to a Farm controller, start them, follow them and read their logs.")
        {
            GlobalOptions.Controller,
            GlobalOptions.CaCertificate,
            ApplyCommand.Create(),
            ValidateCommand.Create(),
            PipelinesCommand.Create(),
            StartCommand.Create(),
            ApprovalsCommand.Create(),
            DecideCommand.Approve(),
            DecideCommand.Reject(),
            StatusCommand.Create(),
            LogsCommand.Create(),
            ExecutionsCommand.Create(),
            WatchCommand.Create(),
            StopCommand.Create(),
            RetryCommand.Create(),
            RollbackCommand.Create(),
            TransitionCommand.Create(),
            PipelineCommand.Create(),
            WebhooksCommand.Create(),
            SecretCommand.Create(),
            SecretCommand.List(),
            ArtifactsCommand.Create(),
            ArtifactCommand.Create(),
            ImportCommand.Create(),
            DoctorCommand.Create(),
            AgentsCommand.List(),
            AgentsCommand.Create(),
            EnrollTokenCommand.Create(),
            TokenCommand.Create(),
            TokenCommand.List(),
            AuditCommand.Create(),
            DeploymentsCommand.Environments(),
            DeploymentsCommand.History(),
        };
        return root;
    }
}
