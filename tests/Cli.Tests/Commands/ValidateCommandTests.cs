using Farm.Api.V1;
using Farm.Cli.Commands;

namespace Farm.Cli.Tests.Commands;

public sealed class ValidateCommandTests
{
    [Fact]
    public void Error_with_a_place_reads_file_line_column()
    {
        Assert.Equal("ci.yaml:4:7: Unknown key 'stpes'.",
            ValidateCommand.Format("ci.yaml", new ValidationError { Line = 4, Column = 7, Message = "Unknown key 'stpes'." }));
    }

    [Fact]
    public void Error_without_a_place_reads_file_and_message()
    {
        Assert.Equal("<stdin>: The file is empty.",
            ValidateCommand.Format(PipelineFile.DisplayName("-"), new ValidationError { Message = "The file is empty." }));
    }
}
