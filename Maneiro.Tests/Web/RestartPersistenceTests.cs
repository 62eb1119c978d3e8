using Maneiro.Grains.Interfaces;
using Maneiro.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Maneiro.Tests.Web;

public sealed class RestartPersistenceTests
{
    [Fact]
    public async Task User_grain_state_survives_stopping_and_restarting_the_app()
    {
        var database = new TestDatabase();
        await database.InitializeAsync();
        try
        {
            var userId = "user-" + Guid.NewGuid().ToString("N");
            await using (var first = new ManeiroWebFactory(database.Url))
            {
                var grains = first.Services.GetRequiredService<IGrainFactory>();
                var user = grains.GetGrain<IUserGrain>(userId);
                Assert.True((await user.TryReserve(UsageKind.Analyses, "job-1", 1)).Granted);
                await user.Commit("job-1");
                await user.TryReserve(UsageKind.OcrPages, "job-2", 7);
            }

            await using var second = new ManeiroWebFactory(database.Url);
            var snapshot = await second.Services.GetRequiredService<IGrainFactory>().GetGrain<IUserGrain>(userId).GetSnapshot();
            Assert.Equal(1, snapshot.Usage.Single(u => u.Kind == UsageKind.Analyses).Used);
            Assert.Equal(7, snapshot.Usage.Single(u => u.Kind == UsageKind.OcrPages).Used);
        }
        finally
        {
            await database.DisposeAsync();
        }
    }
}
