using Maneiro.Grains.Interfaces;
using Maneiro.Infrastructure.Audit;
using Maneiro.Web.Audit;
using Maneiro.Web.Data;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Maneiro.Web.Pages.Admin;

public sealed record AdminUserRow(string Name, string Email, bool EmailConfirmed, UserSnapshot Snapshot);

public sealed class AdminUsersModel(ManeiroDbContext db, IGrainFactory grains, AuditTrail audit) : PageModel
{
    public IReadOnlyList<AdminUserRow> Rows { get; private set; } = [];

    public static string Usage(UserSnapshot snapshot, UsageKind kind)
    {
        var line = snapshot.Usage.Single(u => u.Kind == kind);
        return line.Limit is { } limit ? $"{line.Used} / {limit}" : $"{line.Used} / ∞";
    }

    public async Task OnGetAsync()
    {
        var users = await db.Users.AsNoTracking().OrderByDescending(u => u.CreatedAt).Take(500).ToListAsync();
        var snapshots = await Task.WhenAll(users.Select(u => grains.GetGrain<IUserGrain>(u.Id).GetSnapshot()));
        Rows = users.Zip(snapshots, (u, s) => new AdminUserRow(u.DisplayName, u.Email ?? "", u.EmailConfirmed, s)).ToList();
        await audit.RecordAsync(AuditActions.AdminViewedUsers, AuditOutcomes.Success, details: new { count = Rows.Count });
    }
}
