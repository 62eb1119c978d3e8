using Maneiro.Infrastructure.Database;
using Maneiro.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Maneiro.Tests.Storage;

public sealed class MigrationTests
{
    [Fact]
    public async Task Instances_starting_together_apply_each_migration_once_and_a_rerun_does_nothing()
    {
        // Created by the migrator itself, as on a fresh server.
        var database = new TestDatabase();
        try
        {
            var migrators = Enumerable.Range(0, 4).Select(_ => new DatabaseMigrator(database.ConnectionString, NullLogger<DatabaseMigrator>.Instance));
            var applied = await Task.WhenAll(migrators.Select(m => m.MigrateAsync()));

            Assert.Equal(DatabaseMigrator.EmbeddedMigrations.Count, applied.Sum(a => a.Count));
            Assert.Equal(DatabaseMigrator.EmbeddedMigrations.Count, await database.ScalarAsync<long>("SELECT count(*) FROM maneiro_schema_migrations"));
            Assert.Equal(3, await database.ScalarAsync<long>("SELECT count(*) FROM orleansquery"));

            var rerun = await new DatabaseMigrator(database.ConnectionString, NullLogger<DatabaseMigrator>.Instance).MigrateAsync();
            Assert.Empty(rerun);
        }
        finally
        {
            await database.DisposeAsync();
        }
    }
}
