using System.ComponentModel.DataAnnotations;
using Maneiro.Grains.Interfaces;
using Maneiro.Infrastructure.Audit;
using Maneiro.Web.Audit;
using Maneiro.Web.Clinics;
using Maneiro.Web.Letters;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Maneiro.Web.Pages.Account.Manage;

/// <summary>The letterhead printed on exported letters; the logo is checked by content and re-encoded.</summary>
[RequestFormLimits(MultipartBodyLengthLimit = 2 * LogoImage.MaxUploadBytes)]
[RequestSizeLimit(2 * LogoImage.MaxUploadBytes)]
public sealed class LetterheadModel(IGrainFactory grains, ClinicMembership memberships, AuditTrail audit) : PageModel
{
    /// <summary>The fields of the clinic's letterhead; the rest are the member's own signature part.</summary>
    public static readonly IReadOnlySet<string> ClinicFields = new HashSet<string>(StringComparer.Ordinal) { "ClinicName", "Address", "Phone", "Fax", "Email" };

    public Membership Me { get; private set; } = null!;

    public bool EditsClinic => Me.Can(ClinicAction.EditClinicLetterhead);

    public bool Signs => Me.Can(ClinicAction.SignLetter);

    [BindProperty]
    public LetterheadForm Form { get; set; } = new();

    [BindProperty]
    [Display(Name = "Logo")]
    public IFormFile? Logo { get; set; }

    public byte[]? LogoPng { get; private set; }

    /// <summary>The clinic's letterhead (a clinic of one's is the account's own grain).</summary>
    private ILetterheadGrain ClinicGrain => grains.GetGrain<ILetterheadGrain>(Me.ClinicId);

    private ILetterheadGrain OwnGrain => grains.GetGrain<ILetterheadGrain>(Me.UserId);

    public async Task OnGetAsync()
    {
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        Me = (await memberships.ForAsync(HttpContext))!;
        var clinic = await ClinicGrain.Read();
        Form = LetterheadForm.From(Letterhead.Compose(clinic, await OwnGrain.Read()));
        LogoPng = clinic.LogoPng;
    }

    public async Task<IActionResult> OnPostAsync()
    {
        Me = (await memberships.ForAsync(HttpContext))!;
        if (!EditsClinic && !Signs)
        {
            return Forbid();
        }

        byte[]? png = null;
        if (Logo is { Length: > 0 })
        {
            try
            {
                if (Logo.Length > LogoImage.MaxUploadBytes)
                {
                    throw new LogoRejectedException($"The logo is larger than {LogoImage.MaxUploadBytes / 1024} KB. Please use a smaller image.");
                }

                using var memory = new MemoryStream();
                await Logo.CopyToAsync(memory, HttpContext.RequestAborted);
                var upload = memory.ToArray();
                png = await Task.Run(() => LogoImage.Reencode(upload), HttpContext.RequestAborted);
            }
            catch (LogoRejectedException ex)
            {
                ModelState.AddModelError(nameof(Logo), ex.Message);
            }
        }

        if (!ModelState.IsValid)
        {
            LogoPng = (await ClinicGrain.Read()).LogoPng;
            return Page();
        }

        // Each part goes where it belongs, and only when the member's role may change it (the clinic's fields and logo:
        // admins; the signature: clinicians). Fields of the other part in the form are ignored.
        if (EditsClinic)
        {
            await ClinicGrain.SaveClinicPart(Form.ToLetterhead());
            if (png is not null)
            {
                await ClinicGrain.SetLogo(png);
            }
        }

        if (Signs)
        {
            await OwnGrain.SaveSignature(Form.ToLetterhead());
        }

        await audit.RecordAsync(AuditActions.LetterheadUpdated, AuditOutcomes.Success, details: new { logo = EditsClinic && png is not null, clinic = EditsClinic ? Me.ClinicId : null, signature = Signs });
        TempData["Status"] = EditsClinic && Signs ? "Your letterhead was saved." : EditsClinic ? "The clinic's letterhead was saved." : "Your signature was saved.";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostRemoveLogoAsync()
    {
        Me = (await memberships.ForAsync(HttpContext))!;
        if (!EditsClinic)
        {
            return Forbid();
        }

        await ClinicGrain.SetLogo(null);
        await audit.RecordAsync(AuditActions.LetterheadUpdated, AuditOutcomes.Success, details: new { logo = "removed" });
        TempData["Status"] = "The logo was removed.";
        return RedirectToPage();
    }
}

public sealed class LetterheadForm
{
    [StringLength(150)]
    [Display(Name = "Clinic name")]
    public string? ClinicName { get; set; }

    [StringLength(400)]
    public string? Address { get; set; }

    [StringLength(40)]
    public string? Phone { get; set; }

    [StringLength(40)]
    public string? Fax { get; set; }

    [StringLength(200)]
    [EmailAddress(ErrorMessage = "Enter an e-mail address like name@clinic.org.")]
    public string? Email { get; set; }

    [StringLength(150)]
    [Display(Name = "Provider name")]
    public string? ProviderName { get; set; }

    [StringLength(100)]
    public string? Credentials { get; set; }

    [StringLength(600)]
    [Display(Name = "Signature block")]
    public string? SignatureBlock { get; set; }

    public static LetterheadForm From(Letterhead h) => new()
    {
        ClinicName = h.ClinicName,
        Address = h.Address,
        Phone = h.Phone,
        Fax = h.Fax,
        Email = h.Email,
        ProviderName = h.ProviderName,
        Credentials = h.Credentials,
        SignatureBlock = h.SignatureBlock,
    };

    public Letterhead ToLetterhead() => new(
        (ClinicName ?? "").Trim(),
        (Address ?? "").Trim(),
        (Phone ?? "").Trim(),
        (Fax ?? "").Trim(),
        (Email ?? "").Trim(),
        (ProviderName ?? "").Trim(),
        (Credentials ?? "").Trim(),
        (SignatureBlock ?? "").Trim(),
        null);
}
