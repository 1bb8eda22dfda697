using Farm.Core.Pipelines;

namespace Farm.Core.Tests.Pipelines;

/// <summary>
/// Files that do not parse: every kind of problem, with its exact line and column and the words a
/// person needs to fix it.
/// </summary>
public sealed class PipelineParserErrorTests
{
    [Fact]
    public void Unknown_key_is_reported_with_line_column_and_suggestion()
    {
        // Arrange
        const string yaml = """
            name: hello
            stages:
              - name: Build
                actions:
                  - name: compile
                    type: shell
                    commands: [make]
                    runson: [linux]
            """;

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert
        Assert.Null(result.Pipeline);
        var error = Assert.Single(result.Errors);
        Assert.Equal((8, 9), (error.Line, error.Column));
        Assert.Equal(
            "unknown key 'runson' in action 'compile' of stage 'Build': did you mean 'runsOn'? "
            + "Allowed keys are name, type, commands, env, runOrder, runsOn, timeout, namespace, inputArtifacts, outputArtifacts, retry.",
            error.Message);
    }

    [Fact]
    public void Unknown_key_with_no_close_match_says_to_remove_it_and_lists_allowed_keys()
    {
        // Arrange
        const string yaml = """
            name: hello
            owner: me
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
        var error = Assert.Single(result.Errors);
        Assert.Equal((2, 1), (error.Line, error.Column));
        Assert.Equal(
            "unknown key 'owner' at the top level of the file: remove it. Allowed keys are name, variables, stages, executionMode, triggers, protected.",
            error.Message);
    }

    [Fact]
    public void Unknown_keys_in_stages_and_variables_name_where_they_are()
    {
        // Arrange
        const string yaml = """
            name: hello
            variables:
              - name: greeting
                defualt: hi
            stages:
              - name: Build
                action:
                  - name: compile
            """;

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert: the misspelt 'action' also leaves the stage without its required 'actions'.
        Assert.Null(result.Pipeline);
        Assert.Equal([(4, 5), (6, 5), (7, 5)], result.Errors.Select(e => (e.Line, e.Column)));
        Assert.StartsWith("unknown key 'defualt' in variable 'greeting': did you mean 'default'?", result.Errors[0].Message);
        Assert.StartsWith("missing required key 'actions' in stage 'Build'", result.Errors[1].Message);
        Assert.StartsWith("unknown key 'action' in stage 'Build': did you mean 'actions'?", result.Errors[2].Message);
    }

    public static TheoryData<string, int, int, string> MissingRequiredKeys => new()
    {
        {
            """
            stages:
              - name: Build
                actions:
                  - name: compile
                    type: shell
                    commands: [make]
            """,
            1, 1, "missing required key 'name' at the top level of the file: add 'name'"
        },
        {
            """
            name: hello
            variables: []
            """,
            1, 1, "missing required key 'stages' at the top level of the file: add 'stages' with a list of stages"
        },
        {
            """
            name: hello
            variables:
              - default: x
            stages:
              - name: Build
                actions:
                  - name: compile
                    type: shell
                    commands: [make]
            """,
            3, 5, "missing required key 'name' in variable 1: add 'name'"
        },
        {
            """
            name: hello
            stages:
              - name: Build
            """,
            3, 5, "missing required key 'actions' in stage 'Build': add 'actions' with a list of actions"
        },
        {
            """
            name: hello
            stages:
              - name: Build
                actions:
                  - type: shell
                    commands: [make]
            """,
            5, 9, "missing required key 'name' in action 1 of stage 'Build'"
        },
        {
            """
            name: hello
            stages:
              - name: Build
                actions:
                  - name: compile
                    commands: [make]
            """,
            5, 9, "missing required key 'type' in action 'compile' of stage 'Build': add 'type' with one of container, shell, git, approval, http, pipeline, image-build, container-deploy."
        },
        {
            """
            name: hello
            stages:
              - name: Build
                actions:
                  - name: compile
                    type: shell
            """,
            5, 9, "missing required key 'commands' in action 'compile' of stage 'Build'"
        },
        {
            """
            name: hello
            stages:
              - name: Build
                actions:
                  - name: compile
                    type: container
                    commands: [make]
            """,
            5, 9, "missing required key 'image' in action 'compile' of stage 'Build': add 'image' with the image to run"
        },
    };

    [Theory]
    [MemberData(nameof(MissingRequiredKeys))]
    public void Missing_required_key_is_reported_at_the_mapping_that_lacks_it(
        string yaml, int line, int column, string expectedStart)
    {
        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert
        Assert.Null(result.Pipeline);
        var error = Assert.Single(result.Errors);
        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.StartsWith(expectedStart, error.Message);
    }

    public static TheoryData<string, int, int, string> WrongKinds => new()
    {
        {
            """
            name: [hello]
            stages:
              - name: Build
                actions:
                  - name: compile
                    type: shell
                    commands: [make]
            """,
            1, 7, "'name' at the top level of the file must be a single value, not a list."
        },
        {
            """
            name: hello
            stages:
              Build: {}
            """,
            3, 3, "'stages' at the top level of the file must be a list of stages, each with a name and actions, not a mapping."
        },
        {
            """
            name: hello
            variables: greeting
            stages:
              - name: Build
                actions:
                  - name: compile
                    type: shell
                    commands: [make]
            """,
            2, 12, "'variables' at the top level of the file must be a list of variables, each with a name, not the value 'greeting'."
        },
        {
            """
            name: hello
            stages:
              - Build
            """,
            3, 5, "stage 1 must be a mapping with name and actions, not the value 'Build'."
        },
        {
            """
            name: hello
            stages:
              - name: Build
                actions: compile
            """,
            4, 14, "'actions' in stage 'Build' must be a list of actions, each with a name, a type and commands, not the value 'compile'."
        },
        {
            """
            name: hello
            stages:
              - name: Build
                actions:
                  - name: compile
                    type: shell
                    commands:
                      - echo result: ok
            """,
            8, 13, "command 1 in action 'compile' of stage 'Build' must be text (quote a command that contains ': '), not a mapping."
        },
        {
            """
            name: hello
            stages:
              - name: Build
                actions:
                  - name: compile
                    type: shell
                    commands: [make]
                    env: [MODE=release]
            """,
            8, 14, "'env' in action 'compile' of stage 'Build' must be a mapping of NAME: value, not a list."
        },
        {
            """
            name: hello
            stages:
              - name: Build
                actions:
                  - name: compile
                    type: shell
                    commands: [make]
                    runsOn: { os: linux }
            """,
            8, 17, "'runsOn' in action 'compile' of stage 'Build' must be a list of labels, not a mapping."
        },
        {
            """
            - name: hello
            """,
            1, 1, "the file must be a mapping with 'name' and 'stages', not a list."
        },
    };

    [Theory]
    [MemberData(nameof(WrongKinds))]
    public void Wrong_node_kind_is_reported_at_the_node_with_what_was_expected(
        string yaml, int line, int column, string expectedMessage)
    {
        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert
        Assert.Null(result.Pipeline);
        var error = Assert.Single(result.Errors);
        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.Equal(expectedMessage, error.Message);
    }

    [Fact]
    public void Stage_names_differing_only_in_case_are_duplicates()
    {
        // Arrange
        const string yaml = """
            name: hello
            stages:
              - name: Build
                actions:
                  - name: compile
                    type: shell
                    commands: [make]
              - name: build
                actions:
                  - name: compile
                    type: shell
                    commands: [make]
            """;

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert
        var error = Assert.Single(result.Errors);
        Assert.Equal((8, 11), (error.Line, error.Column));
        Assert.Equal(
            "duplicate stage name 'build': stage 'Build' on line 3 has the same name (names are compared ignoring case); rename one of them.",
            error.Message);
    }

    [Fact]
    public void Action_names_repeated_within_a_stage_are_duplicates()
    {
        // Arrange
        const string yaml = """
            name: hello
            stages:
              - name: Build
                actions:
                  - name: compile
                    type: shell
                    commands: [make]
                  - name: COMPILE
                    type: shell
                    commands: [make]
            """;

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert
        var error = Assert.Single(result.Errors);
        Assert.Equal((8, 15), (error.Line, error.Column));
        Assert.StartsWith("duplicate action name 'COMPILE' in stage 'Build': action 'compile' on line 5", error.Message);
        Assert.EndsWith("rename one of them.", error.Message);
    }

    [Fact]
    public void Variable_names_repeated_exactly_are_duplicates()
    {
        // Arrange
        const string yaml = """
            name: hello
            variables:
              - name: greeting
              - name: greeting
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
        var error = Assert.Single(result.Errors);
        Assert.Equal((4, 11), (error.Line, error.Column));
        Assert.Equal(
            "duplicate variable name 'greeting': it is already declared on line 3; rename or remove one of them.",
            error.Message);
    }

    [Fact]
    public void Duplicate_keys_are_each_reported_and_the_rest_of_the_file_is_still_checked()
    {
        // Arrange
        const string yaml = """
            name: hello
            name: again
            stages:
              - name: Build
                actions:
                  - name: compile
                    type: shell
                    type: container
                    commands: [make]
                    colour: blue
            """;

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert: the first of each key is kept, so the action is still a shell action.
        Assert.Null(result.Pipeline);
        Assert.Equal([(2, 1), (8, 9), (10, 9)], result.Errors.Select(e => (e.Line, e.Column)));
        Assert.Equal(
            "duplicate key 'name': a mapping may hold each key once, and it is already set on line 1; remove or rename one of them.",
            result.Errors[0].Message);
        Assert.StartsWith("duplicate key 'type':", result.Errors[1].Message);
        Assert.Contains("already set on line 7", result.Errors[1].Message);
        Assert.StartsWith("unknown key 'colour' in action 'compile' of stage 'Build'", result.Errors[2].Message);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1000")]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData("first")]
    public void RunOrder_outside_1_to_999_or_not_a_whole_number_is_reported(string runOrder)
    {
        // Arrange
        var yaml = $"""
            name: hello
            stages:
              - name: Build
                actions:
                  - name: compile
                    type: shell
                    commands: [make]
                    runOrder: {runOrder}
            """;

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert
        var error = Assert.Single(result.Errors);
        Assert.Equal((8, 19), (error.Line, error.Column));
        Assert.Equal(
            $"runOrder '{runOrder}' in action 'compile' of stage 'Build' is not valid: use a whole number from 1 to 999.",
            error.Message);
    }

    [Theory]
    [InlineData("docker", "unknown action type 'docker' in action 'compile' of stage 'Build': use one of container, shell, git, approval, http, pipeline, image-build, container-deploy.")]
    [InlineData("shel", "unknown action type 'shel' in action 'compile' of stage 'Build': did you mean 'shell'? Known types are container, shell, git, approval, http, pipeline, image-build, container-deploy.")]
    [InlineData("Container", "unknown action type 'Container' in action 'compile' of stage 'Build': did you mean 'container'? Known types are container, shell, git, approval, http, pipeline, image-build, container-deploy.")]
    public void Unknown_action_type_lists_the_known_types(string type, string expectedMessage)
    {
        // Arrange
        var yaml = $"""
            name: hello
            stages:
              - name: Build
                actions:
                  - name: compile
                    type: {type}
                    commands: [make]
            """;

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert
        var error = Assert.Single(result.Errors);
        Assert.Equal((6, 15), (error.Line, error.Column));
        Assert.Equal(expectedMessage, error.Message);
    }

    [Fact]
    public void Image_with_uppercase_repository_is_reported_with_the_lowercase_fix()
    {
        // Arrange
        const string yaml = """
            name: hello
            stages:
              - name: Build
                actions:
                  - name: compile
                    type: container
                    image: Farm/Busybox:Latest
                    commands: [make]
            """;

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert
        var error = Assert.Single(result.Errors);
        Assert.Equal((7, 16), (error.Line, error.Column));
        Assert.Equal(
            "invalid image 'Farm/Busybox:Latest' in action 'compile' of stage 'Build': repository names must be lowercase; use 'farm/busybox:Latest'.",
            error.Message);
    }

    [Fact]
    public void Image_with_a_space_is_reported()
    {
        // Arrange
        const string yaml = """
            name: hello
            stages:
              - name: Build
                actions:
                  - name: compile
                    type: container
                    image: "bad image"
                    commands: [make]
            """;

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert
        var error = Assert.Single(result.Errors);
        Assert.Equal((7, 16), (error.Line, error.Column));
        Assert.StartsWith(
            "invalid image 'bad image' in action 'compile' of stage 'Build': an image reference cannot contain spaces",
            error.Message);
    }

    [Theory]
    [InlineData("10x", "invalid timeout '10x' in action 'compile' of stage 'Build': write a duration like 90s, 10m, 1h30m or a whole number of seconds.")]
    [InlineData("1m30h", "invalid timeout '1m30h' in action 'compile' of stage 'Build': write a duration like 90s, 10m, 1h30m or a whole number of seconds.")]
    [InlineData("1h 30m", "invalid timeout '1h 30m' in action 'compile' of stage 'Build': write a duration like 90s, 10m, 1h30m or a whole number of seconds.")]
    [InlineData("0", "timeout '0' in action 'compile' of stage 'Build' is out of range: use between 1s and 24h.")]
    [InlineData("24h1s", "timeout '24h1s' in action 'compile' of stage 'Build' is out of range: use between 1s and 24h.")]
    [InlineData("86401", "timeout '86401' in action 'compile' of stage 'Build' is out of range: use between 1s and 24h.")]
    public void Timeout_in_a_bad_form_or_out_of_range_is_reported(string timeout, string expectedMessage)
    {
        // Arrange
        var yaml = $"""
            name: hello
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
        var error = Assert.Single(result.Errors);
        Assert.Equal((8, 18), (error.Line, error.Column));
        Assert.Equal(expectedMessage, error.Message);
    }

    [Fact]
    public void Label_with_a_disallowed_character_is_reported_at_the_label()
    {
        // Arrange
        const string yaml = """
            name: hello
            stages:
              - name: Build
                actions:
                  - name: compile
                    type: shell
                    commands: [make]
                    runsOn: [linux, "gpu count"]
            """;

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert
        var error = Assert.Single(result.Errors);
        Assert.Equal((8, 25), (error.Line, error.Column));
        Assert.Equal(
            "invalid label 'gpu count' in 'runsOn' in action 'compile' of stage 'Build': use 1-100 letters, digits, '-', '_', '.', '=', ':' or '/'.",
            error.Message);
    }

    [Fact]
    public void Bad_env_keys_reserved_keys_and_collection_values_are_each_reported()
    {
        // Arrange
        const string yaml = """
            name: hello
            stages:
              - name: Build
                actions:
                  - name: compile
                    type: shell
                    commands: [make]
                    env:
                      2FAST: yes
                      FARM_TOKEN: abc
                      FLAGS: [a, b]
                      Farm_ok: fine
            """;

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert
        Assert.Null(result.Pipeline);
        Assert.Equal([(9, 11), (10, 11), (11, 18)], result.Errors.Select(e => (e.Line, e.Column)));
        Assert.Equal(
            "invalid env key '2FAST' in action 'compile' of stage 'Build': start it with a letter or '_' and use only letters, digits and '_'.",
            result.Errors[0].Message);
        Assert.Equal(
            "env key 'FARM_TOKEN' in action 'compile' of stage 'Build' is reserved: names starting with FARM_ are set by Farm; rename it.",
            result.Errors[1].Message);
        Assert.Equal(
            "env value of 'FLAGS' in action 'compile' of stage 'Build' must be a single value, not a list; quote it if it is meant as text.",
            result.Errors[2].Message);
    }

    [Fact]
    public void Container_only_keys_on_a_shell_action_are_reported()
    {
        // Arrange
        const string yaml = """
            name: hello
            stages:
              - name: Build
                actions:
                  - name: compile
                    type: shell
                    image: alpine
                    network: none
                    commands: [make]
            """;

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert
        Assert.Equal([(7, 9), (8, 9)], result.Errors.Select(e => (e.Line, e.Column)));
        Assert.Equal(
            "shell actions do not take 'image' (in action 'compile' of stage 'Build'): remove it; only container and container-deploy actions take it.",
            result.Errors[0].Message);
        Assert.StartsWith("shell actions do not take 'network'", result.Errors[1].Message);
    }

    [Fact]
    public void Unknown_unclosed_and_undeclared_references_are_reported_at_their_scalar()
    {
        // Arrange
        const string yaml = """
            name: hello
            variables:
              - name: greeting
            stages:
              - name: Build
                actions:
                  - name: compile
                    type: container
                    image: "alpine:#{variables.tag}"
                    network: "net-#{pipeline.name"
                    commands:
                      - "echo #{variables.greeting} #{variables.x}"
                    env:
                      WHO: "#{user}"
            """;

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert
        Assert.Null(result.Pipeline);
        Assert.Equal([(9, 16), (10, 18), (12, 13), (14, 16)], result.Errors.Select(e => (e.Line, e.Column)));
        Assert.Equal(
            "unknown variable 'tag' in action 'compile' of stage 'Build' (image): declare it under variables, or use #{execution.id} / #{pipeline.name}.",
            result.Errors[0].Message);
        Assert.Equal(
            "unclosed '#{' in action 'compile' of stage 'Build' (network): close it with '}', or write '##{' for a literal '#{'.",
            result.Errors[1].Message);
        Assert.Equal(
            "unknown variable 'x' in action 'compile' of stage 'Build' (command 1): declare it under variables, or use #{execution.id} / #{pipeline.name}.",
            result.Errors[2].Message);
        Assert.Equal(
            "unknown reference '#{user}' in action 'compile' of stage 'Build' (env 'WHO'): write #{variables.NAME} for a variable declared under variables, #{NAMESPACE.KEY} for an output of an action that runs earlier, or use #{execution.id} / #{pipeline.name}.",
            result.Errors[3].Message);
    }

    [Fact]
    public void Names_breaking_the_name_rules_are_reported()
    {
        // Arrange
        const string yaml = """
            name: hello world
            variables:
              - name: 1st
            stages:
              - name: -build
                actions:
                  - name: compile!
                    type: shell
                    commands: [make]
            """;

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert
        Assert.Equal([(1, 7), (3, 11), (5, 11), (7, 15)], result.Errors.Select(e => (e.Line, e.Column)));
        Assert.Equal(
            "invalid pipeline name 'hello world': use 1-100 letters, digits, '-', '_' or '.', starting with a letter or digit.",
            result.Errors[0].Message);
        Assert.Equal(
            "invalid variable name '1st': use up to 100 letters, digits, '_' or '-', starting with a letter or '_'.",
            result.Errors[1].Message);
        Assert.StartsWith("invalid stage name '-build': use 1-100 letters", result.Errors[2].Message);
        Assert.StartsWith("invalid action name 'compile!': use 1-100 letters", result.Errors[3].Message);
    }

    [Fact]
    public void Name_longer_than_100_characters_is_reported()
    {
        // Arrange
        var name = new string('a', 101);
        var yaml = $"""
            name: {name}
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
        var error = Assert.Single(result.Errors);
        Assert.Equal((1, 7), (error.Line, error.Column));
        Assert.StartsWith("invalid pipeline name 'aaaa", error.Message);
        Assert.Contains("use 1-100 letters", error.Message);
    }

    [Fact]
    public void Empty_lists_and_empty_commands_are_reported()
    {
        // Arrange
        const string yaml = """
            name: hello
            stages:
              - name: Build
                actions: []
              - name: Test
                actions:
                  - name: unit
                    type: shell
                    commands: []
                  - name: lint
                    type: shell
                    commands:
                      - make lint
                      - ""
            """;

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert
        Assert.Equal([(4, 14), (9, 19), (14, 13)], result.Errors.Select(e => (e.Line, e.Column)));
        Assert.Equal(
            "'actions' in stage 'Build' is empty: add at least one action, each with a name, a type and commands.",
            result.Errors[0].Message);
        Assert.Equal(
            "'commands' in action 'unit' of stage 'Test' is empty: add at least one command to run.",
            result.Errors[1].Message);
        Assert.Equal(
            "command 2 in action 'lint' of stage 'Test' is empty: write the command, or remove the item.",
            result.Errors[2].Message);
    }

    [Fact]
    public void Stages_key_without_a_value_is_reported_at_the_key()
    {
        // Arrange
        const string yaml = """
            name: hello
            stages:
            """;

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert
        var error = Assert.Single(result.Errors);
        Assert.Equal((2, 1), (error.Line, error.Column));
        Assert.Equal(
            "'stages' at the top level of the file is empty: add at least one stage, each with a name and actions.",
            error.Message);
    }

    [Fact]
    public void Several_errors_in_one_file_are_all_reported_sorted_by_line_and_column()
    {
        // Arrange
        const string yaml = """
            name: hello
            stages:
              - name: Build
                actions:
                  - name: compile
                    type: container
                    image: Farm/App
                    commands: ["echo #{variables.missing}"]
                    runOrder: 0
                    timout: 10m
              - name: Test
                actions:
                  - name: unit
                    commands: [make test]
            """;

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert
        Assert.Null(result.Pipeline);
        Assert.Equal(
            [(7, 16), (8, 20), (9, 19), (10, 9), (13, 9)],
            result.Errors.Select(e => (e.Line, e.Column)));
        Assert.Contains("must be lowercase", result.Errors[0].Message);
        Assert.StartsWith("unknown variable 'missing'", result.Errors[1].Message);
        Assert.StartsWith("runOrder '0'", result.Errors[2].Message);
        Assert.Contains("did you mean 'timeout'?", result.Errors[3].Message);
        Assert.StartsWith("missing required key 'type' in action 'unit' of stage 'Test'", result.Errors[4].Message);
        Assert.Equal("line 13, column 9: " + result.Errors[4].Message, result.Errors[4].ToString());
    }

    [Fact]
    public void Invalid_yaml_is_one_error_at_the_place_the_reader_stopped()
    {
        // Arrange
        const string yaml = """
            name: hello
            stages: [
              - name: Build
            """;

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert
        Assert.Null(result.Pipeline);
        var error = Assert.Single(result.Errors);
        Assert.Equal((3, 3), (error.Line, error.Column));
        Assert.StartsWith("the file is not valid YAML: ", error.Message);
        Assert.EndsWith("Check the indentation, quoting and brackets near here.", error.Message);
    }

    [Fact]
    public void Unterminated_quote_is_reported_as_invalid_yaml()
    {
        // Arrange
        const string yaml = "name: \"hello\nstages: []\n";

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert
        var error = Assert.Single(result.Errors);
        Assert.Equal((1, 7), (error.Line, error.Column));
        Assert.StartsWith("the file is not valid YAML: while scanning a multi-line double-quoted scalar", error.Message);
        Assert.EndsWith("Check the indentation, quoting and brackets near here.", error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n\n")]
    [InlineData("# only a comment\n")]
    [InlineData("~")]
    public void Empty_document_is_an_error(string yaml)
    {
        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert
        Assert.Null(result.Pipeline);
        var error = Assert.Single(result.Errors);
        Assert.Equal((1, 1), (error.Line, error.Column));
        Assert.Equal("the file is empty: a pipeline needs at least a 'name' and a list of 'stages'.", error.Message);
    }

    [Fact]
    public void More_than_one_document_is_an_error_at_the_second()
    {
        // Arrange
        const string yaml = """
            name: hello
            stages:
              - name: Build
                actions:
                  - name: compile
                    type: shell
                    commands: [make]
            ---
            name: other
            """;

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert
        var error = Assert.Single(result.Errors);
        Assert.Equal((9, 1), (error.Line, error.Column));
        Assert.Equal(
            "the file holds more than one YAML document: keep one pipeline per file and remove the '---' separator.",
            error.Message);
    }

    [Theory]
    [InlineData("{")]
    [InlineData("*anchor")]
    [InlineData("name: [a\nstages: b\n")]
    [InlineData("variables:\n  : name: x\n    default: \"hi\"\nstages: 1\n")]
    [InlineData("? [a, b]\n: c\n")]
    [InlineData("name: !!binary aGVsbG8=\nstages: 1\n")]
    [InlineData("\t- a")]
    public void Parse_never_throws_on_malformed_input(string yaml)
    {
        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert
        Assert.Null(result.Pipeline);
        Assert.NotEmpty(result.Errors);
        Assert.All(result.Errors, e => Assert.True(e.Line >= 1 && e.Column >= 1, e.ToString()));
        Assert.All(result.Errors, e => Assert.EndsWith(".", e.Message));
    }
}
