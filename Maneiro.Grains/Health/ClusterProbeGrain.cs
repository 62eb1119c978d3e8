using Maneiro.Grains.Interfaces;
using Orleans.Concurrency;

namespace Maneiro.Grains.Health;

[StatelessWorker]
[GrainType("clusterprobe")]
public sealed class ClusterProbeGrain : Grain, IClusterProbeGrain
{
    public Task<string> Ping() => Task.FromResult(RuntimeIdentity);
}
