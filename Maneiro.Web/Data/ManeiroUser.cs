using Microsoft.AspNetCore.Identity;

namespace Maneiro.Web.Data;

/// <summary>An account. Subscription and usage live in the user's grain, keyed by <see cref="IdentityUser.Id"/>.</summary>
public sealed class ManeiroUser : IdentityUser
{
    public string FirstName { get; set; } = "";

    public string LastName { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    public string DisplayName => $"{FirstName} {LastName}".Trim();
}
