using System.Data.Common;

namespace Farm.Controller.Storage;

/// <summary>Parameters the same way on every provider: null becomes DBNull.</summary>
public static class DbCommandExtensions
{
    public static DbCommand Add(this DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
        return command;
    }
}
