using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Maneiro.Web.Pages;

public sealed class IndexModel : PageModel
{
    public void OnGet()
    {
    }
}
