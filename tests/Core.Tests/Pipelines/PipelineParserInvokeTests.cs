using Farm.Core.Pipelines;

namespace Farm.Core.Tests.Pipelines;

/// <summary>
/// Actions that call out rather than run commands: approvals, HTTP requests and pipeline
/// invocations. Their defaults, and every mistake with its place and fix.
/// </summary>
public sealed class PipelineParserInvokeTests
{
    [Fact]
    public void Approval_without_keys_waits_seven_days_and_has_no_message()
    {
        // Arrange
        var yaml = PipelineTestFiles.WithAction("name: ok\ntype: approval");

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert
        Assert.Empty(result.Errors);
        var action = result.Pipeline!.Stages[0].Actions[0];
        Assert.Equal(ActionType.Approval, action.Type);
        Assert.Equal(new ApprovalSettings(null, null), action.Approval);
        Assert.Equal(ApprovalSettings.DefaultTimeout, action.Timeout);
        Assert.Equal(TimeSpan.FromDays(7), action.Timeout);
        Assert.Empty(action.Commands);
        Assert.Null(action.Namespace);
    }

    [Fact]
    public void Http_action_defaults_to_get_with_any_2xx_and_no_outputs()
    {
        // Arrange
        var yaml = PipelineTestFiles.WithAction("name: call\ntype: http\nurl: \"#{variables.base}/ping\"").Replace(
            "stages:", "variables:\n  - name: base\nstages:");

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert
        Assert.Empty(result.Errors);
        var action = result.Pipeline!.Stages[0].Actions[0];
        var http = action.Http!;
        Assert.Equal(("GET", "#{variables.base}/ping", (string?)null), (http.Method, http.Url, http.Body));
        Assert.Empty(http.Headers);
        Assert.Empty(http.ExpectedStatus);
        Assert.Empty(http.Outputs);
        Assert.Equal(ActionDefinition.DefaultTimeout, action.Timeout);
    }

    [Fact]
    public void Pipeline_action_names_another_pipeline_and_does_not_wait_by_default()
    {
        // Arrange
        var yaml = PipelineTestFiles.WithAction("name: next\ntype: pipeline\npipeline: deploy\nvariables: { target: prod, dry: }");

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert
        Assert.Empty(result.Errors);
        var invoke = result.Pipeline!.Stages[0].Actions[0].Invoke!;
        Assert.Equal(("deploy", false), (invoke.Pipeline, invoke.Wait));
        Assert.Equal([new("target", "prod"), new KeyValuePair<string, string>("dry", "")], invoke.Variables.ToList());
    }

    public static TheoryData<string, int, int, string> Errors => new()
    {
        // Approval
        {
            "name: ok\ntype: approval\nrunsOn: [linux]",
            7, 9,
            "approval actions do not take 'runsOn' (in action 'ok' of stage 'Source'): remove it; approval actions run in the controller, not on an agent."
        },
        {
            "name: ok\ntype: approval\ncommands: [make]",
            7, 9,
            "approval actions do not take 'commands' (in action 'ok' of stage 'Source'): remove it; only container and shell actions take it."
        },
        {
            "name: ok\ntype: approval\nnamespace: ok",
            7, 9,
            "approval actions do not take 'namespace' (in action 'ok' of stage 'Source'): remove it; only container, shell, git, http, pipeline, image-build and container-deploy actions take it."
        },
        {
            "name: ok\ntype: approval\nreviewUrl: review.example.com/42",
            7, 20,
            "invalid reviewUrl 'review.example.com/42' in action 'ok' of stage 'Source': write an absolute http or https URL, e.g. https://review.example.com/change/42, or build it from references such as #{variables.NAME}."
        },
        {
            "name: ok\ntype: approval\nmessage: \"Ship #{variables.nope}?\"",
            7, 18,
            "unknown variable 'nope' in action 'ok' of stage 'Source' (message): declare it under variables, or use #{execution.id} / #{pipeline.name}."
        },
        {
            "name: ok\ntype: approval\ntimeout: 721h",
            7, 18,
            "timeout '721h' in action 'ok' of stage 'Source' is out of range: use between 1s and 720h."
        },
        {
            "name: ok\ntype: approval\nmesage: hi",
            7, 9,
            "unknown key 'mesage' in action 'ok' of stage 'Source': did you mean 'message'? Allowed keys are name, type, message, reviewUrl, runOrder, timeout."
        },
        // Http
        {
            "name: call\ntype: http",
            5, 9,
            "missing required key 'url' in action 'call' of stage 'Source': add 'url' with the absolute http or https URL to call, e.g. https://api.example.com/deploy."
        },
        {
            "name: call\ntype: http\nurl: ftp://example.com/x",
            7, 14,
            "invalid url 'ftp://example.com/x' in action 'call' of stage 'Source': write an absolute http or https URL, e.g. https://api.example.com/deploy, or build it from references such as #{variables.NAME}."
        },
        {
            "name: call\ntype: http\nurl: https://x.example\nmethod: get",
            8, 17,
            "unknown HTTP method 'get' in action 'call' of stage 'Source': did you mean 'GET'? Use one of GET, POST, PUT, PATCH, DELETE, HEAD."
        },
        {
            "name: call\ntype: http\nurl: https://x.example\nheaders: { \"Bad Name\": x }",
            8, 20,
            "invalid header name 'Bad Name' in 'headers' in action 'call' of stage 'Source': use letters, digits and ! # $ % & ' * + - . ^ _ ` | ~ only, e.g. Content-Type."
        },
        {
            "name: call\ntype: http\nurl: https://x.example\nheaders:\n  Accept: a\n  accept: b",
            10, 11,
            "duplicate header 'accept' in 'headers' in action 'call' of stage 'Source': 'Accept' on line 9 is the same header (header names ignore case); keep one of them."
        },
        {
            "name: call\ntype: http\nurl: https://x.example\nexpectedStatus: [200, 600]",
            8, 31,
            "status code '600' in 'expectedStatus' in action 'call' of stage 'Source' is not valid: use whole numbers from 100 to 599, e.g. 200."
        },
        {
            "name: call\ntype: http\nurl: https://x.example\nexpectedStatus: [200, 200]",
            8, 31,
            "status code 200 is listed twice in 'expectedStatus' in action 'call' of stage 'Source': remove one of them."
        },
        {
            "name: call\ntype: http\nurl: https://x.example\nnamespace: api\noutputs: { ID: \"json:data..id\" }",
            9, 24,
            "invalid source 'json:data..id' for output 'ID' in action 'call' of stage 'Source': after 'json:' write a path of object keys and array indexes joined by '.', e.g. json:data.items.0.id."
        },
        {
            "name: call\ntype: http\nurl: https://x.example\nnamespace: api\noutputs: { ID: Status }",
            9, 24,
            "invalid source 'Status' for output 'ID' in action 'call' of stage 'Source': did you mean 'status'? Use status, body, header:NAME or json:PATH (e.g. json:data.items.0.id)."
        },
        {
            "name: call\ntype: http\nurl: https://x.example\nnamespace: api\noutputs: { 1ID: status }",
            9, 20,
            "invalid output name '1ID' in 'outputs' in action 'call' of stage 'Source': start it with a letter or '_' and use only letters, digits and '_'."
        },
        {
            "name: call\ntype: http\nurl: https://x.example\noutputs: { ID: status }",
            8, 9,
            "'outputs' in action 'call' of stage 'Source' needs a namespace to be used: add e.g. 'namespace: call', and later actions read them as #{call.NAME}."
        },
        {
            "name: call\ntype: http\nurl: https://x.example\nimage: alpine",
            8, 9,
            "http actions do not take 'image' (in action 'call' of stage 'Source'): remove it; only container and container-deploy actions take it."
        },
        // Pipeline
        {
            "name: next\ntype: pipeline",
            5, 9,
            "missing required key 'pipeline' in action 'next' of stage 'Source': add 'pipeline' with the name of the pipeline to start, e.g. pipeline: deploy."
        },
        {
            "name: next\ntype: pipeline\npipeline: app",
            7, 19,
            "pipeline 'app' in action 'next' of stage 'Source' is this pipeline itself: an action may not start its own pipeline, as every execution would start another without end; name a different pipeline."
        },
        {
            "name: next\ntype: pipeline\npipeline: \"-deploy\"",
            7, 19,
            "invalid pipeline name '-deploy' in action 'next' of stage 'Source': use 1-100 letters, digits, '-', '_' or '.', starting with a letter or digit."
        },
        {
            "name: next\ntype: pipeline\npipeline: deploy\nwait: maybe",
            8, 15,
            "'wait' in action 'next' of stage 'Source' must be true or false, not 'maybe'."
        },
        {
            "name: next\ntype: pipeline\npipeline: deploy\nvariables: { \"a b\": x }",
            8, 22,
            "invalid variable name 'a b' in 'variables' in action 'next' of stage 'Source': use up to 100 letters, digits, '_' or '-', starting with a letter or '_'."
        },
        {
            "name: next\ntype: pipeline\npipeline: deploy\nvariables: { a: \"#{variables.x}\" }",
            8, 25,
            "unknown variable 'x' in action 'next' of stage 'Source' (variable 'a'): declare it under variables, or use #{execution.id} / #{pipeline.name}."
        },
        {
            "name: next\ntype: pipeline\npipeline: deploy\nrunsOn: linux",
            8, 9,
            "pipeline actions do not take 'runsOn' (in action 'next' of stage 'Source'): remove it; pipeline actions run in the controller, not on an agent."
        },
        {
            "name: next\ntype: pipeline\npipeline: deploy\ntimeout: 25h",
            8, 18,
            "timeout '25h' in action 'next' of stage 'Source' is out of range: use between 1s and 24h."
        },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void Mistake_is_reported_with_place_and_fix(string action, int line, int column, string message)
    {
        // Arrange
        var yaml = PipelineTestFiles.WithAction(action);

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert
        Assert.Null(result.Pipeline);
        var error = Assert.Single(result.Errors);
        Assert.Equal((line, column, message), (error.Line, error.Column, error.Message));
    }

    [Fact]
    public void Mistakes_in_several_new_actions_are_all_reported_in_file_order()
    {
        // Arrange
        const string yaml = """
            name: app
            stages:
              - name: Go
                actions:
                  - name: ok
                    type: approval
                    image: alpine
                  - name: call
                    type: http
                    url: https://x.example
                    method: FETCH
                  - name: next
                    type: pipeline
                    pipeline: app
            """;

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert
        Assert.Null(result.Pipeline);
        Assert.Equal([(7, 9), (11, 17), (14, 19)], result.Errors.Select(e => (e.Line, e.Column)));
        Assert.StartsWith("approval actions do not take 'image'", result.Errors[0].Message);
        Assert.StartsWith("unknown HTTP method 'FETCH'", result.Errors[1].Message);
        Assert.Contains("is this pipeline itself", result.Errors[2].Message);
    }
}
