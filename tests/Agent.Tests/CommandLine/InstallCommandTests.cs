using Farm.Agent.CommandLine;

namespace Farm.Agent.Tests.CommandLine;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class InstallCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("farm-install-").FullName;

    private string Config => Path.Combine(_dir, "etc", "farm-agent", "agent.json");

    private string UnitDir => Path.Combine(_dir, "units");

    private string Unit => Path.Combine(UnitDir, "farm-agent.service");

    private static AgentMachine Machine(string? grace = null) =>
        new(["/opt/farm-agent/farm-agent"], name => name == "FARM_AGENT_DRAIN_GRACE" ? grace : null, SystemdRunning: false);

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(AgentMachine machine, params string[] args)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var exitCode = await AgentCommandLine.Create(machine).Parse(args).InvokeAsync(AgentCommandLine.Invocation(output, error));
        return (exitCode, output.ToString(), error.ToString());
    }

    private Task<(int ExitCode, string Output, string Error)> InstallAsync(AgentMachine machine, params string[] extra) =>
        RunAsync(machine, ["install", "--controller", "https://farm.example.com:7070", "--enroll-token", "enroll.abc123",
            "--config", Config, "--unit-dir", UnitDir, "--no-start", .. extra]);

    [Fact]
    public async Task Install_writes_the_config_readable_by_root_only_and_the_unit()
    {
        var (exitCode, output, error) = await InstallAsync(Machine(),
            "--labels", "linux,env=staging", "--labels", "gpu", "--slots", "4", "--work-dir", "/srv/farm agent");

        Assert.Equal((0, ""), (exitCode, error));
        Assert.Equal("""
            {
              "Farm": {
                "Agent": {
                  "Controller": "https://farm.example.com:7070",
                  "EnrollToken": "enroll.abc123",
                  "Labels": [
                    "linux",
                    "env=staging",
                    "gpu"
                  ],
                  "Slots": 4,
                  "WorkDir": "/srv/farm agent"
                }
              }
            }

            """, await File.ReadAllTextAsync(Config));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Config));
        Assert.Equal($"""
            # Written by 'farm-agent install'; 'farm-agent uninstall' removes it.
            [Unit]
            Description=Farm agent: runs pipeline actions for a Farm controller
            Wants=network-online.target
            After=network-online.target docker.service

            [Service]
            Type=exec
            ExecStart=/opt/farm-agent/farm-agent run --config {Config}
            Environment=FARM_AGENT_DRAIN_GRACE=00:10:00
            Restart=always
            RestartSec=5
            # SIGTERM drains the agent: no new work; running actions get the grace to finish.
            KillSignal=SIGTERM
            # SIGTERM goes to the agent alone; the shell actions it runs keep going while it drains.
            KillMode=mixed
            # The drain grace plus 30 s; change it together with FARM_AGENT_DRAIN_GRACE.
            TimeoutStopSec=630

            [Install]
            WantedBy=multi-user.target

            """, await File.ReadAllTextAsync(Unit));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(Unit));
        Assert.Contains("systemd does not run here, so nothing was started; run the agent with: /opt/farm-agent/farm-agent run --config", output);
    }

    [Fact]
    public async Task Install_takes_the_drain_grace_into_the_stop_timeout()
    {
        var (exitCode, _, _) = await InstallAsync(Machine(grace: "00:30:00"));

        var unit = await File.ReadAllTextAsync(Unit);
        Assert.Equal(0, exitCode);
        Assert.Contains("\nEnvironment=FARM_AGENT_DRAIN_GRACE=00:30:00\n", unit);
        Assert.Contains("\nTimeoutStopSec=1830\n", unit);
    }

    [Fact]
    public async Task Install_under_the_dotnet_host_runs_the_dll_and_quotes_paths_with_spaces()
    {
        var machine = new AgentMachine(["/usr/share/dotnet/dotnet", "/opt/my agent/farm-agent.dll"], _ => null, SystemdRunning: false);

        await InstallAsync(machine);

        Assert.Contains($"\nExecStart=/usr/share/dotnet/dotnet \"/opt/my agent/farm-agent.dll\" run --config {Config}\n", await File.ReadAllTextAsync(Unit));
    }

    [Theory]
    [InlineData("--labels", "linux,two words", "--labels: 'two words' is not a label")]
    [InlineData("--slots", "0", "--slots must be 1 to 1000.")]
    public async Task Install_refuses_bad_arguments_and_writes_nothing(string option, string value, string message)
    {
        var (exitCode, _, error) = await InstallAsync(Machine(), option, value);

        Assert.Equal(1, exitCode);
        Assert.Contains(message, error);
        Assert.False(File.Exists(Config));
        Assert.False(File.Exists(Unit));
    }

    [Fact]
    public async Task Install_refuses_a_controller_that_is_not_http()
    {
        var (exitCode, _, error) = await RunAsync(Machine(), "install", "--controller", "ftp://farm", "--enroll-token", "t",
            "--config", Config, "--unit-dir", UnitDir, "--no-start");

        Assert.Equal(1, exitCode);
        Assert.Contains("--controller 'ftp://farm' is not an http:// or https:// address", error);
        Assert.False(File.Exists(Config));
    }

    [Fact]
    public async Task Install_keeps_every_controller_of_a_cluster_in_the_config()
    {
        var (exitCode, _, error) = await RunAsync(Machine(), "install", "--controller", "https://ctl1:7070,https://ctl2:7070",
            "--enroll-token", "t", "--config", Config, "--unit-dir", UnitDir, "--no-start");

        Assert.Equal((0, ""), (exitCode, error));
        Assert.Contains("\"Controller\": \"https://ctl1:7070,https://ctl2:7070\"", await File.ReadAllTextAsync(Config));
    }

    [Fact]
    public async Task Install_refuses_a_controller_list_that_mixes_schemes()
    {
        var (exitCode, _, error) = await RunAsync(Machine(), "install", "--controller", "https://ctl1:7070,http://ctl2:7070",
            "--enroll-token", "t", "--config", Config, "--unit-dir", UnitDir, "--no-start");

        Assert.Equal(1, exitCode);
        Assert.Contains("or several of one scheme separated by commas", error);
        Assert.False(File.Exists(Config));
    }

    [Fact]
    public async Task Install_refuses_a_folder_it_cannot_write_and_writes_nothing()
    {
        // Not even root may create files in /proc, so this holds for every user.
        var (exitCode, _, error) = await RunAsync(Machine(), "install", "--controller", "http://127.0.0.1:7070",
            "--enroll-token", "t", "--config", Config, "--unit-dir", "/proc/farm-agent-units", "--no-start");

        Assert.Equal(1, exitCode);
        Assert.StartsWith("farm-agent: cannot write to /proc (", error);
        Assert.Contains("--unit-dir", error);
        Assert.False(File.Exists(Config));
    }

    [Fact]
    public async Task Uninstall_removes_both_files_and_keeps_the_work_folder()
    {
        var workDir = Directory.CreateDirectory(Path.Combine(_dir, "work")).FullName;
        await InstallAsync(Machine(), "--work-dir", workDir);

        var (exitCode, output, error) = await RunAsync(Machine(), "uninstall", "--config", Config, "--unit-dir", UnitDir, "--no-stop");

        Assert.Equal((0, ""), (exitCode, error));
        Assert.False(File.Exists(Config));
        Assert.False(File.Exists(Unit));
        Assert.True(Directory.Exists(workDir));
        Assert.Equal($"Removed {Unit}\nRemoved {Config}\nKept the work folder {workDir} (workspaces, log spools, artifact cache); delete it with: rm -rf {workDir}\n", output);
    }

    [Fact]
    public async Task Uninstall_with_nothing_installed_says_so()
    {
        var (exitCode, output, _) = await RunAsync(Machine(), "uninstall", "--config", Config, "--unit-dir", UnitDir);

        Assert.Equal(0, exitCode);
        Assert.StartsWith("Nothing to remove", output);
    }

    [Fact]
    public async Task Run_with_a_missing_config_file_names_it()
    {
        var (exitCode, _, error) = await RunAsync(Machine(), "run", "--config", Config);

        Assert.Equal(1, exitCode);
        Assert.Equal($"farm-agent: the config file {Config} does not exist; write one with 'farm-agent install' or give another with --config.\n", error);
    }

    [Fact]
    public async Task Run_with_a_bad_drain_grace_names_the_variable()
    {
        var (exitCode, _, error) = await RunAsync(Machine(grace: "soon"));

        Assert.Equal(1, exitCode);
        Assert.Contains("FARM_AGENT_DRAIN_GRACE='soon' is not a duration", error);
    }

    [Theory]
    [InlineData("/usr/share/dotnet/dotnet", "/opt/a/farm-agent.dll", new[] { "/usr/share/dotnet/dotnet", "/opt/a/farm-agent.dll" })]
    [InlineData("/opt/a/farm-agent", "/opt/a/farm-agent.dll", new[] { "/opt/a/farm-agent" })]
    [InlineData("/opt/a/farm-agent", "", new[] { "/opt/a/farm-agent" })]
    public void Agent_command_is_the_dotnet_host_with_the_dll_or_the_executable(string processPath, string assemblyPath, string[] expected) =>
        Assert.Equal(expected, AgentMachine.ResolveAgentCommand(processPath, assemblyPath));

    [Theory]
    [InlineData("/opt/farm-agent/farm-agent", "/opt/farm-agent/farm-agent")]
    [InlineData("/opt/my agent", "\"/opt/my agent\"")]
    [InlineData("50%", "50%%")]
    [InlineData("a\"b", "\"a\\\"b\"")]
    public void Unit_words_are_quoted_the_way_systemd_reads_them(string word, string expected) =>
        Assert.Equal(expected, SystemdUnit.Quote(word));

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
