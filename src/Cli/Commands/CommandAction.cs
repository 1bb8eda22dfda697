using System.CommandLine;
using Grpc.Core;

namespace Farm.Cli.Commands;

/// <summary>
/// Runs every verb the same way: opens the connection, and turns the failures a person can act on
/// into one <c>farm: ...</c> line and exit code 1 instead of a stack trace. Ctrl-C exits 130, the
/// shell's convention for SIGINT, without a message.
/// </summary>
internal static class CommandAction
{
    public const int Succeeded = 0;
    public const int Failed = 1;
    public const int Interrupted = 130;

    public static void SetVerb(this Command command, VerbBody body) =>
        command.SetAction((parse, cancellation) => RunAsync(parse, body, cancellation));

    private static async Task<int> RunAsync(ParseResult parse, VerbBody body, CancellationToken cancellation)
    {
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        ControllerConnection? controller = null;
        try
        {
            controller = ControllerConnection.Open(
                parse.GetValue(GlobalOptions.Controller), parse.GetValue(GlobalOptions.CaCertificate), Environment.GetEnvironmentVariable);
            return await body(new VerbContext(parse, controller, output, error), cancellation);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            return Interrupted;
        }
        catch (RpcException e) when (cancellation.IsCancellationRequested && e.StatusCode == StatusCode.Cancelled)
        {
            return Interrupted;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable || IsCertificateFailure(e))
        {
            await error.WriteLineAsync(Unreachable(controller?.Address, e));
            return Failed;
        }
        catch (RpcException e)
        {
            await error.WriteLineAsync("farm: " + Detail(e));
            return Failed;
        }
        catch (CliException e)
        {
            await error.WriteLineAsync("farm: " + e.Message);
            return Failed;
        }
        finally
        {
            controller?.Dispose();
        }
    }

    /// <summary>The advice for a controller that does not answer: the likeliest causes and their fixes.</summary>
    public static string Unreachable(string? address, RpcException e) =>
        $"farm: cannot reach the controller at {address ?? ControllerConnection.DefaultAddress} ({Detail(e)}); "
        + (IsCertificateFailure(e)
            ? $"its TLS certificate is not trusted here: pass the CA that signed it with --ca-cert FILE or {ControllerConnection.CaCertificateVariable}"
            : $"is it running? Start it with ./run.sh or set {ControllerConnection.AddressVariable}");

    /// <summary>
    /// Whether the call failed because the TLS handshake refused the controller's certificate
    /// (grpc-dotnet reports that as Internal, not Unavailable).
    /// </summary>
    public static bool IsCertificateFailure(RpcException e)
    {
        for (var inner = e.Status.DebugException; inner is not null; inner = inner.InnerException)
        {
            if (inner is System.Security.Authentication.AuthenticationException)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The status detail, or for a transport failure the innermost exception's message, which names
    /// the real cause ("Connection refused") where the detail only says "Error connecting to subchannel.".
    /// </summary>
    public static string Detail(RpcException e)
    {
        var detail = e.Status.Detail;
        if (e.Status.DebugException is { } debug)
        {
            var inner = debug;
            while (inner.InnerException is not null)
            {
                inner = inner.InnerException;
            }

            detail = string.IsNullOrWhiteSpace(detail) ? inner.Message
                : detail.Contains(inner.Message, StringComparison.Ordinal) ? detail
                : $"{detail.TrimEnd('.')}: {inner.Message}";
        }

        return string.IsNullOrWhiteSpace(detail) ? e.StatusCode.ToString() : detail.TrimEnd();
    }
}
