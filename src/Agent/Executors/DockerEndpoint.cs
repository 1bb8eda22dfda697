using System.Text;
using Docker.DotNet;
using Docker.DotNet.NativeHttp;

namespace Farm.Agent.Executors;

/// <summary>
/// The one way to a Docker engine from an address such as <c>unix:///run/docker.sock</c> or
/// <c>tcp://127.0.0.1:2375</c>: checks the address and makes the client. The client uses
/// Docker.DotNet.Enhanced's NativeHttp transport (.NET's own sockets handler), which reaches a unix
/// socket at any path the kernel takes; the fork's Unix transport, like Docker.DotNet 3.x, refuses
/// paths over about 90 bytes (measured: 84 worked, 94 failed; docs/design-notes.md).
/// </summary>
public static class DockerEndpoint
{
    /// <summary>The longest unix socket path the kernel takes: sun_path holds 108 bytes with the closing NUL.</summary>
    public const int MaxUnixSocketPathBytes = 107;

    /// <summary>
    /// Why <paramref name="address"/> cannot be used, in a sentence that names <paramref name="setting"/>;
    /// null when it can.
    /// </summary>
    public static string? Problem(string address, string setting)
    {
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri))
        {
            return $"{setting} is '{address}', which is not an address: use unix:///path/to/docker.sock or tcp://HOST:PORT.";
        }

        switch (uri.Scheme)
        {
            case "unix":
                var path = uri.LocalPath;
                var bytes = Encoding.UTF8.GetByteCount(path);
                if (bytes > MaxUnixSocketPathBytes)
                {
                    return $"{setting} names the unix socket {path}, whose path is {bytes} bytes long; the kernel takes at most {MaxUnixSocketPathBytes}. " +
                        "Let the engine listen on a shorter path (for example /run/farm/docker.sock) and point the setting there.";
                }

                return null;
            case "tcp" or "http" or "https":
                return uri.Port > 0 || uri.IsDefaultPort ? null : $"{setting} is '{address}', which has no port: use tcp://HOST:PORT.";
            default:
                return $"{setting} is '{address}': this agent reaches a Docker engine through unix:// or tcp:// addresses only.";
        }
    }

    /// <summary>A client of the engine at <paramref name="address"/>, which <see cref="Problem"/> accepted.</summary>
    public static DockerClient Create(string address) =>
        new DockerClientBuilder()
            .WithEndpoint(new Uri(address))
            .WithTransportOptions(new NativeHttpTransportOptions())
            .Build();
}
