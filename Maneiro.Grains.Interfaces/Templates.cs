namespace Maneiro.Grains.Interfaces;

/// <summary>
/// One section of a letter template: its heading, what the model is to write there, or fixed text written as it is
/// (variables such as <c>{{patient}}</c> filled in). A section has instructions, fixed text, or both (fixed text wins).
/// </summary>
[GenerateSerializer, Immutable, Alias("Maneiro.TemplateSection")]
public sealed record TemplateSection(
    [property: Id(0)] string Heading,
    [property: Id(1)] string Instructions,
    [property: Id(2)] string FixedText);

/// <summary>What a template says, as one saves it.</summary>
[GenerateSerializer, Immutable, Alias("Maneiro.TemplateContent")]
public sealed record TemplateContent(
    [property: Id(0)] string Name,
    [property: Id(1)] LetterKind Kind,
    [property: Id(2)] string Language,
    [property: Id(3)] IReadOnlyList<TemplateSection> Sections);

[GenerateSerializer, Immutable, Alias("Maneiro.LetterTemplateVersion")]
public sealed record LetterTemplateVersion(
    [property: Id(0)] int Number,
    [property: Id(1)] TemplateContent Content,
    [property: Id(2)] DateTimeOffset SavedAt,
    [property: Id(3)] string SavedBy);

/// <summary>A clinic's letter template with every saved version, oldest first.</summary>
[GenerateSerializer, Immutable, Alias("Maneiro.LetterTemplateView")]
public sealed record LetterTemplateView(
    [property: Id(0)] string Id,
    [property: Id(1)] string ClinicId,
    [property: Id(2)] IReadOnlyList<LetterTemplateVersion> Versions)
{
    public LetterTemplateVersion Current => Versions[^1];
}

/// <summary>The template version a letter was drafted with, copied into its request so later edits never change it.</summary>
[GenerateSerializer, Immutable, Alias("Maneiro.TemplateUse")]
public sealed record TemplateUse(
    [property: Id(0)] string TemplateId,
    [property: Id(1)] int Version,
    [property: Id(2)] string Name,
    [property: Id(3)] IReadOnlyList<TemplateSection> Sections);

/// <summary>One letter template of a clinic, keyed by its generated id. Every save is a new version; letters keep theirs.</summary>
[Alias("Maneiro.LetterTemplate")]
public interface ILetterTemplateGrain : IGrainWithStringKey
{
    /// <summary>
    /// Saves <paramref name="content"/> as the template's next version (its first creates it in <paramref name="clinicId"/>).
    /// The actor must be an admin or clinician of that clinic now; the content must pass the template rules
    /// (<see cref="LetterRefusedException"/> with the reason otherwise).
    /// </summary>
    [Alias("Save")]
    Task<LetterTemplateView> Save(string clinicId, TemplateContent content, string actorId);

    [Alias("View")]
    Task<LetterTemplateView?> View();

    /// <summary>Deletes the template (letters drafted with it keep their copy of its version).</summary>
    [Alias("Remove")]
    Task<bool> Remove(string actorId);
}

/// <summary>A template proposed from an example letter, scrubbed of patient details; <see cref="Replacements"/> counts what was taken out.</summary>
[GenerateSerializer, Immutable, Alias("Maneiro.TemplateProposal")]
public sealed record TemplateProposal(
    [property: Id(0)] TemplateContent Content,
    [property: Id(1)] int Replacements);

/// <summary>Turns example letters into template proposals (the model proposes, our scrubber cleans); nothing is saved.</summary>
[Alias("Maneiro.TemplateProposals")]
public interface ITemplateProposalGrain : IGrainWithIntegerKey
{
    /// <summary>The actor must be allowed to manage the clinic's templates; refusals raise <see cref="LetterRefusedException"/>.</summary>
    [Alias("Propose")]
    Task<TemplateProposal> Propose(string clinicId, string actorId, string example, string language);
}
