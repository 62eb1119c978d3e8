using System.Text.Json;

namespace Maneiro.Infrastructure.OpenAi;

/// <summary>The versioned prompt texts, embedded from Prompts/&lt;version&gt;/.</summary>
public sealed class PromptLibrary
{
    public const string Version = "v1";

    private readonly Dictionary<string, string> _specialties;

    public PromptLibrary()
    {
        SystemTemplate = Read("system.md");
        Schema = Read("analysis.schema.json");
        _specialties = JsonSerializer.Deserialize<Dictionary<string, string>>(Read("specialties.json"))!;
        LetterTemplate = Read("letter.md");
        LetterSchema = Read("letter.schema.json");
        CodeRepairPrompt = Read("code-repair.md");
        CodeRepairSchema = Read("code-repair.schema.json");
        _letterKinds = JsonSerializer.Deserialize<Dictionary<string, string>>(Read("letter-kinds.json"))!;
        TriagePrompt = Read("triage.md");
        TriageSchema = Read("triage.schema.json");
    }

    public string TriagePrompt { get; }

    public string TriageSchema { get; }

    private readonly Dictionary<string, string> _letterKinds;

    public string LetterTemplate { get; }

    public string CodeRepairPrompt { get; }

    public string CodeRepairSchema { get; }

    public string LetterSchema { get; }

    public string LetterPrompt(Maneiro.Grains.Interfaces.LetterKind kind, string languageName) => LetterTemplate
        .Replace("{kind}", kind.ToString(), StringComparison.Ordinal)
        .Replace("{language}", languageName, StringComparison.Ordinal)
        .Replace("{kind_guidance}", _letterKinds[kind.ToString()], StringComparison.Ordinal);

    public string SystemTemplate { get; }

    public string Schema { get; }

    public IReadOnlyCollection<string> Specialties => _specialties.Keys;

    /// <summary>The specialties the prompts know, in the catalog's order, with the label the upload form shows.</summary>
    public IReadOnlyList<(string Value, string Label)> SpecialtyChoices => _specialties.Keys.Select(k => (k, SpecialtyLabel(k))).ToList();

    public static string SpecialtyLabel(string specialty) => specialty switch
    {
        "auto" => "Detect automatically",
        "ent" => "ENT",
        _ => char.ToUpperInvariant(specialty[0]) + specialty[1..],
    };

    public string SystemPrompt(string specialty) =>
        SystemTemplate.Replace("{specialty_guidance}", _specialties.TryGetValue(specialty, out var guidance) ? guidance : _specialties["auto"], StringComparison.Ordinal);

    private static string Read(string name)
    {
        using var stream = typeof(PromptLibrary).Assembly.GetManifestResourceStream($"Maneiro.Prompts.{Version}/{name}")
            ?? throw new InvalidOperationException($"Prompt resource {Version}/{name} is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
