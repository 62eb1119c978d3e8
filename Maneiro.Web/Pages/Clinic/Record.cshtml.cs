using Maneiro.Grains.Interfaces;
using Maneiro.Infrastructure.Audit;
using Maneiro.Web.Audit;
using Maneiro.Web.Clinics;
using Maneiro.Web.Fhir;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Maneiro.Web.Pages.Clinic;

/// <summary>The clinic's FHIR server (admins): its address, the record-number system and a bearer token kept encrypted.</summary>
public sealed class RecordModel(ClinicMembership memberships, FhirSender sender, FhirTokens tokens, AuditTrail audit, TimeProvider time) : PageModel
{
    public FhirDestination? Saved { get; private set; }

    public bool MayEdit { get; private set; }

    public string ClinicId { get; private set; } = "";

    /// <summary>Asking to confirm the disconnection.</summary>
    public bool ConfirmRemove { get; private set; }

    [BindProperty]
    public string BaseUrl { get; set; } = "";

    [BindProperty]
    public string? IdentifierSystem { get; set; }

    /// <summary>A new token; left empty, the saved one is kept.</summary>
    [BindProperty]
    public string? Token { get; set; }

    [BindProperty]
    public bool RemoveToken { get; set; }

    public async Task<IActionResult> OnGetAsync(bool remove = false)
    {
        if (!await LoadAsync())
        {
            return Forbid();
        }

        ConfirmRemove = remove && Saved is not null && MayEdit;
        (BaseUrl, IdentifierSystem) = (Saved?.BaseUrl ?? "", Saved?.PatientIdentifierSystem);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!await LoadAsync())
        {
            return Forbid();
        }

        var me = (await memberships.ForAsync(HttpContext))!;
        if (!MayEdit)
        {
            await audit.RecordAsync(AuditActions.FhirServerConfigured, AuditOutcomes.Denied, target: ClinicId);
            ModelState.AddModelError(string.Empty, ClinicPolicy.Refusal(ClinicAction.ManageRecordConnection));
            return Page();
        }

        BaseUrl = BaseUrl.Trim();
        if (await sender.ProblemAsync(BaseUrl, HttpContext.RequestAborted) is { } problem)
        {
            ModelState.AddModelError(nameof(BaseUrl), problem);
        }

        var system = string.IsNullOrWhiteSpace(IdentifierSystem) ? FhirExport.DefaultIdentifierSystem(ClinicId) : IdentifierSystem.Trim();
        if (!Uri.TryCreate(system, UriKind.Absolute, out var systemUri) || systemUri.Scheme is not ("urn" or "https" or "http"))
        {
            ModelState.AddModelError(nameof(IdentifierSystem), "Enter the record-number system as your EHR names it: a URI such as urn:oid:2.16.840.1.113883.19.5 or https://ehr.example.org/mrn, or leave it empty.");
        }

        if (!ModelState.IsValid)
        {
            return Page();
        }

        var token = Token?.Trim();
        var protectedToken = RemoveToken ? null : token is { Length: > 0 } ? tokens.Protect(token) : Saved?.ProtectedToken;
        try
        {
            await memberships.Clinic(ClinicId).SaveFhirDestination(me.UserId, new FhirDestination(BaseUrl, protectedToken, system, me.UserId, time.GetUtcNow()));
        }
        catch (ClinicRefusedException ex)
        {
            ModelState.AddModelError(string.Empty, ex.Message);
            return Page();
        }

        await audit.RecordAsync(AuditActions.FhirServerConfigured, AuditOutcomes.Success, target: ClinicId, details: new
        {
            host = new Uri(BaseUrl).Host,
            token = RemoveToken ? "removed" : token is { Length: > 0 } ? "replaced" : Saved?.ProtectedToken is null ? "none" : "kept",
        });
        TempData["Status"] = "Saved. Clinicians can now send analyses to " + new Uri(BaseUrl).Host + ".";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostRemoveAsync()
    {
        if (!await LoadAsync())
        {
            return Forbid();
        }

        if (!MayEdit)
        {
            TempData["Error"] = ClinicPolicy.Refusal(ClinicAction.ManageRecordConnection);
            return RedirectToPage();
        }

        var me = (await memberships.ForAsync(HttpContext))!;
        await memberships.Clinic(ClinicId).SaveFhirDestination(me.UserId, null);
        await audit.RecordAsync(AuditActions.FhirServerConfigured, AuditOutcomes.Success, target: ClinicId, details: new { removed = true });
        TempData["Status"] = "The FHIR server was disconnected and its token deleted. Analyses can still be downloaded as FHIR documents.";
        return RedirectToPage();
    }

    private async Task<bool> LoadAsync()
    {
        if (await memberships.ForAsync(HttpContext) is not { } me)
        {
            return false;
        }

        (ClinicId, MayEdit) = (me.ClinicId, me.Can(ClinicAction.ManageRecordConnection));
        Saved = await memberships.Clinic(me.ClinicId).FhirDestination();
        return true;
    }
}
