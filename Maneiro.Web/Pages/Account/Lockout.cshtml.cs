using Maneiro.Web.Security;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace Maneiro.Web.Pages.Account;

public sealed class LockoutModel(IOptions<SecurityOptions> security) : PageModel
{
    public int Minutes => (int)Math.Ceiling(security.Value.LockoutDuration.TotalMinutes);

    public void OnGet()
    {
    }
}
