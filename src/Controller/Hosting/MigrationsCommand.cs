using Farm.Controller.Storage;

namespace Farm.Controller.Hosting;

/// <summary>
/// <c>farm-controller migrations print --store sqlite|postgres|sqlserver</c>: writes the store's
/// schema script to stdout and exits, touching no database, for operators who apply schema by hand.
/// </summary>
public static class MigrationsCommand
{
    private const string Usage = "usage: farm-controller migrations print --store sqlite|postgres|sqlserver";

    /// <summary>The exit code when <paramref name="args"/> name this command; null when they do not (the controller runs).</summary>
    public static int? TryRun(string[] args, TextWriter output, TextWriter error)
    {
        if (args is not ["migrations", ..])
        {
            return null;
        }

        if (args is not ["migrations", "print", "--store", var store])
        {
            error.WriteLine(Usage);
            return 2;
        }

        if (!StoreSelection.Names.Contains(store))
        {
            error.WriteLine($"--store is '{store}'; it must be one of {string.Join(", ", StoreSelection.Names)}.");
            error.WriteLine(Usage);
            return 2;
        }

        output.Write(FarmDatabase.Script(StoreSelection.ForPrinting(store)));
        return 0;
    }
}
