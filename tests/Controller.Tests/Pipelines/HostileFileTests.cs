using Farm.Api.V1;
using Grpc.Core;

namespace Farm.Controller.Tests.Pipelines;

/// <summary>
/// The files that stopped the controller, sent through its gRPC API as an operator would send them:
/// each is refused with INVALID_ARGUMENT and its place, the controller goes on answering, and the
/// stored pipeline stays as it was.
/// </summary>
public sealed class HostileFileTests(ControllerHost farm) : IClassFixture<ControllerHost>
{
    private const string Valid = """
        name: guarded
        stages:
          - name: Build
            actions:
              - name: compile
                type: shell
                commands: [ "echo ok" ]

        """;

    public static TheoryData<string, string, string> Files()
    {
        var bomb = new System.Text.StringBuilder("name: guarded\nl0: &l0 [x, x, x, x, x, x, x, x, x]\n");
        for (var level = 1; level <= 9; level++)
        {
            bomb.Append($"l{level}: &l{level} [").AppendJoin(", ", Enumerable.Repeat($"*l{level - 1}", 9)).Append("]\n");
        }

        bomb.Append("stages: *l9\n");
        return new()
        {
            { "nesting", "name: guarded\nstages: " + new string('[', 5000) + new string(']', 5000) + "\n", "line 2, column 72: lists and mappings nest more than 64 levels deep here" },
            { "alias bomb", bomb.ToString(), "line 7, column 10: with its aliases (*name) expanded, the file holds more than 100000 values by here" },
            { "alias cycle", "name: guarded\nstages: &s [ { name: Build, actions: *s } ]\n", "line 2, column 38: the alias '*s' stands inside the value that '&s' on line 2, column 9 marks" },
        };
    }

    [Theory(Timeout = 120_000)]
    [MemberData(nameof(Files))]
    public async Task Hostile_file_is_refused_as_invalid_and_the_controller_still_answers(string kind, string yaml, string expected)
    {
        // Arrange
        var operatorCalls = await farm.TokenAsync("ops-" + kind.Replace(' ', '-'), "operator");
        var pipelines = new Api.V1.Pipelines.PipelinesClient(operatorCalls);
        await pipelines.ApplyPipelineAsync(new ApplyPipelineRequest { Definition = Valid });

        // Act
        var applied = await Assert.ThrowsAsync<RpcException>(() => pipelines.ApplyPipelineAsync(new ApplyPipelineRequest { Definition = yaml }).ResponseAsync);
        var validated = await pipelines.ValidatePipelineAsync(new ValidatePipelineRequest { Definition = yaml });

        // Assert
        Assert.Equal(StatusCode.InvalidArgument, applied.StatusCode);
        Assert.StartsWith("The pipeline file has 1 error; nothing was stored:", applied.Status.Detail);
        Assert.Contains(expected, applied.Status.Detail);
        var error = Assert.Single(validated.Errors);
        Assert.StartsWith(expected, $"line {error.Line}, column {error.Column}: {error.Message}");
        var stored = await pipelines.GetPipelineAsync(new GetPipelineRequest { Name = "guarded" });
        Assert.Equal((1, 1, Valid), (stored.Version, stored.LatestVersion, stored.Definition));
        var listed = await pipelines.ListPipelinesAsync(new ListPipelinesRequest());
        Assert.Contains(listed.Pipelines, p => p.Name == "guarded" && p.Version == 1);
    }
}
