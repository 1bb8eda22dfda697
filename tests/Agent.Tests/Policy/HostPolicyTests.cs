using Farm.Api.V1;

namespace Farm.Agent.Tests.Policy;

/// <summary>The one rule of what an action may do on an agent's host, which the dispatcher and the agent both apply.</summary>
public sealed class HostPolicyTests
{
    private static HostPolicy Policy(bool shell = false, bool hostNetwork = false, params string[] volumes)
    {
        var policy = new HostPolicy { AllowShell = shell, AllowHostNetwork = hostNetwork };
        policy.AllowedVolumes.Add(volumes);
        return policy;
    }

    [Fact]
    public void Default_policy_allows_containers_on_their_own_networks_and_named_volumes_only()
    {
        var policy = Policy();

        Assert.Null(policy.Refusal(shell: false, network: null, volumes: []));
        Assert.Null(policy.Refusal(shell: false, network: "none", volumes: ["cache:/var/cache"]));
        Assert.Equal("shell actions run commands on the agent's host, and this agent does not allow them (Farm:Agent:AllowShell is off)",
            policy.Refusal(shell: true, network: null, volumes: []));
        Assert.Equal("network 'host' puts the container on the agent host's network, and this agent does not allow it (Farm:Agent:AllowHostNetwork is off)",
            policy.Refusal(shell: false, network: "host", volumes: []));
        Assert.Equal("the mount of host path '/etc' is not in this agent's Farm:Agent:AllowedVolumes",
            policy.Refusal(shell: false, network: null, volumes: ["/etc:/host-etc:ro"]));
    }

    [Fact]
    public void Opt_ins_allow_what_they_name_and_nothing_more()
    {
        var policy = Policy(shell: true, hostNetwork: true, "/srv/www/**");

        Assert.Null(policy.Refusal(shell: true, network: "host", volumes: ["/srv/www/site:/usr/share/html:ro"]));
        Assert.NotNull(policy.Refusal(shell: false, network: null, volumes: ["/srv/other:/x"]));
        // '..' could climb out of the folder the glob names.
        Assert.NotNull(policy.Refusal(shell: false, network: null, volumes: ["/srv/www/../../etc:/x"]));
    }

    [Fact]
    public void Joining_another_containers_network_is_refused_whatever_the_policy()
    {
        Assert.Equal("network 'container:db' joins another container's network, which no agent allows",
            Policy(shell: true, hostNetwork: true).Refusal(shell: false, network: "container:db", volumes: []));
    }

    [Theory]
    [InlineData("/var/run/**")]
    [InlineData("/**")]
    [InlineData("/run/*")]
    public void Docker_socket_is_mounted_only_where_a_glob_names_it_exactly(string glob)
    {
        Assert.NotNull(Policy(volumes: glob).Refusal(shell: false, network: null, volumes: ["/var/run/docker.sock:/var/run/docker.sock"]));
        Assert.NotNull(Policy(volumes: glob).Refusal(shell: false, network: null, volumes: ["/run/docker.sock:/var/run/docker.sock"]));
        Assert.Null(Policy(volumes: "/var/run/docker.sock").Refusal(shell: false, network: null, volumes: ["/var/run/docker.sock:/var/run/docker.sock"]));
    }
}
