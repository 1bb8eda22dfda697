using Farm.Core.Executions;
using Farm.Core.Pipelines;

namespace Farm.Core.Tests.Pipelines;

/// <summary>image-build and container-deploy actions, pull policies and registry credentials in pipeline files.</summary>
public sealed class PipelineParserImageTests
{
    private const string Ship = """
        name: ship
        stages:
          - name: Build
            actions:
              - name: image
                type: image-build
                namespace: build
                context: app
                dockerfile: docker/Dockerfile
                tags: [ "127.0.0.1:5000/web:#{execution.id}", "127.0.0.1:5000/web:latest" ]
                buildArgs: { VERSION: "#{execution.id}" }
                push: true
                registry: { username: ci, password: "#{secrets.REGISTRY_PASSWORD}" }
          - name: Staging
            actions:
              - name: web
                type: container-deploy
                environment: staging
                service: web
                image: "#{build.image}"
                pull: always
                runsOn: [ env=staging ]
                network: host
                env: { PORT: "8081", TOKEN: "#{secrets.TOKEN}" }
                ports: [ "127.0.0.1:8081:80", "9000:9000/udp" ]
                volumes: [ "/srv/web:/data:ro", "cache:/cache" ]
                restart: always
                health: { http: "http://127.0.0.1:8081/health", timeout: 30s, interval: 2s }
        """;

    [Fact]
    public void Image_build_and_deploy_read_every_field()
    {
        var result = PipelineParser.Parse(Ship);

        Assert.Empty(result.Errors);
        var build = result.Pipeline!.Stages[0].Actions[0];
        Assert.Equal(ActionType.ImageBuild, build.Type);
        Assert.Equal(new[] { "127.0.0.1:5000/web:#{execution.id}", "127.0.0.1:5000/web:latest" }, build.Build!.Tags);
        Assert.Equal(("app", "docker/Dockerfile", true), (build.Build.Context, build.Build.Dockerfile, build.Build.Push));
        Assert.Equal("#{execution.id}", build.Build.BuildArgs["VERSION"]);
        Assert.Equal(new RegistryCredentials("ci", "#{secrets.REGISTRY_PASSWORD}"), build.Registry);

        var deploy = result.Pipeline.Stages[1].Actions[0];
        Assert.Equal(ActionType.ContainerDeploy, deploy.Type);
        Assert.Equal(("#{build.image}", PullPolicy.Always, "host"), (deploy.Image, deploy.Pull, deploy.Network));
        Assert.Equal(("staging", "web", "always"), (deploy.Deploy!.Environment, deploy.Deploy.Service, deploy.Deploy.Restart));
        Assert.Equal(new[] { "127.0.0.1:8081:80", "9000:9000/udp" }, deploy.Deploy.Ports);
        Assert.Equal(new[] { "/srv/web:/data:ro", "cache:/cache" }, deploy.Deploy.Volumes);
        Assert.Equal(new HealthCheck("http://127.0.0.1:8081/health", null, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(2)), deploy.Deploy.Health);
        Assert.Equal("container-deploy", deploy.Type.Name());
    }

    [Fact]
    public void Defaults_pull_if_not_present_restart_unless_stopped_and_health_after_one_interval()
    {
        const string yaml = """
            name: p
            stages:
              - name: S
                actions:
                  - name: web
                    type: container-deploy
                    environment: prod
                    service: web
                    image: farm/busybox
            """;

        var deploy = PipelineParser.Parse(yaml).Pipeline!.Stages[0].Actions[0];

        Assert.Equal(PullPolicy.IfNotPresent, deploy.Pull);
        Assert.Equal("unless-stopped", deploy.Deploy!.Restart);
        Assert.Equal(HealthCheck.Default, deploy.Deploy.Health);
        Assert.Empty(deploy.Deploy.Ports);
    }

    [Fact]
    public void Bad_image_fields_are_each_reported_where_they_stand()
    {
        const string yaml = """
            name: p
            stages:
              - name: S
                actions:
                  - name: build
                    type: image-build
                    context: ../outside
                    push: maybe
                    registry: { username: ci, password: hunter2 }
                  - name: web
                    type: container-deploy
                    environment: "#{variables.env}"
                    service: web
                    image: farm/busybox
                    pull: sometimes
                    ports: [ "80", "1:70000" ]
                    volumes: [ "data" ]
                    restart: never
                    health: { http: "http://127.0.0.1/", command: "true", timeout: 2h }
                    commands: [ "true" ]
            """;

        var errors = PipelineParser.Parse(yaml).Errors.Select(e => $"{e.Line}:{e.Message}").ToList();

        string[] expected =
        [
            "5:missing required key 'tags' in action 'build' of stage 'S': add 'tags' with the image references to give the build, e.g. 127.0.0.1:5000/app:#{execution.id}.",
            "7:'context' in action 'build' of stage 'S' must be a path inside the workspace, relative to it and without '..', not '../outside'.",
            "8:'push' in action 'build' of stage 'S' must be true or false, not 'maybe'.",
            "9:the registry password in action 'build' of stage 'S' is written in the file: store it with 'farm secret set PIPELINE NAME' and write \"#{secrets.NAME}\" here.",
            "12:invalid environment '#{variables.env}' in action 'web' of stage 'S': use 1-63 letters, digits, '_', '.' or '-', starting with a letter or digit (no #{...}: it names the container).",
            "15:unknown pull policy 'sometimes' in action 'web' of stage 'S': use one of ifNotPresent, always, never.",
            "16:invalid port '80' in action 'web' of stage 'S': write [ip:]hostPort:containerPort[/tcp|/udp] with ports from 1 to 65535, e.g. 127.0.0.1:8080:80.",
            "16:invalid port '1:70000' in action 'web' of stage 'S': write [ip:]hostPort:containerPort[/tcp|/udp] with ports from 1 to 65535, e.g. 127.0.0.1:8080:80.",
            "17:invalid volume 'data' in action 'web' of stage 'S': write source:target[:ro], where source is a host path or a volume name and target an absolute path in the container, e.g. /srv/data:/data:ro.",
            "18:unknown restart policy 'never' in action 'web' of stage 'S': use one of unless-stopped, always, on-failure, no.",
            "19:'health' in action 'web' of stage 'S' has both http and command: keep one of them.",
            "19:invalid timeout '2h' in 'health' in action 'web' of stage 'S': write a duration from 1s to 1h, like 5s, 30s or 2m.",
            "20:container-deploy actions do not take 'commands' (in action 'web' of stage 'S'): remove it; only container and shell actions take it.",
        ];
        Assert.Equal(expected.Order(), errors.Order());
    }

    [Fact]
    public void Registry_secrets_reach_the_agent_resolved_and_masked_but_are_stored_as_references()
    {
        var pipeline = PipelineParser.Parse(Ship).Pipeline!;
        var run = ExecutionMachine.Create("ship-1", pipeline, 1, new Dictionary<string, string>(), DateTimeOffset.UnixEpoch);
        var secrets = new Dictionary<string, string> { ["REGISTRY_PASSWORD"] = "s3cret" };

        var ok = ActionResolver.TryResolve(pipeline.Stages[0].Actions[0], run, secrets, out var resolved, out var dispatched, out var masked, out var error);

        Assert.True(ok, error);
        Assert.Equal(new RegistryCredentials("ci", "s3cret"), resolved.Registry);
        Assert.Equal(["127.0.0.1:5000/web:ship-1", "127.0.0.1:5000/web:latest"], resolved.Build!.Tags);
        Assert.Equal("ship-1", resolved.Build.BuildArgs["VERSION"]);
        Assert.Equal(["s3cret"], masked);
        Assert.DoesNotContain("s3cret", dispatched!.ToString());
    }
}
