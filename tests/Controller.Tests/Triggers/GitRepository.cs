using System.Diagnostics;

namespace Farm.Controller.Tests.Triggers;

/// <summary>A real Git repository in a temporary folder, changed with the git CLI.</summary>
public sealed class GitRepository
{
    private GitRepository(string path) => Path = path;

    public string Path { get; }

    public static GitRepository Create()
    {
        var repository = new GitRepository(Directory.CreateTempSubdirectory("farm-trigger-repo-").FullName);
        repository.Git("init", "--quiet", "--initial-branch=main");
        repository.Commit("README.md", "first");
        return repository;
    }

    /// <summary>Writes <paramref name="file"/> and commits it on the current branch; returns the commit.</summary>
    public string Commit(string file, string content)
    {
        var full = System.IO.Path.Combine(Path, file);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
        Git("add", "--", file);
        Git("-c", "user.name=Farm Test", "-c", "user.email=test@farm.invalid", "commit", "--quiet", "-m", $"change {file}");
        return Head();
    }

    public string Head() => Git("rev-parse", "HEAD").Trim();

    public void Checkout(string branch, bool create = false) =>
        Git(create ? ["checkout", "--quiet", "-b", branch] : ["checkout", "--quiet", branch]);

    public string Git(params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = Path, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("git did not start; install it with apt-get install git.");
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"git {string.Join(' ', arguments)} failed: {error}");
    }
}
