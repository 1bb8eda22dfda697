using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Farm.Core.Pipelines;

/// <summary>An action's <c>retry</c> and a container action's <c>resources</c>.</summary>
public static partial class PipelineParser
{
    private const int MaxAgentLostRetries = 10;
    private const long MinMemoryBytes = 6 * 1024 * 1024;
    private static readonly string[] RetryKeys = ["onAgentLost"];
    private static readonly string[] ResourceKeys = ["memory", "cpus", "pids"];

    /// <summary><c>retry: { onAgentLost: N }</c>, N from 0 to 10.</summary>
    private static RetryPolicy ReadRetry(ParseContext context, Fields fields, string where)
    {
        if (!fields.TryGetValue("retry", out var field))
        {
            return RetryPolicy.None;
        }

        if (field.Value is not YamlMappingNode map)
        {
            WrongKind(context, field.Value, $"'retry' {where}", "a mapping such as { onAgentLost: 2 }");
            return RetryPolicy.None;
        }

        var retry = ReadKeys(context, map, RetryKeys, $"in 'retry' {where}");
        var text = ReadOptionalText(context, retry, "onAgentLost", $"in 'retry' {where}");
        if (text is null)
        {
            return RetryPolicy.None;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var times) || times > MaxAgentLostRetries)
        {
            context.Report(retry["onAgentLost"].Value,
                $"onAgentLost '{Shorten(text)}' in 'retry' {where} is not valid: use a whole number from 0 to {MaxAgentLostRetries}.");
            return RetryPolicy.None;
        }

        return new RetryPolicy(times);
    }

    /// <summary><c>resources: { memory: 512Mi, cpus: 1.5, pids: 256 }</c>; null when absent.</summary>
    private static ResourceLimits? ReadResources(ParseContext context, Fields fields, string where)
    {
        if (!fields.TryGetValue("resources", out var field))
        {
            return null;
        }

        if (field.Value is not YamlMappingNode map)
        {
            WrongKind(context, field.Value, $"'resources' {where}", "a mapping with memory, cpus and pids");
            return null;
        }

        var at = $"in 'resources' {where}";
        var limits = ReadKeys(context, map, ResourceKeys, at);
        long? memory = null;
        if (ReadOptionalText(context, limits, "memory", at) is { } memoryText)
        {
            memory = ParseMemory(memoryText);
            if (memory is null or < MinMemoryBytes)
            {
                context.Report(limits["memory"].Value,
                    $"memory '{Shorten(memoryText)}' {at} is not valid: write a size of at least 6Mi, such as 512Mi, 2Gi or 256m.");
                memory = null;
            }
        }

        double? cpus = null;
        if (ReadOptionalText(context, limits, "cpus", at) is { } cpuText)
        {
            if (double.TryParse(cpuText, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var parsed) && parsed is >= 0.01 and <= 256)
            {
                cpus = parsed;
            }
            else
            {
                context.Report(limits["cpus"].Value, $"cpus '{Shorten(cpuText)}' {at} is not valid: use a number from 0.01 to 256, such as 1.5.");
            }
        }

        int? pids = null;
        if (ReadOptionalText(context, limits, "pids", at) is { } pidText)
        {
            if (int.TryParse(pidText, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed is >= 16 and <= 1_000_000)
            {
                pids = parsed;
            }
            else
            {
                context.Report(limits["pids"].Value, $"pids '{Shorten(pidText)}' {at} is not valid: use a whole number from 16 to 1000000.");
            }
        }

        return new ResourceLimits(memory, cpus, pids);
    }

    /// <summary>Bytes, or a number with k, m, g (or Ki, Mi, Gi) in powers of 1024, as Docker reads them.</summary>
    private static long? ParseMemory(string text)
    {
        var match = MemoryPattern().Match(text.Trim());
        if (!match.Success || !long.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return null;
        }

        var unit = match.Groups[2].Value.ToLowerInvariant();
        var factor = unit.Length == 0 ? 1L : unit[0] switch { 'k' => 1L << 10, 'm' => 1L << 20, _ => 1L << 30 };
        return number > long.MaxValue / factor ? null : number * factor;
    }

    [GeneratedRegex("^([0-9]{1,15})((?:[kKmMgG])(?:i|b|ib|B|iB)?)?$", RegexOptions.CultureInvariant)]
    private static partial Regex MemoryPattern();
}
