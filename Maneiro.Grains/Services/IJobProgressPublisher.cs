using Maneiro.Grains.Interfaces;

namespace Maneiro.Grains.Services;

/// <summary>Carries a job's progress from the silo that runs it to every web process (which forwards it to the owner's browser).</summary>
public interface IJobProgressPublisher
{
    Task PublishAsync(JobProgress progress);
}
