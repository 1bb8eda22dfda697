namespace Farm.Api.V1;

/// <summary>
/// The one rule of what an action may do on an agent's host. The dispatcher applies it before it
/// offers an action (so an action waits, with this sentence as the reason, rather than fails), and
/// the agent applies it again to the resolved spec before it runs anything (so a controller that
/// skipped it, or a network or mount that a variable filled in, is still refused on the host).
/// </summary>
public sealed partial class HostPolicy
{
    /// <summary>
    /// Why this policy refuses an action, in one sentence naming the agent setting that would
    /// allow it; null when it allows it. <paramref name="shell"/> for a shell action,
    /// <paramref name="network"/> the container network it asks for, <paramref name="volumes"/> the
    /// <c>source:target[:ro]</c> mounts of a deploy.
    /// </summary>
    public string? Refusal(bool shell, string? network, IEnumerable<string> volumes)
    {
        if (shell && !AllowShell)
        {
            return "shell actions run commands on the agent's host, and this agent does not allow them (Farm:Agent:AllowShell is off)";
        }

        if (network is { Length: > 0 })
        {
            if (network == "host" && !AllowHostNetwork)
            {
                return "network 'host' puts the container on the agent host's network, and this agent does not allow it (Farm:Agent:AllowHostNetwork is off)";
            }

            if (network.StartsWith("container:", StringComparison.Ordinal))
            {
                return $"network '{network}' joins another container's network, which no agent allows";
            }
        }

        foreach (var volume in volumes)
        {
            if (HostPath(volume) is { } path && !AllowsPath(path))
            {
                return $"the mount of host path '{path}' is not in this agent's Farm:Agent:AllowedVolumes";
            }
        }

        return null;
    }

    /// <summary>What the policy allows beyond containers, for lists: <c>shell, host-network, volumes(/srv/**)</c>, or <c>containers-only</c>.</summary>
    public string Describe()
    {
        var allowed = new List<string>();
        if (AllowShell)
        {
            allowed.Add("shell");
        }

        if (AllowHostNetwork)
        {
            allowed.Add("host-network");
        }

        if (AllowedVolumes.Count > 0)
        {
            allowed.Add($"volumes({string.Join(" ", AllowedVolumes)})");
        }

        return allowed.Count == 0 ? "containers-only" : string.Join(", ", allowed);
    }

    /// <summary>The host path a <c>source:target[:ro]</c> mount takes, or null for a named volume.</summary>
    public static string? HostPath(string volume)
    {
        var colon = volume.IndexOf(':', StringComparison.Ordinal);
        var source = colon < 0 ? volume : volume[..colon];
        return source.StartsWith('/') || source.StartsWith('.') || source.StartsWith('~') ? source : null;
    }

    private bool AllowsPath(string path)
    {
        // A path with '..' could leave the folder a glob names: it is allowed only by a glob equal to it.
        var plain = !path.Contains("/..", StringComparison.Ordinal) && path.StartsWith('/');
        var normal = path.Length > 1 ? path.TrimEnd('/') : path;
        // A Docker socket gives root on the host: only a glob that names it exactly allows it.
        var socket = normal.EndsWith(".sock", StringComparison.Ordinal);
        foreach (var glob in AllowedVolumes)
        {
            if (glob == normal || (plain && !socket && PathGlob.IsMatch(glob, normal)))
            {
                return true;
            }
        }

        return false;
    }
}
