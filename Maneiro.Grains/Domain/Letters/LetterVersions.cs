using Maneiro.Grains.Interfaces;

namespace Maneiro.Grains.Domain.Letters;

/// <summary>A letter's versions: numbered from 1, only ever added (an edit or a restore is a new version), never rewritten.</summary>
public static class LetterVersions
{
    public const int MaxSubjectLength = 300;

    /// <summary>Adds a version numbered after the highest so far and returns its number.</summary>
    public static int Add(List<LetterVersion> versions, string subject, string body, DateTimeOffset now, LetterVersionSource source, int? restoredFrom)
    {
        var number = versions.Count == 0 ? 1 : versions.Max(v => v.Number) + 1;
        versions.Add(new LetterVersion(number, subject, body, now, source, restoredFrom));
        return number;
    }

    /// <summary>The owner's edit, cleaned; refused when empty or too long.</summary>
    public static (string Subject, string Body) CleanEdit(string subject, string body)
    {
        var cleanBody = LetterBody.Clean(body);
        var cleanSubject = LetterBody.OneLine(subject);
        if (string.IsNullOrWhiteSpace(cleanBody) || cleanBody.Length > LetterBody.MaxLength || cleanSubject.Length > MaxSubjectLength)
        {
            throw new LetterRefusedException($"The letter must have some text, at most {LetterBody.MaxLength:N0} characters, and a subject of at most {MaxSubjectLength}.");
        }

        return (cleanSubject, cleanBody);
    }

    /// <summary>Saving the current text again adds no version.</summary>
    public static bool IsUnchanged(IReadOnlyList<LetterVersion> versions, int current, string subject, string body) =>
        versions.FirstOrDefault(v => v.Number == current) is { } version && version.Body == body && version.Subject == subject;

    public static LetterVersion Find(IReadOnlyList<LetterVersion> versions, int number) =>
        versions.FirstOrDefault(v => v.Number == number) ?? throw new LetterRefusedException("There is no such version.");
}
