using System.Formats.Tar;
using Docker.DotNet;
using Docker.DotNet.Models;
using Farm.Agent.Logs;

namespace Farm.Agent.Executors;

/// <summary>
/// Builds an image from a Dockerfile in the workspace with the agent's engine (the build's own
/// output is the action's log), tags it, and with <c>push</c> pushes every tag to its registry.
/// Outputs: <c>imageId</c>; <c>tags</c> (comma-separated); <c>digest</c>, the registry's manifest
/// digest when pushed, else the image id; <c>image</c>, what a deploy should run:
/// <c>repository@digest</c> when pushed, else the image id. A failed build fails the action with
/// the build's own error line.
/// </summary>
public sealed class ImageBuildExecutor(DockerEngine engine) : IActionExecutor
{
    public async Task<ExecutorResult> RunAsync(AttemptContext context, CancellationToken cancellationToken)
    {
        var spec = context.Offer.Spec;
        var build = spec.Build ?? throw new InvalidOperationException("an image-build offer without build settings");
        var contextDir = Path.GetFullPath(Path.Combine(context.Workspace, build.Context));
        if (!Directory.Exists(contextDir))
        {
            return ExecutorResult.Failed($"the build context '{build.Context}' is not a folder of the workspace (add the artifact that holds it to inputArtifacts)");
        }

        if (!File.Exists(Path.Combine(contextDir, build.Dockerfile)))
        {
            return ExecutorResult.Failed($"there is no Dockerfile '{build.Dockerfile}' in the build context '{build.Context}'");
        }

        var log = context.Output.CreateWriter();
        var tarPath = Path.Combine(context.OutputFolder ?? Path.GetTempPath(), $"context-{context.Offer.AttemptId}.tar");
        try
        {
            await using (var tar = File.Create(tarPath))
            {
                await TarFile.CreateFromDirectoryAsync(contextDir, tar, includeBaseDirectory: false, cancellationToken);
            }

            if (await BuildAsync(context, build, tarPath, log, cancellationToken) is { } buildError)
            {
                return ExecutorResult.Failed(buildError);
            }

            var inspected = await engine.Client.Images.InspectImageAsync(build.Tags[0], cancellationToken);
            var outputs = new Dictionary<string, string>
            {
                ["imageId"] = inspected.ID,
                ["tags"] = string.Join(",", build.Tags),
                ["digest"] = inspected.ID,
                ["image"] = inspected.ID,
            };
            if (!build.Push)
            {
                return ExecutorResult.Done(outputs);
            }

            foreach (var tag in build.Tags)
            {
                if (await PushAsync(tag, spec, log, cancellationToken) is { } pushError)
                {
                    return ExecutorResult.Failed(pushError);
                }
            }

            // The engine records the registry's digest of what it pushed among the image's repo digests.
            var (repository, _) = SplitTag(build.Tags[0]);
            var pushed = await engine.Client.Images.InspectImageAsync(build.Tags[0], cancellationToken);
            var repoDigest = pushed.RepoDigests?.FirstOrDefault(d => d.StartsWith(repository + "@", StringComparison.Ordinal));
            if (repoDigest is null)
            {
                return ExecutorResult.Failed($"pushed {build.Tags[0]}, but the engine recorded no digest for {repository}");
            }

            outputs["digest"] = repoDigest[(repository.Length + 1)..];
            outputs["image"] = repoDigest;
            await log.WriteLineAsync($"pushed {string.Join(", ", build.Tags)} as {repoDigest}");
            return ExecutorResult.Done(outputs);
        }
        catch (DockerApiException e) when (!cancellationToken.IsCancellationRequested)
        {
            return ExecutorResult.Failed($"the Docker engine refused: {DockerEngine.Describe(e)}");
        }
        catch (HttpRequestException e) when (!cancellationToken.IsCancellationRequested)
        {
            return ExecutorResult.Failed($"cannot reach the Docker engine at {engine.Address}: {e.Message}");
        }
        finally
        {
            File.Delete(tarPath);
        }
    }

    /// <summary>Null when the build succeeded; otherwise the build's own error line.</summary>
    private async Task<string?> BuildAsync(AttemptContext context, Api.V1.ImageBuild build, string tarPath, SpoolWriter log, CancellationToken cancellationToken)
    {
        var spec = context.Offer.Spec;
        var parameters = new ImageBuildParameters
        {
            Tags = build.Tags.ToList(),
            Dockerfile = build.Dockerfile,
            BuildArgs = build.BuildArgs.ToDictionary(a => a.Key, a => a.Value),
            // RUN steps get the action's network like any container of the agent; none by default in tests.
            NetworkMode = string.IsNullOrEmpty(spec.Network) ? engine.DefaultNetwork : spec.Network,
            Remove = true,
            ForceRemove = true,
            Labels = new Dictionary<string, string>
            {
                ["farm.execution"] = context.Offer.ExecutionId,
                ["farm.pipeline"] = context.Offer.Pipeline,
            },
        };
        var auth = spec.Registry is null ? [] : new[] { DockerEngine.ToAuthConfig(spec.Registry, build.Tags[0]) };
        var progress = new EngineProgress(log);
        try
        {
            await using var tar = File.OpenRead(tarPath);
            await engine.Client.Images.BuildImageFromDockerfileAsync(parameters, tar, auth, new Dictionary<string, string>(), progress, cancellationToken);
        }
        catch (DockerApiException e) when (!cancellationToken.IsCancellationRequested)
        {
            return $"the image build failed: {DockerEngine.Describe(e)}";
        }
        finally
        {
            await progress.CompleteAsync();
        }

        return progress.Error is { } error ? $"the image build failed: {error}" : null;
    }

    private async Task<string?> PushAsync(string tag, Api.V1.ActionSpec spec, SpoolWriter log, CancellationToken cancellationToken)
    {
        var (repository, name) = SplitTag(tag);
        var progress = new EngineProgress(log);
        try
        {
            await engine.Client.Images.PushImageAsync(repository, new ImagePushParameters { Tag = name },
                DockerEngine.ToAuthConfig(spec.Registry, tag), progress, cancellationToken);
        }
        catch (DockerApiException e) when (!cancellationToken.IsCancellationRequested)
        {
            return $"pushing {tag} failed: {DockerEngine.Describe(e)}";
        }
        finally
        {
            await progress.CompleteAsync();
        }

        return progress.Error is { } error ? $"pushing {tag} failed: {error}" : null;
    }

    /// <summary><c>host:5000/app:1</c> → (<c>host:5000/app</c>, <c>1</c>); no tag means <c>latest</c>, as Docker reads it.</summary>
    internal static (string Repository, string Tag) SplitTag(string reference)
    {
        var colon = reference.LastIndexOf(':');
        return colon > reference.LastIndexOf('/') ? (reference[..colon], reference[(colon + 1)..]) : (reference, "latest");
    }
}
