using System.ComponentModel.DataAnnotations;
using Maneiro.Grains.Interfaces;
using Maneiro.Infrastructure.Audit;
using Maneiro.Web.Audit;
using Maneiro.Web.Letters;
using Maneiro.Web.Security;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace Maneiro.Web.Pages.Letters;

/// <summary>A letter: live drafting progress, then the editor, versions, regenerate, restore, PDF and delete.</summary>
[EnableRateLimiting(RateLimits.LetterEdits)]
public sealed class LetterDetailsModel(LetterAccess letters, AuditTrail audit) : PageModel
{
    public LetterStatus Letter { get; private set; } = null!;

    /// <summary>
    /// Codes in the current version that the code rule does not allow (a letter drafted before the rule): re-checked on
    /// every opening, and taken out at export.
    /// </summary>
    public IReadOnlyList<string> CodeNotices { get; private set; } = [];

    /// <summary>Code items the export asks to be ticked (or waived with "Export anyway").</summary>
    public IReadOnlyList<string> OpenCodeItems { get; private set; } = [];

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
            return NotFound();
        }

        Show(letter);
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

        return await ChangeAsync(id, letter, g => g.SaveEdit(Subject, Body), AuditActions.LetterEdited, "Saved as a new version.");
    }

    public async Task<IActionResult> OnPostRegenerateAsync(string id) =>
        await letters.ForUserAsync(User, id) is { } letter
            ? await ChangeAsync(id, letter, g => g.Regenerate(), AuditActions.LetterRegenerated, "Drafting a new version; earlier versions are kept.")
            : NotFound();

    public async Task<IActionResult> OnPostRestoreAsync(string id, int version) =>
        await letters.ForUserAsync(User, id) is { } letter
            ? await ChangeAsync(id, letter, g => g.Restore(version), AuditActions.LetterRestored, $"Version {version} is current again (saved as a new version).")
            : NotFound();

    public async Task<IActionResult> OnPostDeleteAsync(string id, bool confirmDelete)
    {
        if (await letters.ForUserAsync(User, id) is not { } letter)
        {
            return NotFound();
        }

        if (!confirmDelete)
        {
            Show(letter);
            ModelState.AddModelError(string.Empty, "Tick the box to confirm that the letter and all its versions should be deleted.");
            return Page();
        }

        await letters.Grain(id).Delete();
        await audit.RecordAsync(AuditActions.LetterDeleted, AuditOutcomes.Success, target: id);
        TempData["Status"] = "The letter was deleted.";
        return Redirect($"/Jobs/{letter.Request.AnalysisJobId}#letters");
    }

    private async Task<IActionResult> ChangeAsync(string id, LetterStatus letter, Func<ILetterGrain, Task<LetterStatus>> change, string action, string done)
    {
        try
        {
            await change(letters.Grain(id));
        }
        catch (LetterRefusedException ex)
        {
            Show(letter);
            ModelState.AddModelError(string.Empty, ex.Message);
            return Page();
        }

        await audit.RecordAsync(action, AuditOutcomes.Success, target: id);
        TempData["Status"] = done;
        return Redirect($"/Letters/{id}");
    }

    private void Show(LetterStatus letter)
    {
        CodeNotices = letter.Current is { } version
            ? Grains.Domain.Letters.LetterCodes.Problems(version.Subject + "\n" + version.Body, letter.Context)
                .Select(p => $"ICD-10 code {p.Code} will be left out of the PDF because {p.Reason}. Remove it from the text, or re-draft the letter.").ToList()
            : [];
        OpenCodeItems = letter.Current is { } current
            ? Grains.Domain.Letters.LetterCodes.OpenItems(letter.Notices, current.Subject + "\n" + current.Body, letter.Context)
            : [];
        Letter = letter;
        Subject = letter.Current?.Subject ?? "";
        Body = letter.Current?.Body ?? "";
    }
}
