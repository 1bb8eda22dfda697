using Docker.DotNet;
using Docker.DotNet.Models;
using Farm.Agent.Hosting;
using Farm.Agent.Logs;
using Farm.Api.V1;
using Microsoft.Extensions.Options;

namespace Farm.Agent.Executors;

/// <summary>
/// The agent's one client of its Docker engine, shared by the executors that use it, and what they
/// all do with images: pull by policy, with the action's registry credentials.
/// </summary>
public sealed class DockerEngine(IOptions<AgentOptions> options) : IDisposable
{
    public DockerClient Client { get; } = DockerEndpoint.Create(options.Value.DockerHost);

    /// <summary>Where the engine listens, for messages.</summary>
    public string Address => options.Value.DockerHost;

    /// <summary>The network of an action that names none.</summary>
    public string DefaultNetwork => options.Value.DefaultNetwork;

    /// <summary>
    /// Makes <paramref name="image"/> present as <paramref name="pull"/> asks (<c>always</c>,
    /// <c>never</c>, else <c>ifNotPresent</c>). Null when it is there; otherwise why it cannot be,
    /// with the registry's own answer.
    /// </summary>
    public async Task<string?> EnsureImageAsync(string image, string pull, RegistryAuth? auth, SpoolWriter? log, CancellationToken cancellationToken)
    {
        if (pull != "always" && await HasImageAsync(image, cancellationToken))
        {
            return null;
        }

        if (pull == "never")
        {
            return $"image '{image}' is not on the agent, and the action's pull policy is 'never'";
        }

        if (log is not null)
        {
            await log.WriteLineAsync($"pulling {image}");
        }

        // "not on the agent" tells the reader the pull was the fallback, not the policy.
        var failed = pull == "always" ? $"image '{image}' could not be pulled" : $"image '{image}' is not on the agent and could not be pulled";
        var progress = new EngineProgress(log);
        try
        {
            await Client.Images.CreateImageAsync(new ImagesCreateParameters { FromImage = image }, ToAuthConfig(auth, image), progress, cancellationToken);
        }
        catch (DockerApiException e)
        {
            return $"{failed}: {Describe(e)}";
        }
        finally
        {
            await progress.CompleteAsync();
        }

        if (progress.Error is { } error)
        {
            return $"{failed}: {error}";
        }

        return await HasImageAsync(image, cancellationToken) ? null : $"{failed}: the engine reported no error, but does not have it";
    }

    public async Task<bool> HasImageAsync(string image, CancellationToken cancellationToken)
    {
        try
        {
            await Client.Images.InspectImageAsync(image, cancellationToken);
            return true;
        }
        catch (DockerImageNotFoundException)
        {
            return false;
        }
    }

    /// <summary>The engine's credentials for the registry of <paramref name="image"/>; empty without credentials.</summary>
    public static AuthConfig ToAuthConfig(RegistryAuth? auth, string image) => auth is null || auth.Username.Length == 0
        ? new AuthConfig()
        : new AuthConfig { Username = auth.Username, Password = auth.Password, ServerAddress = RegistryHost(image) };

    /// <summary>The registry host of an image reference, as Docker decides it: the first part when it holds '.' or ':' or is localhost.</summary>
    public static string RegistryHost(string image)
    {
        var slash = image.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return "docker.io";
        }

        var first = image[..slash];
        return first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost" ? first : "docker.io";
    }

    /// <summary>The engine's message, rather than the HTTP status line around it.</summary>
    public static string Describe(DockerApiException e) =>
        string.IsNullOrWhiteSpace(e.ResponseBody) ? e.Message : e.ResponseBody.Trim();

    public void Dispose() => Client.Dispose();
}

/// <summary>
/// Reads an engine progress stream (pull, build, push): keeps its first error, since the engine
/// reports a failure there rather than as an HTTP error, and copies its text to the action's log
/// in order. <see cref="Progress{T}"/> would report on the thread pool, out of order; this queues
/// lines and one pump writes them.
/// </summary>
public sealed class EngineProgress : IProgress<JSONMessage>
{
    // Progress bars repeat many times a second; their final status ("Pushed", "Pull complete") is kept.
    private static readonly HashSet<string> Repeating = new(StringComparer.Ordinal)
    {
        "Pushing", "Downloading", "Extracting", "Waiting", "Preparing", "Verifying Checksum",
    };

    private readonly System.Threading.Channels.Channel<string> _lines = System.Threading.Channels.Channel.CreateUnbounded<string>(
        new System.Threading.Channels.UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    private readonly Task _pump;

    /// <param name="log">Where text goes; null keeps only the error.</param>
    public EngineProgress(SpoolWriter? log)
    {
        _pump = log is null ? Task.CompletedTask : PumpAsync(log);
    }

    /// <summary>The first error the engine reported; null while there is none.</summary>
    public string? Error { get; private set; }

    public void Report(JSONMessage value)
    {
        var error = value.Error?.Message;
        if (!string.IsNullOrWhiteSpace(error))
        {
            Error ??= error.Trim();
            _lines.Writer.TryWrite(error.TrimEnd('\n') + "\n");
            return;
        }

        if (!string.IsNullOrEmpty(value.Stream))
        {
            _lines.Writer.TryWrite(value.Stream);
        }
        else if (!string.IsNullOrEmpty(value.Status) && !Repeating.Contains(value.Status))
        {
            _lines.Writer.TryWrite(string.IsNullOrEmpty(value.ID) ? value.Status + "\n" : $"{value.ID}: {value.Status}\n");
        }
    }

    /// <summary>Waits until every line reported so far is in the log. Call once, after the engine call returned.</summary>
    public async Task CompleteAsync()
    {
        _lines.Writer.TryComplete();
        await _pump;
    }

    private async Task PumpAsync(SpoolWriter log)
    {
        await foreach (var text in _lines.Reader.ReadAllAsync())
        {
            await log.WriteAsync(System.Text.Encoding.UTF8.GetBytes(text));
        }

        await log.FlushAsync();
    }
}
