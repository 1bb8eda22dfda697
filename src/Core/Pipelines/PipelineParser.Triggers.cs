using YamlDotNet.RepresentationModel;

namespace Farm.Core.Pipelines;

/// <summary>
/// Reading the top-level <c>triggers</c> list: source triggers, which watch a git action's
/// repository (by polling, or by webhook pushes), and schedule triggers (cron in a time zone).
/// </summary>
public static partial class PipelineParser
{
    /// <summary>The shortest poll interval accepted: shorter ones load the Git host for little gain.</summary>
    public static readonly TimeSpan MinPoll = TimeSpan.FromSeconds(10);

    /// <summary>The longest poll interval accepted.</summary>
    public static readonly TimeSpan MaxPoll = TimeSpan.FromHours(24);

    private const string TriggerHint = "a source trigger (source, poll, webhook, branches, tags, paths) or a schedule trigger (schedule, timeZone)";

    private static readonly string[] SourceTriggerKeys = ["source", "poll", "webhook", "branches", "tags", "paths"];
    private static readonly string[] ScheduleTriggerKeys = ["schedule", "timeZone"];
    private static readonly string[] TriggerKeys = [.. SourceTriggerKeys, .. ScheduleTriggerKeys];
    private static readonly string[] GlobFilterKeys = ["include", "exclude"];

    /// <summary>The triggers, in file order; checked against the git actions of <paramref name="stages"/>.</summary>
    private static List<TriggerDefinition> ReadTriggers(ParseContext context, Fields fields, List<StageDefinition> stages)
    {
        var triggers = new List<TriggerDefinition>();
        if (!fields.TryGetValue("triggers", out var field) || IsNull(field.Value))
        {
            return triggers;
        }

        if (field.Value is not YamlSequenceNode list)
        {
            WrongKind(context, field.Value, $"'triggers' {TopLevel}", $"a list of triggers, each {TriggerHint}");
            return triggers;
        }

        var gitActions = stages
            .SelectMany(stage => stage.Actions.Where(a => a.Type == ActionType.Git).Select(action => (Stage: stage.Name, Action: action)))
            .ToList();
        var sources = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        var schedules = new Dictionary<(string Schedule, string TimeZone), YamlNode>();
        for (var index = 0; index < list.Children.Count; index++)
        {
            var item = list.Children[index];
            var where = $"in trigger {index + 1}";
            if (item is not YamlMappingNode map)
            {
                WrongKind(context, item, $"trigger {index + 1}", TriggerHint);
                continue;
            }

            var triggerFields = ReadKeys(context, map, TriggerKeys, where);
            var isSource = triggerFields.ContainsKey("source");
            var isSchedule = triggerFields.ContainsKey("schedule");
            if (isSource && isSchedule)
            {
                context.Report(triggerFields["schedule"].Key,
                    $"trigger {index + 1} has both 'source' and 'schedule': a trigger either watches a git action or runs on a schedule; split it into two triggers.");
                continue;
            }

            if (!isSource && !isSchedule)
            {
                var scheduleOnly = triggerFields.Keys.Any(ScheduleTriggerKeys.Contains);
                context.Report(map, scheduleOnly
                    ? $"missing required key 'schedule' {where}: add 'schedule' with a five-field cron expression, e.g. schedule: \"0 3 * * *\"."
                    : $"missing required key 'source' or 'schedule' {where}: add 'source' with the name of a git action to watch, or 'schedule' with a cron expression.");
                continue;
            }

            var otherKeys = isSource ? ScheduleTriggerKeys : SourceTriggerKeys;
            foreach (var key in otherKeys.Where(triggerFields.ContainsKey))
            {
                var fix = isSource
                    ? "remove it, or put the schedule in a trigger of its own"
                    : "remove it, or put it in a source trigger of its own";
                context.Report(triggerFields[key].Key,
                    $"'{key}' {where} belongs to {(isSource ? "schedule" : "source")} triggers, but this one is a {(isSource ? "source" : "schedule")} trigger: {fix}.");
            }

            var trigger = isSource
                ? ReadSourceTrigger(context, triggerFields, where, gitActions, sources)
                : ReadScheduleTrigger(context, triggerFields, where, schedules);
            if (trigger is not null)
            {
                triggers.Add(trigger);
            }
        }

        return triggers;
    }

    private static TriggerDefinition? ReadSourceTrigger(
        ParseContext context,
        Fields fields,
        string where,
        List<(string Stage, ActionDefinition Action)> gitActions,
        Dictionary<string, YamlNode> seen)
    {
        var source = ReadSourceName(context, fields, where, gitActions, seen);
        TimeSpan? poll = null;
        var pollText = ReadOptionalText(context, fields, "poll", where);
        if (pollText is not null)
        {
            var node = fields["poll"].Value;
            if (!Duration.TryParse(pollText, out var interval))
            {
                context.Report(node,
                    $"invalid poll '{Shorten(pollText)}' {where}: write a duration like 30s, 5m or 1h.");
            }
            else if (interval < MinPoll || interval > MaxPoll)
            {
                context.Report(node,
                    $"poll '{pollText}' {where} is out of range: use between {Duration.Format(MinPoll)} and {Duration.Format(MaxPoll)}.");
            }
            else
            {
                poll = interval;
            }
        }

        var webhook = ReadBool(context, fields, "webhook", where);
        // An unreadable webhook value is reported already; saying the trigger never fires would repeat it.
        var webhookUnreadable = fields.TryGetValue("webhook", out var webhookField) && !IsNull(webhookField.Value) && webhook is null;
        if (pollText is null && webhook is not true && !webhookUnreadable)
        {
            context.Report(fields.ContainsKey("webhook") ? webhookField.Key : fields["source"].Key,
                $"{where[3..]} never fires: it neither polls nor accepts webhooks; add e.g. poll: 5m, or webhook: true.");
        }

        var branches = ReadGlobFilter(context, fields, "branches", where, GlobFilter.Everything, "main or release/*");
        var tags = ReadGlobFilter(context, fields, "tags", where, GlobFilter.Nothing, "v*");
        var paths = ReadGlobFilter(context, fields, "paths", where, GlobFilter.Everything, "src/** or docs/*.md");
        return source is null
            ? null
            : new TriggerDefinition { Source = source, Poll = poll, Webhook = webhook ?? false, Branches = branches, Tags = tags, Paths = paths };
    }

    /// <summary>The git action a source trigger watches; null when unusable (reported).</summary>
    private static string? ReadSourceName(
        ParseContext context,
        Fields fields,
        string where,
        List<(string Stage, ActionDefinition Action)> gitActions,
        Dictionary<string, YamlNode> seen)
    {
        var source = ReadOptionalText(context, fields, "source", where);
        var node = fields["source"].Value;
        if (string.IsNullOrEmpty(source))
        {
            if (source is not null || IsNull(node))
            {
                context.Report(fields["source"].Key, $"'source' {where} is empty: set it to the name of a git action of this pipeline.");
            }

            return null;
        }

        var matches = gitActions.Where(g => g.Action.Name == source).ToList();
        if (matches.Count == 0)
        {
            var names = gitActions.Select(g => g.Action.Name).Distinct().ToList();
            var suggestion = Closest(source, names);
            var fix = suggestion is not null
                ? $"did you mean '{suggestion}'? Name a git action of this pipeline."
                : names.Count > 0
                    ? $"name one of the git actions of this pipeline: {string.Join(", ", names)}."
                    : "add an action with type: git that fetches the repository to watch, and name it here.";
            context.Report(node, $"no git action named '{Shorten(source)}' for the trigger {where}: {fix}");
            return null;
        }

        if (matches[0].Action.Git?.Commit is { } commit)
        {
            context.Report(node,
                $"git action '{source}' watched {where} is fixed to commit {commit}, so it never changes: remove 'commit' from the action to follow a branch, or remove the trigger.");
            return null;
        }

        if (seen.TryGetValue(source, out var first))
        {
            context.Report(node,
                $"duplicate trigger for source '{source}' {where}: the trigger on line {LineOf(first.Start)} already watches it; merge the two into one trigger.");
            return null;
        }

        seen.Add(source, node);
        return source;
    }

    private static TriggerDefinition? ReadScheduleTrigger(
        ParseContext context, Fields fields, string where, Dictionary<(string Schedule, string TimeZone), YamlNode> seen)
    {
        var schedule = ReadOptionalText(context, fields, "schedule", where);
        var node = fields["schedule"].Value;
        if (string.IsNullOrWhiteSpace(schedule))
        {
            if (schedule is not null || IsNull(node))
            {
                context.Report(fields["schedule"].Key,
                    $"'schedule' {where} is empty: set it to a five-field cron expression, e.g. schedule: \"0 3 * * *\".");
            }

            schedule = null;
        }
        else if (!CronSchedule.TryValidate(schedule, out var error))
        {
            context.Report(node, $"invalid schedule '{Shorten(schedule)}' {where}: {error}.");
            schedule = null;
        }

        var timeZone = ReadTimeZone(context, fields, where);
        if (schedule is null || timeZone is null)
        {
            return null;
        }

        schedule = schedule.Trim();
        if (seen.TryGetValue((schedule, timeZone), out var first))
        {
            context.Report(node,
                $"duplicate schedule '{schedule}' in time zone {timeZone} {where}: the trigger on line {LineOf(first.Start)} already runs on it; remove one of them.");
            return null;
        }

        seen.Add((schedule, timeZone), node);
        return new TriggerDefinition { Schedule = schedule, TimeZone = timeZone };
    }

    /// <summary>
    /// An IANA time zone id the machine knows; "UTC" when absent, null when unusable (reported).
    /// Looked up in the system's time zone database (on Linux, /usr/share/zoneinfo), which works
    /// with invariant globalization; Windows ids are refused, as they need ICU to convert.
    /// </summary>
    private static string? ReadTimeZone(ParseContext context, Fields fields, string where)
    {
        var text = ReadOptionalText(context, fields, "timeZone", where);
        if (text is null)
        {
            return "UTC";
        }

        // The lookup's cache ignores case, so whether 'utc' is found depends on what was looked up
        // before; only the exact spelling is accepted, so the file means the same on every machine.
        var found = text.Length > 0 && TimeZoneInfo.TryFindSystemTimeZoneById(text, out var zone) && zone.HasIanaId ? zone : null;
        if (found is not null && found.Id == text)
        {
            return text;
        }

        var suggestion = found?.Id
            ?? (text.Length == 0 ? null : Closest(text, TimeZoneInfo.GetSystemTimeZones().Where(z => z.HasIanaId).Select(z => z.Id)));
        var fix = suggestion is null
            ? "use an IANA time zone id such as Europe/Berlin, America/New_York or UTC."
            : $"did you mean '{suggestion}'? Use an IANA time zone id such as Europe/Berlin or UTC.";
        context.Report(IsNull(fields["timeZone"].Value) ? fields["timeZone"].Key : fields["timeZone"].Value,
            $"unknown time zone '{Shorten(text)}' {where}: {fix}");
        return null;
    }

    /// <summary>
    /// <c>{ include, exclude }</c>, each a list of globs or one glob; <paramref name="absent"/> when
    /// the key is missing. An empty include means everything, except for tags, which need one.
    /// </summary>
    private static GlobFilter ReadGlobFilter(
        ParseContext context, Fields fields, string key, string where, GlobFilter absent, string example)
    {
        if (!fields.TryGetValue(key, out var field) || IsNull(field.Value))
        {
            return absent;
        }

        if (field.Value is not YamlMappingNode map)
        {
            WrongKind(context, field.Value, $"'{key}' {where}", $"a mapping with include and exclude, e.g. {key}: {{ include: [{example.Split(' ')[0]}] }}");
            return absent;
        }

        var filterWhere = $"in '{key}' of {where[3..]}";
        var filterFields = ReadKeys(context, map, GlobFilterKeys, filterWhere);
        var include = ReadGlobs(context, filterFields, "include", filterWhere, example);
        var exclude = ReadGlobs(context, filterFields, "exclude", filterWhere, example);
        if (key == "tags" && include.Count == 0)
        {
            context.Report(filterFields.TryGetValue("include", out var includeField) ? includeField.Key : field.Key,
                $"'tags' {where} has no include: tags start executions only when 'include' lists them; add e.g. include: ['v*'], or remove 'tags'.");
            return absent;
        }

        return new GlobFilter(include, exclude);
    }

    /// <summary>A list of globs, or one scalar taken as a single glob; empty when absent.</summary>
    private static List<string> ReadGlobs(ParseContext context, Fields fields, string key, string where, string example)
    {
        var globs = new List<string>();
        foreach (var (item, glob) in ReadTextList(context, fields, key, where, "glob", example))
        {
            if (glob.StartsWith('!'))
            {
                context.Report(item,
                    $"glob '{Shorten(glob)}' in '{key}' {where} starts with '!': negation is not supported; move '{Shorten(glob[1..])}' to 'exclude' instead.");
                continue;
            }

            if (globs.Contains(glob))
            {
                context.Report(item, $"glob '{Shorten(glob)}' is listed twice in '{key}' {where}: remove one of them.");
                continue;
            }

            globs.Add(glob);
        }

        return globs;
    }
}
