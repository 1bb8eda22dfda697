using CsCheck;
using Farm.Core.Pipelines;

namespace Farm.Core.Tests.Pipelines;

/// <summary>
/// Random and hostile files thrown at the parser, which is the validator: whatever comes in, it
/// answers with a pipeline or with errors, never with an exception, and each error has a place and
/// a sentence. CsCheck shrinks a failing file to a small one and prints the seed that reproduces it.
/// </summary>
public sealed class PipelineParserFuzzTests
{
    private const string Valid = """
        name: ship
        executionMode: queued
        variables:
          - name: registry
            default: 127.0.0.1:5000
            description: Where images go.
        triggers:
          - source: webapp
            poll: 5m
        stages:
          - name: Source
            actions:
              - name: webapp
                type: git
                repository: git://127.0.0.1/webapp
                branch: main
                outputArtifacts:
                  - name: code
          - name: Build
            onFailure: retry
            actions:
              - name: test
                type: container
                image: farm/busybox
                inputArtifacts: [ code ]
                namespace: tests
                env: { MODE: "#{variables.registry}", TOKEN: "#{secrets.TOKEN}" }
                resources: { memory: 512Mi, cpus: 1.5 }
                commands: [ sh test.sh, 'echo done #{execution.id}' ]
              - name: check
                type: http
                runOrder: 2
                url: "http://127.0.0.1:8080/#{tests.VERSION}"
                expectedStatus: [ 200 ]
          - name: Approve
            actions:
              - name: release
                type: approval
                message: "Release #{execution.id}?"
                timeout: 24h
          - name: Production
            actions:
              - name: deploy
                type: shell
                runsOn: &prod [ env=production ]
                commands:
                  - echo deploy
        """;

    /// <summary>Pieces of YAML and of Farm's keys: random text made of them is near enough to a pipeline to reach deep into the parser.</summary>
    private static readonly string[] Fragments =
    [
        "name: ", "stages:", "actions:", "type: ", "shell", "container", "git", "approval", "http", "pipeline", "commands:",
        "variables:", "triggers:", "runOrder: ", "runsOn: ", "image: ", "env:", "outputArtifacts:", "inputArtifacts:",
        "beforeEntry:", "onFailure: ", "namespace: ", "#{", "#{variables.", "#{secrets.", "}", "##{", "- ", "  ", "    ", "\n",
        "\t", ": ", ":", ",", "[", "]", "{", "}", "&a ", "*a", "&b ", "*b", "? ", "!!str ", "!!map ", "!tag ", "|", ">-",
        "'", "\"", "\\", "#", "---", "...", "%YAML 1.2\n", "~", "null", "true", "1", "0x1F", "-1", "1e999", "é", "\u0000",
        "\uFEFF", "\r\n", "\ud800", "x", "build", "<<: ", "*prod",
    ];

    private static void AnswersWithoutThrowing(string yaml)
    {
        var result = PipelineParser.Parse(yaml);

        Assert.True(result.Succeeded == (result.Errors.Count == 0), "a result holds a pipeline or errors, never both or neither");
        Assert.InRange(result.Errors.Count, 0, DocumentLimits.MaxErrors + 1);
        Assert.All(result.Errors, e =>
        {
            Assert.True(e.Line >= 0 && e.Column >= 0, $"error at {e.Line}:{e.Column}");
            Assert.EndsWith(".", e.Message.TrimEnd('?'));
        });
    }

    [Fact]
    public void The_valid_file_parses()
    {
        var result = PipelineParser.Parse(Valid);

        Assert.Empty(result.Errors);
        Assert.Equal(4, result.Pipeline!.Stages.Count);
    }

    [Fact]
    public void Random_yamlish_text_gets_an_answer()
    {
        Gen.OneOf(Fragments).Array[0, 120].Select(string.Concat)
            .Sample(AnswersWithoutThrowing, iter: 3000);
    }

    [Fact]
    public void Random_characters_get_an_answer()
    {
        Gen.String[0, 300].Sample(AnswersWithoutThrowing, iter: 2000);
    }

    [Fact]
    public void Mutated_valid_pipelines_get_an_answer()
    {
        // Each edit replaces a few characters at some place with a fragment, or deletes them.
        var edit = Gen.Select(Gen.Int[0, Valid.Length], Gen.Int[0, 12], Gen.OneOf([.. Fragments, ""]));
        edit.Array[1, 8].Select(edits =>
            {
                var text = Valid;
                foreach (var (at, cut, insert) in edits)
                {
                    var start = Math.Min(at, text.Length);
                    text = text[..start] + insert + text[Math.Min(text.Length, start + cut)..];
                }

                return text;
            })
            .Sample(AnswersWithoutThrowing, iter: 3000);
    }

    [Fact]
    public void Deep_structures_of_any_kind_get_an_answer()
    {
        // Flow and block nesting of any depth, closed or not, under a valid or an odd prefix.
        var opener = Gen.OneOf("[", "{a: ", "- ", "[{a: [", "? ", "&x [", "!!seq [");
        Gen.Select(opener, Gen.Int[1, 20_000], Gen.Bool, Gen.OneOf("", "name: x\nstages: ", "name: x\nstages:\n  - name: "))
            .Select((open, depth, closed, prefix) =>
            {
                var body = open == "- "
                    ? string.Concat(Enumerable.Range(0, Math.Min(depth, 2_000)).Select(i => new string(' ', i) + "- "))
                    : string.Concat(Enumerable.Repeat(open, depth));
                var close = closed && open.Contains('[', StringComparison.Ordinal) ? new string(']', depth) : "";
                return prefix + body + "x" + close + "\n";
            })
            .Sample(AnswersWithoutThrowing, iter: 150);
    }

    [Fact]
    public void Alias_chains_of_any_width_and_depth_get_an_answer()
    {
        // Each level repeats the one above 'width' times; the last is used where the parser reads
        // (the stages, an action's commands or env) and, when cyclic, also names itself.
        var use = Gen.OneOf(
            "stages: *{0}\n",
            "stages:\n  - name: Build\n    actions: *{0}\n",
            "stages:\n  - name: Build\n    actions:\n      - name: a\n        type: shell\n        commands: *{0}\n        env: {{ A: *{0} }}\n");
        Gen.Select(Gen.Int[1, 30], Gen.Int[1, 40], Gen.Bool, use).Select((levels, width, cyclic, at) =>
            {
                var text = new System.Text.StringBuilder("name: bomb\nl0: &l0 [x, y]\n");
                for (var level = 1; level <= levels; level++)
                {
                    var target = cyclic && level == levels ? $"l{level}" : $"l{level - 1}";
                    text.Append($"l{level}: &l{level} [").AppendJoin(", ", Enumerable.Repeat("*" + target, width)).Append("]\n");
                }

                return text.Append(string.Format(System.Globalization.CultureInfo.InvariantCulture, at, $"l{levels}")).ToString();
            })
            .Sample(AnswersWithoutThrowing, iter: 300);
    }
}
