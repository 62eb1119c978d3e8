using Maneiro.Grains.Interfaces;

namespace Maneiro.Web.Jobs;

/// <summary>A recording's language, mode and review choice as the upload and recorder forms send them.</summary>
public static class SpeechChoices
{
    public const string UnknownLanguage = "Choose a language from the list.";
    public const string UnknownMode = "Choose dictation or live visit.";

    /// <param name="field">The form's fields by name (empty when absent).</param>
    /// <param name="reviewByDefault">The account's choice, used when the form does not say.</param>
    public static SpeechOptions Read(Func<string, string> field, bool reviewByDefault)
    {
        var language = field("language").Trim().ToLowerInvariant();
        if (!SpeechOptions.IsOffered(language))
        {
            throw new UploadRefusedException(StatusCodes.Status400BadRequest, UnknownLanguage);
        }

        var liveVisit = field("mode") switch
        {
            "" or "dictation" => false,
            "visit" => true,
            _ => throw new UploadRefusedException(StatusCodes.Status400BadRequest, UnknownMode),
        };
        var review = field("review") switch
        {
            "true" or "on" => true,
            "false" => false,
            _ => reviewByDefault,
        };
        return new SpeechOptions(language.Length == 0 ? null : language, liveVisit, review);
    }

    /// <summary>The part of a recording's settings that changes its analysis, for the duplicate-upload fingerprint.</summary>
    public static string FingerprintPart(SpeechOptions? speech) => speech is null ? "" : $"|{speech.Language}|{(speech.LiveVisit ? "visit" : "dictation")}";
}
