namespace Farm.Controller.Tests.Storage;

/// <summary>
/// A test that needs SQL Server: skipped, with the reason, unless <c>FARM_TEST_SQLSERVER</c> names
/// one. No SQL Server runs on these machines; the store theories add their SQL Server rows on the
/// same condition, so a run with the variable set tests every store against it too.
/// </summary>
public sealed class SqlServerFactAttribute : FactAttribute
{
    public SqlServerFactAttribute()
    {
        if (TestStores.SqlServerConnection is null)
        {
            Skip = $"{TestStores.SqlServerVariable} is not set: no SQL Server here, so the SQL Server store is not tested (README, 'What is tested here').";
        }
    }
}
