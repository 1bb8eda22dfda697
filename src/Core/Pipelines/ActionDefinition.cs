namespace Farm.Core.Pipelines;

/// <summary>One action of a stage. Fields of every type first, then the fields of its type.</summary>
public sealed record ActionDefinition
{
    /// <summary>The default <see cref="Timeout"/>: one hour, as CodePipeline's default for most actions.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(60);

    /// <summary>Name, unique within its stage.</summary>
    public required string Name { get; init; }

    /// <summary>What runs the action.</summary>
    public required ActionType Type { get; init; }

    /// <summary>1 to 999; actions with the same number run in parallel, lower numbers first. Default 1.</summary>
    public int RunOrder { get; init; } = 1;

    /// <summary>Labels an agent must all have to run this action. Empty: any agent.</summary>
    public IReadOnlyList<string> RunsOn { get; init; } = [];

    /// <summary>How long the action may run before it fails as timed out. Default <see cref="DefaultTimeout"/>.</summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary>Environment variables for the commands, in file order.</summary>
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();

    /// <summary>Commands, run in order with <c>sh -c</c>; the first that fails fails the action.</summary>
    public IReadOnlyList<string> Commands { get; init; } = [];

    /// <summary>Container and deploy actions: the image reference. Null for other types.</summary>
    public string? Image { get; init; }

    /// <summary>Container, deploy and image-build actions: the Docker network; null means the agent's default network.</summary>
    public string? Network { get; init; }

    /// <summary>
    /// Makes the output variables the action writes to <c>$FARM_OUTPUT</c> available to later
    /// actions as <c>#{Namespace.KEY}</c>; null when it has none. Unique within the pipeline.
    /// </summary>
    public string? Namespace { get; init; }

    /// <summary>Artifacts of earlier actions, unpacked into the workspace before the commands run.</summary>
    public IReadOnlyList<string> InputArtifacts { get; init; } = [];

    /// <summary>Artifacts made from the workspace after the commands succeed (for git actions: the checked-out tree).</summary>
    public IReadOnlyList<OutputArtifact> OutputArtifacts { get; init; } = [];

    /// <summary>What to do when the agent running an attempt is lost. Default: the action fails.</summary>
    public RetryPolicy Retry { get; init; } = RetryPolicy.None;

    /// <summary>Container and deploy actions: resource limits; null takes the controller's defaults.</summary>
    public ResourceLimits? Resources { get; init; }

    /// <summary>Git actions: the repository and what to check out. Null for other types.</summary>
    public GitSource? Git { get; init; }

    /// <summary>Approval actions: what the approver sees. Null for other types.</summary>
    public ApprovalSettings? Approval { get; init; }

    /// <summary>Http actions: the request and what to take from the response. Null for other types.</summary>
    public HttpRequestSettings? Http { get; init; }

    /// <summary>Pipeline actions: what to start. Null for other types.</summary>
    public PipelineInvocation? Invoke { get; init; }

    /// <summary>Container and deploy actions: when the agent pulls <see cref="Image"/>.</summary>
    public PullPolicy Pull { get; init; } = PullPolicy.IfNotPresent;

    /// <summary>Container, deploy and image-build actions: credentials for the image's registry; null for none.</summary>
    public RegistryCredentials? Registry { get; init; }

    /// <summary>Image-build actions: what to build and where to push it. Null for other types.</summary>
    public ImageBuildSettings? Build { get; init; }

    /// <summary>Container-deploy actions: the service and how it proves healthy. Null for other types.</summary>
    public DeploySettings? Deploy { get; init; }
}
