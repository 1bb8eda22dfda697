using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Farm.Controller.Triggers;
using Farm.Core.Executions;
using Farm.Core.Pipelines;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Farm.Controller.Tests.Triggers;

/// <summary>Real HTTP/1.1 posts to the webhook endpoint on Kestrel, backed by a real grain cluster.</summary>
public sealed class WebhookTests : IAsyncLifetime
{
    private const string Repository = "/srv/git/app";
    private const string Commit = "0123456789abcdef0123456789abcdef01234567";

    private TriggerFixture _farm = null!;
    private WebApplication _app = null!;
    private HttpClient _http = null!;
    private string _secret = "";

    private static TriggerDefinition Hook(GlobFilter? branches = null, GlobFilter? paths = null) => new()
    {
        Source = "app",
        Webhook = true,
        Branches = branches ?? new GlobFilter(["main", "release/*"], []),
        Paths = paths ?? GlobFilter.Everything,
    };

    public async Task InitializeAsync()
    {
        _farm = await TriggerFixture.StartAsync();
        await _farm.ApplyAsync(TriggerFixture.Pipeline("hello", Repository, Hook()));
        await _farm.ApplyAsync(TriggerFixture.Pipeline("docs", Repository, Hook(paths: new GlobFilter(["docs/**"], ["docs/draft/**"]))));
        _secret = await _farm.Cluster.Grains.GetGrain<ITriggerGrain>("hello").GetSecret();

        var port = FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, o => o.Protocols = HttpProtocols.Http1));
        builder.Services.AddSingleton(_farm.Receiver);
        _app = builder.Build();
        _app.MapFarmWebhooks(port);
        await _app.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.DisposeAsync();
        await _farm.DisposeAsync();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static byte[] PushBody(string gitRef = "refs/heads/main", string after = Commit, string repository = Repository, params string[] modified) =>
        JsonSerializer.SerializeToUtf8Bytes(new
        {
            @ref = gitRef,
            before = "1111111111111111111111111111111111111111",
            after,
            repository = new { url = repository, clone_url = repository + ".git" },
            commits = new[] { new { id = after, added = Array.Empty<string>(), modified, removed = Array.Empty<string>() } },
        });

    private async Task<(HttpStatusCode Status, string Text)> PostAsync(string path, byte[] body, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await _http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private Task<(HttpStatusCode Status, string Text)> GitHubAsync(byte[] body, string @event = "push", string delivery = "d-1", string pipeline = "hello", string? secret = null) =>
        PostAsync($"/webhooks/github/{pipeline}", body,
            ("X-GitHub-Event", @event), ("X-GitHub-Delivery", delivery), ("X-Hub-Signature-256", "sha256=" + WebhookSignature.Sign(secret ?? _secret, body)));

    [Fact(Timeout = 60_000)]
    public async Task Signed_github_push_starts_once_with_its_commit()
    {
        var body = PushBody();

        var first = await GitHubAsync(body, delivery: "72d3162e-cc78-11e3-81ab-4c9367dc0958");
        var again = await GitHubAsync(body, delivery: "second");

        Assert.Equal((HttpStatusCode.Accepted, "started hello-1 for refs/heads/main 0123456"), first);
        Assert.Equal((HttpStatusCode.Accepted, "ignored: already started for 0123456 (hello-1)"), again);
        var run = await _farm.ExecutionAsync(Assert.Single(_farm.Started));
        Assert.Equal(ExecutionRun.WebhookTrigger, run.Trigger);
        Assert.Equal("webhook: github delivery 72d3162e-cc78-11e3-81ab-4c9367dc0958", run.TriggeredBy);
        Assert.Equal(Commit, Assert.Single(run.Sources).Commit);
    }

    [Fact(Timeout = 60_000)]
    public async Task Forged_or_unsigned_push_is_401_and_starts_nothing()
    {
        var body = PushBody();

        var forged = await GitHubAsync(body, secret: "not-the-secret");
        var unsigned = await PostAsync("/webhooks/github/hello", body, ("X-GitHub-Event", "push"));
        var badToken = await PostAsync("/webhooks/gitlab/hello", body, ("X-Gitlab-Event", "Push Hook"), ("X-Gitlab-Token", _secret + "x"));

        Assert.Equal(HttpStatusCode.Unauthorized, forged.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, unsigned.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, badToken.Status);
        Assert.Contains("secret", forged.Text);
        Assert.Empty(_farm.Started);
    }

    [Fact(Timeout = 60_000)]
    public async Task Gitlab_token_and_gitea_signature_start()
    {
        var gitlabBody = PushBody("refs/heads/release/2.0");
        var giteaBody = PushBody(after: "fedcba9876543210fedcba9876543210fedcba98");

        var gitlab = await PostAsync("/webhooks/gitlab/hello", gitlabBody,
            ("X-Gitlab-Event", "Push Hook"), ("X-Gitlab-Token", _secret), ("X-Gitlab-Event-UUID", "gl-7"));
        var gitea = await PostAsync("/webhooks/gitea/hello", giteaBody,
            ("X-Gitea-Event", "push"), ("X-Gitea-Delivery", "gt-9"), ("X-Gitea-Signature", WebhookSignature.Sign(_secret, giteaBody)));

        Assert.Equal((HttpStatusCode.Accepted, "started hello-1 for refs/heads/release/2.0 0123456"), gitlab);
        Assert.Equal((HttpStatusCode.Accepted, "started hello-2 for refs/heads/main fedcba9"), gitea);
        Assert.Equal("webhook: gitlab delivery gl-7", (await _farm.ExecutionAsync("hello-1")).TriggeredBy);
        Assert.Equal("webhook: gitea delivery gt-9", (await _farm.ExecutionAsync("hello-2")).TriggeredBy);
    }

    [Fact(Timeout = 60_000)]
    public async Task Pushes_the_filters_refuse_are_ignored_with_why()
    {
        var branch = await GitHubAsync(PushBody("refs/heads/experiment"));
        var tag = await GitHubAsync(PushBody("refs/tags/v1"));
        var deletion = await GitHubAsync(PushBody(after: new string('0', 40)));
        var foreign = await GitHubAsync(PushBody(repository: "https://github.com/someone/else"));
        var issues = await GitHubAsync("{}"u8.ToArray(), @event: "issues");
        var ping = await GitHubAsync("{\"zen\":\"Keep it logically awesome.\"}"u8.ToArray(), @event: "ping");

        Assert.Equal((HttpStatusCode.Accepted, "ignored: branch 'experiment' is not included"), branch);
        Assert.Equal((HttpStatusCode.Accepted, "ignored: tag 'v1' is not included (the trigger includes no tags)"), tag);
        Assert.Equal((HttpStatusCode.Accepted, "ignored: deletion"), deletion);
        Assert.Equal((HttpStatusCode.Accepted, "ignored: repository https://github.com/someone/else.git is none of the pipeline's webhook sources (/srv/git/app)"), foreign);
        Assert.Equal((HttpStatusCode.Accepted, "ignored: event 'issues'"), issues);
        Assert.Equal((HttpStatusCode.Accepted, "pong"), ping);
        Assert.Empty(_farm.Started);
    }

    [Fact(Timeout = 60_000)]
    public async Task Path_filter_starts_only_for_matching_changed_files()
    {
        var docsSecret = await _farm.Cluster.Grains.GetGrain<ITriggerGrain>("docs").GetSecret();

        var code = await GitHubAsync(PushBody(modified: ["src/app.c", "docs/draft/idea.md"]), pipeline: "docs", secret: docsSecret);
        var docs = await GitHubAsync(PushBody(after: "abcdefabcdefabcdefabcdefabcdefabcdefabcd", modified: ["src/app.c", "docs/guide/intro.md"]), pipeline: "docs", secret: docsSecret);

        Assert.Equal((HttpStatusCode.Accepted, "ignored: no changed file matches paths"), code);
        Assert.Equal((HttpStatusCode.Accepted, "started docs-1 for refs/heads/main abcdefa"), docs);
    }

    [Fact(Timeout = 60_000)]
    public async Task Unknown_pipeline_or_provider_is_404_bad_payload_400_large_body_413()
    {
        var unknownPipeline = await GitHubAsync(PushBody(), pipeline: "nope");
        var unknownProvider = await PostAsync("/webhooks/bitbucket/hello", PushBody());
        var notJson = await GitHubAsync("ref=main"u8.ToArray());
        var noCommit = await GitHubAsync(Encoding.UTF8.GetBytes("{\"ref\":\"refs/heads/main\",\"after\":\"HEAD\",\"repository\":{\"url\":\"/srv/git/app\"}}"));
        var large = await GitHubAsync(new byte[WebhookReceiver.MaxBodyBytes + 1]);

        Assert.Equal((HttpStatusCode.NotFound, "no pipeline named 'nope' has been applied."), unknownPipeline);
        Assert.Equal(HttpStatusCode.NotFound, unknownProvider.Status);
        Assert.Contains("unknown provider 'bitbucket'", unknownProvider.Text);
        Assert.Equal(HttpStatusCode.BadRequest, notJson.Status);
        Assert.StartsWith("cannot read the push: the body is not JSON", notJson.Text);
        Assert.Equal((HttpStatusCode.BadRequest, "cannot read the push: 'after' is 'HEAD', not a commit id."), noCommit);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, large.Status);
        Assert.Empty(_farm.Started);
    }

    [Fact(Timeout = 60_000)]
    public async Task Webhook_and_poll_of_the_same_commit_start_once()
    {
        var repo = GitRepository.Create();
        await _farm.ApplyAsync(TriggerFixture.Pipeline("both", repo.Path, Hook() with { Poll = TimeSpan.FromMinutes(5) }));
        await _farm.Triggers.PollAsync("both", CancellationToken.None);
        var commit = repo.Commit("x.txt", "x");
        var secret = await _farm.Cluster.Grains.GetGrain<ITriggerGrain>("both").GetSecret();

        var pushed = await GitHubAsync(PushBody(after: commit, repository: repo.Path), pipeline: "both", secret: secret);
        await _farm.Triggers.PollAsync("both", CancellationToken.None);

        Assert.Equal((HttpStatusCode.Accepted, $"started both-1 for refs/heads/main {commit[..7]}"), pushed);
        Assert.Equal(["both-1"], _farm.Started);
    }
}
