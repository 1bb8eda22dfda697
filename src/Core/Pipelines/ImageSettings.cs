namespace Farm.Core.Pipelines;

/// <summary>When an agent pulls the image of a container or deploy action.</summary>
public enum PullPolicy
{
    /// <summary>Only when the agent's engine does not have it (the default).</summary>
    IfNotPresent,

    /// <summary>Before every run, so a moved tag is followed.</summary>
    Always,

    /// <summary>Never: the image must already be on the agent.</summary>
    Never,
}

/// <summary>
/// Credentials for the registry named in an image reference. Both may hold <c>#{secrets.NAME}</c>;
/// the resolved values reach only the agent and are masked in its log.
/// </summary>
public sealed record RegistryCredentials(string Username, string Password);

/// <summary>The fields of an <see cref="ActionType.ImageBuild"/> action.</summary>
/// <param name="Dockerfile">The Dockerfile, relative to <paramref name="Context"/>.</param>
/// <param name="Context">The build context: a folder of the workspace, relative to it.</param>
/// <param name="Tags">Image references to tag the result with; the first names the image in outputs.</param>
/// <param name="BuildArgs">Values of the Dockerfile's <c>ARG</c>s.</param>
/// <param name="Push">Push every tag to its registry after the build.</param>
public sealed record ImageBuildSettings(
    string Dockerfile,
    string Context,
    IReadOnlyList<string> Tags,
    IReadOnlyDictionary<string, string> BuildArgs,
    bool Push);

/// <summary>The fields of a <see cref="ActionType.ContainerDeploy"/> action, besides the image, env, network and resources it shares with containers.</summary>
/// <param name="Environment">Where it deploys (e.g. <c>staging</c>); with the service, names the container on each agent.</param>
/// <param name="Service">The service's name, unique within its environment.</param>
/// <param name="Ports">Published ports as Docker writes them: <c>[ip:]hostPort:containerPort[/tcp|/udp]</c>.</param>
/// <param name="Volumes">Mounts: <c>source:target[:ro]</c>, a host path or a named volume.</param>
/// <param name="Restart">Docker's restart policy: <c>no</c>, <c>always</c>, <c>unless-stopped</c> or <c>on-failure</c>.</param>
/// <param name="Health">How the new version proves it is healthy.</param>
public sealed record DeploySettings(
    string Environment,
    string Service,
    IReadOnlyList<string> Ports,
    IReadOnlyList<string> Volumes,
    string Restart,
    HealthCheck Health);

/// <summary>
/// How a deploy decides the new container is healthy: an HTTP probe from the agent (any 2xx), a
/// command run inside the container (exit 0), or else the image's own HEALTHCHECK; with none of
/// them, the container must still be running one <paramref name="Interval"/> after it started.
/// </summary>
public sealed record HealthCheck(string? HttpUrl, string? Command, TimeSpan Timeout, TimeSpan Interval)
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(1);
    public static readonly HealthCheck Default = new(null, null, DefaultTimeout, DefaultInterval);
}
