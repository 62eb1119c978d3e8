namespace Maneiro.Grains.Jobs;

[GenerateSerializer, Alias("Maneiro.JobIndexState")]
public sealed class JobIndexState
{
    /// <summary>Job ids with their creation time, oldest first: only in rows saved before the job index table (read once, then cleared).</summary>
    [Id(0)] public List<JobIndexEntry> Jobs { get; set; } = [];
}

[GenerateSerializer, Alias("Maneiro.JobIndexEntry")]
public sealed record JobIndexEntry([property: Id(0)] string JobId, [property: Id(1)] DateTimeOffset CreatedAt);
