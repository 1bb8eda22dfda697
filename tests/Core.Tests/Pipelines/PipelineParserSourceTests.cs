using Farm.Core.Pipelines;

namespace Farm.Core.Tests.Pipelines;

/// <summary>
/// Git actions (<c>type: git</c>), and a full sample that uses every action type and trigger:
/// what they parse to, and every mistake in a git action with its place and fix.
/// </summary>
public sealed class PipelineParserSourceTests
{
    [Fact]
    public void Full_sample_with_every_action_type_and_trigger_parses_to_exact_model_values()
    {
        // Arrange
        const string yaml = """
            name: release
            variables:
              - name: env
                default: staging
            triggers:
              - source: app
                poll: 5m
                webhook: true
                branches:
                  include: [main, "release/*"]
                  exclude: release/old
                tags:
                  include: "v*"
                paths:
                  exclude: ["docs/**"]
              - source: tools
                webhook: true
              - schedule: "30 2 * * MON-FRI"
                timeZone: Europe/Berlin
              - schedule: "*/15 0-6 1,15 JAN-JUN 0"
            stages:
              - name: Source
                actions:
                  - name: app
                    type: git
                    repository: https://git.example.com/team/app.git
                    branch: main
                    depth: 50
                    webUrl: https://git.example.com/team/app
                    runsOn: [linux]
                    timeout: 10m
                    namespace: src
                    outputArtifacts:
                      - name: app-src
                  - name: tools
                    type: git
                    repository: git@git.example.com:team/tools.git
                    tag: v2.0.1
                    outputArtifacts:
                      - name: tools-src
                        paths: [bin/**]
                  - name: lib
                    type: git
                    repository: file:///srv/git/lib.git
                    commit: 3F2A9C1
                    outputArtifacts:
                      - name: lib-src
              - name: Check
                actions:
                  - name: ping
                    type: http
                    url: "https://api.example.com/builds/#{src.COMMIT}"
                    method: POST
                    headers:
                      Authorization: "Bearer #{variables.env}"
                      Content-Type: application/json
                    body: '{"env": "#{variables.env}"}'
                    expectedStatus: [200, 201]
                    outputs:
                      BUILD_ID: json:data.items.0.id
                      LOCATION: header:Location
                      CODE: status
                      RAW: body
                    namespace: api
                    runsOn: linux
                  - name: probe
                    type: http
                    url: https://api.example.com/health
                    expectedStatus: 204
              - name: Approve
                actions:
                  - name: sign-off
                    type: approval
                    message: "Deploy #{api.BUILD_ID} to #{variables.env}?"
                    reviewUrl: "https://ci.example.com/builds/#{api.BUILD_ID}"
                  - name: late
                    type: approval
                    runOrder: 2
                    timeout: 720h
              - name: Deploy
                actions:
                  - name: start-deploy
                    type: pipeline
                    pipeline: deploy
                    variables:
                      target: "#{variables.env}"
                      build: "#{api.BUILD_ID}"
                    wait: true
                    timeout: 2h
                    namespace: child
                  - name: notify
                    type: pipeline
                    pipeline: notify
            """;

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert
        Assert.Empty(result.Errors);
        var pipeline = result.Pipeline!;
        Assert.Equal(["Source", "Check", "Approve", "Deploy"], pipeline.Stages.Select(s => s.Name));

        var app = pipeline.Stages[0].Actions[0];
        Assert.Equal(ActionType.Git, app.Type);
        Assert.Equal(
            new GitSource("https://git.example.com/team/app.git", "main", null, null, 50, "https://git.example.com/team/app"),
            app.Git);
        Assert.Equal(["linux"], app.RunsOn);
        Assert.Equal(TimeSpan.FromMinutes(10), app.Timeout);
        Assert.Equal("src", app.Namespace);
        var appArtifact = Assert.Single(app.OutputArtifacts);
        Assert.Equal("app-src", appArtifact.Name);
        Assert.Equal(["**"], appArtifact.Paths);
        Assert.Empty(app.Commands);
        Assert.Empty(app.InputArtifacts);
        Assert.Null(app.Image);
        Assert.Null(app.Http);

        var tools = pipeline.Stages[0].Actions[1];
        Assert.Equal(new GitSource("git@git.example.com:team/tools.git", null, "v2.0.1", null, null, null), tools.Git);
        Assert.Equal(ActionDefinition.DefaultTimeout, tools.Timeout);
        var toolsArtifact = Assert.Single(tools.OutputArtifacts);
        Assert.Equal("tools-src", toolsArtifact.Name);
        Assert.Equal(["bin/**"], toolsArtifact.Paths);

        var lib = pipeline.Stages[0].Actions[2];
        Assert.Equal(new GitSource("file:///srv/git/lib.git", null, null, "3f2a9c1", null, null), lib.Git);

        var ping = pipeline.Stages[1].Actions[0];
        Assert.Equal(ActionType.Http, ping.Type);
        var http = ping.Http!;
        Assert.Equal("POST", http.Method);
        Assert.Equal("https://api.example.com/builds/#{src.COMMIT}", http.Url);
        Assert.Equal(
            [new("Authorization", "Bearer #{variables.env}"), new("Content-Type", "application/json")],
            http.Headers.ToList());
        Assert.Equal("{\"env\": \"#{variables.env}\"}", http.Body);
        Assert.Equal([200, 201], http.ExpectedStatus);
        Assert.Equal(
            [
                new("BUILD_ID", "json:data.items.0.id"),
                new("LOCATION", "header:Location"),
                new("CODE", "status"),
                new KeyValuePair<string, string>("RAW", "body"),
            ],
            http.Outputs.ToList());
        Assert.Equal("api", ping.Namespace);
        Assert.Equal(["linux"], ping.RunsOn);
        Assert.Empty(ping.OutputArtifacts);

        var probe = pipeline.Stages[1].Actions[1].Http!;
        Assert.Equal(("GET", "https://api.example.com/health", (string?)null), (probe.Method, probe.Url, probe.Body));
        Assert.Empty(probe.Headers);
        Assert.Equal([204], probe.ExpectedStatus);
        Assert.Empty(probe.Outputs);

        var signOff = pipeline.Stages[2].Actions[0];
        Assert.Equal(ActionType.Approval, signOff.Type);
        Assert.Equal(
            new ApprovalSettings("Deploy #{api.BUILD_ID} to #{variables.env}?", "https://ci.example.com/builds/#{api.BUILD_ID}"),
            signOff.Approval);
        Assert.Equal(TimeSpan.FromDays(7), signOff.Timeout);
        Assert.Empty(signOff.RunsOn);
        var late = pipeline.Stages[2].Actions[1];
        Assert.Equal(new ApprovalSettings(null, null), late.Approval);
        Assert.Equal((2, TimeSpan.FromDays(30)), (late.RunOrder, late.Timeout));

        var startDeploy = pipeline.Stages[3].Actions[0];
        Assert.Equal(ActionType.Pipeline, startDeploy.Type);
        Assert.Equal("deploy", startDeploy.Invoke!.Pipeline);
        Assert.True(startDeploy.Invoke.Wait);
        Assert.Equal(
            [new("target", "#{variables.env}"), new KeyValuePair<string, string>("build", "#{api.BUILD_ID}")],
            startDeploy.Invoke.Variables.ToList());
        Assert.Equal((TimeSpan.FromHours(2), "child"), (startDeploy.Timeout, startDeploy.Namespace));
        var notify = pipeline.Stages[3].Actions[1].Invoke!;
        Assert.Equal(("notify", false), (notify.Pipeline, notify.Wait));
        Assert.Empty(notify.Variables);

        Assert.Equal(4, pipeline.Triggers.Count);
        var appTrigger = pipeline.Triggers[0];
        Assert.Equal(("app", TimeSpan.FromMinutes(5), true), (appTrigger.Source, appTrigger.Poll, appTrigger.Webhook));
        Assert.Equal(["main", "release/*"], appTrigger.Branches.Include);
        Assert.Equal(["release/old"], appTrigger.Branches.Exclude);
        Assert.Equal(["v*"], appTrigger.Tags.Include);
        Assert.Empty(appTrigger.Tags.Exclude);
        Assert.Empty(appTrigger.Paths.Include);
        Assert.Equal(["docs/**"], appTrigger.Paths.Exclude);
        Assert.Null(appTrigger.Schedule);

        var toolsTrigger = pipeline.Triggers[1];
        Assert.Equal(("tools", (TimeSpan?)null, true), (toolsTrigger.Source, toolsTrigger.Poll, toolsTrigger.Webhook));
        Assert.Same(GlobFilter.Everything, toolsTrigger.Branches);
        Assert.Same(GlobFilter.Nothing, toolsTrigger.Tags);
        Assert.Same(GlobFilter.Everything, toolsTrigger.Paths);

        Assert.Equal(
            new TriggerDefinition { Schedule = "30 2 * * MON-FRI", TimeZone = "Europe/Berlin" },
            pipeline.Triggers[2]);
        Assert.Equal(
            new TriggerDefinition { Schedule = "*/15 0-6 1,15 JAN-JUN 0", TimeZone = "UTC" },
            pipeline.Triggers[3]);
    }

    [Fact]
    public void Git_action_without_triggers_takes_the_remote_default_branch_and_full_history()
    {
        // Arrange
        var yaml = PipelineTestFiles.WithAction("""
            name: src
            type: git
            repository: /srv/git/app.git
            outputArtifacts: [{ name: source, paths: ["src/**", README.md] }]
            """);

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert
        Assert.Empty(result.Errors);
        var action = Assert.Single(Assert.Single(result.Pipeline!.Stages).Actions);
        Assert.Equal(new GitSource("/srv/git/app.git", null, null, null, null, null), action.Git);
        var artifact = Assert.Single(action.OutputArtifacts);
        Assert.Equal(["src/**", "README.md"], artifact.Paths);
        Assert.Empty(result.Pipeline.Triggers);
    }

    [Theory]
    [InlineData("ssh://git@git.example.com:2222/team/app.git")]
    [InlineData("git://127.0.0.1/webapp")]
    [InlineData("http://git.local/app.git")]
    [InlineData("deploy@10.0.0.5:/srv/git/app.git")]
    public void Git_repository_accepts_every_documented_form(string repository)
    {
        // Arrange
        var yaml = PipelineTestFiles.WithAction($"""
            name: src
            type: git
            repository: "{repository}"
            outputArtifacts: [{"{"} name: source {"}"}]
            """);

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert
        Assert.Empty(result.Errors);
        Assert.Equal(repository, result.Pipeline!.Stages[0].Actions[0].Git!.Repository);
    }

    public static TheoryData<string, int, int, string> GitErrors => new()
    {
        {
            "name: src\ntype: git\noutputArtifacts: [{ name: s }]",
            5, 9,
            "missing required key 'repository' in action 'src' of stage 'Source': add 'repository' with the repository to fetch, e.g. https://git.example.com/team/app.git."
        },
        {
            "name: src\ntype: git\nrepository: ftp://example.com/app.git\noutputArtifacts: [{ name: s }]",
            7, 21,
            "invalid repository 'ftp://example.com/app.git' in action 'src' of stage 'Source': the scheme 'ftp' is not supported; use an absolute local path, a file://, git://, http://, https:// or ssh:// URL, or user@host:path, e.g. https://git.example.com/team/app.git."
        },
        {
            "name: src\ntype: git\nrepository: repos/app\noutputArtifacts: [{ name: s }]",
            7, 21,
            "invalid repository 'repos/app' in action 'src' of stage 'Source': a local repository path must be absolute (start with '/'); use an absolute local path, a file://, git://, http://, https:// or ssh:// URL, or user@host:path, e.g. https://git.example.com/team/app.git."
        },
        {
            "name: src\ntype: git\nrepository: \"https://git.example.com/#{variables.repo}\"\noutputArtifacts: [{ name: s }]",
            7, 21,
            "invalid repository 'https://git.example.com/#{variables.repo}' in action 'src' of stage 'Source': 'repository' cannot hold #{...} references, as triggers watch it and an execution pins it when it starts; write it out in full."
        },
        {
            "name: src\ntype: git\nrepository: file://server/srv/app.git\noutputArtifacts: [{ name: s }]",
            7, 21,
            "invalid repository 'file://server/srv/app.git' in action 'src' of stage 'Source': a file:// URL names a path on the agent, so write it with three slashes, e.g. file:///srv/git/app.git."
        },
        {
            "name: src\ntype: git\nrepository: https://bot:s3cret@git.example.com/app.git\noutputArtifacts: [{ name: s }]",
            7, 21,
            "invalid repository 'https://bot:s3cret@git.example.com/app.git' in action 'src' of stage 'Source': the URL holds a password, which would be stored and shown with the pipeline; remove it and give the agent the credentials instead (a Git credential helper or an SSH key)."
        },
        {
            "name: src\ntype: git\nrepository: /srv/app.git\nbranch: main\ntag: v1\noutputArtifacts: [{ name: s }]",
            9, 9,
            "'tag' in action 'src' of stage 'Source' cannot be combined with 'branch': a git action checks out one branch, tag or commit; keep one of them."
        },
        {
            "name: src\ntype: git\nrepository: /srv/app.git\ncommit: 12345g7\noutputArtifacts: [{ name: s }]",
            8, 17,
            "invalid commit '12345g7' in action 'src' of stage 'Source': write the commit id as 7 to 40 hexadecimal digits, e.g. 3f2a9c1."
        },
        {
            "name: src\ntype: git\nrepository: /srv/app.git\ncommit: abc12\noutputArtifacts: [{ name: s }]",
            8, 17,
            "invalid commit 'abc12' in action 'src' of stage 'Source': write the commit id as 7 to 40 hexadecimal digits, e.g. 3f2a9c1."
        },
        {
            "name: src\ntype: git\nrepository: /srv/app.git\nbranch: feature..x\noutputArtifacts: [{ name: s }]",
            8, 17,
            "invalid branch 'feature..x' in action 'src' of stage 'Source': git does not allow a name that starts with '-' or '/', ends with '/', '.' or '.lock', or holds '..', '//', '@{' or a part starting with '.'; write a name git accepts, e.g. main or release/1.2."
        },
        {
            "name: src\ntype: git\nrepository: /srv/app.git\ndepth: 0\noutputArtifacts: [{ name: s }]",
            8, 16,
            "depth '0' in action 'src' of stage 'Source' is not valid: use a whole number of commits from 1 to 100000, or remove it to fetch the full history."
        },
        {
            "name: src\ntype: git\nrepository: /srv/app.git\ndepth: 100001\noutputArtifacts: [{ name: s }]",
            8, 16,
            "depth '100001' in action 'src' of stage 'Source' is not valid: use a whole number of commits from 1 to 100000, or remove it to fetch the full history."
        },
        {
            "name: src\ntype: git\nrepository: /srv/app.git\nwebUrl: git.example.com/app\noutputArtifacts: [{ name: s }]",
            8, 17,
            "invalid webUrl 'git.example.com/app' in action 'src' of stage 'Source': write the absolute http or https URL of the repository's web pages, e.g. https://git.example.com/team/app."
        },
        {
            "name: src\ntype: git\nrepository: /srv/app.git",
            5, 9,
            "missing required key 'outputArtifacts' in action 'src' of stage 'Source': a git action hands its checked-out tree to later actions as exactly one artifact; add e.g. outputArtifacts: [{ name: source }]."
        },
        {
            "name: src\ntype: git\nrepository: /srv/app.git\noutputArtifacts: []",
            8, 26,
            "'outputArtifacts' in action 'src' of stage 'Source' is empty: a git action hands its checked-out tree to later actions as exactly one artifact; add e.g. outputArtifacts: [{ name: source }]."
        },
        {
            "name: src\ntype: git\nrepository: /srv/app.git\noutputArtifacts: [{ name: a }, { name: b }]",
            8, 40,
            "'outputArtifacts' in action 'src' of stage 'Source' lists 2 artifacts: a git action makes exactly one, its checked-out tree; keep one and remove the others."
        },
        {
            "name: src\ntype: git\nrepository: /srv/app.git\ncommands: [make]\noutputArtifacts: [{ name: s }]",
            8, 9,
            "git actions do not take 'commands' (in action 'src' of stage 'Source'): remove it; only container and shell actions take it."
        },
        {
            "name: src\ntype: git\nrepository: /srv/app.git\nimage: alpine\noutputArtifacts: [{ name: s }]",
            8, 9,
            "git actions do not take 'image' (in action 'src' of stage 'Source'): remove it; only container and container-deploy actions take it."
        },
        {
            "name: src\ntype: git\nrepository: /srv/app.git\ninputArtifacts: [x]\noutputArtifacts: [{ name: s }]",
            8, 9,
            "git actions do not take 'inputArtifacts' (in action 'src' of stage 'Source'): remove it; only container, shell and image-build actions take it."
        },
        {
            "name: src\ntype: git\nrepository: /srv/app.git\nbrnch: main\noutputArtifacts: [{ name: s }]",
            8, 9,
            "unknown key 'brnch' in action 'src' of stage 'Source': did you mean 'branch'? Allowed keys are name, type, repository, branch, tag, commit, depth, webUrl, runOrder, runsOn, timeout, namespace, outputArtifacts, retry."
        },
        {
            "name: src\ntype: shell\ncommands: [make]\nrepository: /srv/app.git",
            8, 9,
            "shell actions do not take 'repository' (in action 'src' of stage 'Source'): remove it, or use type: git."
        },
    };

    [Theory]
    [MemberData(nameof(GitErrors))]
    public void Git_action_mistake_is_reported_with_place_and_fix(string action, int line, int column, string message)
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
    public void Output_artifact_paths_stay_required_outside_git_actions()
    {
        // Arrange
        var yaml = PipelineTestFiles.WithAction("""
            name: build
            type: shell
            commands: [make]
            outputArtifacts: [{ name: bin }]
            """);

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert
        var error = Assert.Single(result.Errors);
        Assert.Equal((8, 27), (error.Line, error.Column));
        Assert.StartsWith("missing required key 'paths' in output artifact 'bin' of action 'build' of stage 'Source'", error.Message);
    }

    [Fact]
    public void Git_actions_with_the_same_name_in_different_stages_are_reported()
    {
        // Arrange
        const string yaml = """
            name: app
            stages:
              - name: One
                actions:
                  - { name: src, type: git, repository: /srv/a.git, outputArtifacts: [{ name: a }] }
              - name: Two
                actions:
                  - { name: SRC, type: git, repository: /srv/b.git, outputArtifacts: [{ name: b }] }
            """;

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert
        var error = Assert.Single(result.Errors);
        Assert.Equal((8, 17), (error.Line, error.Column));
        Assert.Equal(
            "duplicate git action name 'SRC' in stage 'Two': the git action in stage 'One' on line 5 has the same name (git actions are told apart by name across the pipeline, ignoring case); rename one of them.",
            error.Message);
    }
}
