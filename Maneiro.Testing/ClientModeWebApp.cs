namespace Maneiro.Testing;

/// <summary>The accounts helpers, with a client-mode web joining silos that run as separate processes.</summary>
public sealed class ClientModeWebApp(TestDatabase database, string blobRoot, string clusterId) : ManeiroApp
{
    public async Task StartAsync()
    {
        Factory = new ManeiroWebFactory(database.Url, new Dictionary<string, string?>
        {
            ["Orleans:Mode"] = "Client",
            ["Orleans:ClusterId"] = clusterId,
            ["Storage:LocalPath"] = blobRoot,
            ["Mail:PickupDirectory"] = Mail.Directory,
            ["Security:RateLimits:KeyPrefix"] = "rl-test-" + Guid.NewGuid().ToString("N"),
            ["Security:RateLimits:UploadsPerUserPerMinute"] = "1000",
        });
        _ = Factory.BaseAddress;
        await Task.CompletedTask;
    }
}
