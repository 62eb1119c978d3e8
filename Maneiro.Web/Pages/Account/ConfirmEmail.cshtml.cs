using System.Text;
using Maneiro.Infrastructure.Audit;
using Maneiro.Web.Audit;
using Maneiro.Web.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.WebUtilities;

namespace Maneiro.Web.Pages.Account;

public sealed class ConfirmEmailModel(UserManager<ManeiroUser> users, AuditTrail audit) : PageModel
{
    public bool Confirmed { get; private set; }

    public async Task OnGetAsync(string? userId, string? code)
    {
        if (string.IsNullOrEmpty(userId) || string.IsNullOrEmpty(code) || await users.FindByIdAsync(userId) is not { } user)
        {
            return;
        }

        try
        {
            var token = Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(code));
            Confirmed = (await users.ConfirmEmailAsync(user, token)).Succeeded;
        }
        catch (FormatException)
        {
            Confirmed = false;
        }

        await audit.RecordAsync(AuditActions.EmailConfirmed, Confirmed ? AuditOutcomes.Success : AuditOutcomes.Failure, user.Id, user.Id);
    }
}
