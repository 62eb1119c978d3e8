using Maneiro.Grains.Domain;
using Maneiro.Grains.Interfaces;
using Maneiro.Grains.Jobs;
using Maneiro.Grains.Observability;
using Maneiro.Grains.Services;
using Microsoft.Extensions.Logging;

namespace Maneiro.Grains.Analyses;

/// <summary>
/// What one stage of an analysis reads and writes: its saved progress and output, its owner's allowance, and the PDF
/// text layer the upload read (null when the stage must read the stored document itself).
/// </summary>
public sealed record AnalysisRun(string Id, AnalysisState Progress, AnalysisOutputState Output, IUserGrain User, UploadTextLayer? TextLayerRead = null);

/// <summary>
/// The work of each analysis stage, over the adapters. Each step returns whether it changed the output (the grain then
/// saves it) and skips work whose output is already saved, so a resumed stage never repeats a finished call.
/// </summary>
public sealed partial class AnalysisSteps(
    IBlobStore blobs,
    DocumentReader reader,
    IClinicalAnalyzer analyzer,
    IReferenceFinder references,
    ISpeechToText speech,
    IAudioProbe audio,
    Icd10Catalog icd10,
    ManeiroTelemetry telemetry,
    ILogger<AnalysisSteps> logger)
{
    private static readonly System.Text.Json.JsonSerializerOptions AnalysisJsonOptions = new() { PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower };

    public async Task<bool> ExtractAsync(AnalysisRun run, CancellationToken stop)
    {
        var request = run.Progress.Request!;
        switch (request.Kind)
        {
            case InputKind.Text:
                // Text an inbox item already read keeps the name of how it was read (no second OCR).
                await KeepTextAsync(run, await ReadTextAsync(request.BlobKey, stop), request.ReadBy ?? TextSource.Pasted, stop);
                return true;
            case InputKind.Pdf:
                var layer = run.TextLayerRead is { } read ? new PdfText(read.Text, read.PageCount) : await reader.TextLayerAsync(Document(run), stop);
                run.Progress.PageCount = layer.PageCount;
                if (!request.ForceOcr && MeaningfulText.IsMeaningful(layer.Text))
                {
                    await KeepTextAsync(run, layer.Text, TextSource.TextLayer, stop);
                    return true;
                }

                return false;
            default:
                // Images go to OCR and audio to transcription.
                return false;
        }
    }

    public async Task<bool> OcrAsync(AnalysisRun run, CancellationToken stop)
    {
        var result = await reader.OcrAsync(Document(run), run.Progress.PageCount, run.User, stop);
        await KeepTextAsync(run, result.Text, TextSource.Ocr, stop);
        run.Progress.OcrConfidence = result.Pages.Select(p => p.Confidence).ToList();
        return true;
    }

    public async Task<bool> TranscribeAsync(AnalysisRun run, CancellationToken stop)
    {
        // A resumed stage whose transcript is saved does not send the recording again (it may be deleted by now).
        if (run.Output.ExtractedText is not null)
        {
            return false;
        }

        var request = run.Progress.Request!;

        // Measured and checked against the plan before anything is sent for transcription.
        var length = await audio.DurationAsync(request.BlobKey, stop);
        var minutes = Math.Max(1, (int)Math.Ceiling(length.TotalMinutes));
        var reservation = await run.User.TryReserve(UsageKind.AudioMinutes, run.Id, minutes);
        if (!reservation.Granted)
        {
            throw new JobFailedException(reservation.DeniedReason!);
        }

        var (text, _, _) = await speech.TranscribeAsync(request.BlobKey, request.MediaType, request.Speech, stop);
        await run.User.CommitKind(run.Id, UsageKind.AudioMinutes);

        if (string.IsNullOrWhiteSpace(text))
        {
            throw new JobFailedException("No speech was recognized in this recording.");
        }

        await KeepTextAsync(run, text, TextSource.Transcript, stop);
        return true;
    }

    public async Task<bool> AnalyzeAsync(AnalysisRun run, CancellationToken stop)
    {
        if (run.Output.AnalysisJson is not null)
        {
            return false;
        }

        var answer = await analyzer.AnalyzeAsync(run.Output.ExtractedText!, run.Progress.Request!.Specialty, stop);
        run.Progress.TokensUsed += answer.TokensUsed;
        telemetry.LlmTokens("analysis", answer.TokensUsed);

        // One repair round, inside this stage: the answer is saved only with its repairs, so a resumed stage never
        // asks for them twice on a saved answer.
        var toRepair = CodeRepairRound.Needed(answer.Document, icd10);
        if (toRepair.Count > 0)
        {
            var repaired = await analyzer.RepairCodesAsync(toRepair, stop);
            run.Progress.TokensUsed += repaired.TokensUsed;
            telemetry.LlmTokens("code-repair", repaired.TokensUsed);
            run.Output.CodeRepairs = [.. CodeRepairRound.Apply(answer.Document, toRepair, repaired.Repairs, icd10)];
        }

        run.Output.AnalysisJson = System.Text.Json.JsonSerializer.Serialize(answer.Document, AnalysisJsonOptions);
        return true;
    }

    /// <summary>Fetches verified PubMed references; if PubMed cannot be reached the analysis completes without them, and says so.</summary>
    public async Task<bool> ReferenceAsync(AnalysisRun run, CancellationToken stop)
    {
        if (run.Output.References is not null)
        {
            return false;
        }

        var (document, _) = AnalysisDocument.Parse(run.Output.AnalysisJson!);
        var specialty = run.Progress.Request!.Specialty;
        var query = new ReferenceQuery(specialty, document!.Diagnoses.Select(d => d.Title).ToList(), document.SearchTerms, specialty == "pediatrics" ? true : null);
        try
        {
            run.Output.References = (await references.FindAsync(query, stop)).ToList();
            run.Progress.ReferencesUnavailable = false;
        }
        catch (Exception ex) when (!stop.IsCancellationRequested && ex is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException)
        {
            LogReferencesUnavailable(run.Id, ex.GetType().Name);
            run.Output.References = [];
            run.Progress.ReferencesUnavailable = true;
        }

        return true;
    }

    public bool Validate(AnalysisRun run)
    {
        var (document, _) = AnalysisDocument.Parse(run.Output.AnalysisJson!);
        var result = document!.ToResult(icd10, run.Output.ExtractedText ?? "");
        List<string> warnings = [.. result.Warnings];
        if (run.Progress.ReferencesUnavailable)
        {
            warnings.Add("PubMed could not be reached, so no references are listed for this analysis.");
        }

        if (run.Output.FullTextLength is { } full)
        {
            warnings.Add(ExtractedTextLimits.Notice(full));
        }

        warnings.AddRange(run.Output.CodeRepairs);

        run.Output.Result = result with { References = run.Output.References ?? [], Warnings = warnings };
        run.Progress.Headline = AnalysisHeadlines.Of(run.Output.Result);
        return true;
    }

    /// <summary>
    /// Keeps the extracted text the model is sent: at most <see cref="ExtractedTextLimits.MaxAnalysedCharacters"/>. A
    /// longer text is stored whole (encrypted, in the blob store) and only its first part is kept and analysed.
    /// </summary>
    private async Task KeepTextAsync(AnalysisRun run, string text, TextSource source, CancellationToken stop)
    {
        run.Progress.TextSource = source;
        if (text.Length <= ExtractedTextLimits.MaxAnalysedCharacters)
        {
            run.Output.ExtractedText = text;
            run.Output.FullTextLength = null;
            return;
        }

        await blobs.PutAsync(BlobKeys.FullTextKey(run.Id), new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)), "text/plain", stop);
        run.Output.ExtractedText = text[..ExtractedTextLimits.MaxAnalysedCharacters];
        run.Output.FullTextLength = text.Length;
    }

    private static DocumentToRead Document(AnalysisRun run) =>
        new(run.Id, run.Progress.Request!.BlobKey, run.Progress.Request.Kind, run.Progress.Request.MediaType, OcrLimits.MaxPages);

    private async Task<string> ReadTextAsync(string key, CancellationToken stop)
    {
        await using var stream = await blobs.OpenReadAsync(key, stop);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync(stop);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "References for job {JobId} were unavailable: {ErrorType}")]
    private partial void LogReferencesUnavailable(string jobId, string errorType);
}
