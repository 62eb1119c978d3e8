using System.Globalization;
using System.Text;
using Maneiro.Grains.Interfaces;
using Maneiro.Infrastructure.Audit;
using Maneiro.Web.Audit;
using Maneiro.Web.Clinics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Maneiro.Web.Pages.Clinic;

/// <summary>
/// The clinic's audit trail: an admin sees every member's rows of this clinic, filtered by member, action and dates,
/// and can export them as CSV; any other member sees only their own rows.
/// </summary>
public sealed class AuditModel(ClinicMembership memberships, AuditLog log, AuditTrail audit) : PageModel
{
    public const int MaxRows = 500;

    [BindProperty(SupportsGet = true)]
    public string? Member { get; set; }

    [BindProperty(SupportsGet = true, Name = "action")]
    public string? ActionName { get; set; }

    [BindProperty(SupportsGet = true)]
    public DateOnly? From { get; set; }

    [BindProperty(SupportsGet = true)]
    public DateOnly? To { get; set; }

    public Membership Me { get; private set; } = null!;

    public bool SeesClinic => Me.Can(ClinicAction.ReadClinicAudit);

    public IReadOnlyList<ClinicMember> Members { get; private set; } = [];

    public IReadOnlyList<AuditRecord> Rows { get; private set; } = [];

    public async Task OnGetAsync() => Rows = await QueryAsync();

    public async Task<IActionResult> OnGetCsvAsync()
    {
        var rows = await QueryAsync();
        await audit.RecordAsync(AuditActions.ClinicAuditExported, AuditOutcomes.Success, target: Me.ClinicId, details: new { rows = rows.Count, member = Member, action = ActionName, from = From, to = To });
        var csv = new StringBuilder("id,at_utc,member,action,outcome,target,ip,details\n");
        foreach (var row in rows)
        {
            csv.AppendJoin(',', new[] { row.Id.ToString(CultureInfo.InvariantCulture), row.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), Who(row.UserId), row.Action, row.Outcome, row.Target ?? "", row.Ip ?? "", row.Details ?? "" }.Select(Cell)).Append('\n');
        }

        Response.Headers.CacheControl = "no-store";
        return File(Encoding.UTF8.GetBytes(csv.ToString()), "text/csv", $"audit-{DateTime.UtcNow:yyyy-MM-dd}.csv");
    }

    /// <summary>The member's e-mail for a user id of this clinic; the id itself otherwise.</summary>
    public string Who(string? userId) => userId is null ? "" : Members.FirstOrDefault(m => m.UserId == userId)?.Email ?? userId;

    private async Task<IReadOnlyList<AuditRecord>> QueryAsync()
    {
        Me = (await memberships.ForAsync(HttpContext))!;
        Members = (await memberships.Clinic(Me.ClinicId).Read())?.Members ?? [];
        ActionName = AuditActions.All.Contains(ActionName ?? "", StringComparer.Ordinal) ? ActionName : null;

        // Only an admin chooses whose rows; everyone else always gets their own.
        var member = SeesClinic ? (Members.Any(m => m.UserId == Member) ? Member : null) : Me.UserId;
        Member = member;
        var from = From is { } f ? new DateTimeOffset(f.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) : (DateTimeOffset?)null;
        var until = To is { } t ? new DateTimeOffset(t.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) : (DateTimeOffset?)null;
        return await log.QueryAsync(new AuditQuery(SeesClinic ? Me.ClinicId : null, member, ActionName, from, until, MaxRows), HttpContext.RequestAborted);
    }

    /// <summary>A CSV cell: quoted, and a leading formula character neutralized so a spreadsheet shows it as text.</summary>
    private static string Cell(string value)
    {
        if (value.Length > 0 && "=+-@\t\r".Contains(value[0], StringComparison.Ordinal))
        {
            value = "'" + value;
        }

        return "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }
}
