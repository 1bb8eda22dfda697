namespace Farm.Cli.Tests;

public sealed class ControllerConnectionTests
{
    private static Func<string, string?> Environment(string? controller) =>
        name => name == ControllerConnection.AddressVariable ? controller : null;

    [Fact]
    public void Option_wins_over_the_environment()
    {
        Assert.Equal(new Uri("http://a:1"), ControllerConnection.ResolveAddress("http://a:1", Environment("http://b:2")));
    }

    [Fact]
    public void Environment_wins_over_the_default()
    {
        Assert.Equal(new Uri("http://b:2"), ControllerConnection.ResolveAddress(null, Environment("http://b:2")));
    }

    [Fact]
    public void Default_is_the_local_controller()
    {
        Assert.Equal(new Uri("http://127.0.0.1:7070"), ControllerConnection.ResolveAddress(null, Environment(null)));
    }

    [Fact]
    public void Address_that_is_not_http_names_its_source()
    {
        var error = Assert.Throws<CliException>(() => ControllerConnection.ResolveAddress(null, Environment("ci:7070")));

        Assert.StartsWith("FARM_CONTROLLER is 'ci:7070'", error.Message);
    }
}
