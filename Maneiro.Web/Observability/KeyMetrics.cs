using Maneiro.Infrastructure.Audit;
using Npgsql;

namespace Maneiro.Web.Observability;

public sealed record KeyMetricsWindow(
    string Label,
    long Registrations,
    long CheckoutsStarted,
    long CheckoutUsers,
    long ActivatedUsers,
    long FailedPayments,
    long UsageLimitHits,
    long JobsCompleted,
    long JobsFailed,
    double? AverageJobSeconds,
    double? P95JobSeconds,
    long Requests,
    long ServerErrors)
{
    /// <summary>Accounts that became paying, out of accounts that started a checkout.</summary>
    public double? ConversionRate => CheckoutUsers == 0 ? null : (double)ActivatedUsers / CheckoutUsers;

    public double? ErrorRate => Requests == 0 ? null : (double)ServerErrors / Requests;
}

/// <summary>Model tokens per completed analysis of one specialty (null: all specialties) over a window.</summary>
public sealed record TokenUse(string? Specialty, long Analyses, double Average, double P95);

/// <summary>
/// The seed's key metrics over a window, from the audit trail (every registration, checkout, subscription change,
/// failed payment, refusal and finished job is a row there) and the hourly HTTP counts in Redis.
/// </summary>
public sealed class KeyMetrics(NpgsqlDataSource database, HttpOutcomeLedger http)
{
    // Action names are bound as parameters from AuditActions, the one place they are spelled.
    private const string Query = """
        SELECT
            count(*) FILTER (WHERE action = @register AND outcome = @success),
            count(*) FILTER (WHERE action = @checkout),
            count(DISTINCT user_id) FILTER (WHERE action = @checkout),
            count(DISTINCT user_id) FILTER (WHERE action = @subscription AND details->>'status' = 'Active' AND details->>'tier' <> 'Free'),
            count(*) FILTER (WHERE action = @paymentFailed),
            count(*) FILTER (WHERE action = @limitReached),
            count(*) FILTER (WHERE action = @completed),
            count(*) FILTER (WHERE action = @failed),
            avg((details->>'duration_ms')::double precision) FILTER (WHERE action = @completed),
            percentile_cont(0.95) WITHIN GROUP (ORDER BY (details->>'duration_ms')::double precision) FILTER (WHERE action = @completed)
        FROM audit_log
        WHERE at >= now() - make_interval(hours => @hours)
        """;

    /// <summary>
    /// Tokens per completed analysis, per specialty and over all, from the completion rows (which carry both since the
    /// repeat-offer change; older rows have neither and are left out).
    /// </summary>
    public async Task<IReadOnlyList<TokenUse>> TokensAsync(int hours, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("""
            SELECT details->>'specialty', count(*), avg((details->>'tokens')::double precision),
                   percentile_cont(0.95) WITHIN GROUP (ORDER BY (details->>'tokens')::double precision)
            FROM audit_log
            WHERE action = @completed AND at >= now() - make_interval(hours => @hours) AND details->>'tokens' IS NOT NULL
            GROUP BY GROUPING SETS ((details->>'specialty'), ())
            ORDER BY GROUPING(details->>'specialty'), count(*) DESC, 1
            """);
        command.Parameters.AddWithValue("hours", hours);
        command.Parameters.AddWithValue("completed", AuditActions.JobCompleted);
        var uses = new List<TokenUse>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            // The grand total of no rows is one row of nulls.
            if (reader.GetInt64(1) == 0)
            {
                continue;
            }

            uses.Add(new TokenUse(reader.IsDBNull(0) ? null : reader.GetString(0), reader.GetInt64(1), reader.GetDouble(2), reader.GetDouble(3)));
        }

        return uses;
    }

    public async Task<KeyMetricsWindow> ForAsync(string label, int hours, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(Query);
        command.Parameters.AddWithValue("hours", hours);
        command.Parameters.AddWithValue("register", AuditActions.Register);
        command.Parameters.AddWithValue("success", AuditOutcomes.Success);
        command.Parameters.AddWithValue("checkout", AuditActions.CheckoutStarted);
        command.Parameters.AddWithValue("subscription", AuditActions.SubscriptionChanged);
        command.Parameters.AddWithValue("paymentFailed", AuditActions.PaymentFailed);
        command.Parameters.AddWithValue("limitReached", AuditActions.UsageLimitReached);
        command.Parameters.AddWithValue("completed", AuditActions.JobCompleted);
        command.Parameters.AddWithValue("failed", AuditActions.JobFailed);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        double? Seconds(int i) => reader.IsDBNull(i) ? null : reader.GetDouble(i) / 1000;
        var (requests, errors) = await http.TotalsAsync(hours);
        return new KeyMetricsWindow(
            label,
            reader.GetInt64(0),
            reader.GetInt64(1),
            reader.GetInt64(2),
            reader.GetInt64(3),
            reader.GetInt64(4),
            reader.GetInt64(5),
            reader.GetInt64(6),
            reader.GetInt64(7),
            Seconds(8),
            Seconds(9),
            requests,
            errors);
    }
}
