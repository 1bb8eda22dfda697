using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Farm.Controller.Storage;

/// <summary>The controller is healthy when its store answers a query; the gRPC health service reports this.</summary>
public sealed class StoreHealthCheck(FarmDatabase database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1;";
            await command.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (System.Data.Common.DbException e)
        {
            return HealthCheckResult.Unhealthy($"The {database.Dialect.Name} store at {database.Dialect.Location} does not answer: {e.Message}");
        }
    }
}
