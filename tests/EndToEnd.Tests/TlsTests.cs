using System.Security.Authentication;
using Farm.Api.V1;
using Grpc.Core;
using Grpc.Net.Client;

namespace Farm.EndToEnd.Tests;

/// <summary>
/// A farm whose controller serves TLS with a certificate for 127.0.0.1 from a CA made for the test;
/// its two agents and the test's channel trust that CA through <c>CaCertificatePath</c> and a
/// custom-root chain policy.
/// </summary>
public sealed class TlsFarmHost() : FarmHost(TestCertificates.Create());

[CollectionDefinition(Name)]
public sealed class TlsFarmCollection : ICollectionFixture<TlsFarmHost>
{
    public const string Name = "farm-tls";
}

[Collection(TlsFarmCollection.Name)]
public sealed class TlsTests(TlsFarmHost farm)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Shell_pipeline_runs_through_https_on_an_agent_that_trusts_the_CA()
    {
        Assert.StartsWith("https://", farm.Address);
        var id = await farm.ApplyAndStartAsync("""
            name: over-tls
            stages:
              - name: Build
                actions:
                  - name: hello
                    type: shell
                    commands: [ "echo hello over tls" ]
            """);

        var execution = await farm.WatchAsync(id);

        Assert.Equal(ExecutionStatus.Succeeded, execution.Status);
        Assert.Contains("hello over tls", await farm.ReadLogAsync(id, "Build", "hello"));
    }

    [Fact]
    public async Task Plain_http_call_to_the_tls_endpoint_fails()
    {
        using var plain = GrpcChannel.ForAddress(farm.Address.Replace("https://", "http://", StringComparison.Ordinal));
        var client = new Api.V1.Pipelines.PipelinesClient(plain);

        var error = await Assert.ThrowsAsync<RpcException>(() => client.ListPipelinesAsync(
            new ListPipelinesRequest(), new Metadata { { "authorization", "Bearer " + farm.AdminToken } },
            deadline: DateTime.UtcNow.AddSeconds(30)).ResponseAsync);

        Assert.NotEqual(StatusCode.DeadlineExceeded, error.StatusCode);
    }

    [Fact]
    public async Task Channel_without_the_CA_refuses_the_certificate()
    {
        using var untrusting = GrpcChannel.ForAddress(farm.Address);
        var client = new Api.V1.Pipelines.PipelinesClient(untrusting);

        var error = await Assert.ThrowsAsync<RpcException>(() => client.ListPipelinesAsync(
            new ListPipelinesRequest(), new Metadata { { "authorization", "Bearer " + farm.AdminToken } }).ResponseAsync);

        Assert.Contains(Chain(error.Status.DebugException), e => e is AuthenticationException);
    }

    [Fact]
    public async Task Cli_trusts_the_CA_from_FARM_CA_CERT_or_ca_cert_and_explains_a_refused_certificate()
    {
        var fromVariable = await farm.RunCliAsync(["pipelines"], ("FARM_CA_CERT", farm.Tls!.CaPath));
        var fromOption = await farm.RunCliAsync(["pipelines", "--ca-cert", farm.Tls.CaPath]);
        var without = await farm.RunCliAsync(["pipelines"]);

        Assert.True(fromVariable.ExitCode == 0, fromVariable.Stderr);
        Assert.True(fromOption.ExitCode == 0, fromOption.Stderr);
        Assert.Equal(1, without.ExitCode);
        Assert.Contains("its TLS certificate is not trusted here: pass the CA that signed it with --ca-cert FILE or FARM_CA_CERT", without.Stderr);
    }

    [Fact]
    public async Task Agents_without_the_CA_or_with_another_CA_never_connect()
    {
        using var otherCa = TestCertificates.Create();
        var enroll = await farm.Admin.CreateEnrollTokenAsync(new CreateEnrollTokenRequest { Uses = 2, ExpiresInSeconds = 600 });
        List<string> systemTrustOutput = [], otherCaOutput = [];

        farm.StartAgentTrusting(null, "tls-system-trust", enroll.Token, systemTrustOutput, "linux");
        farm.StartAgentTrusting(otherCa.CaPath, "tls-other-ca", enroll.Token, otherCaOutput, "linux");
        // PartialChain or UntrustedRoot, as the platform finds the issuer or not.
        await WaitForAsync(systemTrustOutput, "The remote certificate is invalid because of errors in the certificate chain");
        await WaitForAsync(otherCaOutput, "The remote certificate is invalid because of errors in the certificate chain");
        var agents = await farm.Admin.ListAgentsAsync(new ListAgentsRequest());

        Assert.DoesNotContain(agents.Agents, a => a.AgentId is "tls-system-trust" or "tls-other-ca");
        Assert.Contains(agents.Agents, a => a is { AgentId: "e2e-agent", Connected: true });
    }

    /// <summary>Waits until a line of <paramref name="output"/> contains <paramref name="text"/>; fails after <see cref="Patience"/>.</summary>
    private static async Task WaitForAsync(List<string> output, string text)
    {
        bool Seen()
        {
            lock (output)
            {
                return output.Any(line => line.Contains(text, StringComparison.Ordinal));
            }
        }

        string Output()
        {
            lock (output)
            {
                return $"no line with '{text}' in:\n{string.Join("\n", output)}";
            }
        }

        await Eventually.Until(_ => Task.FromResult(Seen()), Patience, Output);
    }

    private static IEnumerable<Exception> Chain(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            yield return exception;
        }
    }
}
