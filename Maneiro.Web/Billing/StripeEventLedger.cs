using Npgsql;

namespace Maneiro.Web.Billing;

/// <summary>Processed Stripe event ids and the customer → user links, in PostgreSQL.</summary>
public sealed class StripeEventLedger(NpgsqlDataSource database)
{
    // A delivery whose processing never finished (a crash) may be taken over after this long.
    private static readonly TimeSpan Abandoned = TimeSpan.FromMinutes(5);

    /// <summary>True when this delivery should process the event: first sight, or an earlier attempt was abandoned.</summary>
    public async Task<bool> TryBeginAsync(string eventId, string type, DateTimeOffset created, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("""
            INSERT INTO stripe_events (id, type, created_at) VALUES (@id, @type, @created)
            ON CONFLICT (id) DO UPDATE SET received_at = now()
                WHERE stripe_events.processed_at IS NULL AND stripe_events.received_at < now() - @abandoned
            RETURNING id
            """);
        command.Parameters.AddWithValue("id", eventId);
        command.Parameters.AddWithValue("type", type);
        command.Parameters.AddWithValue("created", created);
        command.Parameters.AddWithValue("abandoned", Abandoned);
        return await command.ExecuteScalarAsync(cancellationToken) is not null;
    }

    public async Task MarkProcessedAsync(string eventId)
    {
        await using var command = database.CreateCommand("UPDATE stripe_events SET processed_at = now() WHERE id = @id");
        command.Parameters.AddWithValue("id", eventId);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Processing failed: forget the delivery so Stripe's retry processes it.</summary>
    public async Task ForgetAsync(string eventId)
    {
        await using var command = database.CreateCommand("DELETE FROM stripe_events WHERE id = @id AND processed_at IS NULL");
        command.Parameters.AddWithValue("id", eventId);
        await command.ExecuteNonQueryAsync();
    }

    public async Task LinkCustomerAsync(string customerId, string userId, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("INSERT INTO stripe_customers (customer_id, user_id) VALUES (@customer, @user) ON CONFLICT (customer_id) DO NOTHING");
        command.Parameters.AddWithValue("customer", customerId);
        command.Parameters.AddWithValue("user", userId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<string?> UserForCustomerAsync(string customerId, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("SELECT user_id FROM stripe_customers WHERE customer_id = @customer");
        command.Parameters.AddWithValue("customer", customerId);
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }
}
