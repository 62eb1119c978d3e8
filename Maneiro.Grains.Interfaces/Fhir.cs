namespace Maneiro.Grains.Interfaces;

/// <summary>
/// The FHIR server a clinic sends analyses to. The bearer token is stored only as data-protection ciphertext made by
/// the web app; grains never see it in the clear.
/// </summary>
/// <param name="BaseUrl">The server's base address (https, checked again at every send).</param>
/// <param name="ProtectedToken">The bearer token protected with the data-protection keys, or null for none.</param>
/// <param name="PatientIdentifierSystem">The identifier system of the record numbers documents state (the EHR's MRN system).</param>
[GenerateSerializer, Immutable, Alias("Maneiro.FhirDestination")]
public sealed record FhirDestination(
    [property: Id(0)] string BaseUrl,
    [property: Id(1)] string? ProtectedToken,
    [property: Id(2)] string PatientIdentifierSystem,
    [property: Id(3)] string SavedBy,
    [property: Id(4)] DateTimeOffset SavedAt);
