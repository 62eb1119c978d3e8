using System.Collections.Concurrent;
using Maneiro.Grains.Domain;
using Maneiro.Grains.Services;
using Microsoft.Extensions.DependencyInjection;

namespace Maneiro.Testing;

/// <summary>
/// A model behind the <see cref="IClinicalAnalyzer"/> seam, for stage rules tested on a TestCluster: each call takes
/// the next scripted step (an answer or an exception); the last step repeats.
/// </summary>
public sealed class ScriptedAnalyzer : IClinicalAnalyzer
{
    private readonly ConcurrentQueue<Func<AnalyzerOutput>> _steps = new();
    private Func<AnalyzerOutput> _last = () => throw new InvalidOperationException("No step scripted.");
    private int _calls;

    public int Calls => _calls;

    public static AnalyzerOutput Answer(string json) => new(AnalysisDocument.Parse(json).Document!, 1500);

    public void Script(params Func<AnalyzerOutput>[] steps)
    {
        _steps.Clear();
        foreach (var step in steps)
        {
            _steps.Enqueue(step);
        }
    }

    public Task<AnalyzerOutput> AnalyzeAsync(string text, string specialty, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        if (_steps.TryDequeue(out var step))
        {
            _last = step;
        }

        return Task.FromResult(_last());
    }

    /// <summary>The scripted model corrects nothing.</summary>
    public Task<CodeRepairOutput> RepairCodesAsync(IReadOnlyList<CodeToRepair> codes, CancellationToken cancellationToken) =>
        Task.FromResult(new CodeRepairOutput([], 0));

    /// <summary>Puts the scripted model, letter writer and a gated auditor in place of the adapters in a test silo.</summary>
    public sealed class SiloConfigurator : Orleans.TestingHost.ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.Services.AddSingleton<IClinicalAnalyzer, ScriptedAnalyzer>();
            siloBuilder.Services.AddSingleton<ILetterWriter, ScriptedLetterWriter>();
            siloBuilder.Services.AddSingleton<IIntakeTriager, ScriptedTriager>();
            siloBuilder.Services.AddSingleton<IJobAuditor, GatedAuditor>();
        }
    }
}
