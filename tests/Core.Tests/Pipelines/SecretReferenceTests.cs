using Farm.Core.Pipelines;

namespace Farm.Core.Tests.Pipelines;

public sealed class SecretReferenceTests
{
    [Fact]
    public void Secrets_are_allowed_in_env_and_http_headers_and_refused_where_they_would_be_stored()
    {
        const string yaml = """
            name: p
            stages:
              - name: S
                actions:
                  - name: a
                    type: shell
                    env: { TOKEN: '#{secrets.token}' }
                    commands: [ 'echo #{secrets.token}' ]
                  - name: b
                    type: http
                    url: https://example.test/hook
                    headers: { Authorization: 'Bearer #{secrets.token}' }
                  - name: c
                    type: shell
                    env: { BAD: '#{secrets.not-a-name}' }
                    commands: [ "true" ]
            """;

        var errors = PipelineParser.Parse(yaml).Errors;

        Assert.Equal(2, errors.Count);
        Assert.Equal((8, 21), (errors[0].Line, errors[0].Column));
        Assert.Equal("'#{secrets.token}' in action 'a' of stage 'S' (command 1) uses a secret where it would be stored and shown: secrets can only be used in env values, http headers and registry credentials.", errors[0].Message);
        Assert.StartsWith("invalid secret name 'not-a-name'", errors[1].Message);
    }

    [Fact]
    public void Retry_and_resources_parse_and_bad_values_are_reported_where_they_stand()
    {
        const string yaml = """
            name: p
            stages:
              - name: S
                actions:
                  - name: a
                    type: container
                    image: farm/busybox
                    commands: [ "true" ]
                    retry: { onAgentLost: 2 }
                    resources: { memory: 512Mi, cpus: 1.5, pids: 256 }
                  - name: b
                    type: container
                    image: farm/busybox
                    commands: [ "true" ]
                    retry: { onAgentLost: 11 }
                    resources: { memory: 1k, cpus: many }
            """;

        var result = PipelineParser.Parse(yaml);
        var good = PipelineParser.Parse(yaml[..yaml.IndexOf("  - name: b", StringComparison.Ordinal)]).Pipeline!.Stages[0].Actions[0];

        Assert.Equal(new RetryPolicy(2), good.Retry);
        Assert.Equal(new ResourceLimits(512L << 20, 1.5, 256), good.Resources);
        Assert.Equal(
            [
                "line 15, column 31: onAgentLost '11' in 'retry' in action 'b' of stage 'S' is not valid: use a whole number from 0 to 10.",
                "line 16, column 30: memory '1k' in 'resources' in action 'b' of stage 'S' is not valid: write a size of at least 6Mi, such as 512Mi, 2Gi or 256m.",
                "line 16, column 40: cpus 'many' in 'resources' in action 'b' of stage 'S' is not valid: use a number from 0.01 to 256, such as 1.5.",
            ],
            result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void A_privileged_container_or_added_capabilities_cannot_be_asked_for()
    {
        const string yaml = """
            name: p
            stages:
              - name: S
                actions:
                  - name: root
                    type: container
                    image: farm/busybox
                    commands: [ "true" ]
                    privileged: true
                    capAdd: [ SYS_ADMIN ]
            """;

        var result = PipelineParser.Parse(yaml);

        Assert.Null(result.Pipeline);
        Assert.Equal(["privileged", "capAdd"], result.Errors.Select(e => e.Message.Split('\'')[1]));
        Assert.All(result.Errors, e => Assert.StartsWith("unknown key", e.Message));
    }
}
