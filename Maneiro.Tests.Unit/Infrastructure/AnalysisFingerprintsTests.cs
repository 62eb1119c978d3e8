using System.Security.Cryptography;
using Maneiro.Infrastructure.Pipeline;
using Npgsql;

namespace Maneiro.Tests.Unit.Infrastructure;

public sealed class AnalysisFingerprintsTests
{
    private static readonly byte[] Content = SHA256.HashData("a clinical note"u8);

    private static AnalysisFingerprints With(string secret = "secret-one", string model = "gpt-4.1", string table = "ICD-10-CM FY2022")
    {
        // The data source is never opened here: fingerprints are computed, not looked up.
        var unused = NpgsqlDataSource.Create("Host=unused");
        return new AnalysisFingerprints(unused, SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret)), AnalysisFingerprints.PipelineIdentity(model, table));
    }

    [Fact]
    public void The_same_document_owner_and_settings_give_the_same_fingerprint()
    {
        Assert.Equal(With().Of("u1", Content, "ophthalmology", false), With().Of("u1", Content, "ophthalmology", false));
    }

    [Fact]
    public void Every_part_of_the_identity_changes_it()
    {
        var baseline = Convert.ToHexString(With().Of("u1", Content, "ophthalmology", false));
        string[] variants =
        [
            Convert.ToHexString(With().Of("u2", Content, "ophthalmology", false)),
            Convert.ToHexString(With().Of("u1", SHA256.HashData("another note"u8), "ophthalmology", false)),
            Convert.ToHexString(With().Of("u1", Content, "cardiology", false)),
            Convert.ToHexString(With().Of("u1", Content, "ophthalmology", true)),
            Convert.ToHexString(With(model: "gpt-5").Of("u1", Content, "ophthalmology", false)),
            Convert.ToHexString(With(table: "ICD-10-CM FY2026").Of("u1", Content, "ophthalmology", false)),
            Convert.ToHexString(With(secret: "secret-two").Of("u1", Content, "ophthalmology", false)),
        ];
        Assert.DoesNotContain(baseline, variants);
        Assert.Equal(variants.Length, variants.Distinct().Count());
    }

    [Fact]
    public void The_fingerprint_is_not_the_plain_hash_of_the_content()
    {
        Assert.NotEqual(Content, With().Of("u1", Content, "ophthalmology", false));
    }

    [Fact]
    public void The_pipeline_identity_names_the_model_prompts_and_code_table()
    {
        var identity = AnalysisFingerprints.PipelineIdentity("gpt-4.1", Icd10Tables.NameFor(null));
        Assert.Contains("gpt-4.1", identity, StringComparison.Ordinal);
        Assert.Contains(Maneiro.Infrastructure.OpenAi.PromptLibrary.Version, identity, StringComparison.Ordinal);
        Assert.Contains(Icd10Tables.BundledTableName, identity, StringComparison.Ordinal);
        Assert.Equal("ICD-10-CM FY2026", Icd10Tables.NameFor("/data/icd10cm-codes-2026.txt"));
    }
}
