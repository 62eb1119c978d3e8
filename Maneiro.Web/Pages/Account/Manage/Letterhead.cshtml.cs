using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Maneiro.Grains.Interfaces;
using Maneiro.Infrastructure.Audit;
using Maneiro.Web.Audit;
using Maneiro.Web.Letters;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Maneiro.Web.Pages.Account.Manage;

/// <summary>The letterhead printed on exported letters; the logo is checked by content and re-encoded.</summary>
[RequestFormLimits(MultipartBodyLengthLimit = 2 * LogoImage.MaxUploadBytes)]
[RequestSizeLimit(2 * LogoImage.MaxUploadBytes)]
public sealed class LetterheadModel(IGrainFactory grains, AuditTrail audit) : PageModel
{
    [BindProperty]
    public LetterheadForm Form { get; set; } = new();

    [BindProperty]
    [Display(Name = "Logo")]
    public IFormFile? Logo { get; set; }

    public byte[]? LogoPng { get; private set; }

    private ILetterheadGrain Grain => grains.GetGrain<ILetterheadGrain>(User.FindFirstValue(ClaimTypes.NameIdentifier)!);

    public async Task OnGetAsync()
    {
        var head = await Grain.Read();
        Form = LetterheadForm.From(head);
        LogoPng = head.LogoPng;
    }

    public async Task<IActionResult> OnPostAsync()
    {
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
            LogoPng = (await Grain.Read()).LogoPng;
            return Page();
        }

        var saved = await Grain.SaveDetails(Form.ToLetterhead());
        if (png is not null)
        {
            saved = await Grain.SetLogo(png);
        }

        await audit.RecordAsync(AuditActions.LetterheadUpdated, AuditOutcomes.Success, details: new { logo = png is not null });
        TempData["Status"] = "Your letterhead was saved.";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostRemoveLogoAsync()
    {
        await Grain.SetLogo(null);
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
