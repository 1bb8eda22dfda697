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
        Assert.Equal("'#{secrets.token}' in action 'a' of stage 'S' (command 1) uses a secret where it would be stored and shown: secrets can only be used in env values and http headers.", errors[0].Message);
        Assert.StartsWith("invalid secret name 'not-a-name'", errors[1].Message);
    }
}
