using System.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Maneiro.Web.Pages;

[ResponseCache(Duration = 0, Location = ResponseCacheLocation.None, NoStore = true)]
[IgnoreAntiforgeryToken]
public sealed class ErrorModel : PageModel
{
    public string? RequestId { get; private set; }

    public bool IsNotFound { get; private set; }

    public void OnGet(int? status)
    {
        IsNotFound = status == StatusCodes.Status404NotFound;
        RequestId = Activity.Current?.Id ?? HttpContext.TraceIdentifier;
    }
}
