using Maneiro.Grains.Domain.Letters;
using Maneiro.Grains.Interfaces;
using Maneiro.Web.Jobs;

namespace Maneiro.Web.Letters;

public static class LetterViews
{
    public static object Summary(LetterStatus s) => new
    {
        jobId = s.LetterId,
        letterId = s.LetterId,
        analysisJobId = s.Request.AnalysisJobId,
        kind = s.Request.Kind.ToString(),
        kindName = LetterKinds.DisplayName(s.Request.Kind),
        language = s.Request.Language,
        tone = (s.Request.Options ?? LetterOptions.Standard).Tone.ToString(),
        detail = (s.Request.Options ?? LetterOptions.Standard).Detail.ToString(),
        purpose = (s.Request.Options ?? LetterOptions.Standard).Purpose.ToString(),
        stage = s.Stage.ToString(),
        stageName = JobViews.StageName(s.Stage),
        percent = s.Percent,
        finished = s.IsFinished,
        error = s.Error,
        createdAt = s.CreatedAt,
        currentVersion = s.CurrentVersion,
        versions = s.Versions.Select(v => new { number = v.Number, createdAt = v.CreatedAt, source = v.Source.ToString(), restoredFrom = v.RestoredFrom }),
        subject = s.Current?.Subject,
        body = s.Current?.Body,
        notices = s.Notices,
        pdfUrl = s.Current is null ? null : $"/letters/{s.LetterId}/pdf",
    };

    /// <summary>The PDF's input: the current version on the clinic's letterhead with the signer's signature (a draft: none), the analysis's codes and references.</summary>
    public static LetterPdfInput PdfInput(LetterStatus s, Letterhead head, DateOnly date)
    {
        var version = s.Current ?? throw new InvalidOperationException("The letter has no text yet.");

        // Held to the code rule at export too: a hand edit or a letter drafted before the rule cannot print another code.
        var (subject, _) = LetterCodes.Scrub(version.Subject, s.Context);
        var (body, _) = LetterCodes.Scrub(version.Body, s.Context);
        return new LetterPdfInput(
            head,
            s.Request.Kind,
            LetterLanguage.Get(s.Request.Language),
            date,
            s.Request.Recipient,
            s.Context?.PatientName ?? "",
            subject,
            body,
            LetterCodes.Billable(s.Context),
            s.Context?.References ?? [],
            s.Context?.CodeTable,
            Draft: s.SignedBy is null);
    }

    public static string FileName(LetterStatus s, DateOnly date) =>
        $"letter-{s.Request.Kind.ToString().ToLowerInvariant()}-{date:yyyy-MM-dd}-v{s.CurrentVersion}.pdf";
}
