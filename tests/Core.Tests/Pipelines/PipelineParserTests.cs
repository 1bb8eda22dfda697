using Farm.Core.Pipelines;

namespace Farm.Core.Tests.Pipelines;

/// <summary>Files that parse: the model they give, field by field, and the defaults.</summary>
public sealed class PipelineParserTests
{
    [Fact]
    public void Sample_pipeline_parses_to_the_exact_model()
    {
        // Arrange
        const string yaml = """
            name: hello
            variables:
              - name: greeting
                default: "hi"
                description: "What to say"
            stages:
              - name: Build
                actions:
                  - name: compile
                    type: container
                    image: farm/busybox
                    commands:
                      - echo "building"
                    env: { MODE: release }
                    runOrder: 1
                    runsOn: [linux]
                    timeout: 10m
                    network: none
            """;

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert
        Assert.Empty(result.Errors);
        Assert.True(result.Succeeded);
        var pipeline = result.Pipeline!;
        Assert.Equal("hello", pipeline.Name);
        var variable = Assert.Single(pipeline.Variables);
        Assert.Equal(new VariableDefinition("greeting", "hi", "What to say"), variable);
        var stage = Assert.Single(pipeline.Stages);
        Assert.Equal("Build", stage.Name);
        var action = Assert.Single(stage.Actions);
        Assert.Equal("compile", action.Name);
        Assert.Equal(ActionType.Container, action.Type);
        Assert.Equal("farm/busybox", action.Image);
        Assert.Equal(["echo \"building\""], action.Commands);
        Assert.Equal([new KeyValuePair<string, string>("MODE", "release")], action.Env);
        Assert.Equal(1, action.RunOrder);
        Assert.Equal(["linux"], action.RunsOn);
        Assert.Equal(TimeSpan.FromMinutes(10), action.Timeout);
        Assert.Equal("none", action.Network);
    }

    [Fact]
    public void Omitted_optional_fields_take_their_documented_defaults()
    {
        // Arrange
        const string yaml = """
            name: defaults
            variables:
              - name: target
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
        Assert.Equal(new VariableDefinition("target", "", ""), Assert.Single(result.Pipeline!.Variables));
        var action = Assert.Single(Assert.Single(result.Pipeline.Stages).Actions);
        Assert.Equal(ActionType.Shell, action.Type);
        Assert.Equal(1, action.RunOrder);
        Assert.Empty(action.RunsOn);
        Assert.Equal(ActionDefinition.DefaultTimeout, action.Timeout);
        Assert.Empty(action.Env);
        Assert.Null(action.Image);
        Assert.Null(action.Network);
        Assert.Equal(["make"], action.Commands);
    }

    [Fact]
    public void Stages_and_actions_keep_file_order_and_their_own_run_orders()
    {
        // Arrange
        const string yaml = """
            name: order
            stages:
              - name: Build
                actions:
                  - name: lint
                    type: shell
                    commands: [make lint]
                    runOrder: 2
                  - name: compile
                    type: shell
                    commands: [make]
                    runOrder: 999
              - name: Test
                actions:
                  - name: lint
                    type: shell
                    commands: [make test]
            """;

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert
        Assert.Empty(result.Errors);
        var stages = result.Pipeline!.Stages;
        Assert.Equal(["Build", "Test"], stages.Select(s => s.Name));
        Assert.Equal(["lint", "compile"], stages[0].Actions.Select(a => a.Name));
        Assert.Equal([2, 999], stages[0].Actions.Select(a => a.RunOrder));
        Assert.Equal(["lint"], stages[1].Actions.Select(a => a.Name));
    }

    [Fact]
    public void Single_scalar_commands_and_runsOn_are_taken_as_one_item()
    {
        // Arrange
        const string yaml = """
            name: scalars
            stages:
              - name: Build
                actions:
                  - name: compile
                    type: shell
                    commands: make all
                    runsOn: os=linux
            """;

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert
        Assert.Empty(result.Errors);
        var action = Assert.Single(Assert.Single(result.Pipeline!.Stages).Actions);
        Assert.Equal(["make all"], action.Commands);
        Assert.Equal(["os=linux"], action.RunsOn);
    }

    [Fact]
    public void Env_values_keep_numbers_and_booleans_as_written_in_file_order()
    {
        // Arrange
        const string yaml = """
            name: env
            stages:
              - name: Build
                actions:
                  - name: compile
                    type: shell
                    commands: [env]
                    env:
                      ZETA: 007
                      DEBUG: true
                      RATIO: 1.50
                      EMPTY:
                      _QUOTED: "null"
            """;

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert
        Assert.Empty(result.Errors);
        var env = Assert.Single(Assert.Single(result.Pipeline!.Stages).Actions).Env;
        Assert.Equal(["ZETA", "DEBUG", "RATIO", "EMPTY", "_QUOTED"], env.Keys);
        Assert.Equal(["007", "true", "1.50", "", "null"], env.Values);
    }

    [Theory]
    [InlineData("1s", 1)]
    [InlineData("90s", 90)]
    [InlineData("10m", 600)]
    [InlineData("1h", 3600)]
    [InlineData("1h30m", 5400)]
    [InlineData("2h15m10s", 8110)]
    [InlineData("600", 600)]
    [InlineData("24h", 86400)]
    public void Timeout_accepts_every_documented_form(string timeout, int expectedSeconds)
    {
        // Arrange
        var yaml = $"""
            name: timeouts
            stages:
              - name: Build
                actions:
                  - name: compile
                    type: shell
                    commands: [make]
                    timeout: {timeout}
            """;

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert
        Assert.Empty(result.Errors);
        var action = Assert.Single(Assert.Single(result.Pipeline!.Stages).Actions);
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), action.Timeout);
    }

    [Fact]
    public void References_to_declared_variables_and_built_ins_are_kept_unresolved_even_when_variables_come_last()
    {
        // Arrange: variables after stages, so the parser must read them first whatever the order.
        const string yaml = """
            name: refs
            stages:
              - name: Deploy
                actions:
                  - name: ship
                    type: container
                    image: "registry.example.com/app:#{variables.version}"
                    network: "net-#{pipeline.name}"
                    commands:
                      - "echo #{variables.version} for #{execution.id} ##{literal}"
                    env:
                      RUN: "#{execution.id}"
            variables:
              - name: version
                default: "1.0"
            """;

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert
        Assert.Empty(result.Errors);
        var action = Assert.Single(Assert.Single(result.Pipeline!.Stages).Actions);
        Assert.Equal("registry.example.com/app:#{variables.version}", action.Image);
        Assert.Equal("net-#{pipeline.name}", action.Network);
        Assert.Equal(["echo #{variables.version} for #{execution.id} ##{literal}"], action.Commands);
        Assert.Equal("#{execution.id}", action.Env["RUN"]);
    }

    [Fact]
    public void Image_holding_a_reference_is_not_checked_as_an_image_reference()
    {
        // Arrange: uppercase would be an error in a literal image; with a reference it is resolved later.
        const string yaml = """
            name: refs
            variables:
              - name: image
            stages:
              - name: Build
                actions:
                  - name: compile
                    type: container
                    image: "Team/#{variables.image}"
                    commands: [make]
            """;

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert
        Assert.Empty(result.Errors);
        Assert.Equal("Team/#{variables.image}", result.Pipeline!.Stages[0].Actions[0].Image);
    }

    [Fact]
    public void Variable_names_differing_only_in_case_are_distinct()
    {
        // Arrange
        const string yaml = """
            name: case
            variables:
              - name: greeting
                default: ~
              - name: Greeting
                default: "null"
            stages:
              - name: Build
                actions:
                  - name: compile
                    type: shell
                    commands: ["echo #{variables.greeting} #{variables.Greeting}"]
            """;

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert: a plain ~ is YAML null, so no default; a quoted "null" is text.
        Assert.Empty(result.Errors);
        Assert.Equal(
            [new VariableDefinition("greeting", "", ""), new VariableDefinition("Greeting", "null", "")],
            result.Pipeline!.Variables);
    }

    [Fact]
    public void Names_may_use_letters_digits_dashes_underscores_and_dots()
    {
        // Arrange
        const string yaml = """
            name: 1.hello_world-2
            stages:
              - name: build.v2_x-y
                actions:
                  - name: 9lives
                    type: shell
                    commands: [make]
            """;

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert
        Assert.Empty(result.Errors);
        Assert.Equal("1.hello_world-2", result.Pipeline!.Name);
        Assert.Equal("build.v2_x-y", result.Pipeline.Stages[0].Name);
        Assert.Equal("9lives", result.Pipeline.Stages[0].Actions[0].Name);
    }
}
