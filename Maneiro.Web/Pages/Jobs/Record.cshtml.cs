using System.Security.Cryptography;
using Maneiro.Grains.Interfaces;
using Maneiro.Infrastructure.Audit;
using Maneiro.Web.Audit;
using Maneiro.Web.Clinics;
using Maneiro.Web.Fhir;
using Maneiro.Web.Jobs;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Maneiro.Web.Pages.Jobs;

/// <summary>Export an analysis (and a signed letter) as a FHIR document, or send it to the clinic's FHIR server.</summary>
public sealed class JobRecordModel(AnalysisAccess jobs, ClinicMembership memberships, FhirExport export, FhirSender sender, FhirTokens tokens, FhirBundleValidator validator, AuditTrail audit, AuditLog auditLog, ILogger<JobRecordModel> log) : PageModel
{
    public AnalysisProgress Job { get; private set; } = null!;

    public IReadOnlyList<FhirLetterChoice> Letters { get; private set; } = [];

    public FhirDestination? Destination { get; private set; }

    public Membership Viewer { get; private set; } = null!;

    public FhirSendOutcome? Outcome { get; private set; }

    /// <summary>This analysis's earlier successful sends, newest first (from the audit trail).</summary>
    public IReadOnlyList<AuditRecord> EarlierSends { get; private set; } = [];

    /// <summary>Confirms sending an analysis that was already sent (its records would be created again).</summary>
    [BindProperty]
    public bool SendAgain { get; set; }

    /// <summary>The chosen letter's id; empty for the analysis alone.</summary>
    [BindProperty]
    public string? Letter { get; set; }

    public string DestinationHost => Destination is { } d && Uri.TryCreate(d.BaseUrl, UriKind.Absolute, out var uri) ? uri.Host : "";

    public async Task<IActionResult> OnGetAsync(string id)
    {
        if (!await LoadAsync(id))
        {
            return NotFound();
        }

        // The R4 profiles take seconds to load the first time: load them while the user chooses.
        validator.WarmUp();
        return Page();
    }

    public async Task<IActionResult> OnPostDownloadAsync(string id)
    {
        if (!await LoadAsync(id))
        {
            return NotFound();
        }

        var file = await FhirEndpoints.DocumentFileAsync(Job, await jobs.OutputAsync(Job), Viewer, Letter, export, audit, log, HttpContext.RequestAborted);
        if (file.Json is null)
        {
            ModelState.AddModelError(string.Empty, file.Refusal!);
            return Page();
        }

        Response.Headers.CacheControl = "no-store";
        return File(file.Json, "application/fhir+json", file.FileName);
    }

    public async Task<IActionResult> OnPostSendAsync(string id)
    {
        if (!await LoadAsync(id))
        {
            return NotFound();
        }

        if (!Viewer.Can(ClinicAction.SendToRecord))
        {
            await audit.RecordAsync(AuditActions.FhirSent, AuditOutcomes.Denied, target: id);
            ModelState.AddModelError(string.Empty, ClinicPolicy.Refusal(ClinicAction.SendToRecord));
            return Page();
        }

        if (Destination is not { } destination)
        {
            ModelState.AddModelError(string.Empty, "Your clinic has no FHIR server yet. A clinic admin can add one under Clinic → Health record.");
            return Page();
        }

        if (EarlierSends.Count > 0 && !SendAgain)
        {
            ModelState.AddModelError(string.Empty, $"This analysis was already sent to the health record ({SendLine(EarlierSends[0])}). Tick “Send it again” to create its records a second time.");
            return Page();
        }

        var attempt = await export.InputAsync(Job, await jobs.OutputAsync(Job), Viewer, Letter, HttpContext.RequestAborted);
        if (attempt.Input is not { } input)
        {
            ModelState.AddModelError(string.Empty, attempt.Refusal!);
            return Page();
        }

        Hl7.Fhir.Model.Bundle transaction;
        try
        {
            transaction = export.Transaction(input);
        }
        catch (InvalidFhirBundleException ex)
        {
            await FhirEndpoints.InvalidAsync(ex, id, AuditActions.FhirSent, audit, log);
            ModelState.AddModelError(string.Empty, FhirEndpoints.InvalidMessage);
            return Page();
        }

        string? token = null;
        try
        {
            token = destination.ProtectedToken is { } saved ? tokens.Unprotect(saved) : null;
        }
        catch (CryptographicException)
        {
            ModelState.AddModelError(string.Empty, "The FHIR server's saved token can no longer be read. Ask a clinic admin to enter it again under Clinic → Health record.");
            return Page();
        }

        Outcome = await sender.SendAsync(destination.BaseUrl, token, transaction, HttpContext.RequestAborted);
        await audit.RecordAsync(AuditActions.FhirSent, Outcome.Sent ? AuditOutcomes.Success : AuditOutcomes.Failure, target: id, details: new
        {
            host = DestinationHost,
            status = Outcome.Status,
            created = Outcome.Created.Count,
            issues = Outcome.Issues.Count,
            letter = input.Letter?.LetterId,
        });
        EarlierSends = await SuccessfulSendsAsync(id);
        return Page();
    }

    private async Task<bool> LoadAsync(string id)
    {
        if (await jobs.ForUserAsync(User, id) is not { } job || await memberships.ForAsync(HttpContext) is not { } viewer)
        {
            return false;
        }

        (Job, Viewer) = (job, viewer);
        Letters = await export.LettersAsync(job, viewer);
        Destination = await memberships.Clinic(viewer.ClinicId).FhirDestination();
        EarlierSends = await SuccessfulSendsAsync(id);
        return true;
    }

    private async Task<IReadOnlyList<AuditRecord>> SuccessfulSendsAsync(string id) =>
        (await auditLog.ForTargetAsync(AuditActions.FhirSent, id, 20, HttpContext.RequestAborted)).Where(r => r.Outcome == AuditOutcomes.Success).ToList();

    /// <summary>"to ehr.example, 3 resources created", from a send's audit row (host and counts only: no PHI is audited).</summary>
    public static string SendLine(AuditRecord send)
    {
        using var details = System.Text.Json.JsonDocument.Parse(send.Details ?? "{}");
        var host = details.RootElement.TryGetProperty("host", out var h) ? h.GetString() : null;
        var created = details.RootElement.TryGetProperty("created", out var c) && c.TryGetInt32(out var n) ? n : 0;
        return $"to {host ?? "the clinic's FHIR server"}, {created} resource{(created == 1 ? "" : "s")} created";
    }
}
