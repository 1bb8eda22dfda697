using System.Text.Json.Nodes;
using Farm.Api.V1;
using Farm.Cli.Formatting;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Farm.Cli.Tests.Formatting;

public sealed class ProtoJsonTests
{
    private static Execution Row(string id, params string[] leftOut)
    {
        var row = new Execution { Id = id, Pipeline = "hello", Status = ExecutionStatus.Succeeded, Trigger = "manual", LeftOut = new FieldMask() };
        row.LeftOut.Paths.Add(leftOut);
        return row;
    }

    [Fact]
    public void Executions_json_shows_a_rows_values_and_nothing_for_the_fields_it_leaves_out()
    {
        var current = Row("hello-2", "stages", "revision");
        current.TriggeredBy = "ci-bot (alice@host)";
        current.Sources.Add(new SourceRevision { Action = "src", Commit = "c0ffee", Author = "Ada" });
        var older = Row("hello-1", "stages", "revision", "triggered_by", "rollback_of", "waiting_for_stage", "waiting_reason", "variables", "sources");
        var response = new ListExecutionsResponse { Executions = { current, older } };

        var json = JsonNode.Parse(ProtoJson.Format(response))!;

        var rows = json["executions"]!.AsArray();
        Assert.Equal("ci-bot (alice@host)", (string?)rows[0]!["triggeredBy"]);
        Assert.Equal(("src", "c0ffee", "Ada"), ((string?)rows[0]!["sources"]![0]!["action"], (string?)rows[0]!["sources"]![0]!["commit"], (string?)rows[0]!["sources"]![0]!["author"]));
        Assert.Equal("", (string?)rows[0]!["rollbackOf"]);
        Assert.Equal("stages,revision", (string?)rows[0]!["leftOut"]);
        Assert.False(rows[0]!.AsObject().ContainsKey("stages"));
        Assert.False(rows[0]!.AsObject().ContainsKey("revision"));
        // A row from before the history stored them: no value at all, rather than an empty one.
        Assert.Equal(["id", "pipeline", "pipelineVersion", "status", "message", "trigger", "leftOut"], rows[1]!.AsObject().Select(p => p.Key));
        Assert.Equal("", (string?)json["nextPageToken"]);
    }

    [Fact]
    public void Message_that_leaves_nothing_out_prints_every_default_as_the_protobuf_formatter_does()
    {
        var execution = new Execution { Id = "hello-3", Status = ExecutionStatus.InProgress };
        var expected = new JsonFormatter(JsonFormatter.Settings.Default.WithFormatDefaultValues(true).WithIndentation()).Format(execution);

        var text = ProtoJson.Format(execution);

        Assert.Equal(expected, text);
        Assert.Contains("\"stages\": []", text);
        Assert.Contains("\"triggeredBy\": \"\"", text);
    }
}
