using Maneiro.Grains.Interfaces;
using Maneiro.Grains.Jobs;

namespace Maneiro.Grains.Letters;

/// <summary>A letter's saved state: its generation stages and every version (versions are only ever added).</summary>
[GenerateSerializer, Alias("Maneiro.LetterState")]
public sealed class LetterState : IStagedJobState
{
    [Id(0)] public LetterRequest? Request { get; set; }

    [Id(1)] public DateTimeOffset CreatedAt { get; set; }

    [Id(2)] public JobStage Stage { get; set; }

    [Id(3)] public int Percent { get; set; }

    [Id(4)] public List<StageEntry> History { get; set; } = [];

    [Id(5)] public string? FailureMessage { get; set; }

    [Id(6)] public int Attempts { get; set; }

    [Id(7)] public LetterContext? Context { get; set; }

    /// <summary>The current generation's validated model answer; once set, this generation never asks the model again.</summary>
    [Id(8)] public string? DraftJson { get; set; }

    /// <summary>1 for the first draft, +1 per regeneration: each generation is counted once on the user grain.</summary>
    [Id(9)] public int Generation { get; set; }

    [Id(10)] public List<LetterVersion> Versions { get; set; } = [];

    [Id(11)] public int CurrentVersion { get; set; }

    [Id(12)] public List<string> Notices { get; set; } = [];

    [Id(13)] public int TokensUsed { get; set; }

    [Id(14)] public int LlmCalls { get; set; }

    [Id(15)] public int StageStarts { get; set; }

    /// <summary>The clinician whose signature the letter carries; with <see cref="AwaitsSignature"/> false and this null (letters saved before clinics), the owner.</summary>
    [Id(16)] public string? SignedBy { get; set; }

    /// <summary>No one has signed the current text (a staff draft, or changed by someone other than its signer).</summary>
    [Id(17)] public bool AwaitsSignature { get; set; }

    /// <summary>Who signs now: null for a draft.</summary>
    public string? Signer(string ownerId) => AwaitsSignature ? null : SignedBy ?? ownerId;
}
