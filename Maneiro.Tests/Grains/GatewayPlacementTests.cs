using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Maneiro.Grains.Interfaces;
using Maneiro.Testing;

namespace Maneiro.Tests.Grains;

/// <summary>
/// A web instance's calls for one account's grain arrive at the silo that holds it: in a cluster of two silos
/// (PostgreSQL, Redis) with a client that knows both gateways, no call is forwarded from the gateway that received it
/// to the other silo. Forwarding costs each call two more messages between processes (about half the calls, before).
/// </summary>
public sealed class GatewayPlacementTests : IAsyncLifetime
{
    // Random placement as the cluster's default, so that only the user grain's own strategy can put it beside the
    // gateway (in-process silos report equal load, and the default would prefer the local silo on that tie).
    private readonly ManeiroCluster _cluster = ManeiroCluster.WithScriptedModelAndRandomPlacement();

    public async Task InitializeAsync()
    {
        await _cluster.InitializeAsync();
        await _cluster.Cluster.StartAdditionalSiloAsync();

        // A client started now reads both silos' gateways from the membership table, as a web instance does.
        await _cluster.Cluster.StopClusterClientAsync();
        await _cluster.Cluster.InitializeClientAsync();
    }

    public Task DisposeAsync() => _cluster.DisposeAsync();

    [Fact]
    public async Task Calls_for_an_account_s_grain_are_not_forwarded_between_silos()
    {
        var silos = _cluster.Cluster.GetActiveSilos().Select(s => s.SiloAddress).ToHashSet();
        Assert.Equal(2, silos.Count);
        var users = Enumerable.Range(0, 16).Select(i => _cluster.Grains.GetGrain<IUserGrain>($"gateway-{i}-{Guid.NewGuid():N}")).ToList();
        foreach (var (user, i) in users.Select((u, i) => (u, i)))
        {
            await user.Membership($"member{i}@example.test");
        }

        // The client spreads its grains over both gateways; otherwise this test could not tell anything.
        var management = _cluster.Grains.GetGrain<IManagementGrain>(0);
        var hosts = new HashSet<SiloAddress>();
        foreach (var user in users)
        {
            hosts.Add(await management.GetActivationAddress(user) ?? throw new InvalidOperationException("not active"));
        }

        Assert.True(hosts.SetEquals(silos), $"the 16 grains live on {hosts.Count} of the 2 silos");

        using var requests = new SiloToSiloRequests(silos);
        for (var round = 0; round < 10; round++)
        {
            foreach (var user in users)
            {
                await user.GetSnapshot();
            }
        }

        // 160 calls; a handful of the cluster's own requests (membership probes, directory upkeep) may fall in the
        // window, a forwarded share of the calls would be dozens.
        Assert.True(requests.Count < 16, $"{requests.Count} requests went from silo to silo during 160 calls to 16 grains");
    }

    /// <summary>Counts requests the cluster's silos send each other (Orleans' sent-message measurements).</summary>
    private sealed class SiloToSiloRequests : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentBag<string> _seen = [];

        public SiloToSiloRequests(HashSet<SiloAddress> silos)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "Microsoft.Orleans" && instrument.Name == "orleans-messaging-sent-messages-size")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<int>((_, _, tags, _) =>
            {
                string? connection = null, direction = null;
                SiloAddress? to = null;
                foreach (var tag in tags)
                {
                    switch (tag.Key)
                    {
                        case "ConnectionDirection": connection = tag.Value?.ToString(); break;
                        case "MessageDirection": direction = tag.Value?.ToString(); break;
                        case "silo": to = tag.Value as SiloAddress; break;
                    }
                }

                // Other test classes' clusters run in this process too: only messages to this cluster's silos count.
                if (connection == "SiloToSilo" && direction == "Request" && to is not null && silos.Contains(to))
                {
                    _seen.Add(to.ToString());
                }
            });
            _listener.Start();
        }

        public int Count => _seen.Count;

        public void Dispose() => _listener.Dispose();
    }
}
