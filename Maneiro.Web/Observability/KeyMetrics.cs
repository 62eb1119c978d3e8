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

/// <summary>
/// The seed's key metrics over a window, from the audit trail (every registration, checkout, subscription change,
/// failed payment, refusal and finished job is a row there) and the hourly HTTP counts in Redis.
/// </summary>
public sealed class KeyMetrics(NpgsqlDataSource database, HttpOutcomeLedger http)
{
    private const string Query = """
        SELECT
            count(*) FILTER (WHERE action = 'account.register' AND outcome = 'success'),
            count(*) FILTER (WHERE action = 'billing.checkout_started'),
            count(DISTINCT user_id) FILTER (WHERE action = 'billing.checkout_started'),
            count(DISTINCT user_id) FILTER (WHERE action = 'billing.subscription_changed' AND details->>'status' = 'Active' AND details->>'tier' <> 'Free'),
            count(*) FILTER (WHERE action = 'billing.payment_failed'),
            count(*) FILTER (WHERE action = 'usage.limit_reached'),
            count(*) FILTER (WHERE action = 'job.completed'),
            count(*) FILTER (WHERE action = 'job.failed'),
            avg((details->>'duration_ms')::double precision) FILTER (WHERE action = 'job.completed'),
            percentile_cont(0.95) WITHIN GROUP (ORDER BY (details->>'duration_ms')::double precision) FILTER (WHERE action = 'job.completed')
        FROM audit_log
        WHERE at >= now() - make_interval(hours => @hours)
        """;

    public async Task<KeyMetricsWindow> ForAsync(string label, int hours, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(Query);
        command.Parameters.AddWithValue("hours", hours);
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
