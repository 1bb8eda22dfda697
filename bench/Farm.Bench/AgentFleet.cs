using System.Diagnostics;
using Farm.Api.V1;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;

namespace Farm.Bench;

/// <summary>
/// <see cref="SimulatedAgent"/>s in this process, enrolled through the Admin API's enrollment tokens
/// and connected to one controller (or spread over a cluster's, each channel listing another first). Kestrel allows 100 concurrent streams per HTTP/2 connection by
/// default, so the agents share channels of <see cref="AgentsPerChannel"/>, each its own connection.
/// </summary>
public sealed class AgentFleet : IAsyncDisposable
{
    public const int AgentsPerChannel = 50;

    // CreateEnrollToken allows 1 to 1000 uses per token.
    private const int UsesPerToken = 1000;

    private readonly List<GrpcChannel> _channels = [];
    private readonly List<SimulatedAgent> _agents = [];
    private readonly List<Task> _sessions = [];
    private readonly CancellationTokenSource _stop = new();

    private AgentFleet()
    {
    }

    public IReadOnlyList<SimulatedAgent> Agents => _agents;

    public int Channels => _channels.Count;

    /// <summary>Enrolling every agent (one Enroll call each, 16 at a time).</summary>
    public TimeSpan EnrollTime { get; private set; }

    /// <summary>From the first Connect call, all made at once, to the last welcome.</summary>
    public TimeSpan ConnectTime { get; private set; }

    public int Acknowledged => _agents.Sum(a => a.Acknowledged);

    public int Unexpected => _agents.Sum(a => a.Unexpected);

    /// <summary>Enrolls <paramref name="count"/> agents <c>{prefix}-00001</c>… and connects them all at once.</summary>
    public static async Task<AgentFleet> StartAsync(
        FarmProcesses farm, string prefix, int count, string label, CancellationToken cancellationToken,
        Action<JobOffer>? onOffer = null, bool reconnect = false)
    {
        var fleet = new AgentFleet();
        try
        {
            var admin = new Admin.AdminClient(farm.Invoker);
            var credentials = new string[count];
            var clock = Stopwatch.StartNew();
            for (var first = 0; first < count; first += UsesPerToken)
            {
                var uses = Math.Min(UsesPerToken, count - first);
                var token = (await admin.CreateEnrollTokenAsync(new CreateEnrollTokenRequest { Uses = uses }, cancellationToken: cancellationToken)).Token;
                var enroller = new AgentSessions.AgentSessionsClient(farm.Channel.Intercept(headers =>
                {
                    headers.Add("authorization", "Bearer " + token);
                    return headers;
                }));
                await Parallel.ForEachAsync(Enumerable.Range(first, uses), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken },
                    async (i, ct) => credentials[i] = (await enroller.EnrollAsync(new EnrollRequest { AgentId = Id(prefix, i) }, cancellationToken: ct)).Credential);
            }

            fleet.EnrollTime = clock.Elapsed;

            // At least one channel per controller of a cluster, so the sessions spread over them all.
            var channels = Math.Max((count + AgentsPerChannel - 1) / AgentsPerChannel, farm.Addresses.Count);
            for (var c = 0; c < channels; c++)
            {
                fleet._channels.Add(farm.AgentChannel(c));
            }

            for (var i = 0; i < count; i++)
            {
                fleet._agents.Add(new SimulatedAgent(Id(prefix, i), credentials[i], label, fleet._channels[i % channels], onOffer));
            }

            clock.Restart();
            foreach (var agent in fleet._agents)
            {
                fleet._sessions.Add(Task.Run(() => reconnect ? agent.RunReconnectingAsync(fleet._stop.Token) : agent.RunAsync(fleet._stop.Token), CancellationToken.None));
            }

            var welcomed = Task.WhenAll(fleet._agents.Select(a => a.Welcomed));
            await welcomed.WaitAsync(TimeSpan.FromSeconds(30 + count / 10), cancellationToken);
            fleet.ConnectTime = clock.Elapsed;
            return fleet;
        }
        catch (TimeoutException)
        {
            var waiting = fleet._agents.Count(a => !a.Welcomed.IsCompleted);
            await fleet.DisposeAsync();
            throw new BenchException($"{waiting} of {count} simulated agents got no welcome in time:\n{farm.Tail()}");
        }
        catch
        {
            await fleet.DisposeAsync();
            throw;
        }
    }

    /// <summary>Throws if any session ended (the controller closed or broke a stream).</summary>
    public void ThrowIfBroken()
    {
        if (_sessions.FirstOrDefault(s => s.IsCompleted) is { } ended)
        {
            throw new BenchException($"{_sessions.Count(s => s.IsCompleted)} simulated agent sessions ended early; first: " +
                (ended.Exception?.InnerException?.Message ?? "without an error"));
        }
    }

    private static string Id(string prefix, int i) => $"{prefix}-{i + 1:00000}";

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await Task.WhenAll(_sessions);
        }
        catch (Exception)
        {
            // Sessions that failed were reported by ThrowIfBroken or the welcome wait.
        }

        foreach (var channel in _channels)
        {
            channel.Dispose();
        }

        _stop.Dispose();
    }
}
