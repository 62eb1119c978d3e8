using Maneiro.Grains.Interfaces;
using Maneiro.Testing;

namespace Maneiro.Tests.Jobs;

/// <summary>The web app as a fresh install runs it: no code file configured.</summary>
public sealed class BundledTableApp : ManeiroApp
{
    public BundledTableApp()
        : base(b => b.WithFakeModel().With("Icd10:CodesFile", ""))
    {
    }
}

/// <summary>With no setting, codes are checked against the bundled ICD-10-CM FY2022 table, and the page says so.</summary>
public sealed class BundledCodeTableTests(BundledTableApp app) : IClassFixture<BundledTableApp>
{
    [Fact]
    public async Task A_fresh_install_checks_codes_against_the_bundled_fy2022_table()
    {
        var (session, _) = await app.SignedInUserAsync();
        app.OpenAi.Answer(JobsApp.ModelAnswer(code: "H40.1131"));
        var jobId = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, null, text: TestDocuments.OphthalmologyNote));
        var result = (await JobsApp.WaitForFinishAsync(session, jobId)).GetProperty("result");

        Assert.Equal("ICD-10-CM FY2022", result.GetProperty("codeTable").GetString());
        var code = result.GetProperty("icd10Codes")[0];
        Assert.Equal((int)CodeCheck.Valid, code.GetProperty("check").GetInt32());
        Assert.Equal("Primary open-angle glaucoma, bilateral, mild stage", code.GetProperty("officialDescription").GetString());
        Assert.Contains("Checked against ICD-10-CM FY2022", (await session.GetAsync($"/Jobs/{jobId}")).Html, StringComparison.Ordinal);
        session.Dispose();
    }
}
