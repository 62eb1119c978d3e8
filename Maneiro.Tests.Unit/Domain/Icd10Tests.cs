using Maneiro.Grains.Domain;
using Maneiro.Grains.Interfaces;
using Maneiro.Testing;

namespace Maneiro.Tests.Unit.Domain;

public sealed class Icd10Tests
{
    [Theory]
    [InlineData("H40.1112", true)]
    [InlineData("E11.9", true)]
    [InlineData("A00", true)]
    [InlineData("h40.1112", true)]
    [InlineData("H40.", false)]
    [InlineData("H4.1", false)]
    [InlineData("140.1", false)]
    [InlineData("H40.11122", false)]
    [InlineData("not-a-code", false)]
    public void Format_rule(string code, bool valid) => Assert.Equal(valid, Icd10Catalog.HasValidFormat(code));

    [Fact]
    public void Without_the_official_table_codes_are_unverified_never_valid()
    {
        Assert.Equal(CodeCheck.Unverified, Icd10Catalog.NotInstalled.Check("H40.1112").Check);
        Assert.Equal(CodeCheck.Invalid, Icd10Catalog.NotInstalled.Check("nonsense").Check);
    }

    [Fact]
    public void Both_official_file_formats_load_with_billable_status_and_descriptions()
    {
        var order = Path.GetTempFileName();
        var codes = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(order, [JobsApp.OrderLine(1, "H401", false, "Open-angle glaucoma"), JobsApp.OrderLine(2, "H401112", true, "Primary open-angle glaucoma, right eye, moderate stage")]);
            File.WriteAllLines(codes, ["E119    Type 2 diabetes mellitus without complications", "H401112 Primary open-angle glaucoma, right eye, moderate stage"]);

            var fromOrder = Icd10Catalog.Load(order);
            var (check, entry) = fromOrder.Check("H40.1112");
            Assert.Equal(CodeCheck.Valid, check);
            Assert.True(entry!.Billable);
            Assert.False(fromOrder.Check("H40.1").Entry!.Billable);
            Assert.Equal(CodeCheck.Invalid, fromOrder.Check("H40.1113").Check);

            var fromCodes = Icd10Catalog.Load(codes);
            Assert.Equal("Type 2 diabetes mellitus without complications", fromCodes.Check("E11.9").Entry!.Description);
        }
        finally
        {
            File.Delete(order);
            File.Delete(codes);
        }
    }

    [Theory]
    [InlineData("Intraocular   pressure 24 mmHg\nright", true)]
    [InlineData("INTRAOCULAR PRESSURE 24 MMHG RIGHT", true)]
    [InlineData("pressure 30 mmHg", false)]
    [InlineData("ab", false)]
    public void Evidence_is_found_ignoring_case_and_spacing(string quote, bool found) =>
        Assert.Equal(found, EvidenceLocator.Found(quote, TestDocuments.OphthalmologyNote));
}
