using Maneiro.Infrastructure.Audit;
using Maneiro.Testing;
using Npgsql;

namespace Maneiro.Tests.Accounts;

/// <summary>
/// Rows written before audit rows carried a clinic (format 1) still verify next to the new ones (format 2), whose hash
/// also covers the clinic and the format: changing either is caught.
/// </summary>
public sealed class AuditFormatTests : IAsyncLifetime
{
    private readonly TestDatabase _database = new();

    public Task InitializeAsync() => _database.InitializeAsync();

    public Task DisposeAsync() => _database.DisposeAsync();

    [Fact]
    public async Task Format_one_rows_verify_beside_format_two_rows_whose_clinic_and_format_are_covered()
    {
        await using var source = NpgsqlDataSource.Create(_database.ConnectionString);
        var audit = new AuditLog(source, TimeProvider.System);

        // Two rows as the app wrote them before clinics: no clinic column, hashed over the old fields.
        var previous = AuditLog.Genesis;
        foreach (var action in new[] { AuditActions.Login, AuditActions.Upload })
        {
            var at = new DateTimeOffset(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);
            var hash = AuditLog.Hash(previous, at, "user-1", "10.0.0.1", action, "target", AuditOutcomes.Success, null);
            await using var insert = new NpgsqlCommand("INSERT INTO audit_log (at, user_id, ip, action, target, outcome, details, prev_hash, hash) VALUES ($1, 'user-1', '10.0.0.1', $2, 'target', 'success', NULL, $3, $4)", await source.OpenConnectionAsync());
            insert.Parameters.AddWithValue(at.UtcDateTime);
            insert.Parameters.AddWithValue(action);
            insert.Parameters.AddWithValue(previous);
            insert.Parameters.AddWithValue(hash);
            await insert.ExecuteNonQueryAsync();
            await insert.Connection!.DisposeAsync();
            previous = hash;
        }

        await audit.AppendAsync(AuditActions.ClinicJoined, AuditOutcomes.Success, "user-1", "10.0.0.1", "clinic-a", clinicId: "clinic-a");
        await audit.AppendAsync(AuditActions.LetterSigned, AuditOutcomes.Success, "user-1", "10.0.0.1", "letter-1", clinicId: "clinic-a");
        var verified = await audit.VerifyAsync();
        Assert.True(verified.Intact, verified.Problem);
        Assert.Equal(4, verified.RowsChecked);
        Assert.Equal(1, await _database.ScalarAsync<long>("SELECT count(*) FROM audit_log WHERE format = 1 AND id = 2"));
        Assert.Equal(2, (await audit.QueryAsync(new AuditQuery("clinic-a", null, null, null, null, 10))).Count);

        // Moving a row to another clinic, or passing it off as the old format, breaks the chain at that row.
        var third = await _database.ScalarAsync<long>("SELECT id FROM audit_log WHERE action = 'clinic.joined'");
        await TamperAsync($"UPDATE audit_log SET clinic_id = 'clinic-b' WHERE id = {third}");
        Assert.Equal(third, (await audit.VerifyAsync()).FirstBadRowId);
        await TamperAsync($"UPDATE audit_log SET clinic_id = 'clinic-a' WHERE id = {third}");
        Assert.True((await audit.VerifyAsync()).Intact);
        await TamperAsync($"UPDATE audit_log SET format = 1 WHERE id = {third}");
        Assert.Equal(third, (await audit.VerifyAsync()).FirstBadRowId);
    }

    private async Task TamperAsync(string update)
    {
        await using var connection = new NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update; {update}; ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update;", connection);
        await command.ExecuteNonQueryAsync();
    }
}
