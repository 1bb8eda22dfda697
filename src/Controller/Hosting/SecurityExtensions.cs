using Farm.Controller.Security;

namespace Farm.Controller.Hosting;

public static class SecurityExtensions
{
    /// <summary>
    /// Registers who may call what: the token, enrollment-token and agent stores, the interceptor that
    /// admits every call, enrollment, and the first admin token. The audit log is a grain service
    /// (<see cref="ControllerExtensions.AddFarmGrainServices"/>): executions write refusals to it.
    /// </summary>
    public static WebApplicationBuilder AddFarmSecurity(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<TokenStore>();
        builder.Services.AddSingleton<EnrollTokenStore>();
        builder.Services.AddSingleton<AgentStore>();
        builder.Services.AddSingleton<AgentEnrollment>();
        builder.Services.AddSingleton<AdminTokenBootstrap>();
        builder.Services.AddSingleton<TokenInterceptor>();
        return builder;
    }
}
