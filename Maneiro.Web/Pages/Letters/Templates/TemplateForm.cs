using Maneiro.Grains.Interfaces;

namespace Maneiro.Web.Pages.Letters.Templates;

/// <summary>The template editor's fields, as the form posts them.</summary>
public sealed class TemplateForm
{
    public string? Id { get; set; }

    public string Name { get; set; } = "";

    public LetterKind Kind { get; set; } = LetterKind.Referral;

    public string Language { get; set; } = "en";

    public List<SectionForm> Sections { get; set; } = [];

    public TemplateContent ToContent() => new(Name, Kind, Language, Sections.Select(s => new TemplateSection(s.Heading ?? "", s.Instructions ?? "", s.FixedText ?? "")).ToList());

    public static TemplateForm From(TemplateContent content, string? id = null) => new()
    {
        Id = id,
        Name = content.Name,
        Kind = content.Kind,
        Language = content.Language,
        Sections = content.Sections.Select(s => new SectionForm { Heading = s.Heading, Instructions = s.Instructions, FixedText = s.FixedText }).ToList(),
    };
}

public sealed class SectionForm
{
    public string? Heading { get; set; }

    public string? Instructions { get; set; }

    public string? FixedText { get; set; }
}
