using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Maneiro.Grains.Interfaces;
using Maneiro.Infrastructure.Audit;
using Maneiro.Web.Audit;
using Maneiro.Web.Clinics;
using Maneiro.Web.Data;
using Maneiro.Web.Letters;
using Maneiro.Web.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace Maneiro.Web.Pages.Letters;

/// <summary>A letter: live drafting progress, then the editor, versions, regenerate, restore, PDF and delete.</summary>
[EnableRateLimiting(RateLimits.LetterEdits)]
public sealed class LetterDetailsModel(LetterAccess letters, ClinicMembership memberships, UserManager<ManeiroUser> users, AuditTrail audit, SweptNotices swept) : PageModel
{
    public LetterStatus Letter { get; private set; } = null!;

    /// <summary>Whether the signed-in member may sign (a clinician of the clinic); the grain checks again.</summary>
    public bool MaySign { get; private set; }

    /// <summary>Who signed it, as the page names them.</summary>
    public string? SignerName { get; private set; }

    /// <summary>
    /// Codes in the current version that the code rule does not allow (a letter drafted before the rule): re-checked on
    /// every opening, and taken out at export.
    /// </summary>
    public IReadOnlyList<string> CodeNotices { get; private set; } = [];

    /// <summary>Code items the export asks to be ticked (or waived with "Export anyway").</summary>
    public IReadOnlyList<string> OpenCodeItems { get; private set; } = [];

    /// <summary>The verified references the current text cites, in order of first citation.</summary>
    public IReadOnlyList<Reference> Cited { get; private set; } = [];

    /// <summary>The codes the current text writes, each with whether it prints (valid and billable) or is left out.</summary>
    public IReadOnlyList<(string Code, bool Prints)> CodesUsed { get; private set; } = [];

    [BindProperty]
    [Required(ErrorMessage = "Enter a subject.")]
    [StringLength(300)]
    public string Subject { get; set; } = "";

    [BindProperty]
    [Required(ErrorMessage = "The letter cannot be empty.")]
    [StringLength(Grains.Domain.Letters.LetterBody.MaxLength)]
    public string Body { get; set; } = "";

    public async Task<IActionResult> OnGetAsync(string id)
    {
        if (await letters.ForUserAsync(User, id) is not { } letter)
        {
            return await swept.ForAsync(HttpContext, id) is null ? NotFound() : Redirect($"/Deleted/{id}");
        }

        await ShowAsync(letter);
        return Page();
    }

    public async Task<IActionResult> OnPostSaveAsync(string id)
    {
        if (await letters.ForUserAsync(User, id) is not { } letter)
        {
            return NotFound();
        }

        if (!ModelState.IsValid)
        {
            Letter = letter;
            return Page();
        }

        return await ChangeAsync(id, letter, g => g.SaveEdit(Subject, Body, ActorId), AuditActions.LetterEdited, "Saved as a new version.");
    }

    public async Task<IActionResult> OnPostRegenerateAsync(string id) =>
        await letters.ForUserAsync(User, id) is { } letter
            ? await ChangeAsync(id, letter, g => g.Regenerate(ActorId), AuditActions.LetterRegenerated, "Drafting a new version; earlier versions are kept.")
            : NotFound();

    public async Task<IActionResult> OnPostRestoreAsync(string id, int version) =>
        await letters.ForUserAsync(User, id) is { } letter
            ? await ChangeAsync(id, letter, g => g.Restore(version, ActorId), AuditActions.LetterRestored, $"Version {version} is current again (saved as a new version).")
            : NotFound();

    /// <summary>Signs with the signed-in clinician's own signature; no form field can name another signer.</summary>
    public async Task<IActionResult> OnPostSignAsync(string id)
    {
        if (await letters.ForUserAsync(User, id) is not { } letter)
        {
            return NotFound();
        }

        if (await memberships.ForAsync(HttpContext) is not { } me || !me.Can(ClinicAction.SignLetter))
        {
            await audit.RecordAsync(AuditActions.LetterSigned, AuditOutcomes.Denied, target: id);
            await ShowAsync(letter);
            ModelState.AddModelError(string.Empty, "Only a clinician can sign a letter. It stays a draft until a clinician of your clinic signs it.");
            Response.StatusCode = StatusCodes.Status403Forbidden;
            return Page();
        }

        return await ChangeAsync(id, letter, g => g.Sign(me.UserId), AuditActions.LetterSigned, "Signed with your signature block. The PDF now carries the clinic's letterhead and your signature.");
    }

    public async Task<IActionResult> OnPostDeleteAsync(string id, bool confirmDelete)
    {
        if (await letters.ForUserAsync(User, id) is not { } letter)
        {
            return NotFound();
        }

        if (!confirmDelete)
        {
            await ShowAsync(letter);
            ModelState.AddModelError(string.Empty, "Tick the box to confirm that the letter and all its versions should be deleted.");
            return Page();
        }

        await letters.Grain(id).Delete();
        await audit.RecordAsync(AuditActions.LetterDeleted, AuditOutcomes.Success, target: id);
        TempData["Status"] = "The letter was deleted.";
        return Redirect($"/Jobs/{letter.Request.AnalysisJobId}#letters");
    }

    private string ActorId => User.FindFirstValue(ClaimTypes.NameIdentifier)!;

    private async Task<IActionResult> ChangeAsync(string id, LetterStatus letter, Func<ILetterGrain, Task<LetterStatus>> change, string action, string done)
    {
        try
        {
            await change(letters.Grain(id));
        }
        catch (LetterRefusedException ex)
        {
            await ShowAsync(letter);
            ModelState.AddModelError(string.Empty, ex.Message);
            return Page();
        }

        await audit.RecordAsync(action, AuditOutcomes.Success, target: id);
        TempData["Status"] = done;
        return Redirect($"/Letters/{id}");
    }

    private async Task ShowAsync(LetterStatus letter)
    {
        MaySign = (await memberships.ForAsync(HttpContext))?.Can(ClinicAction.SignLetter) == true;
        SignerName = letter.SignedBy is { } signer ? (await users.FindByIdAsync(signer)) is { } account ? $"{account.DisplayName} ({account.Email})" : "a former member" : null;
        CodeNotices = letter.Current is { } version
            ? Grains.Domain.Letters.LetterCodes.Problems(version.Subject + "\n" + version.Body, letter.Context)
                .Select(p => $"ICD-10 code {p.Code} will be left out of the PDF because {p.Reason}. Remove it from the text, or re-draft the letter.").ToList()
            : [];
        OpenCodeItems = letter.Current is { } current
            ? Grains.Domain.Letters.LetterCodes.OpenItems(letter.Notices, current.Subject + "\n" + current.Body, letter.Context)
            : [];
        if (letter.Current is { } shown)
        {
            var text = shown.Subject + "\n" + shown.Body;
            var references = letter.Context?.References ?? [];
            Cited = Grains.Domain.Letters.LetterComposer.Cited(text).Select(n => references.FirstOrDefault(r => r.Number == n)).OfType<Reference>().ToList();
            var billable = Grains.Domain.Letters.LetterCodes.Billable(letter.Context).Select(c => c.Code.Replace(".", "", StringComparison.Ordinal)).ToHashSet(StringComparer.OrdinalIgnoreCase);
            CodesUsed = Grains.Domain.Letters.LetterCodes.Used(text).Select(c => (c, billable.Contains(c.Replace(".", "", StringComparison.Ordinal)))).ToList();
        }

        Letter = letter;
        Subject = letter.Current?.Subject ?? "";
        Body = letter.Current?.Body ?? "";
    }
}
