using System.Runtime.Versioning;
using Farm.Api.V1;

namespace Farm.EndToEnd.Tests;

/// <summary>
/// What the farm leaves on its machines' disks and prints on its users' terminals: the controller's
/// data folder and the agents' work folders are owner-only, and `farm logs` does not let an action's
/// output drive the terminal that reads it.
/// </summary>
[Collection(FarmCollection.Name)]
[UnsupportedOSPlatform("windows")]
public sealed class LocalFilesAndTerminalTests(FarmHost farm)
{
    private const UnixFileMode OwnerOnlyFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Everything under <paramref name="root"/>, the root included, that is not 0700 (folders) or 0600 (files), as "path mode".</summary>
    private static List<string> NotOwnerOnly(string root) =>
        Directory.EnumerateFileSystemEntries(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Prepend(root)
            .Where(path => new FileInfo(path).LinkTarget is null)
            .Select(path => (path, mode: File.GetUnixFileMode(path), folder: Directory.Exists(path)))
            .Where(e => e.mode != (e.folder ? OwnerOnlyFolder : OwnerOnlyFile))
            .Select(e => $"{e.path} {Convert.ToString((int)e.mode, 8)}")
            .ToList();

    [Fact]
    public async Task Data_folder_holds_only_owner_only_files_and_folders_after_a_run_with_logs_and_artifacts()
    {
        var yaml = $$"""
            name: modes
            stages:
              - name: Build
                actions:
                  - name: make
                    type: container
                    image: {{FarmHost.Image}}
                    runsOn: [ first ]
                    commands: [ "mkdir -p out", "echo built > out/app.txt", "echo made it" ]
                    outputArtifacts: [ { name: app, paths: [ out ] } ]
              - name: Test
                actions:
                  - name: use
                    type: container
                    image: {{FarmHost.Image}}
                    runsOn: [ first ]
                    inputArtifacts: [ app ]
                    commands: [ "cat out/app.txt" ]
            """;

        var id = await farm.ApplyAndStartAsync(yaml);
        var done = await farm.WatchAsync(id);

        Assert.True(done.Status == ExecutionStatus.Succeeded, done.ToString());
        var data = Path.Combine(farm.Root, "data");
        Assert.NotEmpty(Directory.EnumerateFiles(Path.Combine(data, "logs"), "*.log", SearchOption.AllDirectories));
        Assert.NotEmpty(Directory.EnumerateFiles(Path.Combine(data, "artifacts"), "*", SearchOption.AllDirectories));
        Assert.Empty(NotOwnerOnly(data));
        // The agent's work folder shuts out others; the workspaces below it are the containers' to use.
        var work = farm.AgentWorkDir("e2e-agent");
        Assert.Equal(OwnerOnlyFolder, File.GetUnixFileMode(work));
        Assert.Equal(OwnerOnlyFile, File.GetUnixFileMode(Path.Combine(work, "credential")));
    }

    [Fact]
    public async Task Log_with_terminal_escape_sequences_is_printed_inert_by_farm_logs_and_whole_with_raw()
    {
        // Title, clipboard (OSC 52), colour, screen clear, cursor up, an 8-bit CSI as UTF-8, a reset.
        var yaml = $$"""
            name: escapes
            stages:
              - name: Build
                actions:
                  - name: print
                    type: container
                    image: {{FarmHost.Image}}
                    commands:
                      - printf '\033]0;pwned\007\033]52;c;Y3VybCBldmlsIHwgc2g=\033\\\033[31mred\033[0m\033[2J\033[1A\302\2332Jok\033c\n'
            """;

        var id = await farm.ApplyAndStartAsync(yaml);
        var done = await farm.WatchAsync(id);
        var shown = await farm.RunCliAsync(["logs", id, "print"]);
        var raw = await farm.RunCliAsync(["logs", id, "print", "--raw"]);

        Assert.True(done.Status == ExecutionStatus.Succeeded, done.ToString());
        Assert.Equal((0, "\e[31mred\e[0mok\n"), (shown.ExitCode, shown.Stdout));
        Assert.Equal(
            "\e]0;pwned\a\e]52;c;Y3VybCBldmlsIHwgc2g=\e\\\e[31mred\e[0m\e[2J\e[1A\u009b2Jok\ec\n",
            raw.Stdout);
    }
}
