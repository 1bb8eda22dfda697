using Farm.Api.V1;
using Farm.Controller.Security;
using Google.Protobuf.Reflection;

namespace Farm.Controller.Tests.Security;

public sealed class AccessTableTests
{
    /// <summary>Every method of every service of every proto compiled into the API assembly.</summary>
    private static IEnumerable<string> ProtoMethods() =>
        typeof(Api.V1.Admin).Assembly.GetTypes()
            .Select(t => t.GetProperty("Descriptor", typeof(FileDescriptor))?.GetValue(null))
            .OfType<FileDescriptor>()
            .SelectMany(file => file.Services)
            .SelectMany(service => service.Methods.Select(m => $"/{service.FullName}/{m.Name}"));

    [Fact]
    public void Every_method_of_every_service_is_in_the_table()
    {
        var methods = ProtoMethods().ToList();

        Assert.Contains("/farm.v1.Admin/ListAudit", methods);
        Assert.Contains("/farm.v1.AgentSessions/Enroll", methods);
        Assert.Equal([], methods.Where(m => !AccessTable.Methods.ContainsKey(m)).ToArray());
        Assert.Empty(AccessTable.Methods.Keys.Except(methods));
    }

    [Theory]
    [InlineData("/farm.v1.Pipelines/ListPipelines", Access.Viewer)]
    [InlineData("/farm.v1.Pipelines/ApplyPipeline", Access.OperatorOrApprover)]
    [InlineData("/farm.v1.Pipelines/SetSecret", Access.Admin)]
    [InlineData("/farm.v1.Executions/StartExecution", Access.Operator)]
    [InlineData("/farm.v1.Executions/DownloadArtifact", Access.Operator)]
    [InlineData("/farm.v1.Executions/DecideApproval", Access.Approver)]
    [InlineData("/farm.v1.AgentSessions/Connect", Access.Agent)]
    [InlineData("/farm.v1.AgentSessions/Enroll", Access.Enrollment)]
    [InlineData("/farm.v1.Admin/ListAgents", Access.Admin)]
    public void Methods_need_their_role(string method, Access access) => Assert.Equal(access, AccessTable.Methods[method].Access);

    [Fact]
    public void Operator_and_approver_each_lack_what_the_other_has()
    {
        Assert.True(AccessTable.Allows(Access.Operator, Role.Operator));
        Assert.False(AccessTable.Allows(Access.Approver, Role.Operator));
        Assert.True(AccessTable.Allows(Access.Approver, Role.Approver));
        Assert.False(AccessTable.Allows(Access.Operator, Role.Approver));
        Assert.All(Enum.GetValues<Role>(), role => Assert.True(AccessTable.Allows(Access.Viewer, role)));
        Assert.All(Enum.GetValues<Role>(), role => Assert.Equal(role == Role.Admin, AccessTable.Allows(Access.Admin, role)));
        Assert.All(Enum.GetValues<Role>(), role => Assert.False(AccessTable.Allows(Access.Agent, role)));
    }

    [Fact]
    public void Every_change_is_audited_and_no_read_is()
    {
        var audited = AccessTable.Methods.Where(m => m.Value.Audit is not null).Select(m => m.Key[(m.Key.LastIndexOf('/') + 1)..]).Order().ToArray();

        Assert.Equal(
            [
                "ApplyPipeline", "CreateEnrollToken", "CreateToken", "DecideApproval", "DeleteSecret", "DisableTransition", "DrainAgent",
                "EnableTransition", "Enroll", "RetryStage", "RevokeAgent", "RevokeEnrollToken", "RevokeToken", "RollbackStage", "SetAgentLabels", "SetSecret",
                "StartExecution", "StopExecution",
            ],
            audited);
    }
}
