using System.Text.Json;
using Maneiro.Grains.Interfaces;

namespace Maneiro.Grains.Domain.Inbox;

/// <summary>
/// The model's triage of an inbox document (the strict schema in Prompts/v1/triage.schema.json) and its parsing.
/// Nothing here is trusted yet: <see cref="IntakeTriageRules"/> checks every quote against the page.
/// </summary>
public sealed class TriageDocument
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public string Kind { get; set; } = "";

    public string Urgency { get; set; } = "";

    public string UrgencyReason { get; set; } = "";

    public QuotedDto? SenderProvider { get; set; }

    public QuotedDto? SenderClinic { get; set; }

    public QuotedDto? SenderFax { get; set; }

    public QuotedDto? PatientName { get; set; }

    public QuotedDto? PatientDateOfBirth { get; set; }

    public List<FactDto> Facts { get; set; } = [];

    public string SuggestedClinician { get; set; } = "";

    public List<string> FrontDeskActions { get; set; } = [];

    public List<string> ClinicianActions { get; set; } = [];

    /// <summary>The schema's name for a kind ("prior_authorization_request").</summary>
    public static string NameOf(IntakeKind kind) => JsonNamingPolicy.SnakeCaseLower.ConvertName(kind.ToString());

    public static IntakeKind? KindNamed(string name) =>
        Enum.GetValues<IntakeKind>().Select(k => (IntakeKind?)k).FirstOrDefault(k => NameOf(k!.Value) == name);

    public static IntakeUrgency? UrgencyNamed(string name) =>
        Enum.GetValues<IntakeUrgency>().Select(u => (IntakeUrgency?)u).FirstOrDefault(u => u!.Value.ToString().Equals(name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Parses and checks the shape; the errors go back to the model once for repair.</summary>
    public static (TriageDocument? Document, IReadOnlyList<string> Errors) Parse(string json)
    {
        TriageDocument? document;
        try
        {
            document = JsonSerializer.Deserialize<TriageDocument>(json, Json);
        }
        catch (JsonException ex)
        {
            return (null, [$"The answer is not valid JSON ({ex.Message})."]);
        }

        if (document is null)
        {
            return (null, ["The answer is empty."]);
        }

        var errors = new List<string>();
        if (KindNamed(document.Kind) is null)
        {
            errors.Add($"kind must be one of: {string.Join(", ", Enum.GetValues<IntakeKind>().Select(NameOf))}.");
        }

        if (UrgencyNamed(document.Urgency) is null)
        {
            errors.Add("urgency must be one of: stat, urgent, soon, routine.");
        }

        return errors.Count == 0 ? (document, errors) : (null, errors);
    }

    public sealed class QuotedDto
    {
        public string Value { get; set; } = "";

        public string Quote { get; set; } = "";
    }

    public sealed class FactDto
    {
        public string Fact { get; set; } = "";

        public string Quote { get; set; } = "";
    }
}
