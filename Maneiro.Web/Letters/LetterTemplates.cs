using Maneiro.Grains.Domain.Letters;
using Maneiro.Grains.Interfaces;

namespace Maneiro.Web.Letters;

/// <summary>A clinic's templates as pages list them: the built-in ones first, then the clinic's own, newest first.</summary>
public sealed class LetterTemplates(IGrainFactory grains)
{
    public async Task<IReadOnlyList<LetterTemplateView>> OfClinicAsync(string clinicId)
    {
        var ids = await grains.GetGrain<IJobIndexGrain>(IndexKeys.TemplatesOf(clinicId)).Page(0, 200);
        var views = await Task.WhenAll(ids.Select(id => grains.GetGrain<ILetterTemplateGrain>(id).View()));
        return views.Where(v => v is not null && v.ClinicId == clinicId).Select(v => v!).ToList();
    }

    /// <summary>The clinic's template of this id, or null (another clinic's reads as none).</summary>
    public async Task<LetterTemplateView?> FindAsync(string clinicId, string id) =>
        id.Length is > 0 and <= 64 && await grains.GetGrain<ILetterTemplateGrain>(id).View() is { } view && view.ClinicId == clinicId ? view : null;

    public ILetterTemplateGrain Grain(string id) => grains.GetGrain<ILetterTemplateGrain>(id);

    /// <summary>The user's recent completed analyses, to preview a template with.</summary>
    public async Task<IReadOnlyList<(string Id, string Label)>> RecentAnalysesAsync(string userId)
    {
        var ids = await grains.GetGrain<IJobIndexGrain>(IndexKeys.AnalysesOf(userId)).Page(0, 20);
        var found = await Task.WhenAll(ids.Select(id => grains.GetGrain<IAnalysisGrain>(id).GetProgress()));
        return found.Where(p => p is { Stage: JobStage.Complete }).Select(p => (p!.JobId, $"{p.CreatedAt:yyyy-MM-dd HH:mm} UTC · {(p.Headline.PatientName is { Length: > 0 } n ? n : "patient not named")} · {p.Headline.PrimaryDiagnosis}")).ToList();
    }

    public static string NewId() => Guid.NewGuid().ToString("N");

    /// <summary>What a letter drafted with this template records: its id, version and sections as they are now.</summary>
    public static TemplateUse Use(LetterTemplateView view) => new(view.Id, view.Current.Number, view.Current.Content.Name, view.Current.Content.Sections);

    /// <summary>A preview of the template filled from an analysis: fixed text with its variables, and what the model is to write elsewhere.</summary>
    public static IReadOnlyList<(string Heading, string Text, bool Written)> Preview(TemplateContent content, LetterContext? context, string clinician)
    {
        var values = context is null
            ? TemplateRules.Variables.ToDictionary(v => v.Name, v => $"[{v.Meaning}]")
            : TemplateFill.Values(new LetterRequest("", "", content.Kind, content.Language, new LetterRecipient("[recipient]", "", "", null)), context, clinician, DateOnly.FromDateTime(DateTime.UtcNow));
        return content.Sections.Select(s => s.FixedText.Length > 0
            ? (s.Heading, TemplateRules.Fill(s.FixedText, values), false)
            : (s.Heading, s.Instructions, true)).ToList();
    }
}

/// <summary>What the template editor shows: the form, the analyses to preview with, a preview, a notice.</summary>
public sealed record TemplateEditorView(
    Maneiro.Web.Pages.Letters.Templates.TemplateForm Form,
    IReadOnlyList<(string Id, string Label)> Analyses,
    IReadOnlyList<(string Heading, string Text, bool Written)>? Preview = null,
    string? PreviewAnalysis = null,
    string? Notice = null,
    int? Focus = null);
