using Farm.Controller.Storage;
using Farm.Controller.Tests.Storage;

namespace Farm.Controller.Tests.Security;

/// <summary>A fresh, migrated store of <paramref name="store"/>'s dialect for the security stores.</summary>
internal static class SecurityDatabase
{
    public static FarmDatabase Create(string store = StoreSelection.Sqlite) => TestStores.Create(store);
}
