using Farm.Cli.Import;

namespace Farm.Cli.Tests.Import;

public sealed class CodePipelineImporterTests
{
    private const string SmallYaml = """
        # Imported from AWS CodePipeline 'hello-commands' (pipelineType V2, version 3) by 'farm import codepipeline'.
        # Not carried over, AWS-only: roleArn, artifactStore.
        name: 'hello-commands'
        executionMode: queued
        variables:
          - name: 'greeting'
            default: 'hello'
            description: 'What the build says first.'
          - name: 'branch'
            default: 'main'
        stages:
          - name: 'Build'
            actions:
              - name: 'compile'
                type: container
                image: 'farm/busybox'
                timeout: 20m
                namespace: 'BuildVariables'
                outputArtifacts:
                  - name: 'BuildOutput'
                    paths:
                      - 'dist/**'
                commands:
                  - 'echo "building #{variables.greeting} in #{execution.id}"'
                  - 'export BUILD_ID=build-42'
                  - 'mkdir -p dist && echo "it''s built" > dist/app.txt'
                  - 'printf ''%s=%s\n'' BUILD_ID "${BUILD_ID}" >> "$FARM_OUTPUT"'
          - name: 'Deploy'
            onFailure: rollback
            beforeEntry:
              result: skip
              rules:
                - variable: '#{variables.branch}'
                  operator: equals
                  value: 'main'
            actions:
              - name: 'release'
                type: container
                image: 'farm/busybox'
                runOrder: 2
                inputArtifacts:
                  - 'BuildOutput'
                commands:
                  - 'cat dist/app.txt'
                  - 'echo ''released #{BuildVariables.BUILD_ID}'''

        """;

    [Fact]
    public void Small_pipeline_translates_to_exact_yaml()
    {
        var result = CodePipelineImporter.Import(Sample.Read("small.json"));

        Assert.Empty(result.Errors);
        Assert.Equal(SmallYaml.ReplaceLineEndings("\n"), result.Yaml);
    }

    [Fact]
    public void Small_pipeline_notes_the_image_of_each_commands_action()
    {
        var result = CodePipelineImporter.Import(Sample.Read("small.json"));

        Assert.Equal(
            [
                "Build/compile: CodePipeline ran these commands in CodeBuild's managed Linux image; written with image farm/busybox, which has busybox tools only: set an image with the tools they need",
                "Deploy/release: CodePipeline ran these commands in CodeBuild's managed Linux image; written with image farm/busybox, which has busybox tools only: set an image with the tools they need",
            ],
            result.Notes.Select(n => n.ToString()));
    }

    [Fact]
    public void Bare_pipeline_object_is_accepted_and_configuration_commands_are_read()
    {
        var result = CodePipelineImporter.Import(Sample.Read("bare.json"));

        Assert.Empty(result.Errors);
        Assert.Contains("image: 'alpine:3.20'\n", result.Yaml);
        Assert.Contains("        commands:\n          - 'echo one'\n          - 'echo two'\n", result.Yaml);
        Assert.Empty(result.Notes);
    }

    [Fact]
    public void Actions_without_a_farm_equivalent_fail_with_a_message_and_are_noted()
    {
        var result = CodePipelineImporter.Import(Sample.Read("full.json"));

        Assert.Empty(result.Errors);
        var notes = result.Notes.Select(n => n.ToString()).ToList();
        Assert.Contains("Source/Source: CodeStarSourceConnection (Source) has no Farm equivalent; written as a failing container action to fill in; source actions arrive with issue 4 (type: git)", notes);
        Assert.Contains("Build/unit-tests: CodeBuild (Build) has no Farm equivalent; written as a failing container action to fill in", notes);
        Assert.Contains("Deploy/Stack: CloudFormation (Deploy) has no Farm equivalent; written as a failing container action to fill in", notes);
        Assert.Contains("          - 'echo \"Imported from CodePipeline: CodeBuild action needs a Farm equivalent; edit this action.\" >&2; exit 1'\n", result.Yaml);
        Assert.Contains("          - 'echo \"Imported from CodePipeline: CloudFormation action needs a Farm equivalent; edit this action.\" >&2; exit 1'\n", result.Yaml);
    }

    [Fact]
    public void Manual_approval_is_kept_as_a_comment_above_an_action_that_stops_the_execution()
    {
        var result = CodePipelineImporter.Import(Sample.Read("full.json"));

        Assert.Contains(result.Notes, n => n.ToString() ==
            "Approve/Approval: approval actions arrive with issue 4; kept as a comment, above a failing container action that stops executions where the approval was");
        Assert.Contains("      #   CustomData: Check the staging site, then approve or reject.\n", result.Yaml);
        Assert.Contains("      #   ExternalEntityLink: https://staging.example.com\n", result.Yaml);
        Assert.Contains("'echo \"Imported from CodePipeline: Manual action needs a Farm equivalent; edit this action.\" >&2; exit 1'", result.Yaml);
    }

    [Fact]
    public void Stage_settings_map_directly()
    {
        var yaml = CodePipelineImporter.Import(Sample.Read("full.json")).Yaml!;

        Assert.Contains("    onFailure:\n      result: retry\n      retries: 1\n", yaml);
        Assert.Contains("    onFailure: rollback\n", yaml);
        Assert.Contains("""
                beforeEntry:
                  result: fail
                  rules:
                    - variable: '#{SourceVariables.BranchName}'
                      operator: matches
                      value: '^(main|release/.*)$'

            """.ReplaceLineEndings("\n"), yaml);
        Assert.Contains("        timeout: 90m\n", yaml);
        Assert.Contains("executionMode: superseded\n", yaml);
    }

    [Fact]
    public void Unsupported_entry_rule_is_commented_and_noted_as_not_checked()
    {
        var result = CodePipelineImporter.Import(Sample.Read("full.json"));

        Assert.Contains("    # beforeEntry rule not carried over: NotAFriday (DeploymentWindow): Cron=* * 9-17 ? * MON-THU *, TimeZone=UTC\n", result.Yaml);
        Assert.Contains(result.Notes, n => n.ToString() ==
            "Deploy: beforeEntry rule 'NotAFriday' is not carried over (DeploymentWindow rules have no Farm equivalent); Farm enters this stage without checking it");
    }

    [Fact]
    public void Names_outside_farms_rule_are_renamed_and_reported()
    {
        var result = CodePipelineImporter.Import(Sample.Read("full.json"));

        Assert.Contains("name: 'web-prod'\n", result.Yaml);
        Assert.Contains("      - name: 'unit-tests'\n", result.Yaml);
        Assert.Contains(result.Notes, n => n.ToString() ==
            "Build/unit@tests: action 'unit@tests' renamed 'unit-tests': Farm action names use letters, digits, '-', '_' or '.', starting with a letter or digit");
    }

    [Fact]
    public void Artifacts_and_env_carry_over_and_secret_env_is_left_out()
    {
        var result = CodePipelineImporter.Import(Sample.Read("full.json"));

        Assert.Contains("""
                  - name: 'lint'
                    type: container
                    image: 'farm/busybox'
                    inputArtifacts:
                      - 'SourceArtifact'
                    outputArtifacts:
                      - name: 'LintReport'
                        paths:
                          - '**'
                    env:
                      CI: 'true'
                    commands:
                      - 'npm ci'
                      - 'npm run lint'

            """.ReplaceLineEndings("\n"), result.Yaml);
        Assert.DoesNotContain("web/npm-token", result.Yaml);
        Assert.Contains(result.Notes, n => n.ToString() ==
            "Build/lint: env NPM_TOKEN comes from SECRETS_MANAGER in CodePipeline; not carried over, as Farm has no secret store yet: provide it on the agent or in the image");
        Assert.Contains(result.Notes, n => n.ToString() ==
            "Build/lint: output artifact 'LintReport' lists no files; written as paths ['**'], the whole workspace, as CodePipeline stores it");
    }

    [Fact]
    public void Token_looking_configuration_values_are_redacted_in_comments()
    {
        var yaml = CodePipelineImporter.Import(Sample.Read("full.json")).Yaml!;

        Assert.DoesNotContain("ghp_", yaml);
        Assert.Contains("""#   ParameterOverrides: {"Commit": "#{SourceVariables.CommitId}", "ApiToken": "<redacted>"}""", yaml);
    }

    [Fact]
    public void Triggers_are_noted_as_not_carried_over()
    {
        var result = CodePipelineImporter.Import(Sample.Read("full.json"));

        Assert.Contains(result.Notes, n => n.ToString() ==
            "pipeline: 1 trigger(s) not carried over: Farm has no triggers yet; start executions with 'farm start'");
    }

    [Fact]
    public void Renamed_variable_and_namespace_are_followed_by_references()
    {
        const string json = """
            {"name": "p", "variables": [{"name": "1st@var", "defaultValue": "x"}],
             "stages": [{"name": "S", "actions": [
               {"name": "a", "namespace": "My@Vars", "actionTypeId": {"category": "Compute", "owner": "AWS", "provider": "Commands", "version": "1"},
                "configuration": {"Image": "alpine:3.20"}, "commands": ["echo '#{variables.1st@var}'"]},
               {"name": "b", "runOrder": 2, "actionTypeId": {"category": "Compute", "owner": "AWS", "provider": "Commands", "version": "1"},
                "configuration": {"Image": "alpine:3.20"}, "commands": ["echo '#{My@Vars.X}' '#{codepipeline.PipelineName}'"]}]}]}
            """;

        var result = CodePipelineImporter.Import(json);

        Assert.Contains("  - name: '_1st-var'\n", result.Yaml);
        Assert.Contains("namespace: 'My-Vars'\n", result.Yaml);
        Assert.Contains("- 'echo ''#{variables._1st-var}'''\n", result.Yaml);
        Assert.Contains("- 'echo ''#{My-Vars.X}'' ''#{codepipeline.PipelineName}'''\n", result.Yaml);
        Assert.Contains(result.Notes, n => n.ToString() ==
            "S/b: reference #{codepipeline.PipelineName} has no Farm equivalent; kept as written, and Farm will refuse it until you change it");
    }

    [Fact]
    public void Malformed_json_is_an_error_with_its_line()
    {
        var result = CodePipelineImporter.Import("{\n  \"pipeline\": {\n    \"name\": \"p\",\n    \"stages\": [ }\n}");

        Assert.Null(result.Yaml);
        var error = Assert.Single(result.Errors);
        Assert.Equal(4, error.Line);
        Assert.StartsWith("not valid JSON: ", error.Message);
        Assert.StartsWith("in.json:4: $.pipeline.stages", error.Format("in.json"));
    }

    [Fact]
    public void Missing_name_and_stages_are_errors_at_the_pipeline_object()
    {
        var result = CodePipelineImporter.Import("{\n  \"pipeline\": {\n    \"version\": 1\n  }\n}");

        Assert.Null(result.Yaml);
        Assert.Equal(
            [
                "in.json:2: $.pipeline: missing 'name' (the pipeline's name): the input does not look like the output of 'aws codepipeline get-pipeline'.",
                "in.json:2: $.pipeline: missing 'stages' (the pipeline's stages): the input does not look like the output of 'aws codepipeline get-pipeline'.",
            ],
            result.Errors.Select(e => e.Format("in.json")));
    }

    [Fact]
    public void Value_of_the_wrong_kind_is_an_error_at_its_path_and_line()
    {
        var result = CodePipelineImporter.Import("{\"name\": \"p\", \"stages\": [\n {\"name\": \"S\", \"actions\": [\n  {\"name\": \"a\", \"runOrder\": \"soon\",\n   \"actionTypeId\": {\"category\": \"Build\", \"provider\": \"CodeBuild\"}}]}]}");

        var error = Assert.Single(result.Errors);
        Assert.Equal("in.json:3: $.stages[0].actions[0].runOrder: 'runOrder' must be a whole number, not text.", error.Format("in.json"));
    }

    [Theory]
    [InlineData("small.json")]
    [InlineData("full.json")]
    [InlineData("bare.json")]
    public void Output_parses_with_farms_pipeline_parser_without_errors(string sample)
    {
        var yaml = CodePipelineImporter.Import(Sample.Read(sample)).Yaml!;

        var parsed = Farm.Core.Pipelines.PipelineParser.Parse(yaml);

        Assert.True(parsed.Succeeded, string.Join("\n", parsed.Errors));
    }

    [Fact]
    public void Small_pipeline_reads_back_as_the_model_it_describes()
    {
        var yaml = CodePipelineImporter.Import(Sample.Read("small.json")).Yaml!;

        var pipeline = Farm.Core.Pipelines.PipelineParser.Parse(yaml).Pipeline!;

        Assert.Equal(Farm.Core.Pipelines.ExecutionMode.Queued, pipeline.ExecutionMode);
        var compile = pipeline.Stages[0].Actions[0];
        Assert.Equal("BuildVariables", compile.Namespace);
        Assert.Equal(TimeSpan.FromMinutes(20), compile.Timeout);
        Assert.Equal(["dist/**"], Assert.Single(compile.OutputArtifacts).Paths);
        Assert.Equal("echo \"building #{variables.greeting} in #{execution.id}\"", compile.Commands[0]);
        Assert.Equal("printf '%s=%s\\n' BUILD_ID \"${BUILD_ID}\" >> \"$FARM_OUTPUT\"", compile.Commands[^1]);
        var deploy = pipeline.Stages[1];
        Assert.Equal(Farm.Core.Pipelines.FailureResult.Rollback, deploy.OnFailure.Result);
        Assert.Equal(Farm.Core.Pipelines.EntryResult.Skip, deploy.BeforeEntry!.Result);
        Assert.Equal(new Farm.Core.Pipelines.EntryRule("#{variables.branch}", Farm.Core.Pipelines.RuleOperator.Equal, "main"), Assert.Single(deploy.BeforeEntry.Rules));
        Assert.Equal(["cat dist/app.txt", "echo 'released #{BuildVariables.BUILD_ID}'"], deploy.Actions[0].Commands);
        Assert.Equal(["BuildOutput"], deploy.Actions[0].InputArtifacts);
    }
}
