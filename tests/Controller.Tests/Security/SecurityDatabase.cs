using Farm.Controller.Hosting;
using Farm.Controller.Storage;
using Microsoft.Extensions.Options;

namespace Farm.Controller.Tests.Security;

/// <summary>A fresh SQLite store in a data folder of its own, migrated, for the security stores.</summary>
internal static class SecurityDatabase
{
    public static SqliteDatabase Create() =>
        new(Options.Create(new ControllerOptions { DataDir = Directory.CreateTempSubdirectory("farm-security-").FullName }));
}
