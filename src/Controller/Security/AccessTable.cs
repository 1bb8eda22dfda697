using Farm.Api.V1;

namespace Farm.Controller.Security;

/// <summary>
/// The one table of who may call what: every method of every Farm service, by its full gRPC name,
/// with the access it needs and, for changes, how the audit log describes them. A method missing
/// here is refused, so a new method is closed until someone decides its role (a test checks that
/// every method of the protos is listed). Health and reflection (<c>/grpc.*</c>) are open and not listed.
/// </summary>
public static class AccessTable
{
    public static IReadOnlyDictionary<string, MethodRule> Methods { get; } = new Dictionary<string, MethodRule>(StringComparer.Ordinal)
    {
        // Pipelines
        [Pipelines("ValidatePipeline")] = new(Access.OperatorOrApprover),
        [Pipelines("ApplyPipeline")] = Audited<ApplyPipelineRequest, ApplyPipelineResponse>(Access.OperatorOrApprover,
            (_, r) => (r.Name, (r.Unchanged ? $"version {r.Version} (unchanged)" : $"version {r.Version}")
                + (r.ProtectedChanges.Count == 0 ? "" : "; protected changes: " + string.Join("; ", r.ProtectedChanges)))),
        [Pipelines("ListPipelines")] = new(Access.Viewer),
        [Pipelines("GetPipeline")] = new(Access.Viewer),
        [Pipelines("DisableTransition")] = Audited<DisableTransitionRequest, PipelineState>(Access.Operator, (q, _) => ($"{q.Pipeline}/{q.Stage}", q.Reason)),
        [Pipelines("EnableTransition")] = Audited<EnableTransitionRequest, PipelineState>(Access.Operator, (q, _) => ($"{q.Pipeline}/{q.Stage}", "")),
        [Pipelines("GetPipelineState")] = new(Access.Viewer),
        [Pipelines("WatchPipeline")] = new(Access.Viewer),
        // The webhook secret lets a Git host start executions, which an operator may do anyway.
        [Pipelines("GetWebhooks")] = new(Access.Operator),
        [Pipelines("SetSecret")] = Audited<SetSecretRequest, SecretInfo>(Access.Admin, (q, _) => ($"{q.Pipeline}/{q.Name}", "")),
        [Pipelines("ListSecrets")] = new(Access.Admin),
        [Pipelines("DeleteSecret")] = Audited<DeleteSecretRequest, SecretInfo>(Access.Admin, (q, _) => ($"{q.Pipeline}/{q.Name}", "")),

        // Executions
        [Executions("StartExecution")] = Audited<StartExecutionRequest, StartExecutionResponse>(Access.Operator,
            (q, r) => (r.ExecutionId, $"pipeline {q.Pipeline}" + (q.Revisions.Count == 0 ? "" : " at " + string.Join(" ", q.Revisions.Select(p => $"{p.Key}={p.Value}"))))),
        [Executions("GetExecution")] = new(Access.Viewer),
        [Executions("ListExecutions")] = new(Access.Viewer),
        [Executions("WatchExecution")] = new(Access.Viewer),
        [Executions("ReadLog")] = new(Access.Viewer),
        [Executions("StopExecution")] = Audited<StopExecutionRequest, Execution>(Access.Operator,
            (q, _) => (q.ExecutionId, (q.Abandon ? "abandon" : "") + (q.Abandon && q.Reason != "" ? ": " : "") + q.Reason)),
        [Executions("RetryStage")] = Audited<RetryStageRequest, Execution>(Access.Operator,
            (q, _) => ($"{q.ExecutionId}/{q.Stage}", q.All ? "all actions" : "failed actions")),
        [Executions("RollbackStage")] = Audited<RollbackStageRequest, StartExecutionResponse>(Access.Operator,
            (q, r) => (r.ExecutionId, $"{q.Pipeline}/{q.Stage} to {q.TargetExecutionId}")),
        [Executions("ListArtifacts")] = new(Access.Viewer),
        [Executions("DownloadArtifact")] = new(Access.Operator),
        [Executions("ListApprovals")] = new(Access.Viewer),
        [Executions("DecideApproval")] = Audited<DecideApprovalRequest, Execution>(Access.Approver,
            (q, _) => ($"{q.ExecutionId}/{q.Stage}/{q.Action}", (q.Approve ? "approved" : "rejected") + (q.Comment == "" ? "" : ": " + q.Comment))),

        // AgentSessions: agents with their own credential; Enroll with an enrollment token.
        [AgentSessions("Connect")] = new(Access.Agent),
        [AgentSessions("ShipLog")] = new(Access.Agent),
        [AgentSessions("GetArtifactUpload")] = new(Access.Agent),
        [AgentSessions("UploadArtifact")] = new(Access.Agent),
        [AgentSessions("DownloadArtifactBlob")] = new(Access.Agent),
        // Anyone may knock on enrollment, so refusals are audited too.
        [AgentSessions("Enroll")] = Audited<EnrollRequest, EnrollResponse>(Access.Enrollment, (q, _) => (q.AgentId, "enrolled")) with
        {
            RefusalTarget = q => ((EnrollRequest)q).AgentId,
        },

        // Deployments
        [Deployments("ListEnvironments")] = new(Access.Viewer),
        [Deployments("ListDeployments")] = new(Access.Viewer),

        // Admin
        [Admin("CreateToken")] = Audited<CreateTokenRequest, CreateTokenResponse>(Access.Admin, (q, r) => (q.Name, r.Info.Role)),
        [Admin("RevokeToken")] = Audited<RevokeTokenRequest, TokenInfo>(Access.Admin, (q, _) => (q.Name, "")),
        [Admin("ListTokens")] = new(Access.Admin),
        [Admin("CreateEnrollToken")] = Audited<CreateEnrollTokenRequest, CreateEnrollTokenResponse>(Access.Admin,
            (_, r) => (r.Id, (r.ReplaceAgentId == "" ? $"{r.Uses} uses" : $"re-enrolls agent {r.ReplaceAgentId}") + $", expires {r.ExpiresAt.ToDateTimeOffset():u}")),
        [Admin("ListEnrollTokens")] = new(Access.Admin),
        [Admin("RevokeEnrollToken")] = Audited<RevokeEnrollTokenRequest, EnrollTokenInfo>(Access.Admin, (q, _) => (q.Id, "")),
        [Admin("ListAgents")] = new(Access.Admin),
        [Admin("DrainAgent")] = Audited<DrainAgentRequest, AgentInfo>(Access.Admin, (q, _) => (q.AgentId, q.Reason)),
        [Admin("RevokeAgent")] = Audited<RevokeAgentRequest, AgentInfo>(Access.Admin, (q, _) => (q.AgentId, q.Reason)),
        [Admin("SetAgentLabels")] = Audited<SetAgentLabelsRequest, AgentInfo>(Access.Admin,
            (q, _) => (q.AgentId, q.Labels.Count == 0 ? "labels removed" : string.Join(" ", q.Labels))),
        [Admin("ListAudit")] = new(Access.Admin),

        // Identity
        [Identity("WhoAmI")] = new(Access.Viewer),

        // Doctor
        [Doctor("Examine")] = new(Access.Viewer),
    };

    /// <summary>Whether a token of <paramref name="role"/> may call a method that needs <paramref name="access"/>.</summary>
    public static bool Allows(Access access, Role role) => access switch
    {
        Access.Viewer => true,
        Access.Operator => role is Role.Operator or Role.Admin,
        Access.Approver => role is Role.Approver or Role.Admin,
        Access.OperatorOrApprover => role is Role.Operator or Role.Approver or Role.Admin,
        Access.Admin => role is Role.Admin,
        _ => false,
    };

    /// <summary>The roles that may call a method needing <paramref name="access"/>, for refusals.</summary>
    public static string Needs(Access access) => access switch
    {
        Access.Viewer => "any role",
        Access.Operator => "the operator or admin role",
        Access.Approver => "the approver or admin role",
        Access.OperatorOrApprover => "the operator, approver or admin role",
        Access.Admin => "the admin role",
        Access.Agent => "an agent credential",
        _ => "an enrollment token",
    };

    private static string Pipelines(string method) => Name(Api.V1.Pipelines.Descriptor.FullName, method);

    private static string Executions(string method) => Name(Api.V1.Executions.Descriptor.FullName, method);

    private static string AgentSessions(string method) => Name(Api.V1.AgentSessions.Descriptor.FullName, method);

    private static string Admin(string method) => Name(Api.V1.Admin.Descriptor.FullName, method);

    private static string Deployments(string method) => Name(Api.V1.Deployments.Descriptor.FullName, method);

    private static string Identity(string method) => Name(Api.V1.Identity.Descriptor.FullName, method);

    private static string Doctor(string method) => Name(Api.V1.Doctor.Descriptor.FullName, method);

    private static string Name(string service, string method) => $"/{service}/{method}";

    private static MethodRule Audited<TRequest, TResponse>(Access access, Func<TRequest, TResponse, (string, string)> describe) =>
        new(access, (request, response) => describe((TRequest)request, (TResponse)response));
}
