using System.Net;
using Maneiro.Grains.Domain.Clinics;

namespace Maneiro.Tests.Unit.Clinics;

public sealed class FhirAddressRulesTests
{
    [Theory]
    [InlineData("https://fhir.example-ehr.com/r4")]
    [InlineData("https://93.184.216.34/fhir")]
    [InlineData("https://fhir.example-ehr.com:8443/baseR4/")]
    public void Public_https_addresses_are_accepted(string url) => Assert.Null(FhirAddressRules.Problem(url));

    [Theory]
    [InlineData("http://fhir.example-ehr.com/r4", "https://")]
    [InlineData("https://10.0.0.7/fhir", "private")]
    [InlineData("https://192.168.1.20/fhir", "private")]
    [InlineData("https://127.0.0.1:8443/fhir", "private")]
    [InlineData("https://169.254.169.254/latest/meta-data", "private")]
    [InlineData("https://[::1]/fhir", "private")]
    [InlineData("https://[fe80::1]/fhir", "private")]
    [InlineData("https://[::ffff:10.0.0.1]/fhir", "private")]
    [InlineData("https://localhost/fhir", "this machine")]
    [InlineData("https://user:secret@fhir.example-ehr.com/r4", "no user name")]
    [InlineData("https://fhir.example-ehr.com/r4?_format=json", "no user name")]
    [InlineData("fhir.example-ehr.com", "full address")]
    [InlineData("file:///etc/passwd", "https://")]
    public void Unencrypted_inner_network_and_malformed_addresses_are_refused_with_the_reason(string url, string reason) =>
        Assert.Contains(reason, FhirAddressRules.Problem(url), StringComparison.Ordinal);

    [Theory]
    [InlineData("8.8.8.8", true)]
    [InlineData("2606:4700::1111", true)]
    [InlineData("172.16.0.1", false)]
    [InlineData("172.32.0.1", true)]
    [InlineData("100.64.0.1", false)]
    [InlineData("0.0.0.0", false)]
    [InlineData("224.0.0.1", false)]
    [InlineData("fd00::1", false)]
    [InlineData("::", false)]
    public void Addresses_resolved_at_send_time_are_classified(string address, bool isPublic) =>
        Assert.Equal(isPublic, FhirAddressRules.IsPublic(IPAddress.Parse(address)));
}
