using Maneiro.Web.Fhir;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Maneiro.Tests.Unit.Fhir;

public sealed class FhirOptionsTests
{
    private static FhirOptions Read(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings.ToDictionary(s => s.Key, s => (string?)s.Value)).Build();
        using var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddManeiroFhir().BuildServiceProvider();
        return services.GetRequiredService<IOptions<FhirOptions>>().Value;
    }

    [Fact]
    public void By_default_no_inner_address_is_allowed_and_sends_wait_thirty_seconds()
    {
        var options = Read();
        Assert.Empty(options.AllowedPrivateAddresses);
        Assert.Equal(TimeSpan.FromSeconds(30), options.SendTimeout);
    }

    [Fact]
    public void A_mistyped_allowed_address_stops_start_up_with_its_setting_named()
    {
        var thrown = Assert.Throws<OptionsValidationException>(() => Read(("Fhir:AllowedPrivateAddresses:0", "10.0.4.300")));
        Assert.Contains("Fhir:AllowedPrivateAddresses", thrown.Message, StringComparison.Ordinal);
    }
}
