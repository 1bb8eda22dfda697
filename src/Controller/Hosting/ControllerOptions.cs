using System.ComponentModel.DataAnnotations;

namespace Farm.Controller.Hosting;

/// <summary>Settings of the controller, bound from the <c>Farm:Controller</c> section (or FARM__CONTROLLER__* variables).</summary>
public sealed class ControllerOptions
{
    public const string Section = "Farm:Controller";

    /// <summary>Folder for the SQLite database and log files. Default <c>.farm</c> in the working directory.</summary>
    [Required]
    public string DataDir { get; set; } = ".farm";

    /// <summary>
    /// Address of the gRPC endpoint (HTTP/2). Default <c>http://127.0.0.1:7070</c>. Plain
    /// <c>http://</c> is only allowed on a loopback address; with <see cref="CertificatePath"/> set it
    /// must be <c>https://</c> (any IP address, such as <c>https://0.0.0.0:7070</c>).
    /// </summary>
    [Required]
    public string Listen { get; set; } = "http://127.0.0.1:7070";

    /// <summary>
    /// Address of the webhook endpoint (HTTP/1.1), where Git hosts post pushes to
    /// <c>/webhooks/{provider}/{pipeline}/{trigger}</c>. Default <c>http://127.0.0.1:7071</c>; a Git host
    /// elsewhere reaches it through a TLS proxy on this machine, or at an <c>https://</c> address
    /// served with <see cref="CertificatePath"/>'s certificate. Plain <c>http://</c> is only allowed
    /// on a loopback address. Its port must differ from <see cref="Listen"/>'s.
    /// </summary>
    [Required]
    public string WebhookListen { get; set; } = "http://127.0.0.1:7071";

    /// <summary>
    /// PEM file of the certificate both endpoints serve TLS with (the server certificate first, then
    /// any intermediates). Set together with <see cref="CertificateKeyPath"/>; then <see cref="Listen"/>
    /// must be <c>https://</c>. Default none: no TLS, and both endpoints on loopback only.
    /// </summary>
    public string? CertificatePath { get; set; }

    /// <summary>PEM file of <see cref="CertificatePath"/>'s private key (unencrypted). Default none.</summary>
    public string? CertificateKeyPath { get; set; }

    /// <summary>
    /// The relational store of grain state, history, tokens, secrets and the audit log:
    /// <c>sqlite</c> (the default: <c>farm.db</c> in <see cref="DataDir"/>, one controller only),
    /// <c>postgres</c> or <c>sqlserver</c> (a database every controller of a cluster shares, named by
    /// <see cref="StoreConnection"/>). The controller applies its migrations at start.
    /// </summary>
    public string Store { get; set; } = "sqlite";

    /// <summary>
    /// The <c>sqlite</c> store's commit durability: <c>normal</c> (the default; a commit survives the
    /// controller being killed, the last ones may not survive a power cut) or <c>full</c> (every commit
    /// synced to disk, at several times the cost per action).
    /// </summary>
    public string SqliteSync { get; set; } = "normal";

    /// <summary>Connection string of a <c>postgres</c> or <c>sqlserver</c> store (Npgsql's or SqlClient's syntax). Default none.</summary>
    public string? StoreConnection { get; set; }

    /// <summary>
    /// How silos find each other: <c>localhost</c> (the default: one controller), <c>redis</c>
    /// (Orleans' Redis membership; <see cref="ClusteringConnection"/> is a StackExchange.Redis
    /// configuration such as <c>redis1:6379</c>) or <c>adonet</c> (Orleans' ADO.NET membership on
    /// PostgreSQL or SQL Server, whose tables the operator creates with Orleans' published scripts;
    /// see docs/deployment.md).
    /// </summary>
    public string Clustering { get; set; } = "localhost";

    /// <summary>Where the membership lives for <c>redis</c> or <c>adonet</c> clustering. Default none.</summary>
    public string? ClusteringConnection { get; set; }

    /// <summary>
    /// The ADO.NET provider of <c>adonet</c> clustering: <c>Npgsql</c> (the default) or
    /// <c>Microsoft.Data.SqlClient</c>.
    /// </summary>
    public string ClusteringInvariant { get; set; } = "Npgsql";

    /// <summary>
    /// The IP address other silos reach this one at, with <see cref="SiloPort"/> and
    /// <see cref="GatewayPort"/>. Default 127.0.0.1; in a cluster across machines, this machine's
    /// address on the network the controllers share.
    /// </summary>
    public string SiloAddress { get; set; } = "127.0.0.1";

    /// <summary>The Orleans cluster id; every controller of one cluster has the same. Default <c>farm</c>.</summary>
    [Required]
    public string ClusterId { get; set; } = "farm";

    /// <summary>
    /// Folder of log bodies and artifacts. Default: <see cref="DataDir"/>. In a cluster every
    /// controller must read what any other wrote, so this is a folder they all mount (NFS, CephFS,
    /// SMB...), the same path on each; a cluster refuses to start without it.
    /// </summary>
    public string? SharedDir { get; set; }

    /// <summary>Where log bodies and artifacts are kept: <see cref="SharedDir"/>, else <see cref="DataDir"/>.</summary>
    public string FilesDir => Path.GetFullPath(string.IsNullOrWhiteSpace(SharedDir) ? DataDir : SharedDir);

    /// <summary>True when silos form a cluster through Redis or ADO.NET rather than alone on localhost.</summary>
    public bool IsCluster => Clustering != "localhost";

    /// <summary>
    /// How long a silo waits for another's answer to a liveness probe; three missed probes and the
    /// others declare it dead and take over its work. Default 5 s, as Orleans'.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.200", "00:01:00")]
    public TimeSpan SiloProbeTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Where to send traces, an OTLP/gRPC collector such as <c>http://127.0.0.1:4317</c>. Default
    /// none: spans are made only for listeners in the process, and nothing is sent.
    /// </summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>Orleans silo-to-silo port. Default 11111.</summary>
    [Range(1, 65535)]
    public int SiloPort { get; set; } = 11111;

    /// <summary>Orleans client gateway port. Default 30000.</summary>
    [Range(1, 65535)]
    public int GatewayPort { get; set; } = 30000;

    /// <summary>How often agents heartbeat. A lease expires after three missed beats. Default 5 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Time on top of the lease that a running attempt may go unreported after this controller
    /// starts, or after the dispatcher moves to another controller of a cluster, before it is lost:
    /// agents reconnect with a backoff of up to their <c>MaxReconnectDelay</c> (10 s by default).
    /// Default 10 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan ReconnectGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long an abandoned action's commands get between SIGTERM and SIGKILL. Default 10 s, as
    /// <c>docker stop</c>.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan StopGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Where to post notifications (an approval starts waiting, an execution succeeds or fails);
    /// empty (the default) sends none.
    /// </summary>
    public string? NotifyUrl { get; set; }

    /// <summary>Signs each notification with HMAC-SHA256 in <c>X-Farm-Signature</c>; empty sends them unsigned.</summary>
    public string? NotifySecret { get; set; }

    /// <summary>
    /// The key pipeline secrets are encrypted with, base64 of 32 bytes. Empty (the default): a key
    /// file, <c>secrets.key</c> in the data folder, made on first start and readable by its owner only.
    /// Several controllers of one cluster must share the same key.
    /// </summary>
    public string? SecretsKey { get; set; }

    /// <summary>Memory limit of a container action that sets none, in bytes. Default 4 GiB.</summary>
    [Range(6L * 1024 * 1024, long.MaxValue)]
    public long DefaultMemoryBytes { get; set; } = 4L << 30;

    /// <summary>CPU limit of a container action that sets none. Default 2.</summary>
    [Range(0.01, 256)]
    public double DefaultCpus { get; set; } = 2;

    /// <summary>Process limit of a container action that sets none. Default 4096.</summary>
    [Range(16, 1_000_000)]
    public int DefaultPids { get; set; } = 4096;

    /// <summary>
    /// The most bytes of one attempt's log the controller stores. Default 64 MiB; 1 MiB to 10 GiB.
    /// Past it the log ends with a line saying it was truncated, and the rest of the output is
    /// acknowledged to the agent but not stored.
    /// </summary>
    [Range(1L << 20, 10L << 30)]
    public long MaxLogBytes { get; set; } = 64L << 20;

    /// <summary>An action's limits with this controller's defaults where it sets none.</summary>
    public Farm.Core.Pipelines.ResourceLimits LimitsFor(Farm.Core.Pipelines.ResourceLimits? action) => new(
        action?.MemoryBytes ?? DefaultMemoryBytes, action?.Cpus ?? DefaultCpus, action?.Pids ?? DefaultPids);

    /// <summary>The time after which an attempt nobody vouches for is lost: three heartbeats.</summary>
    public TimeSpan Lease => HeartbeatInterval * 3;
}
