namespace Farm.Cli.Tests;

public sealed class ControllerConnectionTests
{
    private static Func<string, string?> Environment(string? controller) =>
        name => name == ControllerConnection.AddressVariable ? controller : null;

    [Fact]
    public void Option_wins_over_the_environment()
    {
        Assert.Equal([new Uri("http://a:1")], ControllerConnection.ResolveAddresses("http://a:1", Environment("http://b:2")));
    }

    [Fact]
    public void Environment_wins_over_the_default()
    {
        Assert.Equal([new Uri("http://b:2")], ControllerConnection.ResolveAddresses(null, Environment("http://b:2")));
    }

    [Fact]
    public void Default_is_the_local_controller()
    {
        Assert.Equal([new Uri("http://127.0.0.1:7070")], ControllerConnection.ResolveAddresses(null, Environment(null)));
    }

    [Fact]
    public void Address_that_is_not_http_names_its_source()
    {
        var error = Assert.Throws<CliException>(() => ControllerConnection.ResolveAddresses(null, Environment("ci:7070")));

        Assert.StartsWith("FARM_CONTROLLER is 'ci:7070'", error.Message);
    }

    [Fact]
    public void Several_controllers_are_taken_in_order_from_a_comma_separated_list()
    {
        var addresses = ControllerConnection.ResolveAddresses(null, Environment("http://a:1, http://b:2,http://c:3"));

        Assert.Equal([new Uri("http://a:1"), new Uri("http://b:2"), new Uri("http://c:3")], addresses);
    }

    [Theory]
    [InlineData("http://a:1,https://b:2", "--controller is 'http://a:1,https://b:2': its addresses mix http:// and https://")]
    [InlineData("http://a:1,b:2", "--controller is 'http://a:1,b:2': 'b:2' is not an address such as http://127.0.0.1:7070.")]
    [InlineData(" , ", "--controller is empty")]
    public void Bad_controller_list_says_which_address_is_wrong(string option, string expected)
    {
        var error = Assert.Throws<CliException>(() => ControllerConnection.ResolveAddresses(option, Environment(null)));

        Assert.StartsWith(expected, error.Message);
    }
}
