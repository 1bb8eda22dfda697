using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Farm.Api.V1;

namespace Farm.EndToEnd.Tests;

/// <summary>Webhook pushes, http actions and notifications against the real controller and agents.</summary>
[Collection(FarmCollection.Name)]
public sealed class TriggerAndInvokeTests(FarmHost farm)
{
    private static readonly string Image = FarmHost.Image;

    private static async Task<string> Git(string repo, params string[] args)
    {
        var start = new ProcessStartInfo("git", args) { WorkingDirectory = repo, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var name in new[] { "GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME" })
        {
            start.Environment[name] = "Ada";
        }

        foreach (var name in new[] { "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL" })
        {
            start.Environment[name] = "ada@example.com";
        }

        using var git = Process.Start(start)!;
        var output = await git.StandardOutput.ReadToEndAsync();
        await git.WaitForExitAsync();
        Assert.Equal(0, git.ExitCode);
        return output.Trim();
    }

    [Fact]
    public async Task A_signed_github_push_starts_the_pushed_commit_once_and_a_forged_one_starts_nothing()
    {
        var repo = Directory.CreateDirectory(Path.Combine(farm.Root, "hooked-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        await Git(repo, "init", "-q", "-b", "main");
        await File.WriteAllTextAsync(Path.Combine(repo, "app.txt"), "pushed\n");
        await Git(repo, "add", "app.txt");
        await Git(repo, "commit", "-q", "-m", "pushed");
        var commit = await Git(repo, "rev-parse", "HEAD");
        await farm.Pipelines.ApplyPipelineAsync(new ApplyPipelineRequest
        {
            Definition = $$"""
                name: hooked
                triggers:
                  - source: src
                    webhook: true
                    branches: { include: [ main ] }
                stages:
                  - name: Source
                    actions:
                      - name: src
                        type: git
                        repository: {{repo}}
                        branch: main
                        outputArtifacts:
                          - name: code
                  - name: Build
                    actions:
                      - name: show
                        type: container
                        image: {{Image}}
                        inputArtifacts: [ code ]
                        commands: [ "cat app.txt" ]
                """,
        });
        var hooks = await farm.Pipelines.GetWebhooksAsync(new GetWebhooksRequest { Pipeline = "hooked" });
        var github = hooks.Webhooks.Single(w => w.Provider == "github" && w.Source == "src");
        var payload = $$$"""
            {"ref": "refs/heads/main", "before": "{{{new string('0', 40)}}}", "after": "{{{commit}}}",
             "repository": {"clone_url": "{{{repo}}}", "url": "{{{repo}}}"},
             "commits": [{"id": "{{{commit}}}", "added": ["app.txt"], "modified": [], "removed": []}],
             "head_commit": {"id": "{{{commit}}}"}}
            """;
        async Task<(HttpStatusCode Status, string Body)> Post(string signature, string delivery)
        {
            using var client = new HttpClient();
            using var request = new HttpRequestMessage(HttpMethod.Post, github.Url) { Content = new StringContent(payload, Encoding.UTF8, "application/json") };
            request.Headers.Add("X-GitHub-Event", "push");
            request.Headers.Add("X-GitHub-Delivery", delivery);
            request.Headers.Add("X-Hub-Signature-256", signature);
            using var response = await client.SendAsync(request);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        var signature = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(github.Secret), Encoding.UTF8.GetBytes(payload)));
        var forged = await Post("sha256=" + new string('a', 64), "d-0");
        var started = await Post(signature, "d-1");
        var repeated = await Post(signature, "d-2");
        var executions = await farm.Executions.ListExecutionsAsync(new ListExecutionsRequest { Pipeline = "hooked" });
        var done = await farm.WatchAsync(Assert.Single(executions.Executions).Id);

        Assert.StartsWith(farm.WebhookAddress, github.Url);
        Assert.Equal(HttpStatusCode.Unauthorized, forged.Status);
        Assert.Equal(HttpStatusCode.Accepted, started.Status);
        Assert.StartsWith("started hooked-1", started.Body);
        Assert.Equal(HttpStatusCode.Accepted, repeated.Status);
        Assert.StartsWith("ignored: already started", repeated.Body);
        Assert.Equal((ExecutionStatus.Succeeded, "webhook", "webhook: github delivery d-1"), (done.Status, done.Trigger, done.TriggeredBy));
        Assert.Equal(commit, Assert.Single(done.Sources).Commit);
        Assert.Equal("pushed\n", await farm.ReadLogAsync(done.Id, "Build", "show"));
    }

    [Fact]
    public async Task Http_action_output_variables_reach_a_later_command_and_notifications_are_signed()
    {
        var yaml = $$"""
            name: calls-out
            stages:
              - name: Call
                actions:
                  - name: ticket
                    type: http
                    method: POST
                    url: '{{farm.Sink.Url}}tickets/#{execution.id}'
                    headers: { X-Build: '#{execution.id}' }
                    body: '{"pipeline": "#{pipeline.name}"}'
                    expectedStatus: [ 201 ]
                    namespace: api
                    outputs: { id: 'json:id', request: 'header:X-Request-Id', code: status }
              - name: Use
                actions:
                  - name: echo
                    type: container
                    image: {{Image}}
                    commands: [ 'echo "#{api.id} #{api.request} #{api.code}"' ]
            """;

        var id = await farm.ApplyAndStartAsync(yaml);
        var call = await farm.Sink.NextContainingAsync("\"pipeline\": \"calls-out\"");
        var done = await farm.WatchAsync(id);
        var notification = await farm.Sink.NextContainingAsync($"\"executionId\":\"{id}\"");

        Assert.Equal(ExecutionStatus.Succeeded, done.Status);
        Assert.Equal($"/tickets/{id}", call.Path);
        Assert.Equal("ticket-42 req-7 201\n", await farm.ReadLogAsync(id, "Use", "echo"));
        Assert.Contains("\"event\":\"execution.succeeded\"", notification.Body);
        Assert.Equal(NotificationSink.Sign(notification.Body), notification.Signature);
    }

    [Fact]
    public async Task A_secret_set_through_the_cli_reaches_env_and_headers_and_never_appears_in_logs_or_the_api()
    {
        const string value = "tr0ub4dor-and-3";
        var yaml = $$"""
            name: secretive
            stages:
              - name: Use
                actions:
                  - name: print
                    type: container
                    image: {{Image}}
                    env: { TOKEN: '#{secrets.deploy_token}' }
                    commands:
                      - echo "plain $TOKEN"
                      - echo "encoded $(printf %s "$TOKEN" | base64)"
                      - echo "length ${#TOKEN}"
                  - name: call
                    type: http
                    method: POST
                    url: '{{farm.Sink.Url}}secret-check'
                    headers: { Authorization: 'Bearer #{secrets.deploy_token}' }
                    body: 'check'
            """;
        await farm.Pipelines.ApplyPipelineAsync(new ApplyPipelineRequest { Definition = yaml });
        var set = await farm.RunCliWithInputAsync(["secret", "set", "secretive", "deploy_token"], value + "\n");
        var listed = await farm.Pipelines.ListSecretsAsync(new ListSecretsRequest { Pipeline = "secretive" });

        var id = (await farm.Executions.StartExecutionAsync(new StartExecutionRequest { Pipeline = "secretive" })).ExecutionId;
        var done = await farm.WatchAsync(id);
        var log = await farm.ReadLogAsync(id, "Use", "print");

        Assert.Equal(0, set.ExitCode);
        Assert.Equal("deploy_token", Assert.Single(listed.Secrets).Name);
        Assert.True(done.Status == ExecutionStatus.Succeeded, done.ToString());
        Assert.Equal($"plain ***\nencoded ***\nlength {value.Length}\n", log);
        Assert.DoesNotContain(value, done.ToString());
        Assert.Equal("#{secrets.deploy_token}", done.Action("Use", "print").Resolved.Env["TOKEN"]);
        var stored = string.Join("", Directory.EnumerateFiles(Path.Combine(farm.Root, "data"), "*", SearchOption.AllDirectories)
            .Select(path => File.ReadAllText(path)));
        Assert.DoesNotContain(value, stored);
    }
}
