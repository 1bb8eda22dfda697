using Farm.Agent.Executors;

namespace Farm.Agent.Tests.Executors;

public sealed class DockerEndpointTests
{
    private const string Setting = "Farm:Agent:DockerHost (or DOCKER_HOST)";

    [Theory]
    [InlineData("unix:///var/run/docker.sock")]
    [InlineData("tcp://127.0.0.1:2375")]
    public void Usable_addresses_pass(string address) => Assert.Null(DockerEndpoint.Problem(address, Setting));

    [Fact]
    public void Socket_path_the_kernel_takes_passes_at_its_limit_and_one_byte_over_is_refused_with_the_limit_named()
    {
        var atLimit = "/" + new string('s', 106);
        var over = "/" + new string('s', 107);

        Assert.Null(DockerEndpoint.Problem("unix://" + atLimit, Setting));
        Assert.Equal($"{Setting} names the unix socket {over}, whose path is 108 bytes long; the kernel takes at most 107. " +
            "Let the engine listen on a shorter path (for example /run/farm/docker.sock) and point the setting there.",
            DockerEndpoint.Problem("unix://" + over, Setting));
    }

    [Theory]
    [InlineData("docker.sock", "which is not an address")]
    [InlineData("npipe:////./pipe/docker_engine", "through unix:// or tcp:// addresses only")]
    public void Addresses_no_client_could_use_are_refused_with_what_to_write(string address, string expected) =>
        Assert.Contains(expected, DockerEndpoint.Problem(address, Setting));
}
