using Farm.Core.Pipelines;

namespace Farm.Core.Tests.Pipelines;

/// <summary>
/// Files using execution modes, stage failure handling and entry rules, namespaces and artifacts
/// that parse: the model they give, field by field, and the defaults.
/// </summary>
public sealed class PipelineParserModelTests
{
    [Fact]
    public void Full_sample_parses_every_new_field_to_exact_model_values()
    {
        // Arrange
        const string yaml = """
            name: release
            executionMode: queued
            variables:
              - name: target
                default: prod
            stages:
              - name: Build
                onFailure:
                  result: retry
                  retries: 3
                actions:
                  - name: compile
                    type: container
                    image: alpine:3.20
                    namespace: build
                    commands: ["make", "echo VERSION=1.2 >> $FARM_OUTPUT"]
                    outputArtifacts:
                      - name: binaries
                        paths: [bin/**, "obj/*.pdb"]
                      - name: docs
                        paths: site/index.html
                  - name: package
                    type: shell
                    runOrder: 2
                    namespace: pkg-1
                    inputArtifacts: binaries
                    commands: ["tar czf app-#{build.VERSION}.tgz bin"]
                    outputArtifacts:
                      - name: bundle
                        paths: [app.tgz]
              - name: Deploy
                onFailure: rollback
                beforeEntry:
                  result: skip
                  rules:
                    - variable: "#{build.VERSION}"
                      value: "1.2"
                    - variable: "#{pkg-1.SHA}"
                      operator: notEquals
                      value: ""
                    - variable: "#{variables.target}"
                      operator: matches
                      value: "^prod(-eu)?$"
                    - variable: "#{execution.id}-#{pipeline.name}"
                      operator: contains
                      value: "-"
                actions:
                  - name: ship
                    type: shell
                    inputArtifacts: [bundle, docs]
                    env:
                      V: "#{build.VERSION}"
                      S: "#{pkg-1.SHA}"
                    commands: ["ship #{variables.target}"]
            """;

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert
        Assert.Empty(result.Errors);
        var pipeline = result.Pipeline!;
        Assert.Equal(ExecutionMode.Queued, pipeline.ExecutionMode);
        Assert.Equal(["Build", "Deploy"], pipeline.Stages.Select(s => s.Name));

        var build = pipeline.Stages[0];
        Assert.Equal(new FailureHandling(FailureResult.Retry, 3), build.OnFailure);
        Assert.Null(build.BeforeEntry);
        var compile = build.Actions[0];
        Assert.Equal("compile", compile.Name);
        Assert.Equal("build", compile.Namespace);
        Assert.Empty(compile.InputArtifacts);
        Assert.Equal(2, compile.OutputArtifacts.Count);
        Assert.Equal("binaries", compile.OutputArtifacts[0].Name);
        Assert.Equal(["bin/**", "obj/*.pdb"], compile.OutputArtifacts[0].Paths);
        Assert.Equal("docs", compile.OutputArtifacts[1].Name);
        Assert.Equal(["site/index.html"], compile.OutputArtifacts[1].Paths);
        var package = build.Actions[1];
        Assert.Equal("package", package.Name);
        Assert.Equal(2, package.RunOrder);
        Assert.Equal("pkg-1", package.Namespace);
        Assert.Equal(["binaries"], package.InputArtifacts);
        Assert.Equal(["tar czf app-#{build.VERSION}.tgz bin"], package.Commands);
        var bundle = Assert.Single(package.OutputArtifacts);
        Assert.Equal("bundle", bundle.Name);
        Assert.Equal(["app.tgz"], bundle.Paths);

        var deploy = pipeline.Stages[1];
        Assert.Equal(new FailureHandling(FailureResult.Rollback, 0), deploy.OnFailure);
        var entry = deploy.BeforeEntry!;
        Assert.Equal(EntryResult.Skip, entry.Result);
        Assert.Equal(
            [
                new EntryRule("#{build.VERSION}", RuleOperator.Equal, "1.2"),
                new EntryRule("#{pkg-1.SHA}", RuleOperator.NotEqual, ""),
                new EntryRule("#{variables.target}", RuleOperator.Matches, "^prod(-eu)?$"),
                new EntryRule("#{execution.id}-#{pipeline.name}", RuleOperator.Contains, "-"),
            ],
            entry.Rules);
        var ship = Assert.Single(deploy.Actions);
        Assert.Null(ship.Namespace);
        Assert.Equal(["bundle", "docs"], ship.InputArtifacts);
        Assert.Empty(ship.OutputArtifacts);
        Assert.Equal("#{build.VERSION}", ship.Env["V"]);
        Assert.Equal("#{pkg-1.SHA}", ship.Env["S"]);
    }

    [Fact]
    public void Omitted_new_fields_take_their_documented_defaults()
    {
        // Arrange
        const string yaml = """
            name: defaults
            stages:
              - name: Build
                actions:
                  - name: compile
                    type: shell
                    commands: [make]
            """;

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert
        Assert.Empty(result.Errors);
        Assert.Equal(ExecutionMode.Superseded, result.Pipeline!.ExecutionMode);
        var stage = Assert.Single(result.Pipeline.Stages);
        Assert.Equal(new FailureHandling(FailureResult.Fail, 0), stage.OnFailure);
        Assert.Null(stage.BeforeEntry);
        var action = Assert.Single(stage.Actions);
        Assert.Null(action.Namespace);
        Assert.Empty(action.InputArtifacts);
        Assert.Empty(action.OutputArtifacts);
    }

    [Theory]
    [InlineData("superseded", ExecutionMode.Superseded)]
    [InlineData("queued", ExecutionMode.Queued)]
    [InlineData("parallel", ExecutionMode.Parallel)]
    [InlineData("~", ExecutionMode.Superseded)]
    public void ExecutionMode_accepts_every_documented_value(string written, ExecutionMode expected)
    {
        // Arrange
        var yaml = $"""
            name: modes
            executionMode: {written}
            stages:
              - name: Build
                actions:
                  - name: compile
                    type: shell
                    commands: [make]
            """;

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert
        Assert.Empty(result.Errors);
        Assert.Equal(expected, result.Pipeline!.ExecutionMode);
    }

    [Theory]
    [InlineData("fail", FailureResult.Fail, 0)]
    [InlineData("retry", FailureResult.Retry, 1)]
    [InlineData("rollback", FailureResult.Rollback, 0)]
    [InlineData("~", FailureResult.Fail, 0)]
    [InlineData("{ result: fail }", FailureResult.Fail, 0)]
    [InlineData("{ result: retry }", FailureResult.Retry, 1)]
    [InlineData("{ result: retry, retries: 1 }", FailureResult.Retry, 1)]
    [InlineData("{ result: retry, retries: 10 }", FailureResult.Retry, 10)]
    [InlineData("{ result: retry, retries: ~ }", FailureResult.Retry, 1)]
    [InlineData("{ result: rollback }", FailureResult.Rollback, 0)]
    public void OnFailure_scalar_and_mapping_forms_give_result_and_retries(
        string written, FailureResult expectedResult, int expectedRetries)
    {
        // Arrange
        var yaml = $"""
            name: failures
            stages:
              - name: Build
                onFailure: {written}
                actions:
                  - name: compile
                    type: shell
                    commands: [make]
            """;

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert
        Assert.Empty(result.Errors);
        Assert.Equal(
            new FailureHandling(expectedResult, expectedRetries),
            Assert.Single(result.Pipeline!.Stages).OnFailure);
    }

    [Fact]
    public void BeforeEntry_defaults_to_fail_and_equals_and_reads_a_bare_value_as_empty_text()
    {
        // Arrange: the escaped '##{' is a literal '#{' in the pattern, which compiles.
        const string yaml = """
            name: entry
            variables:
              - name: branch
            stages:
              - name: Deploy
                beforeEntry:
                  rules:
                    - variable: "#{variables.branch}"
                      value:
                    - variable: "#{variables.branch}"
                      operator: matches
                      value: "^release/##{[0-9]+}$"
                actions:
                  - name: ship
                    type: shell
                    commands: [ship]
            """;

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert
        Assert.Empty(result.Errors);
        var entry = Assert.Single(result.Pipeline!.Stages).BeforeEntry!;
        Assert.Equal(EntryResult.Fail, entry.Result);
        Assert.Equal(
            [
                new EntryRule("#{variables.branch}", RuleOperator.Equal, ""),
                new EntryRule("#{variables.branch}", RuleOperator.Matches, "^release/##{[0-9]+}$"),
            ],
            entry.Rules);
    }

    [Fact]
    public void Namespace_and_artifact_of_a_lower_runOrder_later_in_the_file_are_usable_in_the_same_stage()
    {
        // Arrange: the consumer comes first in the file but runs second.
        const string yaml = """
            name: order
            stages:
              - name: Build
                actions:
                  - name: package
                    type: shell
                    runOrder: 5
                    inputArtifacts: [binaries]
                    commands: ["pack #{compile_ns.VERSION} #{compile_ns._x1}"]
                  - name: compile
                    type: shell
                    runOrder: 4
                    namespace: compile_ns
                    commands: [make]
                    outputArtifacts:
                      - name: binaries
                        paths: bin
            """;

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert
        Assert.Empty(result.Errors);
        var actions = Assert.Single(result.Pipeline!.Stages).Actions;
        Assert.Equal(["binaries"], actions[0].InputArtifacts);
        Assert.Equal(["pack #{compile_ns.VERSION} #{compile_ns._x1}"], actions[0].Commands);
        Assert.Equal("compile_ns", actions[1].Namespace);
        var artifact = Assert.Single(actions[1].OutputArtifacts);
        Assert.Equal("binaries", artifact.Name);
        Assert.Equal(["bin"], artifact.Paths);
    }

    [Fact]
    public void Relative_paths_and_globs_are_kept_as_written()
    {
        // Arrange: '..' inside a name is not a parent-folder segment.
        const string yaml = """
            name: paths
            stages:
              - name: Build
                actions:
                  - name: compile
                    type: shell
                    commands: [make]
                    outputArtifacts:
                      - name: out
                        paths: ["./dist", "**/*.log", "a..b/c", "reports/..hidden", "."]
            """;

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert
        Assert.Empty(result.Errors);
        var artifact = Assert.Single(Assert.Single(Assert.Single(result.Pipeline!.Stages).Actions).OutputArtifacts);
        Assert.Equal("out", artifact.Name);
        Assert.Equal(["./dist", "**/*.log", "a..b/c", "reports/..hidden", "."], artifact.Paths);
    }
}
