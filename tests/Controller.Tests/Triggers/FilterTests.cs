using Farm.Controller.Triggers;
using Farm.Core.Pipelines;

namespace Farm.Controller.Tests.Triggers;

public sealed class FilterTests
{
    [Theory]
    [InlineData("main", "main", true)]
    [InlineData("release/*", "release/1.2", true)]
    [InlineData("release/*", "release/1.2/hotfix", false)]
    [InlineData("feature/**", "feature/a/b/c", true)]
    [InlineData("**/*.md", "README.md", true)]
    [InlineData("**/*.md", "docs/guide/intro.md", true)]
    [InlineData("docs/**", "src/docs/x", false)]
    [InlineData("v?.*", "v1.0", true)]
    [InlineData("a.b", "axb", false)]
    public void Glob_matches_within_and_across_segments(string pattern, string name, bool expected) =>
        Assert.Equal(expected, Glob.IsMatch(pattern, name));

    [Fact]
    public void Empty_branch_include_takes_every_branch_but_no_tag()
    {
        var trigger = new TriggerDefinition { Source = "app", Branches = new GlobFilter([], ["wip/**"]) };

        Assert.Null(TriggerRules.RefIgnoredBecause(trigger, "refs/heads/anything"));
        Assert.Equal("branch 'wip/x' is excluded", TriggerRules.RefIgnoredBecause(trigger, "refs/heads/wip/x"));
        Assert.Equal("tag 'v1' is not included (the trigger includes no tags)", TriggerRules.RefIgnoredBecause(trigger, "refs/tags/v1"));
        Assert.Equal("'refs/pull/1/head' is neither a branch nor a tag", TriggerRules.RefIgnoredBecause(trigger, "refs/pull/1/head"));
    }

    [Theory]
    [InlineData("https://github.com/owner/repo.git", "https://github.com/Owner/repo")]
    [InlineData("git@github.com:owner/repo.git", "https://github.com/owner/repo/")]
    [InlineData("ssh://git@gitlab.example.com:2222/group/app.git", "git@gitlab.example.com:group/app")]
    [InlineData("https://user:token@git.example.com/x/y", "http://git.example.com/x/y.git")]
    [InlineData("file:///srv/git/app", "/srv/git/app/")]
    public void Repository_addresses_compare_as_the_same_repository(string a, string b) =>
        Assert.True(RepositoryAddress.Same(a, b));

    [Fact]
    public void Different_repositories_differ() =>
        Assert.False(RepositoryAddress.Same("https://github.com/owner/repo", "https://github.com/owner/repo2"));
}
