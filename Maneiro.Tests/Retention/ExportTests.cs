using System.Net;
using System.Text.Json;
using ICSharpCode.SharpZipLib.Zip;
using Maneiro.Grains.Interfaces;
using Maneiro.Infrastructure.Audit;
using Maneiro.Testing;
using Maneiro.Tests.Clinics;
using Microsoft.Extensions.DependencyInjection;

namespace Maneiro.Tests.Retention;

/// <summary>
/// The clinic export over HTTP: an admin starts it, sees its password once, and downloads an AES-encrypted zip holding
/// the clinic's analyses with their originals, every letter version, inbox items and audit rows, and nothing of
/// another clinic.
/// </summary>
public sealed class ExportTests(ClinicApp app) : IClassFixture<ClinicApp>
{
    [Fact]
    public async Task An_admin_downloads_an_encrypted_archive_of_everything_of_the_clinic_and_nothing_of_another()
    {
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        app.OpenAi.AnswerLetters(LetterSamples.Draft());
        app.OpenAi.AnswerTriage(_ => InboxFlows.TriageAnswer());
        var (admin, adminEmail) = await app.SignedInUserAsync("export-admin");
        var adminId = await app.UserIdAsync(adminEmail);
        var (staff, _, _) = await ClinicFlows.AddMemberAsync(app, admin, "export-staff", ClinicRoles.Staff);
        var (other, _) = await app.SignedInUserAsync("export-other");

        var pdf = TestDocuments.TextPdf(TestDocuments.OphthalmologyNote);
        var analysis = await JobsApp.JobIdOf(await JobsApp.UploadAsync(admin, pdf));
        await JobsApp.WaitForFinishAsync(admin, analysis);
        var drafted = await admin.SubmitAsync($"/Jobs/{analysis}", new Dictionary<string, string> { ["Letter.Kind"] = "Referral", ["Letter.Language"] = "en", ["Letter.RecipientName"] = "Dr. Ana Silva" }, handler: "Letter");
        var letterId = drafted.Headers.Location!.OriginalString["/Letters/".Length..];
        await JobsApp.WaitForLetterAsync(admin, letterId);
        await app.Grains.GetGrain<ILetterGrain>(letterId).SaveEdit("Referral: glaucoma", "## Reason\nAn edited second version.", adminId);
        var item = await InboxFlows.AddAsync(staff, pdf, "fax.pdf");
        await InboxFlows.WaitForTriageAsync(staff, item);
        var others = await JobsApp.JobIdOf(await JobsApp.UploadAsync(other, pdf));
        await JobsApp.WaitForFinishAsync(other, others);

        // Staff cannot export.
        var (staffStatus, staffPage, _) = await staff.GetAsync("/Clinic/Export");
        Assert.False(staffStatus == HttpStatusCode.OK && staffPage.Contains("Start an export", StringComparison.Ordinal));

        // The password is in the answer that started the export, and never again.
        using var start = await admin.SubmitAsync("/Clinic/Export", new Dictionary<string, string>());
        var started = await start.Content.ReadAsStringAsync();
        var password = System.Text.RegularExpressions.Regex.Match(started, "id=\"password-value\">([A-Za-z0-9]+)<").Groups[1].Value;
        Assert.Equal(24, password.Length);
        var page = await Eventually.ReturnsAsync(async () => (await admin.GetAsync("/Clinic/Export")).Html, html => html.Contains("data-status=\"Complete\"", StringComparison.Ordinal), "the export finished");
        Assert.DoesNotContain(password, page, StringComparison.Ordinal);
        var exportId = System.Text.RegularExpressions.Regex.Match(page, "data-export-id=\"([0-9a-f]{32})\" data-status=\"Complete\"").Groups[1].Value;
        Assert.DoesNotContain(app.Logs.Records, r => r.Text.Contains(password, StringComparison.Ordinal));

        // Another clinic's admin cannot fetch it.
        var (_, otherExports, _) = await other.GetAsync("/Clinic/Export");
        Assert.DoesNotContain(exportId, otherExports, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/Clinic/Export?handler=Download&id={exportId}")).Status);

        using var download = await admin.Client.GetAsync(new Uri($"/Clinic/Export?handler=Download&id={exportId}", UriKind.Relative));
        Assert.Equal("application/zip", download.Content.Headers.ContentType?.MediaType);
        var zipBytes = await download.Content.ReadAsByteArrayAsync();

        using var zip = new ZipFile(new MemoryStream(zipBytes)) { Password = password };
        Assert.All(zip.Cast<ZipEntry>(), e => Assert.True(e.AESKeySize == 256, e.Name));
        using var manifest = JsonDocument.Parse(Read(zip, "manifest.json"));
        var analyses = manifest.RootElement.GetProperty("analyses").EnumerateArray().ToList();
        var exported = Assert.Single(analyses);
        Assert.Equal(analysis, exported.GetProperty("id").GetString());
        Assert.Equal(pdf, ReadBytes(zip, exported.GetProperty("original").GetString()!));
        var letterPath = Assert.Single(exported.GetProperty("letters").EnumerateArray()).GetString()!;
        using (var letter = JsonDocument.Parse(Read(zip, letterPath)))
        {
            Assert.Equal(2, letter.RootElement.GetProperty("versions").GetArrayLength());
        }

        var intake = Assert.Single(manifest.RootElement.GetProperty("intakeItems").EnumerateArray());
        Assert.Equal(item, intake.GetProperty("id").GetString());
        Assert.Contains("intraocular", Read(zip, intake.GetProperty("record").GetString()!), StringComparison.OrdinalIgnoreCase);
        Assert.True(manifest.RootElement.GetProperty("auditRows").GetInt32() > 0);
        Assert.Contains(AuditActions.ExportStarted, Read(zip, "audit.json"), StringComparison.Ordinal);
        Assert.DoesNotContain(zip.Cast<ZipEntry>(), e => e.Name.Contains(others, StringComparison.Ordinal));

        // Without the password nothing can be read.
        using var locked = new ZipFile(new MemoryStream(zipBytes)) { Password = "not-the-password" };
        Assert.ThrowsAny<Exception>(() => Read(locked, "manifest.json"));

        var audit = app.Factory.Services.GetRequiredService<AuditLog>();
        Assert.Single(await audit.QueryAsync(new AuditQuery(adminId, null, AuditActions.ExportDownloaded, null, null, 10)));
        staff.Dispose();
    }

    private static string Read(ZipFile zip, string name) => System.Text.Encoding.UTF8.GetString(ReadBytes(zip, name));

    private static byte[] ReadBytes(ZipFile zip, string name)
    {
        using var input = zip.GetInputStream(zip.GetEntry(name) ?? throw new InvalidOperationException($"{name} is not in the archive."));
        using var memory = new MemoryStream();
        input.CopyTo(memory);
        return memory.ToArray();
    }
}
