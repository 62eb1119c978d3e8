using Maneiro.Silo.Hosting;

namespace Maneiro.Web.Extensions;

public static class CommandLine
{
    /// <summary>A command comes first on the command line (<c>migrate</c>); anything else means serve.</summary>
    public static string? Command(string[] args) =>
        args.Length > 0 && !args[0].StartsWith('-') && !args[0].Contains('=', StringComparison.Ordinal) ? args[0] : null;

    /// <summary>Runs the command named on the command line; with none, serves (migrating first, see <see cref="MigrationHostExtensions"/>).</summary>
    public static async Task<int> RunManeiroAsync(this WebApplication app, string[] args)
    {
        switch (Command(args))
        {
            case "migrate":
                await app.Services.MigrateDatabaseAsync();
                return 0;
            case null:
                await app.RunAsync();
                return 0;
            case var unknown:
                await Console.Error.WriteLineAsync($"Unknown command '{unknown}'. Commands: migrate.");
                return 2;
        }
    }
}
