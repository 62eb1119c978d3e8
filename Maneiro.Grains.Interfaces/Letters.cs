namespace Maneiro.Grains.Interfaces;

[GenerateSerializer]
public enum LetterKind
{
    Referral = 0,
    UrgentReferral = 1,
    CoManagement = 2,
    SecondOpinion = 3,
    PatientSummary = 4,
    PriorAuthorization = 5,
}

[GenerateSerializer]
public enum LetterTone
{
    Professional = 0,
    Warm = 1,
    Simple = 2,
}

[GenerateSerializer]
public enum LetterDetail
{
    Standard = 0,
    Brief = 1,
    Detailed = 2,
}

/// <summary>What an insurance or patient letter is for; <see cref="Default"/> is the kind's own purpose.</summary>
[GenerateSerializer]
public enum LetterPurpose
{
    Default = 0,
    PriorAuthorization = 1,
    MedicalNecessity = 2,
    DenialAppeal = 3,
    AppointmentConfirmation = 4,
    ResultsNormal = 5,
    ResultsNeedFollowUp = 6,
}

/// <summary>How the letter should read; all honoured in the prompt and shown in the letter's record.</summary>
/// <param name="DenialReason">For an appeal: the insurer's stated reason, quoted in the letter.</param>
[GenerateSerializer, Immutable, Alias("Maneiro.LetterOptions")]
public sealed record LetterOptions(
    [property: Id(0)] LetterTone Tone,
    [property: Id(1)] LetterDetail Detail,
    [property: Id(2)] LetterPurpose Purpose,
    [property: Id(3)] string? DenialReason = null)
{
    public static LetterOptions Standard { get; } = new(LetterTone.Professional, LetterDetail.Standard, LetterPurpose.Default);
}

[GenerateSerializer]
public enum LetterVersionSource
{
    Generated = 0,
    Edited = 1,
    Restored = 2,
}

[GenerateSerializer, Immutable, Alias("Maneiro.LetterRecipient")]
public sealed record LetterRecipient(
    [property: Id(0)] string Name,
    [property: Id(1)] string Specialty,
    [property: Id(2)] string Clinic,
    [property: Id(3)] string? Address);

/// <summary>What the doctor asked for: a letter of <see cref="Kind"/> about a completed analysis, in a language code (en, es, pt, fr).</summary>
[GenerateSerializer, Immutable, Alias("Maneiro.LetterRequest")]
public sealed record LetterRequest(
    [property: Id(0)] string OwnerId,
    [property: Id(1)] string AnalysisJobId,
    [property: Id(2)] LetterKind Kind,
    [property: Id(3)] string Language,
    [property: Id(4)] LetterRecipient Recipient,
    [property: Id(5)] string? DraftedBy = null,
    [property: Id(6)] LetterOptions? Options = null,
    [property: Id(7)] TemplateUse? Template = null)
{
    /// <summary>A staff member who drafted it for the owning clinician (it starts unsigned); null when the owner drafted it.</summary>
    public string? DraftedForOwnerBy => DraftedBy is { } by && by != OwnerId ? by : null;
}

/// <summary>
/// What a letter may draw on, copied from its analysis when generation starts: only the verified references and the
/// codes that passed validation, so neither the draft nor the PDF can cite anything else.
/// </summary>
[GenerateSerializer, Immutable, Alias("Maneiro.LetterContext")]
public sealed record LetterContext(
    [property: Id(0)] string PatientName,
    [property: Id(1)] string Specialty,
    [property: Id(2)] string Summary,
    [property: Id(3)] string PatientSummary,
    [property: Id(4)] IReadOnlyList<string> Diagnoses,
    [property: Id(5)] IReadOnlyList<string> Plan,
    [property: Id(6)] IReadOnlyList<CodeEntry> Codes,
    [property: Id(7)] IReadOnlyList<Reference> References,
    [property: Id(8)] string? CodeTable = null);

[GenerateSerializer, Immutable, Alias("Maneiro.LetterVersion")]
public sealed record LetterVersion(
    [property: Id(0)] int Number,
    [property: Id(1)] string Subject,
    [property: Id(2)] string Body,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] LetterVersionSource Source,
    [property: Id(5)] int? RestoredFrom);

/// <summary>A letter as pages and the API see it. <see cref="Versions"/> are oldest first; the current one is <see cref="CurrentVersion"/>.</summary>
[GenerateSerializer, Immutable, Alias("Maneiro.LetterStatus")]
public sealed record LetterStatus(
    [property: Id(0)] string LetterId,
    [property: Id(1)] LetterRequest Request,
    [property: Id(2)] JobStage Stage,
    [property: Id(3)] int Percent,
    [property: Id(4)] string? Error,
    [property: Id(5)] DateTimeOffset CreatedAt,
    [property: Id(6)] LetterContext? Context,
    [property: Id(7)] IReadOnlyList<LetterVersion> Versions,
    [property: Id(8)] int CurrentVersion,
    [property: Id(9)] IReadOnlyList<string> Notices,
    [property: Id(10)] IReadOnlyList<StageEntry> History,
    [property: Id(11)] string? SignedBy = null)
{
    public string OwnerId => Request.OwnerId;

    /// <summary>No clinician's signature: drafted by staff, or changed by someone other than its signer.</summary>
    public bool IsDraft => SignedBy is null;

    public bool IsFinished => JobStages.IsTerminal(Stage);

    public LetterVersion? Current => Versions.FirstOrDefault(v => v.Number == CurrentVersion);
}

/// <summary>Raised when a letter cannot take an edit right now (it is being generated, or the text is unusable); the message is for the user.</summary>
[GenerateSerializer, Alias("Maneiro.LetterRefusedException")]
public sealed class LetterRefusedException : Exception
{
    public LetterRefusedException()
    {
    }

    public LetterRefusedException(string message)
        : base(message)
    {
    }

    public LetterRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>One letter, keyed by its generated id: generation stages, then versions the owner edits, regenerates and restores.</summary>
[Alias("Maneiro.Letter")]
public interface ILetterGrain : IGrainWithStringKey
{
    /// <summary>Starts generating; calling it again for the same letter changes nothing.</summary>
    [Alias("Start")]
    Task<LetterStatus> Start(LetterRequest request);

    [Alias("GetStatus")]
    Task<LetterStatus?> GetStatus();

    /// <summary>Hands the letter to the new owner of its analysis; a signed letter keeps its signer on record.</summary>
    [Alias("TransferTo")]
    Task TransferTo(string newOwnerId);

    /// <summary>Saves the text as a new version. <paramref name="actorId"/> (the signed-in member, from the web) keeps the signature only when it is the signer's.</summary>
    [Alias("SaveEdit")]
    Task<LetterStatus> SaveEdit(string subject, string body, string actorId);

    /// <summary>Drafts the letter again as a new version; earlier versions are kept.</summary>
    [Alias("Regenerate")]
    Task<LetterStatus> Regenerate(string actorId);

    /// <summary>Makes an earlier version current again, as a new version that copies it.</summary>
    [Alias("Restore")]
    Task<LetterStatus> Restore(int version, string actorId);

    /// <summary>
    /// Puts <paramref name="clinicianId"/>'s signature on the letter: they must be a clinician of the owner's clinic right
    /// now (checked here, against the clinic grain). The id comes from the signed-in user, never from a form.
    /// </summary>
    [Alias("Sign")]
    Task<LetterStatus> Sign(string clinicianId);

    [Alias("Delete")]
    Task<bool> Delete();
}

/// <summary>A user's letterhead: who the letters come from. The logo is a PNG the web re-encoded from the upload.</summary>
[GenerateSerializer, Immutable, Alias("Maneiro.Letterhead")]
public sealed record Letterhead(
    [property: Id(0)] string ClinicName,
    [property: Id(1)] string Address,
    [property: Id(2)] string Phone,
    [property: Id(3)] string Fax,
    [property: Id(4)] string Email,
    [property: Id(5)] string ProviderName,
    [property: Id(6)] string Credentials,
    [property: Id(7)] string SignatureBlock,
    [property: Id(8)] byte[]? LogoPng)
{
    public static Letterhead Empty { get; } = new("", "", "", "", "", "", "", "", null);

    /// <summary>The clinic's part (name, address, phone, fax, e-mail, logo) of one letterhead with a clinician's signature part of another.</summary>
    public static Letterhead Compose(Letterhead clinic, Letterhead signer) =>
        clinic with { ProviderName = signer.ProviderName, Credentials = signer.Credentials, SignatureBlock = signer.SignatureBlock };
}

/// <summary>
/// Keyed by a user id (that clinician's signature part) and by a clinic id (that clinic's letterhead part); a clinic of
/// one is keyed by its account's id, so one grain holds both, as before clinics.
/// </summary>
[Alias("Maneiro.LetterheadGrain")]
public interface ILetterheadGrain : IGrainWithStringKey
{
    [Alias("Read")]
    Task<Letterhead> Read();

    /// <summary>Saves the clinic's part only (an admin's edit of the clinic letterhead); the signature part and the logo are left.</summary>
    [Alias("SaveClinicPart")]
    Task<Letterhead> SaveClinicPart(Letterhead details);

    /// <summary>Saves the signature part only (a clinician's own name, credentials and signature block).</summary>
    [Alias("SaveSignature")]
    Task<Letterhead> SaveSignature(Letterhead details);

    /// <summary>Sets (or with null removes) the logo.</summary>
    [Alias("SetLogo")]
    Task<Letterhead> SetLogo(byte[]? png);

    /// <summary>Forgets the letterhead and signature block (the account was erased).</summary>
    [Alias("ForgetAccount")]
    Task ForgetAccount();
}
