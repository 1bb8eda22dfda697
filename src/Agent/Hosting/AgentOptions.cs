using System.ComponentModel.DataAnnotations;
using Farm.Api.V1;

namespace Farm.Agent.Hosting;

/// <summary>Settings of the agent, bound from <c>Farm:Agent</c> (or FARM__AGENT__* variables).</summary>
public sealed class AgentOptions
{
    public const string Section = "Farm:Agent";

    /// <summary>
    /// The controller's gRPC address, or the addresses of a cluster's controllers separated by commas
    /// (<c>https://ctl1:7070,https://ctl2:7070</c>): the agent keeps its session with the first that
    /// answers and moves to the next when it fails. Default <c>http://127.0.0.1:7070</c>.
    /// </summary>
    [Required]
    public string Controller { get; set; } = "http://127.0.0.1:7070";

    /// <summary>
    /// PEM file of the certificate authority that signed the controller's certificate, for an
    /// <c>https://</c> <see cref="Controller"/> with a private CA: the controller's certificate must
    /// then chain to this CA (and only to it) and name the host of <see cref="Controller"/>.
    /// Default none: the system's trust store decides. Verification is never turned off.
    /// </summary>
    public string? CaCertificatePath { get; set; }

    /// <summary>
    /// An enrollment token from <c>farm enroll-token create</c>. Used once, at the first start: the
    /// agent exchanges it for a credential of its own, kept in <c>credential</c> in <see cref="WorkDir"/>
    /// (readable by the agent's user only), and presents that credential from then on. Not needed once
    /// the credential file exists. Default none.
    /// </summary>
    public string? EnrollToken { get; set; }

    /// <summary>This agent's id in the fleet. Default: the host name.</summary>
    [Required]
    public string AgentId { get; set; } = Environment.MachineName;

    /// <summary>
    /// Where to send the agent's spans (one per attempt, in the execution's trace), an OTLP/gRPC
    /// collector such as <c>http://127.0.0.1:4317</c>. Default none: nothing is sent.
    /// </summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>Labels actions select with <c>runsOn</c>. Default none.</summary>
    public List<string> Labels { get; set; } = [];

    /// <summary>Attempts run at once. Default 2.</summary>
    [Range(1, 1000)]
    public int Slots { get; set; } = 2;

    /// <summary>Folder for workspaces and log spools. Default <c>.farm-agent</c> in the working directory.</summary>
    [Required]
    public string WorkDir { get; set; } = ".farm-agent";

    /// <summary>
    /// Docker network for container actions that name none. Default <c>bridge</c>, Docker's own
    /// default; an engine started with <c>--bridge=none</c> needs <c>none</c> here.
    /// </summary>
    [Required]
    public string DefaultNetwork { get; set; } = "bridge";

    /// <summary>The Docker engine. Default: DOCKER_HOST, else <c>unix:///var/run/docker.sock</c>.</summary>
    [Required]
    public string DockerHost { get; set; } = Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } host
        ? host
        : "unix:///var/run/docker.sock";

    /// <summary>
    /// Shell actions: their commands run on this host as the agent's user, outside any container.
    /// Default off: an agent offers them only when its owner turns this on (docs/security.md).
    /// </summary>
    public bool AllowShell { get; set; }

    /// <summary>
    /// Containers on this host's own network (<c>network: host</c>): they reach every service the
    /// host listens on, loopback included. Default off.
    /// </summary>
    public bool AllowHostNetwork { get; set; }

    /// <summary>
    /// Host paths that deploys may mount, as globs (<c>/srv/www/**</c>); a path outside them is
    /// refused. A Docker socket (a path ending in <c>.sock</c>) is allowed only by an entry that names
    /// it exactly, since it gives root on the host. Default none: deploys mount named volumes only.
    /// </summary>
    public List<string> AllowedVolumes { get; set; } = [];

    /// <summary>
    /// How often the agent checks its Docker engine; a change (the engine went away, or came back)
    /// reaches the controller with the next heartbeat. Default 5 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan EngineCheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>What this agent lets actions do on its host, as it tells the controller.</summary>
    public HostPolicy Policy()
    {
        var policy = new HostPolicy { AllowShell = AllowShell, AllowHostNetwork = AllowHostNetwork };
        policy.AllowedVolumes.Add(AllowedVolumes);
        return policy;
    }

    /// <summary>Longest wait between reconnect tries; the waits grow from 0.2 s up to this, with jitter. Default 10 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(10);
}
