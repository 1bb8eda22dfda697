using Farm.Dashboard.Components;
using Farm.Dashboard.Controller;
using Farm.Dashboard.Downloads;
using Farm.Dashboard.Session;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace Farm.Dashboard.Hosting;

/// <summary>Registration and endpoints of the dashboard, so <c>Program.cs</c> stays a handful of lines.</summary>
public static class DashboardExtensions
{
    public static WebApplicationBuilder AddFarmDashboard(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(DashboardOptions.Section);
        var options = section.Get<DashboardOptions>() ?? new DashboardOptions();
        var validation = new DashboardOptionsValidation().Validate(null, options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(DashboardOptions.Section, typeof(DashboardOptions), validation.Failures);
        }

        builder.Services.AddOptions<DashboardOptions>().Bind(section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<DashboardOptions>, DashboardOptionsValidation>();
        builder.WebHost.UseUrls(options.Listen);
        // Serves the framework's and our static files from a build output too (dotnet run, ./run.sh),
        // not only from a publish folder; a published app has no manifest and this does nothing.
        builder.WebHost.UseStaticWebAssets();

        var keys = Directory.CreateDirectory(Path.Combine(options.DataDir, "keys"));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(keys.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        // The cookie holds the user's API token; these keys encrypt it, and outlive restarts so sessions do too.
        builder.Services.AddDataProtection().PersistKeysToFileSystem(keys).SetApplicationName("farm-dashboard");
        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(cookie =>
        {
            cookie.LoginPath = "/signin";
            cookie.LogoutPath = "/session/signout";
            cookie.Cookie.Name = "farm-dashboard";
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Strict;
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            cookie.ExpireTimeSpan = options.SessionLifetime;
            cookie.SlidingExpiration = true;
        });
        builder.Services.AddAuthorization();
        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddAntiforgery();
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ControllerChannel>();
        builder.Services.AddScoped<FarmSession>();
        builder.Services.AddScoped<ConnectionMonitor>();
        builder.Services.AddScoped<PipelineService>();
        builder.Services.AddScoped<ExecutionService>();
        builder.Services.AddScoped<AgentService>();
        builder.Services.AddScoped<EnrollTokenService>();
        builder.Services.AddScoped<ILogReader, LogReader>();
        return builder;
    }

    public static WebApplication MapFarmDashboard(this WebApplication app)
    {
        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        app.MapStaticAssets();
        app.MapSessionEndpoints();
        app.MapDownloadEndpoints();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode().RequireAuthorization();
        return app;
    }
}
