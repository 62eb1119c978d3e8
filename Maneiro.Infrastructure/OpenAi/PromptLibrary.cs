using System.Text.Json;

namespace Maneiro.Infrastructure.OpenAi;

/// <summary>
/// The versioned prompt texts, embedded from Prompts/&lt;version&gt;/. A version holds only the files it changes; the
/// rest are read from the version before it (v2 changed the analysis prompt and schema: structured dates, record number).
/// </summary>
public sealed class PromptLibrary
{
    public const string Version = "v2";

    private static readonly string[] Versions = ["v2", "v1"];

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
        _letterOptions = JsonSerializer.Deserialize<Dictionary<string, string>>(Read("letter-options.json"))!;
        TriagePrompt = Read("triage.md");
        TemplatePrompt = Read("template.md");
        TemplateSchema = Read("template.schema.json");
        TriageSchema = Read("triage.schema.json");
    }

    public string TriagePrompt { get; }

    public string TriageSchema { get; }

    private readonly Dictionary<string, string> _letterKinds;
    private readonly Dictionary<string, string> _letterOptions;

    public string LetterTemplate { get; }

    public string CodeRepairPrompt { get; }

    /// <summary>The prompt and schema that turn an example letter into a template proposal.</summary>
    public string TemplatePrompt { get; }

    public string TemplateSchema { get; }

    public string CodeRepairSchema { get; }

    public string LetterSchema { get; }

    /// <summary>The letter's system prompt: the kind's guidance, then the tone, level of detail and purpose asked for.</summary>
    public string LetterPrompt(Maneiro.Grains.Interfaces.LetterKind kind, string languageName, Maneiro.Grains.Interfaces.LetterOptions? options = null)
    {
        var prompt = LetterTemplate
            .Replace("{kind}", kind.ToString(), StringComparison.Ordinal)
            .Replace("{language}", languageName, StringComparison.Ordinal)
            .Replace("{kind_guidance}", _letterKinds[kind.ToString()], StringComparison.Ordinal);
        var chosen = options ?? Maneiro.Grains.Interfaces.LetterOptions.Standard;
        var guidance = new System.Text.StringBuilder(prompt.TrimEnd())
            .Append("\n\nTone: ").Append(_letterOptions["Tone." + chosen.Tone])
            .Append("\nLevel of detail: ").Append(_letterOptions["Detail." + chosen.Detail]);
        if (chosen.Purpose != Maneiro.Grains.Interfaces.LetterPurpose.Default)
        {
            guidance.Append("\nPurpose: ").Append(_letterOptions["Purpose." + chosen.Purpose]);
        }

        return guidance.Append('\n').ToString();
    }

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
        var assembly = typeof(PromptLibrary).Assembly;
        using var stream = Versions.SkipWhile(v => v != Version).Select(v => assembly.GetManifestResourceStream($"Maneiro.Prompts.{v}/{name}")).FirstOrDefault(s => s is not null)
            ?? throw new InvalidOperationException($"Prompt resource {Version}/{name} is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
