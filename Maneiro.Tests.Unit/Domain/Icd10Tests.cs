using System.IO.Compression;
using Maneiro.Grains.Domain;
using Maneiro.Grains.Interfaces;
using Maneiro.Infrastructure.Pipeline;
using Maneiro.Testing;

namespace Maneiro.Tests.Unit.Domain;

public sealed class Icd10Tests
{
    private static readonly Icd10Catalog Bundled = Icd10Tables.Load(null);

    [Theory]
    [InlineData("H40.1112", true)]
    [InlineData("E11.9", true)]
    [InlineData("A00", true)]
    [InlineData("h40.1112", true)]
    [InlineData("QA0", true)]
    [InlineData("U07.1", true)]
    [InlineData("H401112", true)]
    [InlineData("H40.", false)]
    [InlineData("H4.1", false)]
    [InlineData("140.1", false)]
    [InlineData("H40.11122", false)]
    [InlineData("not-a-code", false)]
    public void Format_rule_accepts_every_shape_in_the_official_files(string code, bool valid) => Assert.Equal(valid, Icd10Catalog.HasValidFormat(code));

    [Fact]
    public void The_bundled_fy2022_table_and_2026_categories_load_by_default()
    {
        Assert.Equal(95_524, Bundled.Count);
        Assert.Equal(72_748, Bundled.BillableCount);
        Assert.Equal("ICD-10-CM FY2022", Bundled.TableName);
    }

    [Theory]
    [InlineData("H40.1131", CodeCheck.Valid)]
    [InlineData("h401131", CodeCheck.Valid)]
    [InlineData("U07.1", CodeCheck.Valid)]
    [InlineData("H40.11", CodeCheck.NotBillable)]
    [InlineData("F43.81", CodeCheck.Verify)]
    [InlineData("E66.811", CodeCheck.Verify)]
    [InlineData("H40.99ZZ", CodeCheck.Verify)]
    [InlineData("QA0.0", CodeCheck.Verify)]
    [InlineData("ZZ9.9", CodeCheck.Invalid)]
    [InlineData("H4.1", CodeCheck.Invalid)]
    public void Real_codes_check_as_billable_header_newer_or_impossible(string code, CodeCheck expected)
    {
        var finding = Bundled.Check(code);
        Assert.Equal(expected, finding.Check);
        Assert.False(string.IsNullOrWhiteSpace(finding.Reason));
    }

    [Fact]
    public void A_header_names_its_billable_children_and_its_official_description()
    {
        var header = Bundled.Check("H40.11");
        Assert.Equal("Primary open-angle glaucoma", header.Entry!.Description);
        Assert.InRange(header.BillableChildren.Count, 1, 10);
        Assert.All(header.BillableChildren, c => Assert.True(c.Billable && c.Code.StartsWith("H4011", StringComparison.Ordinal)));
        Assert.Contains(header.BillableChildren, c => c.Dotted == "H40.1111");
    }

    [Fact]
    public void Without_a_table_codes_are_unverified_never_valid()
    {
        Assert.Equal(CodeCheck.Unverified, Icd10Catalog.NotInstalled.Check("H40.1112").Check);
        Assert.Equal(CodeCheck.Invalid, Icd10Catalog.NotInstalled.Check("nonsense").Check);
    }

    [Fact]
    public void A_configured_order_file_replaces_the_table_and_a_codes_file_is_merged_over_it_plain_or_gzip()
    {
        var dir = Directory.CreateTempSubdirectory("maneiro-icd-");
        try
        {
            var order = Path.Combine(dir.FullName, "icd10cm-order-2027.txt");
            File.WriteAllLines(order, [JobsApp.OrderLine(1, "H401", false, "Open-angle glaucoma"), JobsApp.OrderLine(2, "H401112", true, "Primary open-angle glaucoma, right eye, moderate stage")]);
            var replaced = Icd10Tables.Load(order);
            Assert.Equal(2, replaced.Count);
            Assert.Equal("ICD-10-CM FY2027", replaced.TableName);
            Assert.Equal(CodeCheck.Valid, replaced.Check("H40.1112").Check);

            // A codes file (billable codes only, gzip): newer billable codes and descriptions, headers kept from the bundled table.
            var codes = Path.Combine(dir.FullName, "icd10cm-codes-2026.txt.gz");
            using (var gzip = new StreamWriter(new GZipStream(File.Create(codes), CompressionLevel.Fastest)))
            {
                gzip.WriteLine("F4381   Prolonged grief disorder");
                gzip.WriteLine("H401131 Primary open-angle glaucoma, bilateral, mild stage (2026 wording)");
            }

            var merged = Icd10Tables.Load(codes);
            Assert.Equal("ICD-10-CM FY2026", merged.TableName);
            Assert.Equal(CodeCheck.Valid, merged.Check("F43.81").Check);
            Assert.Equal("Primary open-angle glaucoma, bilateral, mild stage (2026 wording)", merged.Check("H40.1131").Entry!.Description);
            Assert.Equal(CodeCheck.NotBillable, merged.Check("H40.11").Check);
            Assert.Equal(CodeCheck.NotBillable, merged.Check("E11.9").Check);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void A_configured_file_that_cannot_be_read_stops_start_up_with_a_clear_message()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"no-such-icd10-{Guid.NewGuid():N}.txt");
        var error = Assert.Throws<InvalidOperationException>(() => Icd10Tables.Load(missing));
        Assert.Contains("Icd10:CodesFile", error.Message, StringComparison.Ordinal);
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Intraocular   pressure 24 mmHg\nright", true)]
    [InlineData("INTRAOCULAR PRESSURE 24 MMHG RIGHT", true)]
    [InlineData("pressure 30 mmHg", false)]
    [InlineData("ab", false)]
    public void Evidence_is_found_ignoring_case_and_spacing(string quote, bool found) =>
        Assert.Equal(found, EvidenceLocator.Found(quote, TestDocuments.OphthalmologyNote));
}
