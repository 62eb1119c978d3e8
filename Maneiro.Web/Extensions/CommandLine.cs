using Maneiro.Silo.Hosting;

namespace Maneiro.Web.Extensions;

public static class CommandLine
{
    /// <summary>The first argument that is not an option: <c>migrate</c>, or none to serve.</summary>
    public static string? Command(string[] args) =>
        args.FirstOrDefault(a => !a.StartsWith('-') && !a.Contains('=', StringComparison.Ordinal));

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
