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
using Orleans.Runtime;

namespace Farm.Controller.Tests.Triggers;

/// <summary>Real HTTP/1.1 posts to the webhook endpoint on Kestrel, backed by a real grain cluster.</summary>
public sealed class WebhookTests : IAsyncLifetime
{
    private readonly GitRepository _repo = GitRepository.Create();
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
        await _farm.ApplyAsync(TriggerFixture.Pipeline("hello", _repo.Path, Hook()));
        await _farm.ApplyAsync(TriggerFixture.Pipeline("docs", _repo.Path, Hook(paths: new GlobFilter(["docs/**"], ["docs/draft/**"]))));
        await _farm.ApplyAsync(TriggerFixture.Pipeline("polled", _repo.Path, new TriggerDefinition { Source = "app", Poll = TimeSpan.FromMinutes(5) }));
        _secret = await _farm.Cluster.Grains.GetGrain<ITriggerGrain>("hello").GetSecret("app");

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

    private string Main => _repo.Git("rev-parse", "main").Trim();

    private byte[] PushBody(string gitRef = "refs/heads/main", string? after = null, string? repository = null, params string[] modified) =>
        Body(gitRef, after ?? Main, repository ?? _repo.Path, modified);

    private static byte[] Body(string gitRef, string after, string repository, string[] modified) =>
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

    private Task<(HttpStatusCode Status, string Text)> GitHubAsync(
        byte[] body, string @event = "push", string delivery = "d-1", string pipeline = "hello", string? secret = null, string trigger = "app") =>
        PostAsync($"/webhooks/github/{pipeline}/{trigger}", body,
            ("X-GitHub-Event", @event), ("X-GitHub-Delivery", delivery), ("X-Hub-Signature-256", "sha256=" + WebhookSignature.Sign(secret ?? _secret, body)));

    [Fact(Timeout = 60_000)]
    public async Task Signed_github_push_of_the_branch_head_starts_once_with_its_commit()
    {
        var commit = Main;
        var body = PushBody();

        var first = await GitHubAsync(body, delivery: "72d3162e-cc78-11e3-81ab-4c9367dc0958");
        var again = await GitHubAsync(body, delivery: "second");

        Assert.Equal((HttpStatusCode.Accepted, $"started hello-1 for refs/heads/main {commit[..7]}"), first);
        Assert.Equal((HttpStatusCode.Accepted, $"ignored: already started for {commit[..7]} (hello-1)"), again);
        var run = await _farm.ExecutionAsync(Assert.Single(_farm.Started));
        Assert.Equal(ExecutionRun.WebhookTrigger, run.Trigger);
        Assert.Equal("webhook: github delivery 72d3162e-cc78-11e3-81ab-4c9367dc0958", run.TriggeredBy);
        Assert.Equal(commit, Assert.Single(run.Sources).Commit);
    }

    [Fact(Timeout = 60_000)]
    public async Task Forged_or_unsigned_push_is_401_and_starts_nothing()
    {
        var body = PushBody();

        var forged = await GitHubAsync(body, secret: "not-the-secret");
        var unsigned = await PostAsync("/webhooks/github/hello/app", body, ("X-GitHub-Event", "push"));
        var badToken = await PostAsync("/webhooks/gitlab/hello/app", body, ("X-Gitlab-Event", "Push Hook"), ("X-Gitlab-Token", _secret + "x"));

        Assert.Equal((HttpStatusCode.Unauthorized, WebhookReceiver.NotAuthentic.Message), forged);
        Assert.Equal((HttpStatusCode.Unauthorized, WebhookReceiver.NotAuthentic.Message), unsigned);
        Assert.Equal((HttpStatusCode.Unauthorized, WebhookReceiver.NotAuthentic.Message), badToken);
        Assert.Empty(_farm.Started);
    }

    [Fact(Timeout = 60_000)]
    public async Task Missing_pipelines_and_triggers_answer_exactly_what_a_bad_signature_does()
    {
        var body = PushBody();
        var badSignature = await GitHubAsync(body, secret: "not-the-secret");

        var missingPipeline = await GitHubAsync(body, pipeline: "nope");
        var noWebhookTrigger = await GitHubAsync(body, pipeline: "polled");
        var missingTrigger = await GitHubAsync(body, trigger: "other");
        // Signed with a real secret, but sent where that secret is not the trigger's.
        var elsewhere = await GitHubAsync(body, pipeline: "nope", secret: _secret);

        Assert.Equal((HttpStatusCode.Unauthorized, WebhookReceiver.NotAuthentic.Message), badSignature);
        Assert.Equal(badSignature, missingPipeline);
        Assert.Equal(badSignature, noWebhookTrigger);
        Assert.Equal(badSignature, missingTrigger);
        Assert.Equal(badSignature, elsewhere);
        Assert.Empty(_farm.Started);
    }

    [Fact(Timeout = 60_000)]
    public async Task Secret_of_one_trigger_starts_nothing_through_another()
    {
        var docsSecret = await _farm.Cluster.Grains.GetGrain<ITriggerGrain>("docs").GetSecret("app");
        var body = PushBody(modified: ["docs/guide/intro.md"]);

        var helloSecretForDocs = await GitHubAsync(body, pipeline: "docs", secret: _secret);
        var docsSecretForHello = await GitHubAsync(body, pipeline: "hello", secret: docsSecret);
        var own = await GitHubAsync(body, pipeline: "docs", secret: docsSecret);

        Assert.NotEqual(_secret, docsSecret);
        Assert.Equal(HttpStatusCode.Unauthorized, helloSecretForDocs.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, docsSecretForHello.Status);
        Assert.Equal(HttpStatusCode.Accepted, own.Status);
        Assert.Equal(["docs-1"], _farm.Started);
    }

    [Fact(Timeout = 60_000)]
    public async Task Push_whose_commit_is_not_the_refs_head_starts_nothing_and_is_audited()
    {
        var older = Main;
        var newer = _repo.Commit("next.txt", "next");
        var made = "0123456789abcdef0123456789abcdef01234567";

        var stale = await GitHubAsync(PushBody(after: older), delivery: "stale-1");
        var invented = await GitHubAsync(PushBody(after: made), delivery: "invented-1");
        var noSuchBranch = await GitHubAsync(PushBody("refs/heads/release/9", after: newer), delivery: "nobranch-1");
        var audit = await _farm.Audit.ListAsync(10);

        Assert.Equal((HttpStatusCode.Conflict,
            $"not started: refs/heads/main in {_repo.Path} is at {newer[..7]}, not at the pushed {older[..7]}; a push that moved it on, or the next poll, starts the newer commit."),
            stale);
        Assert.Equal(HttpStatusCode.Conflict, invented.Status);
        Assert.Contains("not at the pushed 0123456", invented.Text);
        Assert.Equal((HttpStatusCode.Conflict, $"not started: {_repo.Path} has no refs/heads/release/9, so commit {newer[..7]} is not its head."), noSuchBranch);
        Assert.Empty(_farm.Started);
        Assert.Equal(
            ["webhook: github delivery nobranch-1", "webhook: github delivery invented-1", "webhook: github delivery stale-1"],
            audit.Where(e => e.Action == "WebhookRefused").Select(e => e.Actor));
        Assert.All(audit, e => Assert.Equal("hello/app", e.Target));
        Assert.Equal(stale.Text, audit[^1].Detail);
    }

    [Fact(Timeout = 60_000)]
    public async Task Gitlab_token_and_gitea_signature_start()
    {
        _repo.Checkout("release/2.0", create: true);
        var release = _repo.Commit("r.txt", "release");
        _repo.Checkout("main");
        var gitlabBody = PushBody("refs/heads/release/2.0", after: release);
        var main = _repo.Commit("m.txt", "main");
        var giteaBody = PushBody(after: main);

        var gitlab = await PostAsync("/webhooks/gitlab/hello/app", gitlabBody,
            ("X-Gitlab-Event", "Push Hook"), ("X-Gitlab-Token", _secret), ("X-Gitlab-Event-UUID", "gl-7"));
        var gitea = await PostAsync("/webhooks/gitea/hello/app", giteaBody,
            ("X-Gitea-Event", "push"), ("X-Gitea-Delivery", "gt-9"), ("X-Gitea-Signature", WebhookSignature.Sign(_secret, giteaBody)));

        Assert.Equal((HttpStatusCode.Accepted, $"started hello-1 for refs/heads/release/2.0 {release[..7]}"), gitlab);
        Assert.Equal((HttpStatusCode.Accepted, $"started hello-2 for refs/heads/main {main[..7]}"), gitea);
        Assert.Equal("webhook: gitlab delivery gl-7", (await _farm.ExecutionAsync("hello-1")).TriggeredBy);
        Assert.Equal("webhook: gitea delivery gt-9", (await _farm.ExecutionAsync("hello-2")).TriggeredBy);
    }

    [Fact(Timeout = 60_000)]
    public async Task Annotated_tag_push_is_taken_by_its_tag_object_or_its_commit()
    {
        await _farm.ApplyAsync(TriggerFixture.Pipeline("tagged", _repo.Path, Hook() with { Tags = new GlobFilter(["v*"], []) }));
        var secret = await _farm.Cluster.Grains.GetGrain<ITriggerGrain>("tagged").GetSecret("app");
        var commit = Main;
        _repo.Git("-c", "user.name=Farm Test", "-c", "user.email=test@farm.invalid", "tag", "-a", "v1", "-m", "one");
        var tagObject = _repo.Git("rev-parse", "v1").Trim();

        var byObject = await GitHubAsync(PushBody("refs/tags/v1", after: tagObject), pipeline: "tagged", secret: secret);

        Assert.NotEqual(commit, tagObject);
        Assert.Equal((HttpStatusCode.Accepted, $"started tagged-1 for refs/tags/v1 {tagObject[..7]}"), byObject);
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
        Assert.Equal((HttpStatusCode.Accepted, $"ignored: repository https://github.com/someone/else.git is not the trigger's source ({_repo.Path})"), foreign);
        Assert.Equal((HttpStatusCode.Accepted, "ignored: event 'issues'"), issues);
        Assert.Equal((HttpStatusCode.Accepted, "pong"), ping);
        Assert.Empty(_farm.Started);
    }

    [Fact(Timeout = 60_000)]
    public async Task Path_filter_starts_only_for_matching_changed_files()
    {
        var docsSecret = await _farm.Cluster.Grains.GetGrain<ITriggerGrain>("docs").GetSecret("app");
        var first = Main;
        var second = _repo.Commit("docs/guide/intro.md", "intro");

        var code = await GitHubAsync(PushBody(after: first, modified: ["src/app.c", "docs/draft/idea.md"]), pipeline: "docs", secret: docsSecret);
        var docs = await GitHubAsync(PushBody(after: second, modified: ["src/app.c", "docs/guide/intro.md"]), pipeline: "docs", secret: docsSecret);

        Assert.Equal((HttpStatusCode.Accepted, "ignored: no changed file matches paths"), code);
        Assert.Equal((HttpStatusCode.Accepted, $"started docs-1 for refs/heads/main {second[..7]}"), docs);
    }

    [Fact(Timeout = 60_000)]
    public async Task Unknown_provider_is_404_bad_payload_400_large_body_413()
    {
        var unknownProvider = await PostAsync("/webhooks/bitbucket/hello/app", PushBody());
        var notJson = await GitHubAsync("ref=main"u8.ToArray());
        var noCommit = await GitHubAsync(Encoding.UTF8.GetBytes($"{{\"ref\":\"refs/heads/main\",\"after\":\"HEAD\",\"repository\":{{\"url\":\"{_repo.Path}\"}}}}"));
        var large = await GitHubAsync(new byte[WebhookReceiver.MaxBodyBytes + 1]);

        Assert.Equal(HttpStatusCode.NotFound, unknownProvider.Status);
        Assert.Contains("unknown provider 'bitbucket'", unknownProvider.Text);
        Assert.Equal(HttpStatusCode.BadRequest, notJson.Status);
        Assert.StartsWith("cannot read the push: the body is not JSON", notJson.Text);
        Assert.Equal((HttpStatusCode.BadRequest, "cannot read the push: 'after' is 'HEAD', not a commit id."), noCommit);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, large.Status);
        Assert.Empty(_farm.Started);
    }

    [Fact(Timeout = 120_000)]
    public async Task Ten_thousand_deliveries_to_missing_names_activate_no_grain()
    {
        var catalog = _farm.Cluster.SiloServices.GetRequiredService<Farm.Controller.Storage.PipelineCatalog>();
        var receiver = new WebhookReceiver(
            _farm.Services.GetServices<IWebhookProvider>(), new StoredPipelines(_farm.Cluster.Grains, catalog), _farm.Cluster.Grains,
            _farm.Services.GetRequiredService<TriggerLauncher>(), new GitRemote(), _farm.Audit, TimeProvider.System,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<WebhookReceiver>.Instance);
        var management = _farm.Cluster.Client.GetGrain<IManagementGrain>(0);
        var body = PushBody();
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["X-GitHub-Event"] = "push",
            ["X-Hub-Signature-256"] = "sha256=" + WebhookSignature.Sign(_secret, body),
        };
        // Warm up: the management grain and the stored pipelines' grains are active before counting.
        var warm = await receiver.ReceiveAsync("github", "warm-up", "app", headers.GetValueOrDefault, body, CancellationToken.None);
        var before = await management.GetTotalActivationCount();

        var answers = new HashSet<WebhookResult>();
        for (var i = 0; i < 10_000; i++)
        {
            var name = Guid.NewGuid().ToString("N");
            answers.Add(await receiver.ReceiveAsync("github", i % 2 == 0 ? name : "hello", name, headers.GetValueOrDefault, body, CancellationToken.None));
        }

        var after = await management.GetTotalActivationCount();

        Assert.Equal(WebhookReceiver.NotAuthentic, warm);
        Assert.Equal([WebhookReceiver.NotAuthentic], answers);
        Assert.Equal(before, after);
        Assert.Empty(_farm.Started);
    }

    [Fact(Timeout = 60_000)]
    public async Task Webhook_and_poll_of_the_same_commit_start_once()
    {
        var repo = GitRepository.Create();
        await _farm.ApplyAsync(TriggerFixture.Pipeline("both", repo.Path, Hook() with { Poll = TimeSpan.FromMinutes(5) }));
        await _farm.Triggers.PollAsync("both", CancellationToken.None);
        var commit = repo.Commit("x.txt", "x");
        var secret = await _farm.Cluster.Grains.GetGrain<ITriggerGrain>("both").GetSecret("app");

        var pushed = await GitHubAsync(PushBody(after: commit, repository: repo.Path), pipeline: "both", secret: secret);
        await _farm.Triggers.PollAsync("both", CancellationToken.None);

        Assert.Equal((HttpStatusCode.Accepted, $"started both-1 for refs/heads/main {commit[..7]}"), pushed);
        Assert.Equal(["both-1"], _farm.Started);
    }
}
