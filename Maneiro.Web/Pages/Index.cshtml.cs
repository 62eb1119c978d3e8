using Maneiro.Web.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Maneiro.Web.Pages;

public sealed class IndexModel(UserManager<ManeiroUser> users) : PageModel
{
    public string FirstName { get; private set; } = "";

    public async Task OnGetAsync() => FirstName = (await users.GetUserAsync(User))?.FirstName ?? "";
}
