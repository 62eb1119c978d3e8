using Maneiro.Web.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.ViewFeatures;

namespace Maneiro.Web.Clinics;

/// <summary>
/// A clinic that requires two-factor sign-in sends each member without it to set it up: every page outside the
/// account pages (where it is set up, and where one signs out) redirects there until it is on.
/// </summary>
public sealed class ClinicTwoFactorPolicy(ClinicMembership memberships, UserManager<ManeiroUser> users, ITempDataDictionaryFactory tempData) : IAsyncPageFilter
{
    public const string SetUpPage = "/Account/Manage/TwoFactor";

    public const string Required = "Your clinic requires two-factor sign-in. Set it up below to go on.";

    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        var http = context.HttpContext;
        var page = context.ActionDescriptor.ViewEnginePath;
        if (http.User.Identity?.IsAuthenticated == true
            && !page.StartsWith("/Account/", StringComparison.Ordinal)
            && page != "/Error"
            && await MustSetUpAsync(http))
        {
            tempData.GetTempData(http)["Error"] = Required;
            context.Result = new RedirectResult(SetUpPage);
            return;
        }

        await next();
    }

    /// <summary>Whether the signed-in member's clinic requires two-factor sign-in and they have not turned it on.</summary>
    public async Task<bool> MustSetUpAsync(HttpContext http) =>
        await memberships.ForAsync(http) is { ClinicRequiresTwoFactor: true }
        && await users.GetUserAsync(http.User) is { TwoFactorEnabled: false };
}
