using System.ComponentModel.DataAnnotations;

namespace Farm.Dashboard.Hosting;

/// <summary>Settings of the dashboard, bound from the <c>Farm:Dashboard</c> section (or Farm__Dashboard__* variables).</summary>
public sealed class DashboardOptions
{
    public const string Section = "Farm:Dashboard";

    /// <summary>The controller's gRPC address, as the CLI's <c>--controller</c>. Default <c>http://127.0.0.1:7070</c>.</summary>
    [Required]
    public string Controller { get; set; } = "http://127.0.0.1:7070";

    /// <summary>
    /// Where the dashboard serves its pages (HTTP/1.1 and the Blazor circuit's WebSocket). Default
    /// <c>http://127.0.0.1:7080</c>. Put a TLS proxy in front of it before serving it beyond loopback:
    /// the session cookie carries the user's API token.
    /// </summary>
    [Required]
    public string Listen { get; set; } = "http://127.0.0.1:7080";

    /// <summary>PEM file of the CA an <c>https://</c> controller's certificate must chain to; default none: the system's trust store.</summary>
    public string? CaCertificatePath { get; set; }

    /// <summary>Folder for the keys that encrypt session cookies, so sessions survive a restart. Default <c>.farm-dashboard</c>.</summary>
    [Required]
    public string DataDir { get; set; } = ".farm-dashboard";

    /// <summary>How long a sign-in lasts without use. Default 8 hours.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(8);
}
