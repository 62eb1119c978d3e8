using Maneiro.Grains.Services;
using Maneiro.Infrastructure.Pipeline;

namespace Maneiro.Web.Clinics;

/// <summary>
/// What a page shows for a record the retention sweeper deleted: the note, to members of the clinic it belonged to
/// (anyone else gets the same 404 as for a record that never existed).
/// </summary>
public sealed class SweptNotices(PostgresSweptRecords swept, ClinicMembership memberships)
{
    public async Task<SweptRecord?> ForAsync(HttpContext context, string recordId) =>
        Jobs.AnalysisAccess.IsJobId(recordId)
        && await swept.FindAsync(recordId, context.RequestAborted) is { } record
        && await memberships.ForAsync(context) is { } actor
        && actor.ClinicId == record.ClinicId
            ? record
            : null;

    /// <summary>What the page says: swept under the retention policy, or deleted with the clinic.</summary>
    public async Task<string> DescribeAsync(SweptRecord record) =>
        await memberships.Clinic(record.ClinicId).DeletedAt() is null
            ? Describe(record)
            : $"This {Noun(record.Kind)} was deleted on {record.SweptAt.UtcDateTime:yyyy-MM-dd} when the clinic was deleted.";

    public static string Describe(SweptRecord record) =>
        $"This {Noun(record.Kind)} was deleted on {record.SweptAt.UtcDateTime:yyyy-MM-dd} under the clinic's retention policy.";

    private static string Noun(string kind) => kind switch
    {
        SweptKinds.Analysis => "analysis",
        SweptKinds.Letter => "letter",
        _ => "inbox document",
    };
}
