using System.CommandLine;
using Farm.Api.V1;

namespace Farm.Cli.Commands;

/// <summary>
/// <c>farm approve|reject EXECUTION STAGE/ACTION [--comment TEXT]</c>: decides a waiting approval.
/// The action may be named without its stage when no other stage has one of that name, as for
/// <c>farm logs</c>. The controller records who decided from the <c>farm-user</c> header.
/// </summary>
internal static class DecideCommand
{
    public static Command Approve() => Create(approve: true);

    public static Command Reject() => Create(approve: false);

    private static Command Create(bool approve)
    {
        var verb = approve ? "approve" : "reject";
        var execution = CommonOptions.Execution();
        var action = new Argument<string>("STAGE/ACTION")
        {
            Description = "The approval action: Stage/action, or action when its name is in one stage only.",
        };
        var comment = new Option<string?>("--comment")
        {
            Description = approve ? "Why, stored and shown with the decision." : "Why not, stored and shown with the decision and in the stage's failure.",
            HelpName = "TEXT",
        };
        var command = new Command(verb, approve
            ? "Approve a waiting approval action: the execution goes on."
            : "Reject a waiting approval action: the action and its stage fail.")
        {
            execution, action, comment,
        };
        command.SetVerb(async (context, cancellation) =>
        {
            var state = await context.Controller.Executions.GetExecutionAsync(
                new GetExecutionRequest { ExecutionId = context.Parse.GetRequiredValue(execution) }, cancellationToken: cancellation);
            var path = ActionSelector.Resolve(state, context.Parse.GetRequiredValue(action));
            await context.Controller.Executions.DecideApprovalAsync(
                Request(state.Id, path, approve, context.Parse.GetValue(comment)), cancellationToken: cancellation);
            await context.Output.WriteLineAsync(Confirmation(state.Id, path, approve));
            return CommandAction.Succeeded;
        });
        return command;
    }

    /// <summary>The DecideApproval request; a blank comment is sent as none.</summary>
    public static DecideApprovalRequest Request(string executionId, ActionPath path, bool approve, string? comment) => new()
    {
        ExecutionId = executionId,
        Stage = path.Stage,
        Action = path.Action,
        Approve = approve,
        Comment = comment?.Trim() ?? "",
    };

    /// <summary><c>approved gated-4 Gate/sign-off</c>.</summary>
    public static string Confirmation(string executionId, ActionPath path, bool approve) =>
        $"{(approve ? "approved" : "rejected")} {executionId} {path}";
}
