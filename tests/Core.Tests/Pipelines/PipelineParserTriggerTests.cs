using Farm.Core.Pipelines;

namespace Farm.Core.Tests.Pipelines;

/// <summary>
/// The top-level <c>triggers</c> list: source triggers on git actions and cron schedules, their
/// defaults, and every mistake with its place and fix.
/// </summary>
public sealed class PipelineParserTriggerTests
{
    // Triggers go first, so their lines are known: the list starts on line 2, each item at column 5.
    private static string WithTriggers(string triggersYaml) =>
        "name: app\ntriggers:\n"
        + string.Join("\n", triggersYaml.Replace("\r\n", "\n").TrimEnd('\n').Split('\n').Select(line => "  " + line))
        + """

            stages:
              - name: Source
                actions:
                  - { name: src, type: git, repository: /srv/app.git, outputArtifacts: [{ name: s }] }
                  - { name: pinned, type: git, repository: /srv/lib.git, commit: abcdef1, outputArtifacts: [{ name: l }] }
            """;

    [Fact]
    public void Trigger_filters_may_be_single_strings_and_tags_with_include_start_executions()
    {
        // Arrange
        var yaml = WithTriggers("""
            - source: src
              poll: 10s
              branches: { include: main }
              tags: { include: "v*", exclude: "v0*" }
              paths: { include: "src/**", exclude: "**/*.md" }
            """);

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert
        Assert.Empty(result.Errors);
        var trigger = Assert.Single(result.Pipeline!.Triggers);
        Assert.Equal(("src", TimeSpan.FromSeconds(10), false), (trigger.Source, trigger.Poll, trigger.Webhook));
        Assert.Equal((["main"], []), (trigger.Branches.Include.ToArray(), trigger.Branches.Exclude.ToArray()), new FilterComparer());
        Assert.Equal((["v*"], ["v0*"]), (trigger.Tags.Include.ToArray(), trigger.Tags.Exclude.ToArray()), new FilterComparer());
        Assert.Equal((["src/**"], ["**/*.md"]), (trigger.Paths.Include.ToArray(), trigger.Paths.Exclude.ToArray()), new FilterComparer());
        Assert.Equal("UTC", trigger.TimeZone);
    }

    [Fact]
    public void Pipeline_without_triggers_has_none()
    {
        // Arrange
        var yaml = PipelineTestFiles.WithAction("name: b\ntype: shell\ncommands: [make]");

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert
        Assert.Empty(result.Errors);
        Assert.Empty(result.Pipeline!.Triggers);
    }

    [Theory]
    [InlineData("0 0 * * *")]
    [InlineData("59 23 31 12 6")]
    [InlineData("0,30 8-18/2 1-15 jan,Jul sun-sat")]
    [InlineData("*/5 * * * 1-5")]
    [InlineData("  15   4 * * *  ")]
    public void Valid_cron_expressions_are_accepted(string schedule)
    {
        // Act
        var valid = CronSchedule.TryValidate(schedule, out var error);

        // Assert
        Assert.True(valid, error);
        Assert.Null(error);
    }

    [Theory]
    [InlineData("@daily", "shortcuts such as @daily are not supported; write five fields, minute hour day-of-month month day-of-week, e.g. '0 3 * * MON-FRI' for 03:00 on weekdays")]
    [InlineData("0 0 * *", "it has 4 fields; write five fields, minute hour day-of-month month day-of-week, e.g. '0 3 * * MON-FRI' for 03:00 on weekdays")]
    [InlineData("0 0 0 * * *", "it has 6 fields (a seconds field is not supported); write five fields, minute hour day-of-month month day-of-week, e.g. '0 3 * * MON-FRI' for 03:00 on weekdays")]
    [InlineData("60 * * * *", "the minute value '60' in '60' is out of range; use 0-59")]
    [InlineData("0 24 * * *", "the hour value '24' in '24' is out of range; use 0-23")]
    [InlineData("0 0 0 * *", "the day-of-month value '0' in '0' is out of range; use 1-31")]
    [InlineData("0 0 * 13 *", "the month value '13' in '13' is out of range; use 1-12 or JAN-DEC")]
    [InlineData("0 0 * * 7", "the day-of-week value '7' in '7' is out of range; use 0-6 or SUN-SAT (0 is Sunday)")]
    [InlineData("0 0 * FOO *", "the month field 'FOO' holds 'FOO', which is not a value; use 1-12 or JAN-DEC, with '*', ',', '-' and '/step'")]
    [InlineData("0 0 ? * *", "the day-of-month field '?' holds '?', which is not a value; use 1-31, with '*', ',', '-' and '/step'")]
    [InlineData("0 22-2 * * *", "the hour range '22-2' runs backwards; write the smaller value first, or split it into a list such as 22-23,0-2")]
    [InlineData("*/0 * * * *", "the step '0' in the minute field '*/0' is not valid; use a whole number from 1 to 59")]
    [InlineData("5/15 * * * *", "the minute field '5/15' has a step after a single value; a step follows '*' or a range, e.g. 5-59/15")]
    [InlineData("0,,5 * * * *", "the minute field '0,,5' has an empty item; remove the extra ','")]
    public void Invalid_cron_expression_names_the_field_and_the_fix(string schedule, string expected)
    {
        // Act
        var valid = CronSchedule.TryValidate(schedule, out var error);

        // Assert
        Assert.False(valid);
        Assert.Equal(expected, error);
    }

    [Fact]
    public void Europe_Berlin_is_a_known_time_zone_with_invariant_globalization()
    {
        // Arrange: the build sets InvariantGlobalization; zones still come from the system database.
        var found = TimeZoneInfo.TryFindSystemTimeZoneById("Europe/Berlin", out var zone);

        // Assert
        Assert.True(found, "Europe/Berlin is missing: install the tzdata package (/usr/share/zoneinfo).");
        Assert.True(zone!.HasIanaId);
    }

    public static TheoryData<string, int, int, string> Errors => new()
    {
        {
            "- source: src",
            3, 5,
            "trigger 1 never fires: it neither polls nor accepts webhooks; add e.g. poll: 5m, or webhook: true."
        },
        {
            "- source: src\n  webhook: false",
            4, 5,
            "trigger 1 never fires: it neither polls nor accepts webhooks; add e.g. poll: 5m, or webhook: true."
        },
        {
            "- source: src\n  webhook: yes",
            4, 14,
            "'webhook' in trigger 1 must be true or false, not 'yes'."
        },
        {
            "- source: sr\n  poll: 1m",
            3, 13,
            "no git action named 'sr' for the trigger in trigger 1: did you mean 'src'? Name a git action of this pipeline."
        },
        {
            "- source: build\n  poll: 1m",
            3, 13,
            "no git action named 'build' for the trigger in trigger 1: name one of the git actions of this pipeline: src, pinned."
        },
        {
            "- source: pinned\n  poll: 1m",
            3, 13,
            "git action 'pinned' watched in trigger 1 is fixed to commit abcdef1, so it never changes: remove 'commit' from the action to follow a branch, or remove the trigger."
        },
        {
            "- source: src\n  poll: 5s",
            4, 11,
            "poll '5s' in trigger 1 is out of range: use between 10s and 24h."
        },
        {
            "- source: src\n  poll: 25h",
            4, 11,
            "poll '25h' in trigger 1 is out of range: use between 10s and 24h."
        },
        {
            "- source: src\n  poll: often",
            4, 11,
            "invalid poll 'often' in trigger 1: write a duration like 30s, 5m or 1h."
        },
        {
            "- source: src\n  poll: 1m\n- source: src\n  webhook: true",
            5, 13,
            "duplicate trigger for source 'src' in trigger 2: the trigger on line 3 already watches it; merge the two into one trigger."
        },
        {
            "- source: src\n  poll: 1m\n  brnches: { include: main }",
            5, 5,
            "unknown key 'brnches' in trigger 1: did you mean 'branches'? Allowed keys are source, poll, webhook, branches, tags, paths, schedule, timeZone."
        },
        {
            "- source: src\n  poll: 1m\n  branches: [main]",
            5, 15,
            "'branches' in trigger 1 must be a mapping with include and exclude, e.g. branches: { include: [main] }, not a list."
        },
        {
            "- source: src\n  poll: 1m\n  branches: { includes: main }",
            5, 17,
            "unknown key 'includes' in 'branches' of trigger 1: did you mean 'include'? Allowed keys are include, exclude."
        },
        {
            "- source: src\n  poll: 1m\n  branches: { include: \"!main\" }",
            5, 26,
            "glob '!main' in 'include' in 'branches' of trigger 1 starts with '!': negation is not supported; move 'main' to 'exclude' instead."
        },
        {
            "- source: src\n  poll: 1m\n  tags: { exclude: \"v0*\" }",
            5, 5,
            "'tags' in trigger 1 has no include: tags start executions only when 'include' lists them; add e.g. include: ['v*'], or remove 'tags'."
        },
        {
            "- source: src\n  poll: 1m\n  timeZone: UTC",
            5, 5,
            "'timeZone' in trigger 1 belongs to schedule triggers, but this one is a source trigger: remove it, or put the schedule in a trigger of its own."
        },
        {
            "- source: src\n  schedule: \"0 3 * * *\"",
            4, 5,
            "trigger 1 has both 'source' and 'schedule': a trigger either watches a git action or runs on a schedule; split it into two triggers."
        },
        {
            "- schedule: \"0 3 * * *\"\n  poll: 1m",
            4, 5,
            "'poll' in trigger 1 belongs to source triggers, but this one is a schedule trigger: remove it, or put it in a source trigger of its own."
        },
        {
            "- timeZone: UTC",
            3, 5,
            "missing required key 'schedule' in trigger 1: add 'schedule' with a five-field cron expression, e.g. schedule: \"0 3 * * *\"."
        },
        {
            "- poll: 1m",
            3, 5,
            "missing required key 'source' or 'schedule' in trigger 1: add 'source' with the name of a git action to watch, or 'schedule' with a cron expression."
        },
        {
            "- schedule: \"0 25 * * *\"",
            3, 15,
            "invalid schedule '0 25 * * *' in trigger 1: the hour value '25' in '25' is out of range; use 0-23."
        },
        {
            "- schedule: \"0 3 * * *\"\n  timeZone: europe/berlin",
            4, 15,
            "unknown time zone 'europe/berlin' in trigger 1: did you mean 'Europe/Berlin'? Use an IANA time zone id such as Europe/Berlin or UTC."
        },
        {
            "- schedule: \"0 3 * * *\"\n  timeZone: utc",
            4, 15,
            "unknown time zone 'utc' in trigger 1: did you mean 'UTC'? Use an IANA time zone id such as Europe/Berlin or UTC."
        },
        {
            "- schedule: \"0 3 * * *\"\n  timeZone: Mars/Olympus_Mons_Base",
            4, 15,
            "unknown time zone 'Mars/Olympus_Mons_Base' in trigger 1: use an IANA time zone id such as Europe/Berlin, America/New_York or UTC."
        },
        {
            "- schedule: \"0 3 * * *\"\n- schedule: \"0 3 * * *\"\n  timeZone: UTC",
            4, 15,
            "duplicate schedule '0 3 * * *' in time zone UTC in trigger 2: the trigger on line 3 already runs on it; remove one of them."
        },
        {
            "- daily",
            3, 5,
            "trigger 1 must be a source trigger (source, poll, webhook, branches, tags, paths) or a schedule trigger (schedule, timeZone), not the value 'daily'."
        },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void Trigger_mistake_is_reported_with_place_and_fix(string triggers, int line, int column, string message)
    {
        // Arrange
        var yaml = WithTriggers(triggers);

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert
        Assert.Null(result.Pipeline);
        var error = Assert.Single(result.Errors);
        Assert.Equal((line, column, message), (error.Line, error.Column, error.Message));
    }

    [Fact]
    public void Triggers_that_are_not_a_list_are_reported()
    {
        // Arrange
        var yaml = PipelineTestFiles.WithAction("name: b\ntype: shell\ncommands: [make]") + "triggers: { source: src }\n";

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert
        var error = Assert.Single(result.Errors);
        Assert.Equal((8, 11), (error.Line, error.Column));
        Assert.Equal(
            "'triggers' at the top level of the file must be a list of triggers, each a source trigger (source, poll, webhook, branches, tags, paths) or a schedule trigger (schedule, timeZone), not a mapping.",
            error.Message);
    }

    private sealed class FilterComparer : IEqualityComparer<(string[] Include, string[] Exclude)>
    {
        public bool Equals((string[] Include, string[] Exclude) x, (string[] Include, string[] Exclude) y) =>
            x.Include.SequenceEqual(y.Include) && x.Exclude.SequenceEqual(y.Exclude);

        public int GetHashCode((string[] Include, string[] Exclude) obj) => obj.Include.Length;
    }
}
