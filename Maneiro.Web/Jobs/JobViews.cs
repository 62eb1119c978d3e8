using Maneiro.Grains.Interfaces;

namespace Maneiro.Web.Jobs;

/// <summary>Names and JSON shapes of jobs for pages, the API and the hub.</summary>
public static class JobViews
{
    public static string StageName(JobStage stage) => stage switch
    {
        JobStage.Received => "Received",
        JobStage.Extracting => "Reading the document",
        JobStage.Ocr => "Reading the scan (OCR)",
        JobStage.Transcribing => "Transcribing the dictation",
        JobStage.Analyzing => "Analyzing",
        JobStage.Referencing => "Finding references",
        JobStage.Validating => "Checking codes and evidence",
        JobStage.Complete => "Complete",
        JobStage.Failed => "Failed",
        JobStage.Canceled => "Canceled",
        JobStage.LoadingContext => "Loading the analysis",
        JobStage.Drafting => "Drafting the letter",
        JobStage.Formatting => "Formatting",
        JobStage.Triaging => "Triaging",
        JobStage.Reviewing => "Waiting for your transcript review",
        _ => stage.ToString(),
    };

    public static object Progress(JobProgress p) => new
    {
        jobId = p.JobId,
        stage = p.Stage.ToString(),
        stageName = StageName(p.Stage),
        percent = p.Percent,
        finished = JobStages.IsTerminal(p.Stage),
        waiting = JobStages.IsWaiting(p.Stage),
        error = p.Error,
        at = p.At,
    };

    /// <summary>An analysis for the API and the hub; the result is included once there is one, the transcript while it awaits review.</summary>
    public static object Summary(AnalysisProgress s, AnalysisResult? result = null, string? transcript = null) => new
    {
        jobId = s.JobId,
        stage = s.Stage.ToString(),
        stageName = StageName(s.Stage),
        percent = s.Percent,
        finished = s.IsFinished,
        waiting = JobStages.IsWaiting(s.Stage),
        error = s.Error,
        createdAt = s.CreatedAt,
        kind = s.Kind.ToString(),
        specialty = s.Specialty,
        textSource = s.TextSource.ToString(),
        history = s.History.Select(h => new { stage = h.Stage.ToString(), startedAt = h.StartedAt, endedAt = h.EndedAt }),
        result,
        transcript,
        headline = s.Headline,
        tokensUsed = s.TokensUsed,
    };

    /// <summary>What a code check means, in the words the page uses.</summary>
    public static string CheckLabel(CodeCheck check) => check switch
    {
        CodeCheck.Valid => "valid, billable",
        CodeCheck.NotBillable => "not billable",
        CodeCheck.Verify => "verify",
        CodeCheck.Invalid => "invalid",
        _ => "unverified",
    };
}
