using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Farm.Controller.Storage;

/// <summary>
/// The controller is healthy when its store answers a query; the gRPC health service reports this,
/// and <c>farm doctor</c> shows <see cref="ProblemAsync"/> with the store's kind and place.
/// </summary>
public sealed class StoreHealthCheck(FarmDatabase database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await ProblemAsync(cancellationToken) is { } problem ? HealthCheckResult.Unhealthy(problem) : HealthCheckResult.Healthy();

    /// <summary>Why the store did not answer a query, in a sentence that names it; null when it did.</summary>
    public async Task<string?> ProblemAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1;";
            await command.ExecuteScalarAsync(cancellationToken);
            return null;
        }
        catch (System.Data.Common.DbException e)
        {
            return $"The {database.Dialect.Name} store at {database.Dialect.Location} does not answer: {e.Message}";
        }
    }
}
