namespace Maneiro.Grains.Interfaces;

/// <summary>Answers health checks: proves a silo can activate a grain and reply.</summary>
[Alias("Maneiro.ClusterProbe")]
public interface IClusterProbeGrain : IGrainWithIntegerKey
{
    [Alias("Ping")]
    Task<string> Ping();
}
