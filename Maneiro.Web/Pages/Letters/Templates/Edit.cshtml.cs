using System.Security.Claims;
using Maneiro.Grains.Domain.Letters;
using Maneiro.Grains.Interfaces;
using Maneiro.Infrastructure.Audit;
using Maneiro.Web.Audit;
using Maneiro.Web.Clinics;
using Maneiro.Web.Jobs;
using Maneiro.Web.Letters;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Maneiro.Web.Pages.Letters.Templates;

/// <summary>
/// The template editor: sections added, moved and removed with buttons (each a form post, so it works from the
/// keyboard and without script), a preview filled from one of the user's analyses, and saving as a new version.
/// </summary>
public sealed class EditModel(LetterTemplates templates, ClinicMembership memberships, AnalysisAccess analyses, IGrainFactory grains, AuditTrail audit) : PageModel
{
    [BindProperty]
    public TemplateForm Form { get; set; } = new();

    public Membership Me { get; private set; } = null!;

    public IReadOnlyList<(string Id, string Label)> Analyses { get; private set; } = [];

    public IReadOnlyList<(string Heading, string Text, bool Written)>? Preview { get; private set; }

    public string? PreviewAnalysis { get; private set; }

    public int? Version { get; private set; }

    public string? Notice { get; private set; }

    public bool ConfirmDelete { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? id, [FromQuery] string? from, [FromQuery] bool confirmDelete = false)
    {
        if (await AllowedAsync() is { } refused)
        {
            return refused;
        }

        if (id is not null)
        {
            if (await templates.FindAsync(Me.ClinicId, id) is not { } view)
            {
                return NotFound();
            }

            Form = TemplateForm.From(view.Current.Content, id);
            Version = view.Current.Number;
            ConfirmDelete = confirmDelete;
        }
        else if (from is not null && (BuiltInTemplates.ById(from) ?? (await templates.FindAsync(Me.ClinicId, from))?.Current.Content) is { } original)
        {
            Form = TemplateForm.From(original with { Name = "My " + original.Name.ToLowerInvariant() });
        }
        else
        {
            Form = new TemplateForm { Name = "", Sections = [new SectionForm()] };
        }

        await LoadAsync();
        return Page();
    }

    public async Task<IActionResult> OnPostSaveAsync()
    {
        if (await AllowedAsync() is { } refused)
        {
            return refused;
        }

        var id = Form.Id is { Length: > 0 } existing ? existing : LetterTemplates.NewId();
        if (Form.Id is { Length: > 0 } && await templates.FindAsync(Me.ClinicId, id) is null)
        {
            return NotFound();
        }

        try
        {
            var saved = await templates.Grain(id).Save(Me.ClinicId, Form.ToContent(), Me.UserId);
            await audit.RecordAsync(AuditActions.TemplateSaved, AuditOutcomes.Success, target: id, details: new { version = saved.Current.Number });
            TempData["Status"] = $"Template saved (version {saved.Current.Number}).";
            return Redirect("/Letters/Templates");
        }
        catch (LetterRefusedException ex)
        {
            ModelState.AddModelError(string.Empty, ex.Message);
            await LoadAsync();
            return Page();
        }
    }

    public Task<IActionResult> OnPostAddAsync() => EditAsync(() => Form.Sections.Add(new SectionForm()), Form.Sections.Count, "Section added.");

    public Task<IActionResult> OnPostRemoveAsync([FromForm] int index) =>
        EditAsync(() => Form.Sections.RemoveAt(index), Math.Max(0, index - 1), "Section removed.", index >= 0 && index < Form.Sections.Count && Form.Sections.Count > 1);

    public Task<IActionResult> OnPostUpAsync([FromForm] int index) =>
        EditAsync(() => (Form.Sections[index - 1], Form.Sections[index]) = (Form.Sections[index], Form.Sections[index - 1]), index - 1, "Section moved up.", index > 0 && index < Form.Sections.Count);

    public Task<IActionResult> OnPostDownAsync([FromForm] int index) =>
        EditAsync(() => (Form.Sections[index + 1], Form.Sections[index]) = (Form.Sections[index], Form.Sections[index + 1]), index + 1, "Section moved down.", index >= 0 && index < Form.Sections.Count - 1);

    public async Task<IActionResult> OnPostPreviewAsync([FromForm] string? analysis)
    {
        if (await AllowedAsync() is { } refused)
        {
            return refused;
        }

        LetterContext? context = null;
        if (analysis is { Length: > 0 } && await analyses.ForUserAsync(User, analysis) is { Stage: JobStage.Complete } progress
            && await analyses.OutputAsync(progress) is { } output)
        {
            context = LetterContextFactory.From(progress.Specialty, output);
            PreviewAnalysis = analysis;
        }

        var clinician = (await grains.GetGrain<ILetterheadGrain>(Me.UserId).Read()).ProviderName;
        Preview = LetterTemplates.Preview(TemplateRules.Check(Form.ToContent()).Content, context, clinician);
        await LoadAsync();
        return Page();
    }

    public async Task<IActionResult> OnPostDeleteAsync()
    {
        if (await AllowedAsync() is { } refused)
        {
            return refused;
        }

        if (Form.Id is not { Length: > 0 } id || await templates.FindAsync(Me.ClinicId, id) is null)
        {
            return NotFound();
        }

        await templates.Grain(id).Remove(Me.UserId);
        await audit.RecordAsync(AuditActions.TemplateDeleted, AuditOutcomes.Success, target: id);
        TempData["Status"] = "The template was deleted; letters drafted with it keep their text.";
        return Redirect("/Letters/Templates");
    }

    private async Task<IActionResult> EditAsync(Action change, int focus, string notice, bool valid = true)
    {
        if (await AllowedAsync() is { } refused)
        {
            return refused;
        }

        if (valid)
        {
            change();
            Notice = notice;
        }

        // The posted values are the model's now: the form shows the changed list, not what was posted.
        ModelState.Clear();
        ViewData["Focus"] = focus;
        await LoadAsync();
        return Page();
    }

    private async Task<IActionResult?> AllowedAsync()
    {
        Me = (await memberships.ForAsync(HttpContext))!;
        return Me.Can(ClinicAction.ManageTemplates) ? null : Forbid();
    }

    private async Task LoadAsync() => Analyses = await templates.RecentAnalysesAsync(User.FindFirstValue(ClaimTypes.NameIdentifier)!);

    /// <summary>What the editor partial renders.</summary>
    public TemplateEditorView Editor => new(Form, Analyses, Preview, PreviewAnalysis, Notice, ViewData["Focus"] as int?);
}
