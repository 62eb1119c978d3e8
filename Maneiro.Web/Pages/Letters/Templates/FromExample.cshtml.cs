using Maneiro.Grains.Interfaces;
using Maneiro.Infrastructure.Audit;
using Maneiro.Web.Audit;
using Maneiro.Web.Clinics;
using Maneiro.Web.Letters;
using Maneiro.Infrastructure.Extraction;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Maneiro.Web.Pages.Letters.Templates;

/// <summary>
/// A template made from a letter the clinician likes: the model proposes sections, the silo's scrubber takes every
/// patient detail out, and the editor shows the result to review; nothing is saved until the clinician saves it.
/// </summary>
public sealed class FromExampleModel(IGrainFactory grains, ClinicMembership memberships, LetterTemplates templates, PopplerPdf pdfs, AuditTrail audit) : PageModel
{
    [BindProperty]
    public string Example { get; set; } = "";

    [BindProperty]
    public string Language { get; set; } = "en";

    /// <summary>The example as a file instead of pasted: a PDF with a text layer, or plain text.</summary>
    [BindProperty]
    public IFormFile? ExampleFile { get; set; }

    public const long MaxFileBytes = 2 * 1024 * 1024;

    public string? Error { get; private set; }

    /// <summary>The scrubbed proposal in the editor, once there is one.</summary>
    public TemplateEditorView? Proposal { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        var me = (await memberships.ForAsync(HttpContext))!;
        return me.Can(ClinicAction.ManageTemplates) ? Page() : Forbid();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var me = (await memberships.ForAsync(HttpContext))!;
        if (!me.Can(ClinicAction.ManageTemplates))
        {
            return Forbid();
        }

        if (ExampleFile is { Length: > 0 } file && await ReadFileAsync(file) is { } refusal)
        {
            Error = refusal;
            return Page();
        }

        TemplateProposal proposal;
        try
        {
            proposal = await grains.GetGrain<ITemplateProposalGrain>(0).Propose(me.ClinicId, me.UserId, Example, Language);
        }
        catch (LetterRefusedException ex)
        {
            Error = ex.Message;
            return Page();
        }

        await audit.RecordAsync(AuditActions.TemplateProposed, AuditOutcomes.Success, details: new { replacements = proposal.Replacements });

        // The editor, filled with the scrubbed proposal and not yet saved: the clinician reviews it first.
        var notice = proposal.Replacements == 0
            ? "Review the proposed template, then save it."
            : $"{proposal.Replacements} patient detail(s) were replaced by variables or removed. Review the proposed template, then save it.";
        Proposal = new TemplateEditorView(TemplateForm.From(proposal.Content), await templates.RecentAnalysesAsync(me.UserId), Notice: notice);
        Example = "";
        return Page();
    }

    /// <summary>Reads the uploaded example into <see cref="Example"/> (never kept); returns why it cannot be read, if it cannot.</summary>
    private async Task<string?> ReadFileAsync(IFormFile file)
    {
        if (file.Length > MaxFileBytes)
        {
            return $"The example file is limited to {MaxFileBytes / (1024 * 1024)} MB.";
        }

        using var memory = new MemoryStream();
        await file.CopyToAsync(memory, HttpContext.RequestAborted);
        var bytes = memory.ToArray();
        if (bytes.AsSpan().StartsWith("%PDF-"u8))
        {
            try
            {
                Example = (await pdfs.ExtractAsync(bytes, HttpContext.RequestAborted)).Text;
            }
            catch (JobFailedException ex)
            {
                return ex.Message;
            }

            return Example.Trim().Length == 0 ? "This PDF has no text layer (a scan). Paste the letter's text instead." : null;
        }

        try
        {
            Example = new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
            return Example.Contains('\0', StringComparison.Ordinal) ? NotText : null;
        }
        catch (System.Text.DecoderFallbackException)
        {
            return NotText;
        }
    }

    private const string NotText = "Upload the example as a PDF with text or a plain-text file, or paste it.";
}
