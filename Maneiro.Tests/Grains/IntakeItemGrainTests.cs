using Maneiro.Grains.Interfaces;
using Maneiro.Grains.Services;
using Maneiro.Infrastructure.Pipeline;
using Maneiro.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Maneiro.Tests.Grains;

/// <summary>The intake item grain on a real TestCluster (PostgreSQL, Redis) with the triage model behind its seam.</summary>
public sealed class IntakeItemGrainTests : IAsyncLifetime
{
    private const string Letter = """
        Lakeside Eye Associates, fax (555) 201-7788. Referral from Dr. Paulo Mendes.
        Patient: Maria Lopes, DOB 03/14/1958. Sudden flashes and a curtain over the left eye since yesterday.
        Please see urgently for possible retinal detachment. Visual acuity 20/40 left, 20/20 right.
        Insurance: Acme Health Plan, member 4471-22. Please call our office to confirm the appointment.
        """;

    private readonly ManeiroCluster _cluster = ManeiroCluster.WithScriptedModel();

    public Task InitializeAsync() => _cluster.InitializeAsync();

    public Task DisposeAsync() => _cluster.DisposeAsync();

    [Fact]
    public async Task A_triage_that_fails_transiently_is_retried_its_answer_used_once_and_the_clinic_s_index_row_follows_the_item()
    {
        _cluster.Triager.Script(
            () => throw new HttpRequestException("connection reset"),
            () => InboxFlows.TriageAnswer(kind: "referral", urgency: "urgent", patient: InboxFlows.Quoted("Maria Lopes", "Patient: Maria Lopes")));
        var (item, uploader, clinicId) = await StartAsync();

        var view = await Eventually.ReturnsAsync(item.View, v => JobStages.IsTerminal(v!.Stage), "the item was triaged", TimeSpan.FromSeconds(60));
        Assert.Equal(IntakeStatus.Triaged, view!.Status);
        Assert.Equal(2, _cluster.Triager.Calls);
        Assert.Equal(IntakeUrgency.Urgent, view.Triage!.Urgency);
        Assert.Equal(TextSource.TextLayer, view.TextSource);
        Assert.Contains("curtain over the left eye", await item.Text(), StringComparison.Ordinal);

        var index = _cluster.SiloServices.GetRequiredService<PostgresIntakeIndex>();
        // The row is written after the outcome is saved (and before the clinic's viewers are told).
        var rows = await Eventually.ReturnsAsync(() => index.QueryAsync(new InboxQuery(clinicId), CancellationToken.None), r => r.Count == 1 && r[0].Status == IntakeStatus.Triaged, "the index row says triaged");
        var row = rows[0];
        Assert.Equal((item.GetPrimaryKeyString(), IntakeStatus.Triaged, "Maria Lopes", uploader), (row.ItemId, row.Status, row.PatientName, row.UploadedBy));

        // Another clinic's index holds nothing of it, and a purge removes the clinic's rows.
        Assert.Empty(await index.QueryAsync(new InboxQuery("another-clinic"), CancellationToken.None));
        Assert.Equal(1, await index.PurgeClinicAsync(clinicId, CancellationToken.None));
        Assert.Empty(await index.QueryAsync(new InboxQuery(clinicId), CancellationToken.None));
    }

    [Fact]
    public async Task An_item_is_started_once_and_only_by_a_member_who_works_the_inbox()
    {
        _cluster.Triager.Script(() => InboxFlows.TriageAnswer());
        var (item, uploader, clinicId) = await StartAsync();
        var again = await item.Start(new IntakeUpload(clinicId, uploader, "uploads/other/key", InputKind.Pdf, "application/pdf", 1, "again.pdf"));
        Assert.Equal("letter.pdf", again.Upload.FileName);

        // Someone outside the clinic cannot put an item in its inbox.
        var outsider = Guid.NewGuid().ToString("N");
        await _cluster.Grains.GetGrain<IUserGrain>(outsider).Clinic("outsider@clinic.example");
        await Assert.ThrowsAsync<ClinicRefusedException>(() => _cluster.Grains.GetGrain<IIntakeItemGrain>(Guid.NewGuid().ToString("N"))
            .Start(new IntakeUpload(clinicId, outsider, "uploads/x/y", InputKind.Pdf, "application/pdf", 1, "x.pdf")));
        await Eventually.ReturnsAsync(item.View, v => JobStages.IsTerminal(v!.Stage), "the item was triaged", TimeSpan.FromSeconds(60));
        Assert.Equal(1, _cluster.Triager.Calls);
    }

    private async Task<(IIntakeItemGrain Item, string Uploader, string ClinicId)> StartAsync()
    {
        var uploader = Guid.NewGuid().ToString("N");
        var clinicId = await _cluster.Grains.GetGrain<IUserGrain>(uploader).Clinic($"{uploader[..8]}@clinic.example");
        var itemId = Guid.NewGuid().ToString("N");
        var key = BlobKeys.NewUploadKey(itemId);
        var pdf = TestDocuments.TextPdf(Letter);
        await _cluster.SiloServices.GetRequiredService<IBlobStore>().PutAsync(key, new MemoryStream(pdf), "application/pdf", CancellationToken.None);
        var item = _cluster.Grains.GetGrain<IIntakeItemGrain>(itemId);
        await item.Start(new IntakeUpload(clinicId, uploader, key, InputKind.Pdf, "application/pdf", pdf.Length, "letter.pdf"));
        return (item, uploader, clinicId);
    }
}
