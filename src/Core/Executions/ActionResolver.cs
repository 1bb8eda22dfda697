using Farm.Core.Pipelines;

namespace Farm.Core.Executions;

/// <summary>Resolves every <c>#{...}</c> reference of an action for one execution, just before dispatch.</summary>
public static class ActionResolver
{
    /// <summary>
    /// The values references may name in <paramref name="run"/> now: <c>execution.id</c>,
    /// <c>pipeline.name</c>, <c>variables.NAME</c>, and <c>NS.KEY</c> for every output variable of a
    /// succeeded action with a namespace (for a rollback, the rolled-back execution's too).
    /// </summary>
    public static IReadOnlyDictionary<string, string> Values(ExecutionRun run)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["execution.id"] = run.Id,
            ["pipeline.name"] = run.Pipeline,
        };
        foreach (var (name, value) in run.Variables)
        {
            values["variables." + name] = value;
        }

        foreach (var (ns, outputs) in ExecutionMachine.OutputsByNamespace(run))
        {
            foreach (var (key, value) in outputs)
            {
                values[$"{ns}.{key}"] = value;
            }
        }

        return values;
    }

    /// <summary>
    /// True when <paramref name="action"/> refers to a pipeline secret; most do not, and their
    /// dispatch then reads no secrets.
    /// </summary>
    public static bool UsesSecrets(ActionDefinition action) => SecretReferences(action).Any();

    // Secrets are allowed only in env values, http headers and registry credentials (the parser refuses them elsewhere).
    private static IEnumerable<string> SecretReferences(ActionDefinition action)
    {
        string[] registry = action.Registry is { } auth ? [auth.Username, auth.Password] : [];
        return action.Env.Values.Concat(action.Http?.Headers.Values ?? []).Concat(registry).SelectMany(Interpolation.FindReferences)
            .Where(r => r.StartsWith(Interpolation.SecretPrefix, StringComparison.Ordinal)).Distinct();
    }

    /// <summary>
    /// The action with commands, env values, image and network resolved, and its input artifacts
    /// found among those the execution made (or inherited). Validation at apply time guarantees that
    /// every reference names something that runs earlier, but not that an action wrote the key; so a
    /// missing value or artifact is an error for a person, in <paramref name="error"/>.
    /// </summary>
    /// <param name="secrets">
    /// The pipeline's secrets, by name. They are resolved only in env values, http headers and registry credentials (the
    /// parser allows them nowhere else); <paramref name="dispatched"/>, which the execution stores
    /// and shows, keeps the <c>#{secrets.NAME}</c> references instead, and
    /// <paramref name="secretValues"/> lists the values the agent must mask in logs.
    /// </param>
    public static bool TryResolve(
        ActionDefinition action, ExecutionRun run, IReadOnlyDictionary<string, string> secrets,
        out ActionDefinition resolved, out ResolvedAction? dispatched, out IReadOnlyList<string> secretValues, out string? error)
    {
        var values = Values(run);
        var withSecrets = new Dictionary<string, string>(values, StringComparer.Ordinal);
        var shown = new Dictionary<string, string>(values, StringComparer.Ordinal);
        var used = new List<string>();
        foreach (var reference in SecretReferences(action))
        {
            var name = reference[Interpolation.SecretPrefix.Length..];
            if (!secrets.TryGetValue(name, out var secret))
            {
                (resolved, dispatched, secretValues) = (action, null, []);
                error = $"could not be dispatched: secret '{name}' is not set for pipeline '{run.Pipeline}'; set it with: farm secret set {run.Pipeline} {name}";
                return false;
            }

            withSecrets[reference] = secret;
            shown[reference] = $"#{{{reference}}}";
            used.Add(secret);
        }

        string R(string text) => Interpolation.Resolve(text, values);
        string Secret(string text) => Interpolation.Resolve(text, withSecrets);
        string Shown(string text) => Interpolation.Resolve(text, shown);
        resolved = action;
        dispatched = null;
        secretValues = used;
        IReadOnlyDictionary<string, string> displayEnv;
        try
        {
            displayEnv = action.Env.ToDictionary(e => e.Key, e => Shown(e.Value));
            resolved = action with
            {
                Commands = action.Commands.Select(R).ToList(),
                Env = action.Env.ToDictionary(e => e.Key, e => Secret(e.Value)),
                Image = action.Image is null ? null : R(action.Image),
                Network = action.Network is null ? null : R(action.Network),
                Approval = action.Approval is { } approval
                    ? approval with { Message = approval.Message is null ? null : R(approval.Message), ReviewUrl = approval.ReviewUrl is null ? null : R(approval.ReviewUrl) }
                    : null,
                Http = action.Http is { } http
                    ? http with { Url = R(http.Url), Headers = http.Headers.ToDictionary(h => h.Key, h => Secret(h.Value)), Body = http.Body is null ? null : R(http.Body) }
                    : null,
                Invoke = action.Invoke is { } invoke
                    ? invoke with { Variables = invoke.Variables.ToDictionary(v => v.Key, v => R(v.Value)) }
                    : null,
                Registry = action.Registry is { } credentials
                    ? new RegistryCredentials(Secret(credentials.Username), Secret(credentials.Password))
                    : null,
                Build = action.Build is { } build
                    ? build with { Tags = build.Tags.Select(R).ToList(), BuildArgs = build.BuildArgs.ToDictionary(a => a.Key, a => R(a.Value)) }
                    : null,
                Deploy = action.Deploy is { } deploy
                    ? deploy with
                    {
                        Volumes = deploy.Volumes.Select(R).ToList(),
                        Health = deploy.Health with
                        {
                            HttpUrl = deploy.Health.HttpUrl is null ? null : R(deploy.Health.HttpUrl),
                            Command = deploy.Health.Command is null ? null : R(deploy.Health.Command),
                        },
                    }
                    : null,
            };
        }
        catch (KeyNotFoundException e)
        {
            error = $"could not be dispatched: {e.Message} No earlier action wrote it to $FARM_OUTPUT.";
            return false;
        }

        if (action.Git is { } git)
        {
            // The execution pinned the revision at start; the agent checks out exactly that commit.
            var pinned = run.Sources.FirstOrDefault(p => p.Action == action.Name);
            if (pinned is null)
            {
                error = $"could not be dispatched: no revision was pinned for source '{action.Name}' when the execution started.";
                return false;
            }

            resolved = resolved with { Git = git with { Commit = pinned.Commit, Branch = pinned.Ref, Tag = null } };
        }

        var available = (run.Inherited?.Artifacts ?? []).Concat(ExecutionMachine.ProducedArtifacts(run))
            .GroupBy(a => a.Name).ToDictionary(g => g.Key, g => g.Last());
        var inputs = new List<ArtifactRef>();
        foreach (var name in action.InputArtifacts)
        {
            if (!available.TryGetValue(name, out var artifact))
            {
                error = $"could not be dispatched: input artifact '{name}' was not made by an earlier action of this execution.";
                return false;
            }

            inputs.Add(artifact);
        }

        dispatched = new ResolvedAction(resolved.Image, resolved.Commands, displayEnv, resolved.Network, inputs);
        error = null;
        return true;
    }
}
