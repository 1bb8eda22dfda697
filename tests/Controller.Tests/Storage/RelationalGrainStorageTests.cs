using Farm.Controller.Storage;
using Orleans;
using Orleans.Runtime;
using Orleans.Storage;

namespace Farm.Controller.Tests.Storage;

public sealed class RelationalGrainStorageTests
{
    private static readonly GrainId Grain = GrainId.Create("execution", "ship-1");

    [Theory]
    [MemberData(nameof(TestStores.All), MemberType = typeof(TestStores))]
    public async Task State_round_trips_and_a_stale_etag_is_refused(string store)
    {
        var storage = new RelationalGrainStorage(TestStores.Create(store));
        var first = new GrainState<Sample>(new Sample { Name = "one", Count = 1 });
        var rival = new GrainState<Sample>(new Sample());

        await storage.WriteStateAsync("sample", Grain, first);
        await storage.ReadStateAsync("sample", Grain, rival);
        first.State = new Sample { Name = "two", Count = 2 };
        await storage.WriteStateAsync("sample", Grain, first);
        rival.State = new Sample { Name = "stale", Count = 9 };
        var stale = await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("sample", Grain, rival));
        var second = new GrainState<Sample>(new Sample());
        var secondInsert = await Assert.ThrowsAsync<InconsistentStateException>(
            () => storage.WriteStateAsync("sample", Grain, new GrainState<Sample>(new Sample { Name = "again" })));
        await storage.ReadStateAsync("sample", Grain, second);

        Assert.Equal(("two", 2, "2"), (second.State!.Name, second.State.Count, second.ETag));
        Assert.True(second.RecordExists);
        Assert.Contains("changed by someone else", stale.Message);
        Assert.Contains("expected version none", secondInsert.Message);
    }

    [Theory]
    [MemberData(nameof(TestStores.All), MemberType = typeof(TestStores))]
    public async Task Cleared_state_reads_as_new(string store)
    {
        var storage = new RelationalGrainStorage(TestStores.Create(store));
        var state = new GrainState<Sample>(new Sample { Name = "gone", Count = 3 });
        await storage.WriteStateAsync("sample", Grain, state);

        await storage.ClearStateAsync("sample", Grain, state);
        var read = new GrainState<Sample>(new Sample { Name = "placeholder" });
        await storage.ReadStateAsync("sample", Grain, read);

        Assert.False(read.RecordExists);
        Assert.Null(read.ETag);
        Assert.Equal((null, 0), (read.State!.Name, read.State.Count));
    }

    public sealed class Sample
    {
        public string? Name { get; set; }

        public int Count { get; set; }
    }
}
