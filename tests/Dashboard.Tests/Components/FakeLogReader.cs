using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Farm.Api.V1;
using Farm.Dashboard.Controller;
using Google.Protobuf;

namespace Farm.Dashboard.Tests.Components;

/// <summary>A log the test writes to as an agent would: chunks with offsets, ended by <see cref="Finish"/>.</summary>
internal sealed class FakeLogReader : ILogReader
{
    private readonly Channel<LogChunk> _chunks = Channel.CreateUnbounded<LogChunk>();
    private long _offset;

    public LogAddress? Asked { get; private set; }

    public void Write(string text)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        _chunks.Writer.TryWrite(new LogChunk { Offset = _offset, Data = ByteString.CopyFrom(bytes) });
        _offset += bytes.Length;
    }

    public void Finish() => _chunks.Writer.TryComplete();

    public async IAsyncEnumerable<LogChunk> ReadAsync(LogAddress address, long offset, bool follow, [EnumeratorCancellation] CancellationToken cancellation)
    {
        Asked = address;
        await foreach (var chunk in _chunks.Reader.ReadAllAsync(cancellation))
        {
            yield return chunk;
        }
    }
}
