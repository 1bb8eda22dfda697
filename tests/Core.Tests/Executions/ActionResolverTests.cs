using Farm.Core.Executions;
using Farm.Core.Pipelines;

namespace Farm.Core.Tests.Executions;

public sealed class ActionResolverTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UnixEpoch;
    private static readonly Dictionary<string, string> NoSecrets = [];

    private static PipelineDefinition Pipeline() => new("p", [new("who", "nobody", ""), new("tag", "1.0", "")],
    [
        new("Build", [new ActionDefinition { Name = "make", Type = ActionType.Shell, Commands = ["true"], Namespace = "Make",
            OutputArtifacts = [new OutputArtifact("bundle", ["out/**"])] }]),
        new("Ship", [new ActionDefinition
        {
            Name = "push", Type = ActionType.Container, Image = "farm/app:#{variables.tag}",
            Env = new Dictionary<string, string> { ["TARGET"] = "#{pipeline.name}-#{variables.who}" },
            Commands = ["echo \"compiling for #{variables.who} in $MODE\"", "echo \"##{kept} #{execution.id} #{Make.checksum}\""],
            InputArtifacts = ["bundle"],
        }]),
    ]);

    private static ExecutionRun AfterBuild(Dictionary<string, string> outputs)
    {
        var run = ExecutionMachine.Enter(
            ExecutionMachine.Create("p-7", Pipeline(), 1, new Dictionary<string, string> { ["who"] = "farm", ["tag"] = "2.1" }, Now), 0, Now);
        run = ExecutionMachine.Queue(run, new(0, 0), new(null, ["true"], new Dictionary<string, string>(), null, []), out var attempt);
        return ExecutionMachine.Finished(run, attempt, true, 0, null, Now, outputs, [new ArtifactRef("bundle", new string('b', 64), 42)]);
    }

    [Fact]
    public void References_resolve_in_commands_env_and_image_and_inputs_are_found()
    {
        var run = AfterBuild(new() { ["checksum"] = "abc123" });

        Assert.True(ActionResolver.TryResolve(Pipeline().Stages[1].Actions[0], run, NoSecrets, out var resolved, out var dispatched, out _, out var error));

        Assert.Null(error);
        Assert.Equal(["echo \"compiling for farm in $MODE\"", "echo \"#{kept} p-7 abc123\""], resolved.Commands);
        Assert.Equal("farm/app:2.1", resolved.Image);
        Assert.Equal("p-farm", resolved.Env["TARGET"]);
        Assert.Equal(new ArtifactRef("bundle", new string('b', 64), 42), Assert.Single(dispatched!.InputArtifacts));
    }

    [Fact]
    public void An_output_variable_no_action_wrote_is_a_dispatch_error_that_names_it()
    {
        var run = AfterBuild(new() { ["other"] = "x" });

        Assert.False(ActionResolver.TryResolve(Pipeline().Stages[1].Actions[0], run, NoSecrets, out _, out var dispatched, out _, out var error));

        Assert.Null(dispatched);
        Assert.Equal("could not be dispatched: The reference '#{Make.checksum}' has no value. No earlier action wrote it to $FARM_OUTPUT.", error);
    }

    [Fact]
    public void Secrets_reach_the_job_but_the_stored_configuration_keeps_their_references()
    {
        var action = new ActionDefinition
        {
            Name = "deploy", Type = ActionType.Http, Commands = [],
            Env = new Dictionary<string, string> { ["TOKEN"] = "Bearer #{secrets.api_token}" },
            Http = new HttpRequestSettings("POST", "https://example.test/#{execution.id}",
                new Dictionary<string, string> { ["Authorization"] = "Bearer #{secrets.api_token}" }, null, [], new Dictionary<string, string>()),
        };
        var run = ExecutionMachine.Create("p-7", Pipeline(), 1, new Dictionary<string, string>(), Now);

        Assert.True(ActionResolver.TryResolve(action, run, new Dictionary<string, string> { ["api_token"] = "s3cr3t" },
            out var resolved, out var dispatched, out var masked, out _));
        Assert.False(ActionResolver.TryResolve(action, run, NoSecrets, out _, out _, out _, out var missing));

        Assert.Equal("Bearer s3cr3t", resolved.Env["TOKEN"]);
        Assert.Equal("Bearer s3cr3t", resolved.Http!.Headers["Authorization"]);
        Assert.Equal("https://example.test/p-7", resolved.Http.Url);
        Assert.Equal("Bearer #{secrets.api_token}", dispatched!.Env["TOKEN"]);
        Assert.Equal(["s3cr3t"], masked);
        Assert.Equal("could not be dispatched: secret 'api_token' is not set for pipeline 'p'; set it with: farm secret set p api_token", missing);
    }

    [Fact]
    public void An_action_uses_secrets_only_through_env_headers_or_registry_credentials()
    {
        var plain = new ActionDefinition
        {
            Name = "build", Type = ActionType.Shell, Commands = ["echo #{execution.id}"],
            Env = new Dictionary<string, string> { ["MODE"] = "#{variables.mode}" },
        };
        var header = new ActionDefinition
        {
            Name = "call", Type = ActionType.Http, Commands = [],
            Http = new HttpRequestSettings("GET", "https://example.test/", new Dictionary<string, string> { ["X-Key"] = "#{secrets.key}" },
                null, [], new Dictionary<string, string>()),
        };
        var registry = plain with { Registry = new RegistryCredentials("bot", "#{secrets.registry_password}") };

        Assert.False(ActionResolver.UsesSecrets(plain));
        Assert.True(ActionResolver.UsesSecrets(plain with { Env = new Dictionary<string, string> { ["TOKEN"] = "#{secrets.api_token}" } }));
        Assert.True(ActionResolver.UsesSecrets(header));
        Assert.True(ActionResolver.UsesSecrets(registry));
    }
}
