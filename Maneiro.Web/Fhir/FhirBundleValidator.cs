using Firely.Fhir.Validation;
using Hl7.Fhir.Model;
using Hl7.Fhir.Specification.Source;
using Hl7.Fhir.Specification.Terminology;

namespace Maneiro.Web.Fhir;

/// <summary>A Bundle Maneiro built failed validation: a bug in the builder, never something to ship.</summary>
public sealed class InvalidFhirBundleException(IReadOnlyList<string> errors)
    : Exception("The FHIR Bundle failed validation: " + string.Join("; ", errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}

/// <summary>
/// Validates Bundles against the R4 base profiles shipped in Hl7.Fhir.Specification.Data.R4, offline. The profiles
/// load once, on first use (seconds), then validation takes milliseconds. Errors fail; warnings pass, among them the
/// expected one that ICD-10-CM, an external code system, cannot be expanded offline.
/// </summary>
public sealed class FhirBundleValidator
{
    private readonly Lazy<Validator> _validator = new(() =>
    {
        var resolver = new CachedResolver(ZipSource.CreateValidationSource());
        return new Validator(resolver, new LocalTerminologyService(resolver), null, new ValidationSettings());
    });

    /// <summary>Starts loading the profiles in the background (a page that offers an export calls it, so the click does not wait).</summary>
    public void WarmUp()
    {
        if (!_validator.IsValueCreated)
        {
            _ = System.Threading.Tasks.Task.Run(() => _validator.Value);
        }
    }

    /// <summary>The errors (and fatal issues) validation found; empty when the Bundle is valid.</summary>
    public IReadOnlyList<string> Errors(Bundle bundle)
    {
        var outcome = _validator.Value.Validate(bundle, null);
        return outcome.Issue
            .Where(i => i.Severity is OperationOutcome.IssueSeverity.Error or OperationOutcome.IssueSeverity.Fatal)
            .Select(i => $"{string.Join(", ", i.Expression ?? [])}: {i.Details?.Text ?? i.Diagnostics}")
            .ToList();
    }

    /// <summary>Throws <see cref="InvalidFhirBundleException"/> unless the Bundle is valid.</summary>
    public Bundle Checked(Bundle bundle)
    {
        var errors = Errors(bundle);
        return errors.Count == 0 ? bundle : throw new InvalidFhirBundleException(errors);
    }
}
