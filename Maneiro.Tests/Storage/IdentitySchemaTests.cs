using Maneiro.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace Maneiro.Tests.Storage;

public sealed class IdentitySchemaTests
{
    /// <summary>The committed Identity migration must still create exactly what the EF model expects.</summary>
    [Fact]
    public void Committed_identity_migration_matches_the_ef_model()
    {
        var options = new DbContextOptionsBuilder<ManeiroDbContext>().UseNpgsql("Host=unused").Options;
        using var db = new ManeiroDbContext(options);
        var expected = Normalize(db.Database.GenerateCreateScript());
        var committed = Normalize(File.ReadAllText(Path.Combine(Maneiro.Testing.TestServers.RepositoryRoot, "Maneiro.Infrastructure", "Database", "Migrations", "0002_identity.sql")));
        Assert.Equal(expected, committed);
    }

    private static string Normalize(string sql) => string.Join('\n', sql.Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0 && !l.StartsWith("--", StringComparison.Ordinal)));
}
