using System.Globalization;
using System.Text;
using Farm.Agent.Attempts;

namespace Farm.Agent.CommandLine;

/// <summary>The text of <c>farm-agent.service</c>, and systemd's quoting rules for it.</summary>
internal static class SystemdUnit
{
    public const string Name = "farm-agent.service";

    /// <summary>Folders systemd loads system units from; a unit elsewhere is written but not started.</summary>
    public static readonly IReadOnlyList<string> SystemFolders =
        ["/etc/systemd/system", "/run/systemd/system", "/usr/local/lib/systemd/system", "/usr/lib/systemd/system", "/lib/systemd/system"];

    /// <summary>
    /// The unit: runs <paramref name="command"/> <c>run --config</c> <paramref name="configFile"/>,
    /// restarts it always, stops it with SIGTERM (which drains) sent to the agent alone
    /// (<c>KillMode=mixed</c>: the shell actions it runs keep going while it drains), and allows
    /// the drain grace plus 30 s before systemd kills what is left.
    /// </summary>
    public static string Render(IReadOnlyList<string> command, string configFile, DrainOptions drain, string? dotnetRoot)
    {
        var execStart = string.Join(" ", command.Concat(["run", "--config", configFile]).Select(Quote));
        var text = new StringBuilder()
            .Append("# Written by 'farm-agent install'; 'farm-agent uninstall' removes it.\n")
            .Append("[Unit]\n")
            .Append("Description=Farm agent: runs pipeline actions for a Farm controller\n")
            .Append("Wants=network-online.target\n")
            .Append("After=network-online.target docker.service\n")
            .Append('\n')
            .Append("[Service]\n")
            .Append("Type=exec\n")
            .Append("ExecStart=").Append(execStart).Append('\n')
            .Append("Environment=").Append(Quote($"{DrainOptions.GraceVariable}={FormatTimeSpan(drain.Grace)}")).Append('\n');
        if (!string.IsNullOrEmpty(dotnetRoot))
        {
            text.Append("Environment=").Append(Quote($"DOTNET_ROOT={dotnetRoot}")).Append('\n');
        }

        return text
            .Append("Restart=always\n")
            .Append("RestartSec=5\n")
            .Append("# SIGTERM drains the agent: no new work; running actions get the grace to finish.\n")
            .Append("KillSignal=SIGTERM\n")
            .Append("# SIGTERM goes to the agent alone; the shell actions it runs keep going while it drains.\n")
            .Append("KillMode=mixed\n")
            .Append($"# The drain grace plus 30 s; change it together with {DrainOptions.GraceVariable}.\n")
            .Append("TimeoutStopSec=").Append(((long)Math.Ceiling(drain.ServiceStopTimeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture)).Append('\n')
            .Append('\n')
            .Append("[Install]\n")
            .Append("WantedBy=multi-user.target\n")
            .ToString();
    }

    /// <summary>
    /// One word of a unit's command line or assignment: <c>%</c> and <c>$</c> doubled (systemd's
    /// specifiers and variables), and double quotes with backslash escapes around a word that has
    /// spaces, quotes, backslashes or semicolons.
    /// </summary>
    public static string Quote(string word)
    {
        var escaped = word.Replace("%", "%%", StringComparison.Ordinal).Replace("$", "$$", StringComparison.Ordinal);
        var plain = escaped.Length > 0 && !escaped.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '\\' or ';');
        return plain ? escaped : "\"" + escaped.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
    }

    /// <summary><c>00:10:00</c>, <c>1.00:00:00</c>: what <see cref="DrainOptions.TryParseGrace"/> reads back.</summary>
    public static string FormatTimeSpan(TimeSpan value) => value.ToString("c", CultureInfo.InvariantCulture);
}
