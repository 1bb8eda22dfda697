using System.CommandLine;
using System.Globalization;
using Farm.Api.V1;
using Farm.Cli.Formatting;
using Google.Protobuf.WellKnownTypes;

namespace Farm.Cli.Commands;

/// <summary>
/// <c>farm executions PIPELINE</c>: a pipeline's executions, newest first, one page at a time, filtered
/// by status, trigger and start time. When more pages exist, standard error ends with the command
/// that shows the next one; <c>--all</c> follows the pages to the end instead.
/// </summary>
internal static class ExecutionsCommand
{
    /// <summary>The controller's own ceiling for one page.</summary>
    public const int MaxLimit = 500;

    public static Command Create()
    {
        var pipeline = new Argument<string>("PIPELINE") { Description = "The pipeline's name." };
        var limit = new Option<int>("--limit", "-n")
        {
            Description = $"Show at most this many executions per page, 1 to {MaxLimit} (default: the controller's, 50).",
            HelpName = "N",
        };
        limit.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > MaxLimit)
            {
                result.AddError($"--limit must be 1 to {MaxLimit}.");
            }
        });
        var status = new Option<string[]>("--status", "-s")
        {
            Description = $"Only executions with this status; repeat it or separate names with commas for several. One of {StatusNames.Choices}.",
            HelpName = "S",
        };
        status.Validators.Add(result =>
        {
            foreach (var name in StatusNames.Split(result.Tokens.Select(t => t.Value)))
            {
                if (StatusNames.TryParse(name) is null)
                {
                    result.AddError(StatusNames.Unknown(name));
                }
            }
        });
        var trigger = new Option<string?>("--trigger")
        {
            Description = "Only executions with this trigger: manual or rollback.",
            HelpName = "T",
        };
        var since = TimeOption("--since", "Only executions started at or after TIME");
        var until = TimeOption("--until", "Only executions started before TIME");
        var pageToken = new Option<string?>("--page-token")
        {
            Description = "Show the page after the one that printed this token (see the `more:` line).",
            HelpName = "TOKEN",
        };
        var all = new Option<bool>("--all")
        {
            Description = "Follow the pages to the end and show every matching execution.",
        };
        var json = CommonOptions.Json();
        json.Description = "Print the ListExecutionsResponse as JSON; with --all, one response holding every page's executions.";

        var command = new Command("executions", "List a pipeline's executions, newest first.")
        {
            pipeline, status, trigger, since, until, limit, pageToken, all, json,
        };
        command.SetVerb(async (context, cancellation) =>
        {
            var parse = context.Parse;
            var now = TimeProvider.System.GetUtcNow();
            var request = Request(
                parse.GetRequiredValue(pipeline),
                parse.GetValue(status) ?? [],
                parse.GetValue(trigger),
                parse.GetValue(since),
                parse.GetValue(until),
                parse.GetValue(limit),
                parse.GetValue(pageToken),
                now,
                TimeZoneInfo.Local);

            var response = await context.Controller.Executions.ListExecutionsAsync(request, cancellationToken: cancellation);
            if (parse.GetValue(all))
            {
                while (response.NextPageToken is { Length: > 0 } next)
                {
                    var page = await context.Controller.Executions.ListExecutionsAsync(
                        new ListExecutionsRequest(request) { PageToken = next }, cancellationToken: cancellation);
                    response.Executions.AddRange(page.Executions);
                    response.NextPageToken = page.NextPageToken;
                }
            }

            if (parse.GetValue(json))
            {
                await context.Output.WriteLineAsync(ProtoJson.Format(response));
                return CommandAction.Succeeded;
            }

            await context.Output.WriteAsync(Table(response, now));
            if (response.NextPageToken is { Length: > 0 })
            {
                await context.Output.FlushAsync(cancellation);
                await context.Error.WriteLineAsync("more: " + NextPageCommand(request, response.NextPageToken, parse.GetValue(GlobalOptions.Controller)));
            }

            return CommandAction.Succeeded;
        });
        return command;
    }

    /// <summary>
    /// The request the options ask for.
    /// </summary>
    /// <exception cref="CliException">A status or time is malformed, or <c>--since</c> is not before <c>--until</c>.</exception>
    public static ListExecutionsRequest Request(
        string pipeline, IEnumerable<string> statuses, string? trigger, string? since, string? until, int limit, string? pageToken,
        DateTimeOffset now, TimeZoneInfo zone)
    {
        var request = new ListExecutionsRequest
        {
            Pipeline = pipeline,
            Limit = limit,
            Trigger = trigger?.Trim() ?? "",
            PageToken = pageToken ?? "",
        };
        request.Statuses.AddRange(StatusNames.ParseAll(statuses));
        if (since is not null)
        {
            request.StartedAfter = Timestamp.FromDateTimeOffset(
                TimeArgument.TryParse(since, now, zone) ?? throw new CliException(TimeArgument.Malformed("--since", since)));
        }

        if (until is not null)
        {
            request.StartedBefore = Timestamp.FromDateTimeOffset(
                TimeArgument.TryParse(until, now, zone) ?? throw new CliException(TimeArgument.Malformed("--until", until)));
        }

        if (request.StartedAfter is not null && request.StartedBefore is not null && request.StartedAfter >= request.StartedBefore)
        {
            throw new CliException($"--since {since} is not before --until {until}, so no execution could match.");
        }

        return request;
    }

    /// <summary>
    /// The command that shows the page after <paramref name="request"/>'s: the same filters, with
    /// relative times written as the absolute ones they meant, so the next page continues the same
    /// list however much later it is typed.
    /// </summary>
    public static string NextPageCommand(ListExecutionsRequest request, string nextPageToken, string? controller)
    {
        var words = new List<string> { "farm", "executions", request.Pipeline };
        words.AddRange(request.Statuses.SelectMany(s => new[] { "--status", StatusNames.Name(s) }));
        if (request.Trigger.Length > 0)
        {
            words.AddRange(["--trigger", request.Trigger]);
        }

        if (request.StartedAfter is not null)
        {
            words.AddRange(["--since", IsoTime(request.StartedAfter)]);
        }

        if (request.StartedBefore is not null)
        {
            words.AddRange(["--until", IsoTime(request.StartedBefore)]);
        }

        if (request.Limit > 0)
        {
            words.AddRange(["--limit", request.Limit.ToString(CultureInfo.InvariantCulture)]);
        }

        if (!string.IsNullOrWhiteSpace(controller))
        {
            words.AddRange(["--controller", controller]);
        }

        words.AddRange(["--page-token", nextPageToken]);
        return string.Join(' ', words.Select(ShellWord.Quote));
    }

    public static string Table(ListExecutionsResponse response, DateTimeOffset now)
    {
        var table = new TextTable("ID", "STATUS", "TRIGGER", "STARTED", "DURATION");
        foreach (var execution in response.Executions)
        {
            table.AddRow(
                execution.Id,
                Display.Status(execution.Status),
                execution.Trigger,
                Display.Time(execution.StartedAt),
                Display.Duration(execution.StartedAt, execution.FinishedAt, now));
        }

        return table.ToString();
    }

    private static Option<string?> TimeOption(string name, string description)
    {
        var option = new Option<string?>(name)
        {
            Description = description + ": an ISO-8601 date or time (2025-01-02, 2025-01-02T15:04, 2025-01-02T15:04:05Z; "
                + "local time unless it names a zone) or an age such as 30m, 2h, 3d, 1w.",
            HelpName = "TIME",
        };
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && result.Tokens[^1].Value is var text
                && TimeArgument.TryParse(text, DateTimeOffset.UtcNow, TimeZoneInfo.Utc) is null)
            {
                result.AddError(TimeArgument.Malformed(name, text));
            }
        });
        return option;
    }

    private static string IsoTime(Timestamp time) =>
        time.ToDateTimeOffset().ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);
}
