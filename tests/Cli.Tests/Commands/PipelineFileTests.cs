using Farm.Cli.Commands;
using Grpc.Core;

namespace Farm.Cli.Tests.Commands;

public sealed class PipelineFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("farm-cli-").FullName;

    [Fact]
    public async Task File_over_1_MiB_is_refused_before_it_is_read_with_its_size()
    {
        var path = Path.Combine(_dir, "big.yaml");
        await File.WriteAllTextAsync(path, new string('#', (int)(1.3 * (1 << 20))));

        var error = await Assert.ThrowsAsync<CliException>(() => PipelineFile.ReadAsync(path, CancellationToken.None));

        Assert.Equal($"{path}: The pipeline file is 1.3 MiB; the limit is 1 MiB.", error.Message);
    }

    [Fact]
    public async Task File_of_exactly_1_MiB_is_read()
    {
        var path = Path.Combine(_dir, "edge.yaml");
        await File.WriteAllTextAsync(path, new string('#', PipelineFile.MaxBytes));

        Assert.Equal(PipelineFile.MaxBytes, (await PipelineFile.ReadAsync(path, CancellationToken.None)).Length);
    }

    [Fact]
    public void Size_just_over_the_limit_is_said_in_bytes_so_it_never_reads_as_the_limit()
    {
        Assert.Equal("The pipeline file is 1048577 bytes; the limit is 1 MiB (1048576 bytes).", PipelineFile.TooLarge(PipelineFile.MaxBytes + 1));
        Assert.Equal("The pipeline file is 1.1 MiB; the limit is 1 MiB.", PipelineFile.TooLarge(PipelineFile.MaxBytes + 60_000));
    }

    [Fact]
    public void Message_too_large_for_the_controller_prints_a_sentence_not_a_status_name()
    {
        // As grpc-dotnet reports a request over the controller's MaxReceiveMessageSize.
        var refused = new RpcException(new Status(StatusCode.ResourceExhausted, "Received message exceeds the maximum configured message size."));

        Assert.Equal("Received message exceeds the maximum configured message size.", CommandAction.Detail(refused));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
