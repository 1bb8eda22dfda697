using Farm.Core.Pipelines;

namespace Farm.Core.Tests.Pipelines;

/// <summary>
/// Files that misuse execution modes, stage failure handling and entry rules, namespaces,
/// artifacts or references to earlier actions: each problem with its exact line, column and words.
/// </summary>
public sealed class PipelineParserModelErrorTests
{
    private static PipelineError SingleError(string yaml)
    {
        var result = PipelineParser.Parse(yaml);
        Assert.Null(result.Pipeline);
        return Assert.Single(result.Errors);
    }

    [Fact]
    public void Unknown_execution_mode_is_reported_with_the_closest_mode()
    {
        // Arrange
        const string yaml = """
            name: modes
            executionMode: queue
            stages:
              - name: Build
                actions:
                  - name: compile
                    type: shell
                    commands: [make]
            """;

        // Act
        var error = SingleError(yaml);

        // Assert
        Assert.Equal((2, 16), (error.Line, error.Column));
        Assert.Equal(
            "unknown execution mode 'queue' at the top level of the file: did you mean 'queued'? Use one of superseded, queued, parallel.",
            error.Message);
    }

    [Fact]
    public void Unknown_keys_list_the_new_keys_at_every_level()
    {
        // Arrange
        const string yaml = """
            name: keys
            stages:
              - name: Build
                onFailre: retry
                actions:
                  - name: compile
                    type: shell
                    commands: [make]
                    outputArtifacts:
                      - name: bin
                        path: [bin]
              - name: Deploy
                onFailure: { result: retry, retry: 2 }
                beforeEntry:
                  reslt: skip
                  rules:
                    - variable: "#{execution.id}"
                      value: x
                      op: equals
                actions:
                  - name: ship
                    type: shell
                    commands: [ship]
            """;

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert: 'path' also leaves the artifact without its required 'paths'.
        Assert.Null(result.Pipeline);
        Assert.Equal(
            [(4, 5), (10, 13), (11, 13), (13, 33), (15, 7), (19, 11)],
            result.Errors.Select(e => (e.Line, e.Column)));
        Assert.Equal(
            "unknown key 'onFailre' in stage 'Build': did you mean 'onFailure'? Allowed keys are name, actions, onFailure, beforeEntry, protected.",
            result.Errors[0].Message);
        Assert.Equal(
            "missing required key 'paths' in output artifact 'bin' of action 'compile' of stage 'Build': add 'paths' with a list of workspace-relative paths or globs, e.g. [dist/**].",
            result.Errors[1].Message);
        Assert.Equal(
            "unknown key 'path' in output artifact 'bin' of action 'compile' of stage 'Build': did you mean 'paths'? Allowed keys are name, paths.",
            result.Errors[2].Message);
        Assert.Equal(
            "unknown key 'retry' in 'onFailure' of stage 'Deploy': remove it. Allowed keys are result, retries.",
            result.Errors[3].Message);
        Assert.Equal(
            "unknown key 'reslt' in 'beforeEntry' of stage 'Deploy': did you mean 'result'? Allowed keys are result, rules.",
            result.Errors[4].Message);
        Assert.Equal(
            "unknown key 'op' in rule 1 of 'beforeEntry' of stage 'Deploy': remove it. Allowed keys are variable, operator, value.",
            result.Errors[5].Message);
    }

    public static TheoryData<string, int, int, string> OnFailureErrors => new()
    {
        {
            "retyr", 4, 16,
            "unknown onFailure result 'retyr' in stage 'Build': did you mean 'retry'? Use one of fail, retry, rollback."
        },
        {
            "[retry]", 4, 16,
            "'onFailure' in stage 'Build' must be one of fail, retry, rollback, or a mapping with result and retries, not a list."
        },
        {
            "{ result: fail, retries: 2 }", 4, 32,
            "'retries' in 'onFailure' of stage 'Build' only applies when result is retry: remove it, or set result: retry."
        },
        {
            "{ result: rollback, retries: 2 }", 4, 36,
            "'retries' in 'onFailure' of stage 'Build' only applies when result is retry: remove it, or set result: retry."
        },
        {
            "{ result: retry, retries: 0 }", 4, 42,
            "retries '0' in 'onFailure' of stage 'Build' is not valid: use a whole number from 1 to 10."
        },
        {
            "{ result: retry, retries: 11 }", 4, 42,
            "retries '11' in 'onFailure' of stage 'Build' is not valid: use a whole number from 1 to 10."
        },
        {
            "{ result: retry, retries: two }", 4, 42,
            "retries 'two' in 'onFailure' of stage 'Build' is not valid: use a whole number from 1 to 10."
        },
        {
            "{ retries: 2 }", 4, 16,
            "missing required key 'result' in 'onFailure' of stage 'Build': add 'result' with one of fail, retry, rollback."
        },
        {
            "{ result: Retry }", 4, 26,
            "unknown onFailure result 'Retry' in stage 'Build': did you mean 'retry'? Use one of fail, retry, rollback."
        },
    };

    [Theory]
    [MemberData(nameof(OnFailureErrors))]
    public void Bad_onFailure_is_reported_where_it_is_wrong(string written, int line, int column, string message)
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
        var error = SingleError(yaml);

        // Assert
        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.Equal(message, error.Message);
    }

    public static TheoryData<string, int, int, string> BeforeEntryErrors => new()
    {
        {
            "skip", 4, 18,
            "'beforeEntry' in stage 'Build' must be a mapping with result and rules, not the value 'skip'."
        },
        {
            "{ result: skip }", 4, 18,
            "missing required key 'rules' in 'beforeEntry' of stage 'Build': add 'rules' with a list of rules, each with a variable, an optional operator and a value."
        },
        {
            "{ rules: [] }", 4, 27,
            "'rules' in 'beforeEntry' of stage 'Build' is empty: add at least one rule, each with a variable, an optional operator and a value."
        },
        {
            "{ rules: [x] }", 4, 28,
            "rule 1 in 'beforeEntry' of stage 'Build' must be a mapping with variable, operator and value, not the value 'x'."
        },
        {
            "{ result: skp, rules: [{ variable: a, value: b }] }", 4, 28,
            "unknown beforeEntry result 'skp' in stage 'Build': did you mean 'skip'? Use one of fail, skip."
        },
        {
            "{ rules: [{ value: b }] }", 4, 28,
            "missing required key 'variable' in rule 1 of 'beforeEntry' of stage 'Build': add 'variable' with the text to check, usually a reference such as \"#{build.BRANCH}\" (quoted, or YAML reads it as a comment)."
        },
        {
            "{ rules: [{ variable: '', value: b }] }", 4, 30,
            "'variable' in rule 1 of 'beforeEntry' of stage 'Build' is empty: set it to the text to check, usually a reference such as \"#{build.BRANCH}\" (quoted, or YAML reads it as a comment)."
        },
        {
            "{ rules: [{ variable: a }] }", 4, 28,
            "missing required key 'value' in rule 1 of 'beforeEntry' of stage 'Build': add 'value' with the text to compare with; write value: \"\" to compare with empty text."
        },
        {
            "{ rules: [{ variable: a, value: [b] }] }", 4, 50,
            "'value' in rule 1 of 'beforeEntry' of stage 'Build' must be a single value, not a list."
        },
        {
            "{ rules: [{ variable: a, operator: equal, value: b }] }", 4, 53,
            "unknown operator 'equal' in rule 1 of 'beforeEntry' of stage 'Build': did you mean 'equals'? Use one of equals, notEquals, contains, matches."
        },
        {
            "{ rules: [{ variable: a, operator: matches, value: '[a-z' }] }", 4, 69,
            "invalid regular expression '[a-z' in rule 1 of 'beforeEntry' of stage 'Build': unterminated [] set (at offset 4); fix the pattern, or use operator: contains or equals to compare with plain text."
        },
        {
            "{ rules: [{ variable: a, operator: matches, value: '(x' }] }", 4, 69,
            "invalid regular expression '(x' in rule 1 of 'beforeEntry' of stage 'Build': not enough )'s (at offset 2); fix the pattern, or use operator: contains or equals to compare with plain text."
        },
    };

    [Theory]
    [MemberData(nameof(BeforeEntryErrors))]
    public void Bad_beforeEntry_is_reported_where_it_is_wrong(string written, int line, int column, string message)
    {
        // Arrange
        var yaml = $"""
            name: entry
            stages:
              - name: Build
                beforeEntry: {written}
                actions:
                  - name: compile
                    type: shell
                    commands: [make]
            """;

        // Act
        var error = SingleError(yaml);

        // Assert
        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Invalid_reserved_and_duplicate_namespaces_are_reported()
    {
        // Arrange
        const string yaml = """
            name: namespaces
            stages:
              - name: Build
                actions:
                  - name: compile
                    type: shell
                    namespace: build
                    commands: [make]
                  - name: lint
                    type: shell
                    namespace: 1lint
                    commands: [make lint]
                  - name: vars
                    type: shell
                    namespace: Pipeline
                    commands: [env]
              - name: Test
                actions:
                  - name: unit
                    type: shell
                    namespace: BUILD
                    commands: [make test]
                  - name: dotted
                    type: shell
                    namespace: a.b
                    commands: [make test]
            """;

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert
        Assert.Null(result.Pipeline);
        Assert.Equal([(11, 20), (15, 20), (21, 20), (25, 20)], result.Errors.Select(e => (e.Line, e.Column)));
        Assert.Equal(
            "invalid namespace '1lint' in action 'lint' of stage 'Build': use 1-100 letters, digits, '_' or '-', starting with a letter.",
            result.Errors[0].Message);
        Assert.Equal(
            "namespace 'Pipeline' in action 'vars' of stage 'Build' is reserved: variables, execution and pipeline already name built-in values in #{...} references; choose another name.",
            result.Errors[1].Message);
        Assert.Equal(
            "duplicate namespace 'BUILD' in action 'unit' of stage 'Test': action 'compile' in stage 'Build' declares 'build' on line 7 (namespaces are compared ignoring case and are unique in the pipeline); choose another name.",
            result.Errors[2].Message);
        Assert.StartsWith("invalid namespace 'a.b' in action 'dotted' of stage 'Test': use 1-100 letters", result.Errors[3].Message);
    }

    [Fact]
    public void Bad_output_artifacts_and_paths_are_reported()
    {
        // Arrange
        const string yaml = """
            name: outputs
            stages:
              - name: Build
                actions:
                  - name: compile
                    type: shell
                    commands: [make]
                    outputArtifacts:
                      - name: bin
                        paths: [/abs/x, "../up", "a/../../b", "dir\\..\\x", "", ok/**]
                      - name: no way
                        paths: x
                      - name: empty
                        paths: []
                      - bare
              - name: Test
                actions:
                  - name: unit
                    type: shell
                    commands: [make test]
                    outputArtifacts:
                      - name: BIN
                        paths: [y]
                  - name: single
                    type: shell
                    commands: [make test]
                    outputArtifacts: { name: x, paths: [x] }
            """;

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert
        Assert.Null(result.Pipeline);
        Assert.Equal(
            [(10, 21), (10, 29), (10, 38), (10, 51), (10, 65), (11, 19), (14, 20), (15, 13), (22, 19), (27, 26)],
            result.Errors.Select(e => (e.Line, e.Column)));
        var messages = result.Errors.Select(e => e.Message).ToList();
        const string where = "in output artifact 'bin' of action 'compile' of stage 'Build'";
        Assert.Equal($"path '/abs/x' {where} is absolute: write it relative to the workspace, e.g. 'abs/x'.", messages[0]);
        Assert.Equal($"path '../up' {where} leaves the workspace through '..': write a path inside the workspace.", messages[1]);
        Assert.Equal($"path 'a/../../b' {where} leaves the workspace through '..': write a path inside the workspace.", messages[2]);
        Assert.Equal($"path 'dir\\..\\x' {where} leaves the workspace through '..': write a path inside the workspace.", messages[3]);
        Assert.Equal($"path 5 {where} is empty: write a workspace-relative path or glob, or remove the item.", messages[4]);
        Assert.Equal(
            "invalid artifact name 'no way' in output artifact 'no way' of action 'compile' of stage 'Build': use 1-100 letters, digits, '-', '_' or '.', starting with a letter or digit.",
            messages[5]);
        Assert.Equal(
            "'paths' in output artifact 'empty' of action 'compile' of stage 'Build' is empty: add at least one workspace-relative path or glob, e.g. dist/**.",
            messages[6]);
        Assert.Equal(
            "output artifact 4 in action 'compile' of stage 'Build' must be a mapping with name and paths, not the value 'bare'.",
            messages[7]);
        Assert.Equal(
            "duplicate artifact name 'BIN' in output artifact 'BIN' of action 'unit' of stage 'Test': action 'compile' in stage 'Build' already produces 'bin' on line 9 (artifact names are compared ignoring case and are unique in the pipeline); rename one of them.",
            messages[8]);
        Assert.Equal(
            "'outputArtifacts' in action 'single' of stage 'Test' must be a list of artifacts, each with a name and paths, not a mapping.",
            messages[9]);
    }

    [Fact]
    public void Input_artifact_that_no_action_produces_lists_the_produced_ones()
    {
        // Arrange
        const string yaml = """
            name: inputs
            stages:
              - name: Build
                actions:
                  - name: compile
                    type: shell
                    commands: [make]
                    outputArtifacts:
                      - { name: binaries, paths: [bin] }
                      - { name: docs, paths: [site] }
              - name: Deploy
                actions:
                  - name: ship
                    type: shell
                    inputArtifacts: [bundle, Docs]
                    commands: [ship]
            """;

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert
        Assert.Null(result.Pipeline);
        Assert.Equal([(15, 26), (15, 34)], result.Errors.Select(e => (e.Line, e.Column)));
        Assert.Equal(
            "no action produces artifact 'bundle'; produced artifacts are: binaries, docs. Name a produced artifact in 'inputArtifacts' in action 'ship' of stage 'Deploy', or add 'bundle' to the outputArtifacts of an action that runs before it.",
            result.Errors[0].Message);
        Assert.Equal(
            "no action produces artifact 'Docs'; produced artifacts are: binaries, docs. Did you mean 'docs'? Name a produced artifact in 'inputArtifacts' in action 'ship' of stage 'Deploy'.",
            result.Errors[1].Message);
    }

    [Fact]
    public void Input_artifact_when_no_action_produces_any_says_none()
    {
        // Arrange
        const string yaml = """
            name: inputs
            stages:
              - name: Deploy
                actions:
                  - name: ship
                    type: shell
                    inputArtifacts: bundle
                    commands: [ship]
            """;

        // Act
        var error = SingleError(yaml);

        // Assert
        Assert.Equal((7, 25), (error.Line, error.Column));
        Assert.Equal(
            "no action produces artifact 'bundle'; produced artifacts are: none. Name a produced artifact in 'inputArtifacts' in action 'ship' of stage 'Deploy', or add 'bundle' to the outputArtifacts of an action that runs before it.",
            error.Message);
    }

    [Fact]
    public void Input_artifact_made_by_an_action_that_does_not_run_earlier_names_that_action()
    {
        // Arrange: same runOrder, a later stage, and the action's own output.
        const string yaml = """
            name: inputs
            stages:
              - name: Build
                actions:
                  - name: compile
                    type: shell
                    commands: [make]
                    outputArtifacts:
                      - { name: binaries, paths: [bin] }
                  - name: package
                    type: shell
                    inputArtifacts: [binaries, bundle, final]
                    commands: [pack]
                    outputArtifacts:
                      - { name: bundle, paths: [app.tgz] }
              - name: Deploy
                actions:
                  - name: ship
                    type: shell
                    commands: [ship]
                    outputArtifacts:
                      - { name: final, paths: [out] }
            """;

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert
        Assert.Null(result.Pipeline);
        Assert.Equal([(12, 26), (12, 36), (12, 44)], result.Errors.Select(e => (e.Line, e.Column)));
        Assert.Equal(
            "artifact 'binaries' is made by action 'compile' in stage 'Build', which does not run before this action: both are in stage 'Build', and action 'compile' has runOrder 1, not lower than this action's 1; give 'compile' a lower runOrder, or move it to an earlier stage ('inputArtifacts' in action 'package' of stage 'Build').",
            result.Errors[0].Message);
        Assert.Equal(
            "artifact 'bundle' is made by action 'package' in stage 'Build', which does not run before this action: it is this action itself, and an action cannot use its own output artifacts; take them from an action that runs earlier ('inputArtifacts' in action 'package' of stage 'Build').",
            result.Errors[1].Message);
        Assert.Equal(
            "artifact 'final' is made by action 'ship' in stage 'Deploy', which does not run before this action: stage 'Deploy' runs after stage 'Build'; move action 'ship' to a stage before stage 'Build' ('inputArtifacts' in action 'package' of stage 'Build').",
            result.Errors[2].Message);
    }

    [Fact]
    public void Bad_input_artifact_lists_are_reported()
    {
        // Arrange
        const string yaml = """
            name: inputs
            stages:
              - name: Build
                actions:
                  - name: compile
                    type: shell
                    commands: [make]
                    outputArtifacts:
                      - { name: bin, paths: [bin] }
              - name: Deploy
                actions:
                  - name: ship
                    type: shell
                    inputArtifacts: [bin, "bad name", "", BIN]
                    commands: [ship]
                  - name: other
                    type: shell
                    inputArtifacts: { bin: true }
                    commands: [ship]
            """;

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert
        Assert.Null(result.Pipeline);
        Assert.Equal([(14, 31), (14, 43), (14, 47), (18, 25)], result.Errors.Select(e => (e.Line, e.Column)));
        Assert.Equal(
            "invalid artifact name 'bad name' in 'inputArtifacts' in action 'ship' of stage 'Deploy': use 1-100 letters, digits, '-', '_' or '.', starting with a letter or digit.",
            result.Errors[0].Message);
        Assert.Equal(
            "an artifact name in 'inputArtifacts' in action 'ship' of stage 'Deploy' is empty: write the name of an artifact, or remove the item.",
            result.Errors[1].Message);
        Assert.Equal(
            "artifact 'BIN' is listed twice in 'inputArtifacts' in action 'ship' of stage 'Deploy': remove one of them.",
            result.Errors[2].Message);
        Assert.Equal(
            "'inputArtifacts' in action 'other' of stage 'Deploy' must be a list of artifact names, not a mapping.",
            result.Errors[3].Message);
    }

    [Fact]
    public void References_to_unknown_namespaces_say_which_namespaces_exist()
    {
        // Arrange
        const string yaml = """
            name: refs
            stages:
              - name: Build
                actions:
                  - name: compile
                    type: shell
                    namespace: build
                    commands: [make]
                  - name: package
                    type: shell
                    namespace: pack
                    runOrder: 2
                    commands: ["pack #{Build.VERSION}", "pack #{deploy.X}"]
                    env:
                      WHO: "#{execution.user}"
            """;

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert
        Assert.Null(result.Pipeline);
        Assert.Equal([(13, 20), (13, 45), (15, 16)], result.Errors.Select(e => (e.Line, e.Column)));
        Assert.Equal(
            "unknown namespace 'Build' in '#{Build.VERSION}' in action 'package' of stage 'Build' (command 1): did you mean 'build'? Declared namespaces are build, pack.",
            result.Errors[0].Message);
        Assert.Equal(
            "unknown namespace 'deploy' in '#{deploy.X}' in action 'package' of stage 'Build' (command 2): declared namespaces are build, pack; use one of them, or set 'namespace: deploy' on the action whose outputs you mean.",
            result.Errors[1].Message);
        Assert.Equal(
            "unknown reference '#{execution.user}' in action 'package' of stage 'Build' (env 'WHO'): write #{variables.NAME} for a variable declared under variables, #{NAMESPACE.KEY} for an output of an action that runs earlier, or use #{execution.id} / #{pipeline.name}.",
            result.Errors[2].Message);
    }

    [Fact]
    public void Reference_to_a_namespace_when_none_is_declared_says_how_to_declare_one()
    {
        // Arrange
        const string yaml = """
            name: refs
            stages:
              - name: Build
                actions:
                  - name: compile
                    type: container
                    image: "alpine:#{build.TAG}"
                    commands: [make]
            """;

        // Act
        var error = SingleError(yaml);

        // Assert
        Assert.Equal((7, 16), (error.Line, error.Column));
        Assert.Equal(
            "unknown namespace 'build' in '#{build.TAG}' in action 'compile' of stage 'Build' (image): no action declares a namespace; set 'namespace: build' on the action whose outputs you mean.",
            error.Message);
    }

    [Fact]
    public void Reference_to_a_namespace_of_an_action_that_does_not_run_earlier_names_that_action()
    {
        // Arrange
        const string yaml = """
            name: refs
            stages:
              - name: Build
                actions:
                  - name: compile
                    type: shell
                    namespace: build
                    runOrder: 3
                    commands: ["make #{build.SELF}"]
                  - name: lint
                    type: shell
                    runOrder: 3
                    commands: ["lint #{build.V}"]
                  - name: early
                    type: container
                    image: alpine
                    network: "#{test.NET}"
                    runOrder: 2
                    commands: ["echo #{build.V}"]
              - name: Test
                actions:
                  - name: unit
                    type: shell
                    namespace: test
                    commands: [make test]
            """;

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert
        Assert.Null(result.Pipeline);
        Assert.Equal([(9, 20), (13, 20), (17, 18), (19, 20)], result.Errors.Select(e => (e.Line, e.Column)));
        Assert.Equal(
            "namespace 'build' in '#{build.SELF}' in action 'compile' of stage 'Build' (command 1) belongs to action 'compile' in stage 'Build', which does not run before this action: it is this action itself, and an action cannot use its own outputs; take them from an action that runs earlier.",
            result.Errors[0].Message);
        Assert.Equal(
            "namespace 'build' in '#{build.V}' in action 'lint' of stage 'Build' (command 1) belongs to action 'compile' in stage 'Build', which does not run before this action: both are in stage 'Build', and action 'compile' has runOrder 3, not lower than this action's 3; give 'compile' a lower runOrder, or move it to an earlier stage.",
            result.Errors[1].Message);
        Assert.Equal(
            "namespace 'test' in '#{test.NET}' in action 'early' of stage 'Build' (network) belongs to action 'unit' in stage 'Test', which does not run before this action: stage 'Test' runs after stage 'Build'; move action 'unit' to a stage before stage 'Build'.",
            result.Errors[2].Message);
        Assert.Equal(
            "namespace 'build' in '#{build.V}' in action 'early' of stage 'Build' (command 1) belongs to action 'compile' in stage 'Build', which does not run before this action: both are in stage 'Build', and action 'compile' has runOrder 3, not lower than this action's 2; give 'compile' a lower runOrder, or move it to an earlier stage.",
            result.Errors[3].Message);
    }

    [Fact]
    public void Reference_with_a_bad_output_name_is_reported()
    {
        // Arrange
        const string yaml = """
            name: refs
            stages:
              - name: Build
                actions:
                  - name: compile
                    type: shell
                    namespace: build
                    commands: [make]
              - name: Test
                actions:
                  - name: unit
                    type: shell
                    commands: ["test #{build.1st} #{build.a-b} #{build.}"]
            """;

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert
        Assert.Null(result.Pipeline);
        Assert.Equal([(13, 20), (13, 20), (13, 20)], result.Errors.Select(e => (e.Line, e.Column)));
        Assert.Equal(
            "invalid output name '1st' in '#{build.1st}' in action 'unit' of stage 'Test' (command 1): after 'build.' write the name of an output variable, a letter or '_' followed by letters, digits and '_'.",
            result.Errors[0].Message);
        Assert.StartsWith("invalid output name 'a-b' in '#{build.a-b}'", result.Errors[1].Message);
        Assert.StartsWith("invalid output name '' in '#{build.}'", result.Errors[2].Message);
    }

    [Fact]
    public void Entry_rules_may_only_use_namespaces_of_earlier_stages()
    {
        // Arrange
        const string yaml = """
            name: entry
            stages:
              - name: Build
                actions:
                  - name: compile
                    type: shell
                    namespace: build
                    commands: [make]
              - name: Deploy
                beforeEntry:
                  rules:
                    - variable: "#{build.BRANCH}"
                      value: main
                    - variable: "#{ship.DONE}"
                      value: "#{later.X}"
                actions:
                  - name: ship
                    type: shell
                    namespace: ship
                    commands: [ship]
              - name: Later
                actions:
                  - name: notify
                    type: shell
                    namespace: later
                    commands: [notify]
            """;

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert: rule 1 uses an earlier stage's namespace and is fine.
        Assert.Null(result.Pipeline);
        Assert.Equal([(14, 21), (15, 18)], result.Errors.Select(e => (e.Line, e.Column)));
        Assert.Equal(
            "namespace 'ship' in '#{ship.DONE}' in rule 2 of 'beforeEntry' of stage 'Deploy' (variable) belongs to action 'ship' in stage 'Deploy', which does not run before the entry rules of stage 'Deploy' are checked: entry rules can only use what actions of earlier stages provide; move action 'ship' to a stage before stage 'Deploy'.",
            result.Errors[0].Message);
        Assert.Equal(
            "namespace 'later' in '#{later.X}' in rule 2 of 'beforeEntry' of stage 'Deploy' (value) belongs to action 'notify' in stage 'Later', which does not run before the entry rules of stage 'Deploy' are checked: stage 'Later' runs after stage 'Deploy'; move action 'notify' to a stage before stage 'Deploy'.",
            result.Errors[1].Message);
    }

    [Fact]
    public void Unquoted_reference_in_an_entry_rule_is_caught_as_a_comment()
    {
        // Arrange: YAML reads everything from ' #' on as a comment, leaving the variable empty.
        const string yaml = """
            name: entry
            variables:
              - name: branch
            stages:
              - name: Deploy
                beforeEntry:
                  rules:
                    - variable: #{variables.branch}
                      value: main
                actions:
                  - name: ship
                    type: shell
                    commands: [ship]
            """;

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert
        Assert.Null(result.Pipeline);
        Assert.Equal([(8, 11), (8, 21)], result.Errors.Select(e => (e.Line, e.Column)));
        Assert.StartsWith("'variable' in rule 1 of 'beforeEntry' of stage 'Deploy' is empty", result.Errors[0].Message);
        Assert.StartsWith("the text from '#{variables.branch}' on is read as a YAML comment", result.Errors[1].Message);
    }

    [Fact]
    public void Pipeline_mixing_several_new_errors_reports_them_all_sorted()
    {
        // Arrange
        const string yaml = """
            name: mixed
            executionMode: paralel
            stages:
              - name: Build
                onFailure: { result: fail, retries: 3 }
                actions:
                  - name: compile
                    type: shell
                    namespace: execution
                    inputArtifacts: [nothing]
                    commands: ["make #{nope.X}"]
                    outputArtifacts:
                      - { name: bin, paths: [/bin] }
              - name: Deploy
                onFailure: retrys
                beforeEntry:
                  result: skip
                  rules:
                    - variable: "#{variables.missing}"
                      operator: matches
                      value: "(("
                actions:
                  - name: ship
                    type: shell
                    namespace: Ship
                    commands: [ship]
                  - name: verify
                    type: shell
                    namespace: ship
                    inputArtifacts: bin
                    commands: [verify]
            """;

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert
        Assert.Null(result.Pipeline);
        Assert.Equal(
            [(2, 16), (5, 32), (9, 20), (10, 26), (11, 20), (13, 34), (15, 16), (19, 21), (21, 18), (29, 20)],
            result.Errors.Select(e => (e.Line, e.Column)));
        var messages = result.Errors.Select(e => e.Message).ToList();
        Assert.StartsWith("unknown execution mode 'paralel' at the top level of the file: did you mean 'parallel'?", messages[0]);
        Assert.StartsWith("'retries' in 'onFailure' of stage 'Build' only applies when result is retry", messages[1]);
        Assert.StartsWith("namespace 'execution' in action 'compile' of stage 'Build' is reserved", messages[2]);
        Assert.StartsWith("no action produces artifact 'nothing'; produced artifacts are: bin.", messages[3]);
        Assert.StartsWith("unknown namespace 'nope' in '#{nope.X}' in action 'compile' of stage 'Build' (command 1): declared namespaces are Ship;", messages[4]);
        Assert.StartsWith("path '/bin' in output artifact 'bin' of action 'compile' of stage 'Build' is absolute", messages[5]);
        Assert.StartsWith("unknown onFailure result 'retrys' in stage 'Deploy': did you mean 'retry'?", messages[6]);
        Assert.Equal(
            "unknown variable 'missing' in rule 1 of 'beforeEntry' of stage 'Deploy' (variable): declare it under variables, or use #{execution.id} / #{pipeline.name}.",
            messages[7]);
        Assert.StartsWith("invalid regular expression '((' in rule 1 of 'beforeEntry' of stage 'Deploy': not enough )'s (at offset 2);", messages[8]);
        Assert.StartsWith("duplicate namespace 'ship' in action 'verify' of stage 'Deploy': action 'ship' in stage 'Deploy' declares 'Ship' on line 25", messages[9]);
    }
}
