namespace Maneiro.Web.Jobs;

/// <summary><c>Uploads:*</c> limits.</summary>
public sealed class UploadOptions
{
    public const string SectionName = "Uploads";

    public long MaxDocumentBytes { get; set; } = 25L * 1024 * 1024;

    public long MaxAudioBytes { get; set; } = 100L * 1024 * 1024;

    public int MaxPastedCharacters { get; set; } = 200_000;

    /// <summary>The most a request body may carry: the larger limit plus room for the form's other fields.</summary>
    public long MaxRequestBytes => Math.Max(MaxDocumentBytes, MaxAudioBytes) + 64 * 1024;
}
