using System.Net;
using Farm.Dashboard.Controller;
using Microsoft.Extensions.Options;

namespace Farm.Dashboard.Hosting;

/// <summary>
/// Checks the settings at start, so a bad one stops the dashboard with the setting's name: addresses
/// that are not http(s) URLs, a plain-HTTP listen address beyond loopback (the session cookie carries
/// an API token), a CA file that holds no certificate.
/// </summary>
public sealed class DashboardOptionsValidation : IValidateOptions<DashboardOptions>
{
    public const string ControllerSetting = "Farm:Dashboard:Controller";
    public const string ControllerExample = "http://127.0.0.1:7070";

    public ValidateOptionsResult Validate(string? name, DashboardOptions options)
    {
        var problems = new List<string>();
        try
        {
            Api.Client.ControllerChannel.ParseAddresses(options.Controller ?? "", ControllerSetting, ControllerExample);
        }
        catch (FormatException e)
        {
            problems.Add(e.Message);
        }

        if (!IsHttpUrl(options.Listen))
        {
            problems.Add($"Farm:Dashboard:Listen is '{options.Listen}', which is not an address such as http://127.0.0.1:7080.");
        }
        else if (new Uri(options.Listen) is { Scheme: "http" } listen && !IsLoopback(listen.Host))
        {
            problems.Add($"Farm:Dashboard:Listen is '{options.Listen}': plain http is only served on loopback, because the session cookie carries the user's token. " +
                "Keep it on 127.0.0.1 and put a TLS proxy in front of it.");
        }

        if (options.CaCertificatePath is { Length: > 0 } ca)
        {
            if (!File.Exists(ca))
            {
                problems.Add($"Farm:Dashboard:CaCertificatePath is '{ca}', which does not exist.");
            }
            else if (!ControllerChannel.HoldsCertificates(ca))
            {
                problems.Add($"Farm:Dashboard:CaCertificatePath is '{ca}', which holds no PEM certificate (-----BEGIN CERTIFICATE-----).");
            }
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private static bool IsHttpUrl(string? text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";

    private static bool IsLoopback(string host) =>
        host == "localhost" || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
