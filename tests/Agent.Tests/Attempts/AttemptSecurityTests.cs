using System.Text;
using Farm.Agent.Attempts;
using Farm.Agent.Tests.Executors;
using Farm.Agent.Tests.Sessions;
using Farm.Api.V1;
using Microsoft.Extensions.Hosting;

namespace Farm.Agent.Tests.Attempts;

/// <summary>
/// Attempts that try to get a host file or a secret out through what the agent reads back and
/// reports, run by the agent as <c>farm-agent run</c> wires it against a <see cref="FakeController"/>:
/// everything the controller receives (the result, its outputs, the log) is checked. The container
/// tests need a Docker engine (./test.sh starts one).
/// </summary>
public sealed class AttemptSecurityTests : IAsyncLifetime
{
    /// <summary>What <see cref="TestAgent.Build"/> writes as the agent's credential.</summary>
    private const string CredentialText = "agent.test-agent.secret";

    private const string LinkRefused =
        "$FARM_OUTPUT is a symbolic link; the agent reads output files only as regular files in the attempt's output folder";

    private readonly string _dir = Directory.CreateTempSubdirectory("farm-attempt-security-").FullName;
    private FakeController _controller = null!;

    private string WorkDir => Path.Combine(_dir, "work");

    private string CredentialPath => Path.Combine(WorkDir, "credential");

    public async Task InitializeAsync() => _controller = await FakeController.StartAsync();

    /// <summary>Runs one attempt of <paramref name="spec"/> to its end; its result and its log as the controller stored them.</summary>
    private async Task<(AttemptFinished Finished, string Log)> RunAsync(ActionSpec spec)
    {
        using var host = TestAgent.Build(_controller.Address, WorkDir, new DrainOptions());
        await host.StartAsync();
        await _controller.ReceiveAsync(m => m.Hello is not null);
        var offer = new JobOffer { AttemptId = "p-1.1", ExecutionId = "p-1", Pipeline = "p", Stage = "Build", Action = "leak", Spec = spec };
        await _controller.Send.Writer.WriteAsync(new ControllerMessage { Offer = offer });
        var finished = (await _controller.ReceiveAsync(m => m.Finished is not null)).Finished;
        await host.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var log = _controller.Logs.TryGetValue(offer.AttemptId, out var stored) ? Encoding.UTF8.GetString(stored.ToArray()) : "";
        return (finished, log);
    }

    private static ActionSpec Container(params string[] commands) => new()
    {
        Type = "container", Image = ContainerExecutorTests.Image, Network = "none", Commands = { commands },
    };

    [Fact]
    public async Task Container_output_file_linked_to_the_agent_credential_fails_and_the_credential_appears_nowhere()
    {
        _ = ContainerExecutorTests.DockerHost;
        // The container cannot see the host path, but the link it leaves in /farm is read by the agent on the host.
        var (finished, log) = await RunAsync(Container($"ln -sf '{CredentialPath}' /farm/output", "echo linked"));

        Assert.Equal((false, LinkRefused), (finished.Succeeded, finished.Message));
        Assert.Empty(finished.Outputs);
        Assert.Equal("linked\n", log);
        Assert.DoesNotContain(CredentialText, finished.ToString());
    }

    [Fact]
    public async Task Shell_output_file_linked_to_a_host_file_fails_and_the_file_appears_nowhere()
    {
        var host = Path.Combine(_dir, "host-file");
        await File.WriteAllTextAsync(host, "TOKEN=host-secret-4711\n");
        var spec = new ActionSpec { Type = "shell", Commands = { $"ln -sf '{host}' \"$FARM_OUTPUT\"" } };

        var (finished, log) = await RunAsync(spec);

        Assert.Equal((false, LinkRefused), (finished.Succeeded, finished.Message));
        Assert.Empty(finished.Outputs);
        Assert.DoesNotContain("host-secret-4711", finished.ToString() + log);
    }

    [Fact]
    public async Task Output_variable_holding_a_secret_fails_the_attempt_and_names_only_the_variable()
    {
        const string secret = "deploy-key-93f1c2";
        var spec = new ActionSpec
        {
            Type = "shell",
            Env = { ["S"] = secret },
            MaskedValues = { secret },
            Commands = { "echo \"version=1.2.3\" >> \"$FARM_OUTPUT\"", "echo \"token=$(printf %s \"$S\" | base64)\" >> \"$FARM_OUTPUT\"" },
        };

        var (finished, log) = await RunAsync(spec);

        Assert.False(finished.Succeeded);
        Assert.StartsWith("the output variable token holds a secret of this action", finished.Message);
        Assert.Empty(finished.Outputs);
        Assert.DoesNotContain(secret, finished.ToString() + log);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(secret)), finished.ToString() + log);
    }

    [Fact]
    public async Task Container_printing_each_transform_of_a_secret_leaves_none_in_the_stored_log()
    {
        _ = ContainerExecutorTests.DockerHost;
        const string secret = "Tr0ub4dor&3 horse-battery";
        var bytes = Encoding.UTF8.GetBytes(secret);
        string[] forms =
        [
            secret,
            Convert.ToBase64String(bytes), Convert.ToBase64String(bytes).TrimEnd('='),
            Convert.ToBase64String([.. bytes, (byte)'\n']), Convert.ToBase64String([.. bytes, (byte)'\n']).TrimEnd('='),
            Convert.ToHexStringLower(bytes), Convert.ToHexString(bytes),
            Uri.EscapeDataString(secret), new string(secret.Reverse().ToArray()),
            secret[..12], secret[12..],
        ];
        var spec = Container(
            "echo \"$S\"",
            "echo \"$S\" | base64",
            "printf %s \"$S\" | base64",
            "echo \"tok=$S\" | base64",
            "printf %s \"$S\" | hexdump -v -e '/1 \"%02x\"'; echo",
            "printf %s \"$S\" | hexdump -v -e '/1 \"%02X\"'; echo",
            $"echo '{Uri.EscapeDataString(secret)}'",
            "echo \"$S\" | rev",
            "echo \"${S:0:12}\"; echo \"${S:12}\"");
        spec.Env["S"] = secret;
        spec.MaskedValues.Add(secret);

        var (finished, log) = await RunAsync(spec);

        Assert.True(finished.Succeeded, finished.Message);
        Assert.All(forms, form => Assert.DoesNotContain(form, log));
        var lines = log.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(10, lines.Length);
        // Every line is stars but the one of `echo "tok=$S" | base64`, where the secret starts one byte
        // into a 3-byte group: the prefix's characters stay, and a character at each end that mixes
        // four (then two) bits of the secret with the prefix's and the newline's.
        Assert.Equal(9, lines.Count(line => line == "***"));
        Assert.Equal("dG9rPV***kK", lines[3]);
    }

    public async Task DisposeAsync()
    {
        await _controller.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }
}
