using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Maneiro.Grains.Domain.Jobs;
using Maneiro.Grains.Domain.Letters;
using Maneiro.Grains.Interfaces;
using Maneiro.Infrastructure.Audit;
using Maneiro.Web.Audit;
using Maneiro.Web.Clinics;
using Maneiro.Web.Jobs;
using Maneiro.Web.Letters;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Maneiro.Web.Pages.Jobs;

public sealed class JobDetailsModel(AnalysisAccess jobs, LetterAccess letters, ClinicMembership memberships, AuditTrail audit, SweptNotices swept, LetterTemplates templates) : PageModel
{
    public AnalysisProgress Job { get; private set; } = null!;

    public AnalysisOutput Output { get; private set; } = new(null, null);

    public IReadOnlyList<LetterStatus> Letters { get; private set; } = [];

    [BindProperty]
    public LetterForm Letter { get; set; } = new();

    /// <summary>A reviewed transcript that was refused, shown again as typed.</summary>
    public string? EditedTranscript { get; private set; }

    /// <summary>The clinic's letter templates, offered in the letter form.</summary>
    public IReadOnlyList<LetterTemplateView> Templates { get; private set; } = [];

    /// <summary>A live visit's transcript names its speakers.</summary>
    public bool SpeakersLabelled { get; private set; }

    public async Task<IActionResult> OnGetAsync(string id)
    {
        if (await jobs.ForUserAsync(User, id) is not { } job)
        {
            return await swept.ForAsync(HttpContext, id) is null ? NotFound() : Redirect($"/Deleted/{id}");
        }

        await LoadAsync(job);
        if (job.Stage == JobStage.Complete)
        {
            await audit.RecordAsync(AuditActions.ResultViewed, AuditOutcomes.Success, target: id);
        }

        return Page();
    }

    /// <summary>Starts drafting a letter from this (completed) analysis and opens its page, where progress shows live.</summary>
    public async Task<IActionResult> OnPostLetterAsync(string id)
    {
        if (await jobs.ForUserAsync(User, id) is not { } job)
        {
            return NotFound();
        }

        if (job.Stage != JobStage.Complete)
        {
            ModelState.AddModelError(string.Empty, "Letters can be written once the analysis is complete.");
        }

        // A template decides the kind and language, and is copied into the request as the version it is now.
        TemplateUse? template = null;
        if (Letter.Template is { Length: > 0 } templateId)
        {
            var me = (await memberships.ForAsync(HttpContext))!;
            if (await templates.FindAsync(me.ClinicId, templateId) is { } chosen)
            {
                template = LetterTemplates.Use(chosen);
                Letter.Kind = chosen.Current.Content.Kind;
                Letter.Language = chosen.Current.Content.Language;
            }
            else
            {
                ModelState.AddModelError("Letter.Template", "That template no longer exists. Choose another.");
            }
        }

        if (!LetterLanguage.IsSupported(Letter.Language))
        {
            ModelState.AddModelError("Letter.Language", "Choose one of the listed languages.");
        }

        if (!Enum.IsDefined(Letter.Kind))
        {
            ModelState.AddModelError("Letter.Kind", "Choose one of the listed kinds of letter.");
        }
        else if ((await memberships.ForAsync(HttpContext))?.Can(ClinicPolicy.DraftActionFor(Letter.Kind)) != true)
        {
            ModelState.AddModelError("Letter.Kind", "Staff draft patient summaries and insurance letters for a clinician's signature; a clinician drafts the other letters.");
        }

        var (options, problem) = Enum.IsDefined(Letter.Kind) ? LetterChoices.Check(Letter.Kind, Letter.Tone, Letter.Detail, Letter.Purpose, Letter.DenialReason) : (null, null);
        if (problem is not null)
        {
            ModelState.AddModelError("Letter.Purpose", problem);
        }

        if (!ModelState.IsValid)
        {
            await LoadAsync(job);
            return Page();
        }

        var letterId = LetterAccess.NewId();
        var recipient = new LetterRecipient(
            LetterBody.OneLine(Letter.RecipientName),
            LetterBody.OneLine(Letter.RecipientSpecialty ?? ""),
            LetterBody.OneLine(Letter.RecipientClinic ?? ""),
            string.IsNullOrWhiteSpace(Letter.RecipientAddress) ? null : Letter.RecipientAddress.Trim());
        // The letter is the analysis owner's (their allowance, their clinic's letterhead); a staff draft awaits their signature.
        var userId = User.FindFirstValue(ClaimTypes.NameIdentifier)!;
        await letters.Grain(letterId).Start(new LetterRequest(job.OwnerId, id, Letter.Kind, Letter.Language, recipient, userId, options, template));
        await audit.RecordAsync(AuditActions.LetterRequested, AuditOutcomes.Success, target: letterId, details: new { analysis = id, kind = Letter.Kind.ToString(), language = Letter.Language, tone = options!.Tone.ToString(), detail = options.Detail.ToString(), purpose = options.Purpose.ToString(), template = template?.TemplateId, templateVersion = template?.Version });
        return Redirect($"/Letters/{letterId}");
    }

    private async Task LoadAsync(AnalysisProgress job)
    {
        Job = job;
        // The result shows once the analysis is complete (the last stage may still be saving it).
        var output = await jobs.OutputAsync(job);
        Output = job.Stage == JobStage.Complete ? output : output with { Result = null };
        SpeakersLabelled = job.Stage == JobStage.Reviewing && (await jobs.Grain(job.JobId).Request())?.Speech?.LiveVisit == true;
        if (job.Stage == JobStage.Complete && await memberships.ForAsync(HttpContext) is { } member)
        {
            Templates = await templates.OfClinicAsync(member.ClinicId);
        }

        Letters = job.Stage == JobStage.Complete ? await letters.ForAnalysisAsync(job.JobId, job.OwnerId, User.FindFirstValue(ClaimTypes.NameIdentifier)!) : [];
    }

    /// <summary>Ends the transcript review: the (perhaps edited) transcript is analyzed.</summary>
    public async Task<IActionResult> OnPostReviewAsync(string id, [FromForm(Name = "transcript")] string? transcript)
    {
        if (await jobs.ForUserAsync(User, id) is not { } job)
        {
            return NotFound();
        }

        if (job.Stage == JobStage.Reviewing && TranscriptEdit.Problem(TranscriptEdit.Normalize(transcript ?? "")) is { } problem)
        {
            ModelState.AddModelError(string.Empty, problem);
            EditedTranscript = transcript;
            await LoadAsync(job);
            return Page();
        }

        await AnalysisEndpoints.EndReviewAsync(jobs, audit, job, transcript);
        return RedirectToPage(new { id });
    }

    public async Task<IActionResult> OnPostCancelAsync(string id)
    {
        if (await jobs.ForUserAsync(User, id) is null)
        {
            return NotFound();
        }

        await jobs.Grain(id).Cancel();
        await audit.RecordAsync(AuditActions.JobCanceled, AuditOutcomes.Success, target: id);
        TempData["Status"] = "The analysis was canceled; it was not counted against your plan.";
        return RedirectToPage(new { id });
    }
}

public sealed class LetterForm
{
    [Display(Name = "Kind of letter")]
    public LetterKind Kind { get; set; } = LetterKind.Referral;

    [Required]
    public string Language { get; set; } = "en";

    [Required(ErrorMessage = "Enter who the letter is for.")]
    [StringLength(200)]
    [Display(Name = "Recipient name")]
    public string RecipientName { get; set; } = "";

    [StringLength(120)]
    [Display(Name = "Recipient specialty")]
    public string? RecipientSpecialty { get; set; }

    [StringLength(200)]
    [Display(Name = "Clinic")]
    public string? RecipientClinic { get; set; }

    [StringLength(500)]
    [Display(Name = "Address")]
    public string? RecipientAddress { get; set; }

    /// <summary>A clinic template's id, or empty for the kind's built-in layout.</summary>
    public string? Template { get; set; }

    public LetterTone Tone { get; set; } = LetterTone.Professional;

    [Display(Name = "Level of detail")]
    public LetterDetail Detail { get; set; } = LetterDetail.Standard;

    [Display(Name = "Purpose")]
    public LetterPurpose Purpose { get; set; } = LetterPurpose.Default;

    [StringLength(LetterChoices.MaxDenialReason)]
    [Display(Name = "Denial reason")]
    public string? DenialReason { get; set; }
}
