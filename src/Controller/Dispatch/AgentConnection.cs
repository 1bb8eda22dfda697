using System.Threading.Channels;
using Farm.Api.V1;
using ActionDefinition = Farm.Core.Pipelines.ActionDefinition;
using PullPolicy = Farm.Core.Pipelines.PullPolicy;

namespace Farm.Controller.Dispatch;

/// <summary>
/// The outbound side of one agent stream: offers from the dispatcher and acknowledgements from the
/// session are queued here and written by one writer, since a gRPC stream takes one write at a time.
/// </summary>
internal sealed class AgentConnection : IAgentObserver
{
    private readonly Channel<ControllerMessage> _outbox = Channel.CreateUnbounded<ControllerMessage>(
        new UnboundedChannelOptions { SingleReader = true });

    private readonly CancellationTokenSource _ended = new();

    public ChannelReader<ControllerMessage> Outbox => _outbox.Reader;

    public Task Offer(Job job)
    {
        var spec = new ActionSpec
        {
            Type = Farm.Core.Pipelines.ActionTypes.Name(job.Action.Type),
            Image = job.Action.Image ?? "",
            Network = job.Action.Network ?? "",
            TimeoutMs = (long)job.Action.Timeout.TotalMilliseconds,
        };
        spec.Commands.Add(job.Action.Commands);
        spec.MaskedValues.Add(job.Masked);
        spec.InputArtifacts.Add(job.Inputs.Select(a => new ArtifactRef { Name = a.Name, Sha256 = a.Sha256, Size = a.Size }));
        foreach (var output in job.Action.OutputArtifacts)
        {
            var artifact = new OutputArtifactSpec { Name = output.Name };
            artifact.Paths.Add(output.Paths);
            spec.OutputArtifacts.Add(artifact);
        }

        if (job.Action.Resources is { } limits)
        {
            spec.Resources = new ResourceLimits
            {
                MemoryBytes = limits.MemoryBytes ?? 0,
                NanoCpus = limits.Cpus is { } cpus ? (long)(cpus * 1_000_000_000) : 0,
                Pids = limits.Pids ?? 0,
            };
        }

        if (job.Action.Git is { } git)
        {
            spec.Git = new GitFetch { Repository = git.Repository, Commit = git.Commit ?? "", Ref = git.Branch ?? git.Tag ?? "", Depth = git.Depth ?? 0 };
        }

        if (job.Action.Http is { } http)
        {
            spec.Http = new HttpCall { Method = http.Method, Url = http.Url, Body = http.Body ?? "" };
            spec.Http.ExpectedStatus.Add(http.ExpectedStatus);
            foreach (var (name, value) in http.Headers)
            {
                spec.Http.Headers[name] = value;
            }

            foreach (var (name, source) in http.Outputs)
            {
                spec.Http.Outputs[name] = source;
            }
        }

        foreach (var (name, value) in job.Action.Env)
        {
            spec.Env[name] = value;
        }

        AddImageFields(spec, job.Action);
        Send(new ControllerMessage
        {
            Offer = new JobOffer
            {
                AttemptId = job.AttemptId,
                ExecutionId = job.ExecutionId,
                Pipeline = job.Pipeline,
                Stage = job.Stage,
                Action = job.ActionName,
                Spec = spec,
                Traceparent = job.TraceParent ?? "",
            },
        });
        return Task.CompletedTask;
    }

    /// <summary>Pull policy, registry credentials, and the fields of image-build and container-deploy actions.</summary>
    private static void AddImageFields(ActionSpec spec, ActionDefinition action)
    {
        spec.Pull = action.Pull switch
        {
            PullPolicy.Always => "always",
            PullPolicy.Never => "never",
            _ => "ifNotPresent",
        };
        if (action.Registry is { } registry)
        {
            spec.Registry = new RegistryAuth { Username = registry.Username, Password = registry.Password };
        }

        if (action.Build is { } build)
        {
            spec.Build = new ImageBuild { Context = build.Context, Dockerfile = build.Dockerfile, Push = build.Push };
            spec.Build.Tags.Add(build.Tags);
            foreach (var (name, value) in build.BuildArgs)
            {
                spec.Build.BuildArgs[name] = value;
            }
        }

        if (action.Deploy is { } deploy)
        {
            spec.Deploy = new ServiceDeploy
            {
                Environment = deploy.Environment,
                Service = deploy.Service,
                Restart = deploy.Restart,
                HealthHttp = deploy.Health.HttpUrl ?? "",
                HealthCommand = deploy.Health.Command ?? "",
                HealthTimeoutMs = (long)deploy.Health.Timeout.TotalMilliseconds,
                HealthIntervalMs = (long)deploy.Health.Interval.TotalMilliseconds,
            };
            spec.Deploy.Ports.Add(deploy.Ports);
            spec.Deploy.Volumes.Add(deploy.Volumes);
        }
    }

    public Task Cancel(string attemptId, string reason, TimeSpan grace)
    {
        Send(new ControllerMessage
        {
            Cancel = new CancelAttempt { AttemptId = attemptId, Reason = reason, GraceMs = (long)grace.TotalMilliseconds },
        });
        return Task.CompletedTask;
    }

    public Task Drain(string reason)
    {
        Send(new ControllerMessage { Drain = new DrainAgent { Reason = reason } });
        return Task.CompletedTask;
    }

    public Task End(string reason)
    {
        EndReason = reason;
        _ended.Cancel();
        Complete();
        return Task.CompletedTask;
    }

    /// <summary>Cancelled when the controller ends the session (<see cref="End"/>).</summary>
    public CancellationToken Ended => _ended.Token;

    /// <summary>Why the controller ended the session; null while it has not.</summary>
    public string? EndReason { get; private set; }

    public void Send(ControllerMessage message) => _outbox.Writer.TryWrite(message);

    public void Complete() => _outbox.Writer.TryComplete();
}
