namespace Maneiro.Grains.Domain.Letters;

/// <summary>The fixed words a letter needs in each supported language (the model writes the rest).</summary>
public sealed record LetterLanguage(
    string Code,
    string Name,
    string Culture,
    string Regarding,
    string References,
    string CodesHeading,
    string CodeColumn,
    string DescriptionColumn,
    string Urgent,
    string MedicalNecessity,
    string MedicalNecessityFallback,
    string PageOf,
    string Disclaimer)
{
    public static readonly LetterLanguage English = new(
        "en", "English", "en-US", "RE:", "References", "ICD-10 codes", "Code", "Description", "URGENT", "Medical necessity",
        "The services requested are medically necessary for the diagnoses listed above.",
        "Page {0} of {1}", "Clinical documentation aid; the clinician is responsible for accuracy.");

    public static IReadOnlyList<LetterLanguage> All { get; } =
    [
        English,
        new("es", "Español", "es-ES", "Asunto:", "Referencias", "Códigos CIE-10", "Código", "Descripción", "URGENTE", "Necesidad médica",
            "Los servicios solicitados son médicamente necesarios para los diagnósticos indicados arriba.",
            "Página {0} de {1}", "Ayuda para la documentación clínica; el médico es responsable de su exactitud."),
        new("pt", "Português", "pt-BR", "Assunto:", "Referências", "Códigos CID-10", "Código", "Descrição", "URGENTE", "Necessidade médica",
            "Os serviços solicitados são clinicamente necessários para os diagnósticos indicados acima.",
            "Página {0} de {1}", "Auxílio à documentação clínica; o médico é responsável pela exatidão."),
        new("fr", "Français", "fr-FR", "Objet :", "Références", "Codes CIM-10", "Code", "Description", "URGENT", "Nécessité médicale",
            "Les soins demandés sont médicalement nécessaires pour les diagnostics indiqués ci-dessus.",
            "Page {0} sur {1}", "Aide à la documentation clinique ; le clinicien est responsable de son exactitude."),
    ];

    public static bool IsSupported(string? code) => All.Any(l => l.Code == code);

    public static LetterLanguage Get(string? code) => All.FirstOrDefault(l => l.Code == code) ?? English;
}
