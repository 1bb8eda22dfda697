using System.Globalization;
using System.Runtime.InteropServices;
using Docker.DotNet;

namespace Farm.Bench;

/// <summary>The machine a result was measured on, as far as it matters for latency.</summary>
public sealed record MachineInfo(int Cores, string Memory, string Cpu, string Os, string Kernel, string Engine, string Runtime)
{
    /// <summary>What every report's "Machine" line says.</summary>
    public string Description => $"{Cores} cores ({Cpu}), {Memory} memory, {Os}, kernel {Kernel}; {Runtime}";

    public static async Task<MachineInfo> ReadAsync(DockerClient docker, CancellationToken cancellationToken)
    {
        var version = await docker.System.GetVersionAsync(cancellationToken);
        return new MachineInfo(
            Environment.ProcessorCount,
            TotalMemory(),
            Field("/proc/cpuinfo", "model name", ':') ?? RuntimeInformation.ProcessArchitecture.ToString(),
            Field("/etc/os-release", "PRETTY_NAME", '=')?.Trim('"') ?? RuntimeInformation.OSDescription,
            Read("/proc/sys/kernel/osrelease") ?? Environment.OSVersion.VersionString,
            $"Docker Engine {version.Version} (API {version.APIVersion}, {version.Os}/{version.Arch})",
            RuntimeInformation.FrameworkDescription);
    }

    private static string TotalMemory()
    {
        var kib = Field("/proc/meminfo", "MemTotal", ':')?.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
        return long.TryParse(kib, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? $"{value / 1024.0 / 1024.0:0.0} GiB"
            : "unknown";
    }

    /// <summary>The value of the first "name: value" (or name=value) line of a file; null when absent.</summary>
    private static string? Field(string path, string name, char separator) =>
        Read(path)?.Split('\n')
            .Select(line => line.Split(separator, 2))
            .Where(parts => parts.Length == 2 && parts[0].Trim() == name)
            .Select(parts => parts[1].Trim())
            .FirstOrDefault();

    private static string? Read(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
