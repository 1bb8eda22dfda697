using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Farm.Core.Pipelines;

/// <summary>Reading what image actions take: pull policy, registry credentials, image builds and deploys.</summary>
public static partial class PipelineParser
{
    private static readonly string[] RegistryKeys = ["username", "password"];
    private static readonly string[] HealthKeys = ["http", "command", "timeout", "interval"];
    private static readonly TimeSpan MaxHealthTimeout = TimeSpan.FromHours(1);

    private static readonly Dictionary<string, PullPolicy> PullPolicies = new(StringComparer.Ordinal)
    {
        ["ifNotPresent"] = PullPolicy.IfNotPresent,
        ["always"] = PullPolicy.Always,
        ["never"] = PullPolicy.Never,
    };

    private static readonly Dictionary<string, string> RestartPolicies = new(StringComparer.Ordinal)
    {
        ["unless-stopped"] = "unless-stopped",
        ["always"] = "always",
        ["on-failure"] = "on-failure",
        ["no"] = "no",
    };

    // Docker's rule for container names, which the environment and service make up.
    [GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex ServiceNamePattern();

    // [ip:]hostPort:containerPort[/tcp|/udp], the short form of `docker run -p` that names both ports.
    [GeneratedRegex(@"^(?:(?<ip>[0-9.]+|\[[0-9a-fA-F:]+\]):)?(?<host>[0-9]{1,5}):(?<container>[0-9]{1,5})(?:/(?<proto>tcp|udp))?$", RegexOptions.CultureInvariant)]
    private static partial Regex PortPattern();

    private static PullPolicy ReadPull(ParseContext context, Fields fields, string where)
    {
        var text = ReadOptionalText(context, fields, "pull", where);
        return text is not null && TryReadChoice(context, fields["pull"].Value, text, PullPolicies, "pull policy", where, out var policy)
            ? policy
            : PullPolicy.IfNotPresent;
    }

    /// <summary><c>registry: { username: ..., password: "#{secrets.REGISTRY_PASSWORD}" }</c>; null when absent or unusable (reported).</summary>
    private static RegistryCredentials? ReadRegistry(ParseContext context, Fields fields, string where, RunPosition position)
    {
        if (!fields.TryGetValue("registry", out var field) || IsNull(field.Value))
        {
            return null;
        }

        if (field.Value is not YamlMappingNode map)
        {
            WrongKind(context, field.Value, $"'registry' {where}", "a mapping with username and password");
            return null;
        }

        var at = $"in 'registry' {where}";
        var keys = ReadKeys(context, map, RegistryKeys, at);
        var username = ReadRequiredText(context, keys, map, "username", at, "the registry user name");
        var password = ReadRequiredText(context, keys, map, "password", at, "a secret reference, e.g. \"#{secrets.REGISTRY_PASSWORD}\"");
        if (username is not null)
        {
            CheckReferences(context, keys["username"].Value, username, "registry username", where, position, secretsAllowed: true);
        }

        if (password is not null)
        {
            CheckReferences(context, keys["password"].Value, password, "registry password", where, position, secretsAllowed: true);
            if (!password.Contains("#{secrets.", StringComparison.Ordinal))
            {
                // A password written into the file is stored and shown with the pipeline.
                context.Report(keys["password"].Value,
                    $"the registry password {where} is written in the file: store it with 'farm secret set PIPELINE NAME' and write \"#{{secrets.NAME}}\" here.");
            }
        }

        return username is null || password is null ? null : new RegistryCredentials(username, password);
    }

    /// <summary>The keys of an image-build action; null when no usable tag is given (reported).</summary>
    private static ImageBuildSettings? ReadImageBuild(
        ParseContext context, Fields fields, YamlMappingNode map, string where, RunPosition position)
    {
        var tags = new List<string>();
        if (!fields.ContainsKey("tags"))
        {
            context.Report(map, $"missing required key 'tags' {where}: add 'tags' with the image references to give the build, e.g. 127.0.0.1:5000/app:#{{execution.id}}.");
        }

        foreach (var (node, tag) in ReadTextList(context, fields, "tags", where, "tag", "127.0.0.1:5000/app:1"))
        {
            CheckReferences(context, node, tag, "tag", where, position);
            if (!tag.Contains("#{", StringComparison.Ordinal) && !ImageReference.TryValidate(tag, out var error))
            {
                context.Report(node, $"invalid tag '{Shorten(tag)}' {where}: {error}.");
                continue;
            }

            tags.Add(tag);
        }

        var contextPath = ReadWorkspacePath(context, fields, "context", where, ".");
        var dockerfile = ReadWorkspacePath(context, fields, "dockerfile", where, "Dockerfile");
        var buildArgs = new Dictionary<string, string>(StringComparer.Ordinal);
        if (fields.TryGetValue("buildArgs", out var argsField) && !IsNull(argsField.Value))
        {
            if (argsField.Value is not YamlMappingNode argsMap)
            {
                WrongKind(context, argsField.Value, $"'buildArgs' {where}", "a mapping of NAME: value");
            }
            else
            {
                foreach (var (keyNode, valueNode) in argsMap.Children)
                {
                    var name = ReadText(context, keyNode, $"a build argument name {where}");
                    var value = ReadText(context, valueNode, $"build argument '{name}' {where}");
                    if (name is null || value is null)
                    {
                        continue;
                    }

                    if (!EnvKeyPattern().IsMatch(name))
                    {
                        context.Report(keyNode, $"invalid build argument name '{Shorten(name)}' {where}: start it with a letter or '_' and use only letters, digits and '_'.");
                        continue;
                    }

                    // Build arguments are kept in the image's history, so no secret may stand here.
                    CheckReferences(context, valueNode, value, $"build argument '{name}'", where, position);
                    buildArgs[name] = value;
                }
            }
        }

        var push = ReadBool(context, fields, "push", where) ?? false;
        return tags.Count == 0 ? null : new ImageBuildSettings(dockerfile, contextPath, tags, buildArgs, push);
    }

    /// <summary>The keys of a container-deploy action besides those it shares with containers; null when environment or service is unusable (reported).</summary>
    private static DeploySettings? ReadDeploy(
        ParseContext context, Fields fields, YamlMappingNode map, string where, RunPosition position)
    {
        var environment = ReadServiceName(context, fields, map, "environment", where, "the environment to deploy to, e.g. staging");
        var service = ReadServiceName(context, fields, map, "service", where, "the service's name, e.g. web");

        var ports = new List<string>();
        foreach (var (node, port) in ReadTextList(context, fields, "ports", where, "port", "127.0.0.1:8080:80"))
        {
            var match = PortPattern().Match(port);
            if (!match.Success || !IsPort(match.Groups["host"].Value) || !IsPort(match.Groups["container"].Value))
            {
                context.Report(node,
                    $"invalid port '{Shorten(port)}' {where}: write [ip:]hostPort:containerPort[/tcp|/udp] with ports from 1 to 65535, e.g. 127.0.0.1:8080:80.");
                continue;
            }

            ports.Add(port);
        }

        var volumes = new List<string>();
        foreach (var (node, volume) in ReadTextList(context, fields, "volumes", where, "volume", "/srv/data:/data:ro"))
        {
            CheckReferences(context, node, volume, "volume", where, position);
            var parts = volume.Split(':');
            var valid = parts.Length is 2 or 3
                && parts[0].Length > 0
                && parts[1].StartsWith('/')
                && (parts.Length == 2 || parts[2] is "ro" or "rw");
            if (!valid)
            {
                context.Report(node,
                    $"invalid volume '{Shorten(volume)}' {where}: write source:target[:ro], where source is a host path or a volume name and target an absolute path in the container, e.g. /srv/data:/data:ro.");
                continue;
            }

            volumes.Add(volume);
        }

        var restart = "unless-stopped";
        if (ReadOptionalText(context, fields, "restart", where) is { } restartText
            && TryReadChoice(context, fields["restart"].Value, restartText, RestartPolicies, "restart policy", where, out var chosen))
        {
            restart = chosen;
        }

        var health = ReadHealth(context, fields, where, position);
        return environment is null || service is null ? null : new DeploySettings(environment, service, ports, volumes, restart, health);
    }

    private static bool IsPort(string text) => int.TryParse(text, out var port) && port is >= 1 and <= 65535;

    private static string? ReadServiceName(ParseContext context, Fields fields, YamlMappingNode map, string key, string where, string hint)
    {
        var name = ReadRequiredText(context, fields, map, key, where, hint);
        if (name is not null && !ServiceNamePattern().IsMatch(name))
        {
            context.Report(fields[key].Value,
                $"invalid {key} '{Shorten(name)}' {where}: use 1-63 letters, digits, '_', '.' or '-', starting with a letter or digit (no #{{...}}: it names the container).");
            return null;
        }

        return name;
    }

    /// <summary><c>health: { http: URL | command: TEXT, timeout: 60s, interval: 1s }</c>; the defaults when absent.</summary>
    private static HealthCheck ReadHealth(ParseContext context, Fields fields, string where, RunPosition position)
    {
        if (!fields.TryGetValue("health", out var field) || IsNull(field.Value))
        {
            return HealthCheck.Default;
        }

        if (field.Value is not YamlMappingNode map)
        {
            WrongKind(context, field.Value, $"'health' {where}", "a mapping with http or command, and timeout and interval");
            return HealthCheck.Default;
        }

        var at = $"in 'health' {where}";
        var keys = ReadKeys(context, map, HealthKeys, at);
        var url = ReadOptionalText(context, keys, "http", at);
        if (!string.IsNullOrEmpty(url))
        {
            CheckReferences(context, keys["http"].Value, url, "health http", where, position);
            CheckLiteralHttpUrl(context, keys["http"].Value, url, "http", at, "http://127.0.0.1:8080/health");
        }

        var command = ReadOptionalText(context, keys, "command", at);
        if (!string.IsNullOrEmpty(command))
        {
            CheckReferences(context, keys["command"].Value, command, "health command", where, position);
        }

        if (!string.IsNullOrEmpty(url) && !string.IsNullOrEmpty(command))
        {
            context.Report(keys["command"].Key, $"'health' {where} has both http and command: keep one of them.");
        }

        var timeout = ReadHealthDuration(context, keys, "timeout", at, HealthCheck.DefaultTimeout);
        var interval = ReadHealthDuration(context, keys, "interval", at, HealthCheck.DefaultInterval);
        return new HealthCheck(string.IsNullOrEmpty(url) ? null : url, string.IsNullOrEmpty(command) ? null : command, timeout, interval);
    }

    private static TimeSpan ReadHealthDuration(ParseContext context, Fields keys, string key, string where, TimeSpan fallback)
    {
        var text = ReadOptionalText(context, keys, key, where);
        if (text is null)
        {
            return fallback;
        }

        if (!Duration.TryParse(text, out var value) || value < TimeSpan.FromSeconds(1) || value > MaxHealthTimeout)
        {
            context.Report(keys[key].Value,
                $"invalid {key} '{Shorten(text)}' {where}: write a duration from 1s to {Duration.Format(MaxHealthTimeout)}, like 5s, 30s or 2m.");
            return fallback;
        }

        return value;
    }

    /// <summary>A path relative to the workspace that stays inside it; <paramref name="fallback"/> when absent or unusable (reported).</summary>
    private static string ReadWorkspacePath(ParseContext context, Fields fields, string key, string where, string fallback)
    {
        var text = ReadOptionalText(context, fields, key, where);
        if (string.IsNullOrEmpty(text))
        {
            return fallback;
        }

        var segments = text.Replace('\\', '/').Split('/');
        if (text.StartsWith('/') || segments.Contains(".."))
        {
            context.Report(fields[key].Value,
                $"'{key}' {where} must be a path inside the workspace, relative to it and without '..', not '{Shorten(text)}'.");
            return fallback;
        }

        return text;
    }

    /// <summary>
    /// The texts of a list key, or of one scalar taken as a one-item list, with their nodes; empty
    /// when absent. Items that are not text, or are blank, are reported and left out.
    /// </summary>
    private static List<(YamlNode Node, string Text)> ReadTextList(
        ParseContext context, Fields fields, string key, string where, string noun, string example)
    {
        var texts = new List<(YamlNode, string)>();
        if (!fields.TryGetValue(key, out var field) || IsNull(field.Value))
        {
            return texts;
        }

        var items = field.Value switch
        {
            YamlSequenceNode list => list.Children,
            YamlScalarNode scalar => [scalar],
            _ => null,
        };
        if (items is null)
        {
            WrongKind(context, field.Value, $"'{key}' {where}", $"a list of {noun}s, e.g. [{example.Split(' ')[0]}]");
            return texts;
        }

        foreach (var item in items)
        {
            var text = ReadText(context, item, $"a {noun} in '{key}' {where}");
            if (text is null)
            {
                continue;
            }

            if (string.IsNullOrWhiteSpace(text))
            {
                context.Report(item, $"a {noun} in '{key}' {where} is empty: write a {noun} such as {example}, or remove the item.");
                continue;
            }

            texts.Add((item, text));
        }

        return texts;
    }
}
