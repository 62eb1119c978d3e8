using Maneiro.Grains.Interfaces;
using Maneiro.Infrastructure.Audit;
using Maneiro.Web.Audit;
using Maneiro.Web.Clinics;
using Maneiro.Web.Letters;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Maneiro.Web.Pages.Letters.Templates;

/// <summary>
/// A template made from a letter the clinician likes: the model proposes sections, the silo's scrubber takes every
/// patient detail out, and the editor shows the result to review; nothing is saved until the clinician saves it.
/// </summary>
public sealed class FromExampleModel(IGrainFactory grains, ClinicMembership memberships, LetterTemplates templates, AuditTrail audit) : PageModel
{
    [BindProperty]
    public string Example { get; set; } = "";

    [BindProperty]
    public string Language { get; set; } = "en";

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
}
