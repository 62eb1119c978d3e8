using Maneiro.Grains.Domain.Letters;
using Maneiro.Grains.Interfaces;

namespace Maneiro.Tests.Unit.Letters;

public sealed class LetterVersionsTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Versions_are_numbered_after_the_highest_and_never_rewritten()
    {
        var versions = new List<LetterVersion>();
        Assert.Equal(1, LetterVersions.Add(versions, "Referral", "First draft.", Now, LetterVersionSource.Generated, null));
        Assert.Equal(2, LetterVersions.Add(versions, "Referral", "Edited.", Now, LetterVersionSource.Edited, null));
        var restored = LetterVersions.Find(versions, 1);
        Assert.Equal(3, LetterVersions.Add(versions, restored.Subject, restored.Body, Now, LetterVersionSource.Restored, restored.Number));

        Assert.Equal(["First draft.", "Edited.", "First draft."], versions.Select(v => v.Body));
        Assert.Equal(1, versions[2].RestoredFrom);
    }

    [Fact]
    public void Saving_the_current_text_again_is_no_change()
    {
        var versions = new List<LetterVersion>();
        LetterVersions.Add(versions, "Referral", "Body.", Now, LetterVersionSource.Generated, null);
        Assert.True(LetterVersions.IsUnchanged(versions, 1, "Referral", "Body."));
        Assert.False(LetterVersions.IsUnchanged(versions, 1, "Referral", "Body, edited."));
    }

    [Fact]
    public void Empty_or_oversized_edits_and_unknown_versions_are_refused()
    {
        Assert.Throws<LetterRefusedException>(() => LetterVersions.CleanEdit("Subject", "   "));
        Assert.Throws<LetterRefusedException>(() => LetterVersions.CleanEdit(new string('s', LetterVersions.MaxSubjectLength + 1), "Body."));
        Assert.Throws<LetterRefusedException>(() => LetterVersions.CleanEdit("Subject", new string('b', LetterBody.MaxLength + 1)));
        Assert.Throws<LetterRefusedException>(() => LetterVersions.Find([], 4));
    }
}
